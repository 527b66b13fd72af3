package main

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/smallstep/pkcs7"
	"software.sslmate.com/src/go-pkcs12"

	"github.com/mtlsdoctor/mtlsdoctor/chain"
	"github.com/mtlsdoctor/mtlsdoctor/fixtures"
)

func TestInspectCommand(t *testing.T) {
	dir, pki := writePKI(t)
	p := func(name string) string { return filepath.Join(dir, name) }
	write := func(name string, data []byte) {
		t.Helper()
		if err := os.WriteFile(p(name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	p12, err := pkcs12.Modern.Encode(pki.Client.Key, pki.Client.Cert, []*x509.Certificate{pki.CA.Cert}, "s3cret")
	if err != nil {
		t.Fatal(err)
	}
	write("client.p12", p12)
	write("password.txt", []byte("s3cret\n"))
	write("ca.der", pki.CA.Cert.Raw)
	expired, err := pki.IssueServer(fixtures.Expired)
	if err != nil {
		t.Fatal(err)
	}
	write("expired.pem", expired.CertPEM())
	write("empty.pem", nil)

	tests := []struct {
		name     string
		args     []string
		env      string // MTLSDOCTOR_PASSWORD, when not empty
		wantCode int
		want     []string // each must be in stdout or stderr
	}{
		{"pem chain", []string{p("server-crt.pem")}, "", 0, []string{"certificate 1: leaf", "DNS:localhost", "SHA-256", "authority key ID"}},
		{"key file", []string{p("client-key.pem")}, "", 0, []string{"private key (block 1): PKCS#8 ECDSA P-256, matches no certificate here"}},
		{"der file", []string{p("ca.der")}, "", 0, []string{"DER, 1 certificate", "openssl x509 -inform DER -in " + p("ca.der")}},
		{"pkcs12 with password file", []string{p("client.p12"), "--password-file", p("password.txt")}, "", 0, []string{"PKCS#12, 2 certificates, 1 private key", "matches certificate 1"}},
		{"pkcs12 with environment", []string{p("client.p12")}, "s3cret", 0, []string{"PKCS#12, 2 certificates"}},
		{"pkcs12 without password", []string{p("client.p12")}, "", 2, []string{"protected by a password", "fix: Pass the password with --password-file"}},
		{"pkcs12 wrong password", []string{p("client.p12"), "--password", "wrong"}, "", 2, []string{"password from --password does not open"}},
		{"both password options", []string{p("client.p12"), "--password", "x", "--password-file", p("password.txt")}, "", 2, []string{"both given"}},
		{"expired", []string{p("expired.pem")}, "", 1, []string{"expired"}},
		{"empty file", []string{p("empty.pem")}, "", 2, []string{"empty"}},
		{"missing file", []string{p("nope.pem")}, "", 2, []string{"nope.pem"}},
		{"two arguments", []string{p("server-crt.pem"), p("ca.der")}, "", 2, []string{"exactly one argument"}},
		{"pem with json", []string{p("server-crt.pem"), "--pem", "--output", "json"}, "", 2,
			[]string{"--pem and --output json", "Drop --output json to write PEM, or drop --pem"}},
		{"pem with junit", []string{p("server-crt.pem"), "--pem", "--output", "junit"}, "", 2, []string{"--pem and --output junit"}},
		{"pem with text", []string{p("server-crt.pem"), "--pem", "--output", "text"}, "", 0, []string{"-----BEGIN CERTIFICATE-----"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.env != "" {
				t.Setenv(chain.PasswordEnv, tt.env)
			}
			code, stdout, stderr := runCLI(t, append([]string{"inspect"}, tt.args...)...)
			if code != tt.wantCode {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tt.wantCode, stdout, stderr)
			}
			for _, want := range tt.want {
				if !strings.Contains(stdout+stderr, want) {
					t.Errorf("output does not contain %q\nstdout: %s\nstderr: %s", want, stdout, stderr)
				}
			}
			if strings.Contains(stdout+stderr, "s3cret") || strings.Contains(stdout+stderr, "PRIVATE KEY-----") {
				t.Errorf("output shows a secret:\n%s%s", stdout, stderr)
			}
		})
	}
}

func TestInspectJSONAndPEM(t *testing.T) {
	dir, pki := writePKI(t)
	certPath := filepath.Join(dir, "server-crt.pem")

	code, stdout, stderr := runCLI(t, "inspect", certPath, "--output", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var doc struct {
		Target       string `json:"target"`
		OK           bool   `json:"ok"`
		Encoding     string `json:"encoding"`
		Certificates []struct {
			Subject string   `json:"subject"`
			SANs    []string `json:"sans"`
			SHA1    string   `json:"sha1"`
		} `json:"certificates"`
		Keys     []any `json:"keys"`
		Findings []any `json:"findings"`
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, stdout)
	}
	if !doc.OK || doc.Encoding != "PEM" || len(doc.Certificates) != 1 || doc.Keys == nil || doc.Findings == nil {
		t.Errorf("unexpected document: %+v", doc)
	}
	if len(doc.Certificates) == 1 && (doc.Certificates[0].SHA1 == "" || len(doc.Certificates[0].SANs) != 3) {
		t.Errorf("certificate lacks SHA-1 or SANs: %+v", doc.Certificates[0])
	}

	der := filepath.Join(dir, "server.der")
	if err := os.WriteFile(der, pki.Server.Cert.Raw, 0o600); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr = runCLI(t, "inspect", der, "--pem")
	if code != 0 {
		t.Fatalf("--pem exit %d: %s", code, stderr)
	}
	block, rest := pem.Decode([]byte(stdout))
	if block == nil || block.Type != "CERTIFICATE" || len(strings.TrimSpace(string(rest))) != 0 {
		t.Fatalf("--pem output is not one CERTIFICATE block:\n%s", stdout)
	}
	if string(block.Bytes) != string(pki.Server.Cert.Raw) {
		t.Error("--pem wrote another certificate")
	}
}

func TestInspectServer(t *testing.T) {
	pki, err := fixtures.NewPKI(fixtures.Options{})
	if err != nil {
		t.Fatal(err)
	}
	intermediate, err := fixtures.NewIntermediate(pki.CA, "inspect intermediate", "")
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := intermediate.Issue(fixtures.Spec{CommonName: "localhost", DNSNames: []string{"localhost"}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(http.NotFoundHandler())
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{leaf.TLSCertificate()}}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	hostport := strings.TrimPrefix(srv.URL, "https://")

	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedAddr := closed.Addr().String()
	closed.Close()

	tests := []struct {
		name     string
		args     []string
		wantCode int
		want     []string
	}{
		{"url", []string{srv.URL}, 0, []string{"sent 2 certificates", "certificate 2: intermediate CA", "CN=inspect intermediate"}},
		{"host and port with name", []string{hostport, "--server-name", "localhost"}, 0, []string{"server name localhost"}},
		{"pem", []string{hostport, "--pem"}, 0, []string{"-----BEGIN CERTIFICATE-----"}},
		{"refused", []string{closedAddr, "--timeout", "2s"}, 1, []string{"connection-refused"}},
		{"refused with pem", []string{closedAddr, "--pem"}, 1, []string{"connection-refused"}},
		{"bad timeout", []string{hostport, "--timeout", "0s"}, 2, []string{"--timeout"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, append([]string{"inspect"}, tt.args...)...)
			if code != tt.wantCode {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tt.wantCode, stdout, stderr)
			}
			for _, want := range tt.want {
				if !strings.Contains(stdout+stderr, want) {
					t.Errorf("output does not contain %q\nstdout: %s\nstderr: %s", want, stdout, stderr)
				}
			}
		})
	}
}

// TestInspectEncodingLabel checks the label inspect gives each container
// format, in the text summary and in the JSON encoding field.
func TestInspectEncodingLabel(t *testing.T) {
	dir, pki := writePKI(t)
	p7, err := pkcs7.DegenerateCertificate(append(append([]byte{}, pki.Server.Cert.Raw...), pki.CA.Cert.Raw...))
	if err != nil {
		t.Fatal(err)
	}
	p12, err := pkcs12.Passwordless.Encode(pki.Client.Key, pki.Client.Cert, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{
		"chain.p7b":     p7,
		"chain-p7b.pem": pem.EncodeToMemory(&pem.Block{Type: "PKCS7", Bytes: p7}),
		"client.p12":    p12,
		"server.der":    pki.Server.Cert.Raw,
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}

	tests := []struct {
		file  string
		label string
	}{
		{"chain.p7b", "PKCS#7 (DER)"},
		{"chain-p7b.pem", "PKCS#7 (PEM)"},
		{"client.p12", "PKCS#12"},
		{"server.der", "DER"},
		{"server-crt.pem", "PEM"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			path := filepath.Join(dir, tt.file)
			code, stdout, stderr := runCLI(t, "inspect", path)
			if code != 0 {
				t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
			}
			if !strings.Contains(stdout, "\n  "+tt.label+", ") {
				t.Errorf("text summary does not start with %q:\n%s", tt.label, stdout)
			}

			code, stdout, stderr = runCLI(t, "inspect", path, "--output", "json")
			if code != 0 {
				t.Fatalf("--output json: exit %d\nstderr: %s", code, stderr)
			}
			var doc struct {
				Encoding string `json:"encoding"`
			}
			if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
				t.Fatalf("not JSON: %v\n%s", err, stdout)
			}
			if doc.Encoding != tt.label {
				t.Errorf("JSON encoding = %q, want %q", doc.Encoding, tt.label)
			}
		})
	}
}
