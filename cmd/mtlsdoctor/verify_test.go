package main

import (
	"crypto/x509"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/smallstep/pkcs7"
	"golang.org/x/crypto/ocsp"
	"software.sslmate.com/src/go-pkcs12"

	"github.com/mtlsdoctor/mtlsdoctor/fixtures"
)

// writePKI writes a fresh test PKI into a temporary folder and returns it.
func writePKI(t *testing.T) (string, *fixtures.PKI) {
	t.Helper()
	pki, err := fixtures.NewPKI(fixtures.Options{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if _, err := pki.Write(dir, false); err != nil {
		t.Fatal(err)
	}
	return dir, pki
}

func TestVerifyCommand(t *testing.T) {
	dir, pki := writePKI(t)
	p := func(name string) string { return filepath.Join(dir, name) }
	expired, err := pki.IssueServer(fixtures.Expired)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p("expired.pem"), expired.CertPEM(), 0o644); err != nil {
		t.Fatal(err)
	}
	foreign, err := fixtures.NewPKI(fixtures.Options{CAName: "foreign CA"})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p("foreign-ca.pem"), foreign.CA.CertPEM(), 0o644); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name     string
		args     []string
		wantCode int
		want     string
	}{
		{"valid server", []string{"--cert", p("server-crt.pem"), "--ca", p("test-ca-crt.pem"), "--host", "localhost"}, 0, "OK"},
		{"valid client with key", []string{"--cert", p("client-crt.pem"), "--key", p("client-key.pem"), "--ca", p("test-ca-crt.pem"), "--usage", "client"}, 0, "OK"},
		{"key mismatch", []string{"--cert", p("client-crt.pem"), "--key", p("server-key.pem"), "--ca", p("test-ca-crt.pem"), "--usage", "client"}, 1, "key-mismatch"},
		{"host mismatch", []string{"--cert", p("server-crt.pem"), "--ca", p("test-ca-crt.pem"), "--host", "webhook.example.com"}, 1, "hostname-mismatch"},
		{"client as server", []string{"--cert", p("client-crt.pem"), "--ca", p("test-ca-crt.pem")}, 1, "wrong-usage-server"},
		{"expired", []string{"--cert", p("expired.pem"), "--ca", p("test-ca-crt.pem")}, 1, "expired"},
		{"foreign CA", []string{"--cert", p("server-crt.pem"), "--ca", p("foreign-ca.pem")}, 1, "unknown-authority"},
		{"in the future", []string{"--cert", p("server-crt.pem"), "--ca", p("test-ca-crt.pem"), "--at", "2999-01-01T00:00:00Z"}, 1, "expired"},
		{"missing cert flag", []string{"--ca", p("test-ca-crt.pem")}, 2, "--cert"},
		{"missing file", []string{"--cert", p("nope.pem")}, 2, "nope.pem"},
		{"key as cert", []string{"--cert", p("client-key.pem")}, 2, "swapped"},
		{"bad usage", []string{"--cert", p("server-crt.pem"), "--usage", "both"}, 2, "--usage"},
		{"bad time", []string{"--cert", p("server-crt.pem"), "--at", "tomorrow"}, 2, "--at"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, append([]string{"verify"}, tt.args...)...)
			if code != tt.wantCode {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tt.wantCode, stdout, stderr)
			}
			if !strings.Contains(stdout+stderr, tt.want) {
				t.Errorf("output does not contain %q\nstdout: %s\nstderr: %s", tt.want, stdout, stderr)
			}
		})
	}
}

