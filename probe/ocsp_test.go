package probe

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"math/big"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ocsp"

	"github.com/mtlsdoctor/mtlsdoctor/fixtures"
	"github.com/mtlsdoctor/mtlsdoctor/report"
)

// startOCSPResponder runs openssl ocsp on port for pki's CA. good and
// revoked are listed in its index; any other certificate is unknown.
//
// NOTE: openssl ocsp -port in OpenSSL 3.0 takes only a port number and
// listens on every interface; the probe connects to it on 127.0.0.1 only.
func startOCSPResponder(t *testing.T, pki *testPKI, port int, good, revoked *x509.Certificate) {
	t.Helper()
	openssl := requireTool(t, "openssl", opensslHint)
	line := func(status string, c *x509.Certificate, revokedAt string) string {
		return fmt.Sprintf("%s\t%s\t%s\t%s\tunknown\t/CN=%s\n", status, c.NotAfter.UTC().Format("060102150405Z"),
			revokedAt, hexSerial(c.SerialNumber), c.Subject.CommonName)
	}
	index := line("V", good, "") + line("R", revoked, time.Now().Add(-time.Hour).UTC().Format("060102150405Z")+",superseded")
	dir := writeFiles(t, map[string][]byte{
		"index.txt": []byte(index),
		"ca.pem":    pki.CA.CertPEM(),
		"ca.key":    keyPEM(t, pki.CA),
	})
	// Readiness comes from the output, not a test connection: openssl
	// ocsp 3.0 serves one connection at a time, and a connection closed
	// without a request blocks it for good.
	ready := func(out string) bool { return strings.Contains(out, "waiting for OCSP client connections") }
	startProcess(t, port, ready, openssl, "ocsp", "-index", dir+"/index.txt", "-port", strconv.Itoa(port),
		"-rsigner", dir+"/ca.pem", "-rkey", dir+"/ca.key", "-CA", dir+"/ca.pem", "-nmin", "10")
}

// hexSerial formats a serial as openssl index files do: upper-case hex
// with an even number of digits.
func hexSerial(n *big.Int) string {
	s := fmt.Sprintf("%X", n)
	if len(s)%2 == 1 {
		s = "0" + s
	}
	return s
}

func TestProbeOCSP(t *testing.T) {
	pki := newTestPKI(t)
	port := freePort(t)
	responder := fmt.Sprintf("http://127.0.0.1:%d", port)
	issue := func(url string) *fixtures.Cert {
		c, err := pki.IssueServer(func(s *fixtures.Spec) {
			s.OCSPServer = url
			s.IPAddresses = []net.IP{net.IPv4(127, 0, 0, 1)}
		})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	good, revoked, unknown := issue(responder), issue(responder), issue(responder)
	unreachable := issue(fmt.Sprintf("http://127.0.0.1:%d", freePort(t)))
	startOCSPResponder(t, pki, port, good.Cert, revoked.Cert)

	// A server that staples a revoked status for a leaf whose responder
	// reports good: the probe must use the stapled response.
	stapled := good.TLSCertificate()
	staple, err := ocsp.CreateResponse(pki.CA.Cert, pki.CA.Cert, ocsp.Response{
		Status: ocsp.Revoked, SerialNumber: good.Cert.SerialNumber, ThisUpdate: time.Now().Add(-time.Minute),
		RevokedAt: time.Now().Add(-time.Hour), RevocationReason: ocsp.KeyCompromise,
	}, pki.CA.Key)
	if err != nil {
		t.Fatal(err)
	}
	stapled.OCSPStaple = staple

	tests := []struct {
		name   string
		cert   tls.Certificate
		ocsp   bool
		status report.Status
		code   report.Code // empty: no revocation finding
		detail string
	}{
		{"good", good.TLSCertificate(), true, report.StatusPass, "", "is good according to the OCSP responder"},
		{"revoked", revoked.TLSCertificate(), true, report.StatusFail, report.CodeRevoked, "reason superseded"},
		{"unknown", unknown.TLSCertificate(), true, report.StatusWarn, report.CodeOCSPUnavailable, "does not know"},
		{"unreachable", unreachable.TLSCertificate(), true, report.StatusWarn, report.CodeOCSPUnavailable, "did not answer"},
		{"stapled", stapled, true, report.StatusFail, report.CodeRevoked, "the OCSP response the server stapled"},
		{"no responder", pki.Server.TLSCertificate(), true, report.StatusSkip, "", "names no http OCSP responder"},
		{"not asked", revoked.TLSCertificate(), false, "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url := startGoServer(t, serverConfig(tt.cert), nil)
			rep := runProbe(t, Options{URL: url, Roots: pki.CA.Pool(), Edition: EditionNone, OCSP: tt.ocsp})
			wantCheck(t, rep, checkRevocation, tt.status)
			if tt.code != "" {
				wantCode(t, rep, tt.code, severityOf(tt.code))
			} else {
				wantNoCode(t, rep, report.CodeRevoked)
				wantNoCode(t, rep, report.CodeOCSPUnavailable)
			}
			for _, c := range rep.Checks {
				if c.Name == checkRevocation && !strings.Contains(c.Detail, tt.detail) {
					t.Errorf("check detail %q does not contain %q", c.Detail, tt.detail)
				}
			}
		})
	}
}

func severityOf(code report.Code) report.Severity {
	entry, _ := report.Lookup(code)
	return entry.Severity
}

// TestProbeOCSPWithoutIntermediate probes a server that sends only its
// leaf, issued by an intermediate, with --ca holding the root. The OCSP
// request needs the intermediate, which neither the server nor --ca
// provides, so the check must name it rather than ask for --ca.
func TestProbeOCSPWithoutIntermediate(t *testing.T) {
	pki := newTestPKI(t)
	intermediate, err := fixtures.NewIntermediate(pki.CA, "OCSP test intermediate", "")
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := intermediate.Issue(fixtures.Spec{
		CommonName:  "localhost",
		DNSNames:    []string{"localhost"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		OCSPServer:  fmt.Sprintf("http://127.0.0.1:%d", freePort(t)),
	})
	if err != nil {
		t.Fatal(err)
	}
	leafOnly := tls.Certificate{Certificate: [][]byte{leaf.Cert.Raw}, PrivateKey: leaf.Key}
	url := startGoServer(t, serverConfig(leafOnly), nil)

	rep := runProbe(t, Options{URL: url, Roots: pki.CA.Pool(), RootCerts: []*x509.Certificate{pki.CA.Cert}, Edition: EditionNone, OCSP: true})

	wantCheck(t, rep, checkRevocation, report.StatusSkip)
	var detail string
	for _, c := range rep.Checks {
		if c.Name == checkRevocation {
			detail = c.Detail
		}
	}
	for _, part := range []string{"the server sent only its leaf", "CN=OCSP test intermediate", "--ca does not hold the issuer", "send this intermediate after its leaf"} {
		if !strings.Contains(detail, part) {
			t.Errorf("check detail %q does not contain %q", detail, part)
		}
	}
	if strings.Contains(detail, "pass the CA file") {
		t.Errorf("check detail %q asks for --ca, which was given", detail)
	}
}
