package main

import (
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"software.sslmate.com/src/go-pkcs12"
)

func TestProbeWarnsLeafInCAFile(t *testing.T) {
	dir, pki := writePKI(t)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("ok"))
	}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{pki.Server.TLSCertificate()}}
	srv.StartTLS()
	defer srv.Close()

	code, stdout, stderr := runCLI(t, "probe", srv.URL, "--edition", "none", "--server-name", "localhost",
		"--ca", filepath.Join(dir, "server-crt.pem"), "--output", "json")
	if code != 0 {
		t.Errorf("exit %d, want 0 (the warning is not an error)\nstderr: %s", code, stderr)
	}
	if !strings.Contains(stdout, `"code": "not-a-ca"`) {
		t.Errorf("no not-a-ca finding for a leaf passed as --ca:\n%s", stdout)
	}
}

// TestProbeCAFromPKCS12 checks that probe opens a --ca trust store in
// PKCS#12 with --password-file, as verify does.
func TestProbeCAFromPKCS12(t *testing.T) {
	dir, pki := writePKI(t)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("ok"))
	}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{pki.Server.TLSCertificate()}}
	srv.StartTLS()
	defer srv.Close()
	store, err := pkcs12.Modern.EncodeTrustStore([]*x509.Certificate{pki.CA.Cert}, "s3cret")
	if err != nil {
		t.Fatal(err)
	}
	caFile, passwordFile := filepath.Join(dir, "ca.p12"), filepath.Join(dir, "password.txt")
	if err := os.WriteFile(caFile, store, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(passwordFile, []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	code, stdout, stderr := runCLI(t, "probe", srv.URL, "--edition", "none", "--server-name", "localhost",
		"--ca", caFile, "--password-file", passwordFile, "--output", "json")
	if code != 0 {
		t.Errorf("exit %d, want 0\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
}