func TestVerifyJUnit(t *testing.T) {
	dir, _ := writePKI(t)
	code, stdout, _ := runCLI(t, "verify", "--cert", filepath.Join(dir, "server-crt.pem"),
		"--ca", filepath.Join(dir, "test-ca-crt.pem"), "--host", "wrong.example", "--output", "junit")
	if code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	var doc struct {
		Failures int `xml:"failures,attr"`
		Suites   []struct {
			Cases []struct {
				Name    string `xml:"name,attr"`
				Failure *struct {
					Type string `xml:"type,attr"`
				} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("not XML: %v\n%s", err, stdout)
	}
	if doc.Failures != 1 {
		t.Errorf("failures = %d, want 1", doc.Failures)
	}
	found := false
	for _, c := range doc.Suites[0].Cases {
		if c.Failure != nil && c.Failure.Type == "hostname-mismatch" {
			found = c.Name == "host name"
		}
	}
	if !found {
		t.Errorf("no failed case \"host name\" of type hostname-mismatch:\n%s", stdout)
	}
}

func TestVerifyEncodingsAndPasswords(t *testing.T) {
	dir, pki := writePKI(t)
	p := func(name string) string { return filepath.Join(dir, name) }
	p12, err := pkcs12.Modern.Encode(pki.Client.Key, pki.Client.Cert, []*x509.Certificate{pki.CA.Cert}, "s3cret")
	if err != nil {
		t.Fatal(err)
	}
	p7, err := pkcs7.DegenerateCertificate(append(append([]byte{}, pki.Server.Cert.Raw...), pki.CA.Cert.Raw...))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{
		"client.p12":   p12,
		"password.txt": []byte("s3cret\n"),
		"server.p7b":   p7,
		"server.der":   pki.Server.Cert.Raw,
		"ca.der":       pki.CA.Cert.Raw,
	}
	for name, data := range files {
		if err := os.WriteFile(p(name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}

	tests := []struct {
		name     string
		args     []string
		wantCode int
		want     string
	}{
		{"pkcs12 certificate and key", []string{"--cert", p("client.p12"), "--key", p("client.p12"), "--password-file", p("password.txt"), "--ca", p("ca.der"), "--usage", "client"}, 0, "key matches certificate"},
		{"pkcs12 without password", []string{"--cert", p("client.p12"), "--usage", "client"}, 2, "--password-file"},
		{"pkcs7 chain", []string{"--cert", p("server.p7b"), "--ca", p("test-ca-crt.pem"), "--host", "localhost"}, 0, "PKCS#7 (DER)"},
		{"der certificate", []string{"--cert", p("server.der"), "--ca", p("test-ca-crt.pem")}, 0, "openssl x509 -inform DER -in " + p("server.der")},
		{"bad timeout", []string{"--cert", p("server.der"), "--timeout", "-1s"}, 2, "--timeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, append([]string{"verify"}, tt.args...)...)
			if code != tt.wantCode {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tt.wantCode, stdout, stderr)
			}
			if !strings.Contains(stdout+stderr, tt.want) {
				t.Errorf("output does not contain %q\nstdout: %s\nstderr: %s", tt.want, stdout, stderr)
			}
			if strings.Contains(stdout+stderr, "s3cret") {
				t.Errorf("output shows the password")
			}
		})
	}
}

func TestVerifyAIAAndOCSP(t *testing.T) {
	pki, err := fixtures.NewPKI(fixtures.Options{})
	if err != nil {
		t.Fatal(err)
	}
	intermediate, err := fixtures.NewIntermediate(pki.CA, "verify intermediate", "")
	if err != nil {
		t.Fatal(err)
	}
	revokedSerials := map[string]bool{}
	mux := http.NewServeMux()
	mux.HandleFunc("/intermediate.crt", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write(intermediate.Cert.Raw)
	})
	// The OCSP responder here is Go's, to test the wiring; the chain and
	// probe packages test against openssl ocsp.
	mux.HandleFunc("/ocsp", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		req, err := ocsp.ParseRequest(body)
		if err != nil {
			_, _ = w.Write(ocsp.MalformedRequestErrorResponse)
			return
		}
		status := ocsp.Good
		if revokedSerials[req.SerialNumber.String()] {
			status = ocsp.Revoked
		}
		resp, err := ocsp.CreateResponse(intermediate.Cert, intermediate.Cert, ocsp.Response{
			Status: status, SerialNumber: req.SerialNumber, ThisUpdate: time.Now().Add(-time.Minute),
			RevokedAt: time.Now().Add(-time.Hour),
		}, intermediate.Key)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		_, _ = w.Write(resp)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	issue := func(cn string) *fixtures.Cert {
		c, err := intermediate.Issue(fixtures.Spec{CommonName: cn, DNSNames: []string{"localhost"},
			ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
			AIAIssuerURL: srv.URL + "/intermediate.crt", OCSPServer: srv.URL + "/ocsp"})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	good, revoked := issue("good"), issue("revoked")
	revokedSerials[revoked.Cert.SerialNumber.String()] = true
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	ca := write("ca.pem", pki.CA.CertPEM())
	leafOnly := write("leaf-only.pem", good.CertPEM())
	goodChain := write("good.pem", good.ChainPEM())
	revokedChain := write("revoked.pem", revoked.ChainPEM())

	tests := []struct {
		name     string
		args     []string
		wantCode int
		want     []string
	}{
		{"missing intermediate", []string{"--cert", leafOnly, "--ca", ca}, 1,
			[]string{"incomplete-chain", "the file does not contain the issuer of CN=good", "Add the intermediate"}},
		{"missing intermediate with aia", []string{"--cert", leafOnly, "--ca", ca, "--aia"}, 1,
			[]string{"incomplete-chain", "the file does not contain the intermediate CN=verify intermediate", "Add this intermediate to " + leafOnly}},
		{"good with ocsp", []string{"--cert", goodChain, "--ca", ca, "--ocsp"}, 0, []string{"revocation (OCSP)", "is good according to the OCSP responder"}},
		{"revoked with ocsp", []string{"--cert", revokedChain, "--ca", ca, "--ocsp"}, 1, []string{"revoked", "CN=revoked was revoked"}},
		{"revoked without ocsp", []string{"--cert", revokedChain, "--ca", ca}, 0, []string{`"ok": true`}},
		{"leaf only with aia and ocsp", []string{"--cert", leafOnly, "--ca", ca, "--aia", "--ocsp"}, 1, []string{"is good according to the OCSP responder"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// JSON, because text output wraps long details across lines.
			args := append(append([]string{"verify"}, tt.args...), "--output", "json")
			code, stdout, stderr := runCLI(t, args...)
			if code != tt.wantCode {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tt.wantCode, stdout, stderr)
			}
			for _, want := range tt.want {
				if !strings.Contains(stdout+stderr, want) {
					t.Errorf("output does not contain %q\nstdout: %s\nstderr: %s", want, stdout, stderr)
				}
			}
			// verify reads a file, so nothing was sent by a peer.
			for _, peerWording := range []string{"did not send", "was not sent", "Serve th"} {
				if strings.Contains(stdout, peerWording) {
					t.Errorf("output speaks of a peer with %q:\n%s", peerWording, stdout)
				}
			}
		})
	}
}
