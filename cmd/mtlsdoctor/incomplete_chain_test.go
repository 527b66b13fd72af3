package main

import (
	"crypto/tls"
	"crypto/x509"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mtlsdoctor/mtlsdoctor/fixtures"
)

// TestIntermediateOnlyInCAFile runs verify and probe with a --ca file that
// holds the root and the intermediate, as a fullchain file does, against
// a leaf that comes without its intermediate. The platform trusts only
// roots and rejects such a server, so both commands must exit 1.
func TestIntermediateOnlyInCAFile(t *testing.T) {
	dir, pki := writePKI(t)
	intermediate, err := fixtures.NewIntermediate(pki.CA, "fullchain intermediate", "")
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := intermediate.Issue(fixtures.Spec{
		CommonName:  "localhost",
		DNSNames:    []string{"localhost"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	})
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, data []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	leafFile := write("leaf.pem", leaf.CertPEM())
	fullchain := write("root+intermediate.pem", append(pki.CA.CertPEM(), intermediate.CertPEM()...))

	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("ok"))
	}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{leaf.Cert.Raw}, PrivateKey: leaf.Key}}}
	srv.StartTLS()
	defer srv.Close()

	tests := []struct {
		name string
		args []string
		fix  string
	}{
		{"verify", []string{"verify", "--cert", leafFile, "--ca", fullchain, "--host", "localhost"}, "Append this intermediate to"},
		{"probe", []string{"probe", srv.URL, "--server-name", "localhost", "--ca", fullchain, "--edition", "none", "--aia=false"},
			"Serve this intermediate after the leaf"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, tt.args...)
			if code != exitFindings {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", code, exitFindings, stdout, stderr)
			}
			for _, part := range []string{"ERROR incomplete-chain", "CN=fullchain intermediate", "verifies only because --ca holds", tt.fix} {
				if !strings.Contains(stdout, part) {
					t.Errorf("output does not contain %q:\n%s", part, stdout)
				}
			}
		})
	}
}
