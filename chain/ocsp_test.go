package chain

import (
	"context"
	"crypto/x509"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ocsp"

	"github.com/mtlsdoctor/mtlsdoctor/fixtures"
	"github.com/mtlsdoctor/mtlsdoctor/internal/peers"
	"github.com/mtlsdoctor/mtlsdoctor/report"
)

// ocspEntry is one line of an openssl ca index file.
type ocspEntry struct {
	cert    *x509.Certificate
	revoked bool
}

// opensslSerial formats a serial number as openssl writes it in an index
// file: upper-case hex with an even number of digits.
func opensslSerial(n *big.Int) string {
	s := fmt.Sprintf("%X", n)
	if len(s)%2 == 1 {
		s = "0" + s
	}
	return s
}

// startOCSPResponder runs openssl ocsp on port as the responder for ca,
// with an index file listing entries. A certificate not in the index has
// status unknown.
//
// NOTE: openssl ocsp -port in OpenSSL 3.0 takes only a port number and
// listens on every interface; the tests connect to it on 127.0.0.1 only.
func startOCSPResponder(t *testing.T, ca *fixtures.Cert, port int, entries ...ocspEntry) {
	t.Helper()
	openssl := requireTool(t, "openssl", "apt-get install openssl")
	dir := t.TempDir()
	var index strings.Builder
	for _, e := range entries {
		expiry := e.cert.NotAfter.UTC().Format("060102150405Z")
		status, revokedAt := "V", ""
		if e.revoked {
			status = "R"
			revokedAt = time.Now().Add(-time.Hour).UTC().Format("060102150405Z") + ",keyCompromise"
		}
		fmt.Fprintf(&index, "%s\t%s\t%s\t%s\tunknown\t/CN=%s\n", status, expiry, revokedAt, opensslSerial(e.cert.SerialNumber), e.cert.Subject.CommonName)
	}
	caKey, err := ca.KeyPEM()
	if err != nil {
		t.Fatal(err)
	}
	writeTestFile(t, dir, "index.txt", []byte(index.String()))
	writeTestFile(t, dir, "ca.pem", ca.CertPEM())
	writeTestFile(t, dir, "ca.key", caKey)

	cmd := exec.Command(openssl, "ocsp", "-index", "index.txt", "-port", strconv.Itoa(port),
		"-rsigner", "ca.pem", "-rkey", "ca.key", "-CA", "ca.pem", "-nmin", "10")
	cmd.Dir = dir
	out := &peers.Log{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start openssl ocsp: %v", err)
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
		if t.Failed() {
			t.Logf("openssl ocsp output:\n%s", out)
		}
	})
	waitForOutput(t, "waiting for OCSP client connections", exited, out)
}

