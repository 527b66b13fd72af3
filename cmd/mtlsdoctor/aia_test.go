package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mtlsdoctor/mtlsdoctor/chain"
	"github.com/mtlsdoctor/mtlsdoctor/fixtures"
)

func TestBundleAIAAddsIssuer(t *testing.T) {
	root, err := fixtures.NewRoot(fixtures.Spec{CommonName: "bundle AIA root"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write(root.Cert.Raw)
	}))
	t.Cleanup(srv.Close)
	intermediate, err := root.Issue(fixtures.Spec{CommonName: "bundle AIA intermediate", IsCA: true, AIAIssuerURL: srv.URL + "/root.crt"})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	source := filepath.Join(dir, "intermediate.pem")
	if err := os.WriteFile(source, intermediate.CertPEM(), 0o644); err != nil {
		t.Fatal(err)
	}

	// The platform's root keeps the Dialogflow check of a bundle without
	// --profile from failing.
	sslcom := filepath.Join("..", "..", "chain", "profiles", "ssl-com-root-rsa.pem")

	tests := []struct {
		name  string
		flags []string
		certs int
	}{
		{"without aia", nil, 2},
		{"with aia", []string{"--aia"}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "ca-crt.pem")
			args := append([]string{"bundle", "--source", sslcom, "--source", source, "--out", out}, tt.flags...)
			code, stdout, stderr := runCLI(t, args...)
			if code != 0 {
				t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
			}
			certs, err := chain.ReadCertificatesFile(out, "bundle")
			if err != nil {
				t.Fatal(err)
			}
			if len(certs) != tt.certs {
				t.Errorf("bundle has %d certificates, want %d", len(certs), tt.certs)
			}
			if tt.certs == 3 && !strings.Contains(stdout, "fetched through the caIssuers URL") {
				t.Errorf("report does not say where the root came from:\n%s", stdout)
			}
		})
	}
}