// freeTCPPort returns a port on 127.0.0.1 that was free a moment ago, for
// servers such as openssl ocsp that take a fixed port.
func freeTCPPort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// waitForOutput waits until the process prints ready. It does not probe
// the port: openssl ocsp 3.0 serves one connection at a time, and a
// connection closed without a request blocks it for good.
func waitForOutput(t *testing.T, ready string, exited <-chan struct{}, out fmt.Stringer) {
	t.Helper()
	limit := time.Now().Add(10 * time.Second)
	for time.Now().Before(limit) {
		select {
		case <-exited:
			t.Fatalf("openssl ocsp exited before it was ready:\n%s", out)
		default:
		}
		if strings.Contains(out.String(), ready) {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("openssl ocsp did not print %q within 10s:\n%s", ready, out)
}

func TestCheckOCSPAgainstOpenSSL(t *testing.T) {
	pki := mustPKI(t)
	port := freeTCPPort(t)
	url := fmt.Sprintf("http://127.0.0.1:%d", port)
	issue := func(responder string) *x509.Certificate {
		c, err := pki.IssueServer(func(s *fixtures.Spec) { s.OCSPServer = responder })
		if err != nil {
			t.Fatal(err)
		}
		return c.Cert
	}
	good, revoked, unknown := issue(url), issue(url), issue(url)
	unreachable := issue(closedPortURL(t, ""))
	startOCSPResponder(t, pki.CA, port, ocspEntry{cert: good}, ocspEntry{cert: revoked, revoked: true})

	tests := []struct {
		name   string
		cert   *x509.Certificate
		issuer *x509.Certificate
		status OCSPStatus
		code   report.Code // empty: no finding
		detail string
	}{
		{"good", good, pki.CA.Cert, OCSPGood, "", "is good according to the OCSP responder " + url},
		{"revoked", revoked, pki.CA.Cert, OCSPRevoked, report.CodeRevoked, "reason keyCompromise"},
		{"unknown", unknown, pki.CA.Cert, OCSPUnknown, report.CodeOCSPUnavailable, "does not know"},
		{"unreachable", unreachable, pki.CA.Cert, OCSPUnavailable, report.CodeOCSPUnavailable, "did not answer"},
		{"no responder", pki.Server.Cert, pki.CA.Cert, OCSPNotChecked, "", "names no http OCSP responder"},
		{"no issuer", good, nil, OCSPNotChecked, "", "issuer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			result := CheckOCSP(ctx, &http.Client{Timeout: 5 * time.Second}, tt.cert, tt.issuer, time.Now())
			if result.Status != tt.status {
				t.Errorf("status = %q, want %q (detail: %s)", result.Status, tt.status, result.Detail)
			}
			if !strings.Contains(result.Detail, tt.detail) {
				t.Errorf("detail %q does not contain %q", result.Detail, tt.detail)
			}
			switch {
			case tt.code == "" && len(result.Findings) > 0:
				t.Errorf("unexpected findings: %+v", result.Findings)
			case tt.code != "" && (len(result.Findings) != 1 || result.Findings[0].Code != tt.code):
				t.Errorf("findings = %+v, want one %s", result.Findings, tt.code)
			case tt.code != "" && (result.Findings[0].Detail == "" || result.Findings[0].Fix == ""):
				t.Errorf("finding lacks detail or fix: %+v", result.Findings[0])
			}
		})
	}
}

func TestCheckOCSPResponseRejects(t *testing.T) {
	pki := mustPKI(t)
	leaf := pki.Server.Cert
	now := time.Now()
	sign := func(responder *fixtures.Cert, tmpl ocsp.Response) []byte {
		t.Helper()
		tmpl.SerialNumber = leaf.SerialNumber
		if tmpl.ThisUpdate.IsZero() {
			tmpl.ThisUpdate = now.Add(-time.Minute)
		}
		if responder != pki.CA {
			tmpl.Certificate = responder.Cert // a delegated responder embeds its certificate
		}
		der, err := ocsp.CreateResponse(pki.CA.Cert, responder.Cert, tmpl, responder.Key)
		if err != nil {
			t.Fatal(err)
		}
		return der
	}
	delegate, err := pki.CA.Issue(fixtures.Spec{CommonName: "responder without OCSPSigning", ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}})
	if err != nil {
		t.Fatal(err)
	}
	authorized, err := pki.CA.Issue(fixtures.Spec{CommonName: "authorized responder", ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning}})
	if err != nil {
		t.Fatal(err)
	}
	foreign := mustPKI(t)

	tests := []struct {
		name   string
		der    []byte
		status OCSPStatus
		detail string
	}{
		{"good from the CA", sign(pki.CA, ocsp.Response{Status: ocsp.Good, NextUpdate: now.Add(time.Hour)}), OCSPGood, "is good"},
		{"good from an authorized responder", sign(authorized, ocsp.Response{Status: ocsp.Good}), OCSPGood, "is good"},
		{"stale", sign(pki.CA, ocsp.Response{Status: ocsp.Good, ThisUpdate: now.Add(-2 * time.Hour), NextUpdate: now.Add(-time.Hour)}), OCSPUnavailable, "stale"},
		{"from the future", sign(pki.CA, ocsp.Response{Status: ocsp.Good, ThisUpdate: now.Add(time.Hour)}), OCSPUnavailable, "not valid yet"},
		{"unauthorized delegate", sign(delegate, ocsp.Response{Status: ocsp.Good}), OCSPUnavailable, "did not authorize for OCSP signing"},
		{"signed by another CA", sign(foreign.CA, ocsp.Response{Status: ocsp.Good}), OCSPUnavailable, "is invalid"},
		{"try later", ocsp.TryLaterErrorResponse, OCSPUnavailable, `answered "try later"`},
		{"garbage", []byte("<html>"), OCSPUnavailable, "is invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			result := CheckOCSPResponse(tt.der, OCSPStapled, leaf, pki.CA.Cert, now)
			if result.Status != tt.status {
				t.Errorf("status = %q, want %q (detail: %s)", result.Status, tt.status, result.Detail)
			}
			if !strings.Contains(result.Detail, tt.detail) {
				t.Errorf("detail %q does not contain %q", result.Detail, tt.detail)
			}
			if !strings.Contains(result.Detail, "stapled") {
				t.Errorf("detail %q does not say the response was stapled", result.Detail)
			}
		})
	}
}

func TestCheckOCSPHTTPFailures(t *testing.T) {
	pki := mustPKI(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/ocsp-request" {
			http.Error(w, "want a POST of application/ocsp-request", http.StatusBadRequest)
			return
		}
		http.Error(w, "no", http.StatusServiceUnavailable)
	}))
	t.Cleanup(srv.Close)
	leaf, err := pki.IssueServer(func(s *fixtures.Spec) { s.OCSPServer = srv.URL })
	if err != nil {
		t.Fatal(err)
	}
	result := CheckOCSP(context.Background(), nil, leaf.Cert, pki.CA.Cert, time.Now())
	if result.Status != OCSPUnavailable || !strings.Contains(result.Detail, "HTTP status 503") {
		t.Errorf("result = %q %q, want unavailable with HTTP status 503", result.Status, result.Detail)
	}
}

func TestFindIssuer(t *testing.T) {
	pki := mustPKI(t)
	root, err := fixtures.NewRoot(fixtures.Spec{CommonName: "find issuer root"})
	if err != nil {
		t.Fatal(err)
	}
	intermediate, err := fixtures.NewIntermediate(root, "find issuer intermediate", "")
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := intermediate.Issue(fixtures.Spec{CommonName: "leaf", DNSNames: []string{"leaf"}})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		cert       *x509.Certificate
		candidates []*x509.Certificate
		roots      *x509.CertPool
		want       *x509.Certificate
	}{
		{"among candidates", leaf.Cert, []*x509.Certificate{pki.CA.Cert, intermediate.Cert}, nil, intermediate.Cert},
		{"in the roots", pki.Server.Cert, nil, pki.CA.Pool(), pki.CA.Cert},
		{"nowhere", leaf.Cert, []*x509.Certificate{pki.CA.Cert}, pki.CA.Pool(), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := FindIssuer(tt.cert, tt.candidates, tt.roots)
			if (got == nil) != (tt.want == nil) || (got != nil && !got.Equal(tt.want)) {
				t.Errorf("FindIssuer = %v, want %v", subjectOf(got), subjectOf(tt.want))
			}
		})
	}
}

func subjectOf(c *x509.Certificate) string {
	if c == nil {
		return "nil"
	}
	return c.Subject.String()
}
