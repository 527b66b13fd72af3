package serve

import (
	"crypto/x509"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mtlsdoctor/mtlsdoctor/fixtures"
	"github.com/mtlsdoctor/mtlsdoctor/report"
)

// useSystemRoots makes roots the system roots for the rest of the test.
func useSystemRoots(t *testing.T, roots ...*x509.Certificate) {
	t.Helper()
	saved := systemCertPool
	pool := x509.NewCertPool()
	for _, root := range roots {
		pool.AddCert(root)
	}
	systemCertPool = func() (*x509.CertPool, error) { return pool, nil }
	t.Cleanup(func() { systemCertPool = saved })
}

func codes(findings []report.Finding) []report.Code {
	out := make([]report.Code, len(findings))
	for i, f := range findings {
		out[i] = f.Code
	}
	return out
}

func writePEM(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestStartupFindings(t *testing.T) {
	pki, dir := newTestPKI(t)
	public, err := fixtures.NewRoot(fixtures.Spec{CommonName: "Public Root CA"})
	if err != nil {
		t.Fatal(err)
	}
	publicIntermediate, err := fixtures.NewIntermediate(public, "Public Client Intermediate", fixtures.ECDSAP256)
	if err != nil {
		t.Fatal(err)
	}
	expiredCA, err := fixtures.NewRoot(fixtures.Spec{CommonName: "Old CA",
		NotBefore: time.Now().AddDate(-2, 0, 0), NotAfter: time.Now().AddDate(-1, 0, 0)})
	if err != nil {
		t.Fatal(err)
	}
	clientOnlyServer, err := pki.IssueServer(func(s *fixtures.Spec) {
		s.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	})
	if err != nil {
		t.Fatal(err)
	}
	expiredServer, err := pki.IssueServer(fixtures.Expired)
	if err != nil {
		t.Fatal(err)
	}

	publicFile := writePEM(t, dir, "public-ca.pem", public.CertPEM())
	intermediateFile := writePEM(t, dir, "public-intermediate.pem", publicIntermediate.CertPEM())
	expiredFile := writePEM(t, dir, "old-ca.pem", expiredCA.CertPEM())
	leafFile := writePEM(t, dir, "leaf-as-ca.pem", pki.Client.CertPEM())
	writeServer := func(name string, cert *fixtures.Cert) (string, string) {
		key, err := cert.KeyPEM()
		if err != nil {
			t.Fatal(err)
		}
		return writePEM(t, dir, name+"-crt.pem", cert.ChainPEM()), writePEM(t, dir, name+"-key.pem", key)
	}
	clientOnlyCert, clientOnlyKey := writeServer("client-only", clientOnlyServer)
	expiredCert, expiredKey := writeServer("expired", expiredServer)
	testCA := filepath.Join(dir, fixtures.CAFile)

	useSystemRoots(t, public.Cert)
	tests := []struct {
		name    string
		edit    func(*Config)
		want    []report.Code
		detail  string // in the first finding's detail
		summary string // in the first finding's summary
	}{
		{name: "private CA pinned by default", edit: func(*Config) {}, want: nil},
		{name: "none", edit: func(c *Config) { c.ClientAuth = ClientAuthNone },
			want: []report.Code{report.CodeClientCertNotReq}, summary: "--client-auth none"},
		{name: "request", edit: func(c *Config) { c.ClientAuth = ClientAuthRequest },
			want: []report.Code{report.CodeUnauthAccepted}, summary: "--client-auth request"},
		{name: "public root unpinned", edit: func(c *Config) { c.ClientCAFiles = []string{publicFile} },
			want: []report.Code{report.CodeIdentityUnpinned}, detail: `"CN=Public Root CA"`},
		{name: "public intermediate unpinned", edit: func(c *Config) { c.ClientCAFiles = []string{testCA, intermediateFile} },
			want: []report.Code{report.CodeIdentityUnpinned}, detail: "--project is not set either"},
		{name: "public root with project only", edit: func(c *Config) { c.ClientCAFiles = []string{publicFile}; c.Projects = []string{"p"} },
			want: []report.Code{report.CodeIdentityUnpinned}, detail: "Public Root CA"},
		{name: "public root pinned", edit: func(c *Config) { c.ClientCAFiles = []string{publicFile}; c.ClientSubject = "Google LLC" },
			want: nil},
		{name: "expired CA", edit: func(c *Config) { c.ClientCAFiles = []string{expiredFile} },
			want: []report.Code{report.CodeCAExpired}, detail: "Old CA"},
		{name: "leaf as CA", edit: func(c *Config) { c.ClientCAFiles = []string{leafFile} },
			want: []report.Code{report.CodeNotACA}, detail: "exactly this certificate"},
		{name: "server cert without serverAuth", edit: func(c *Config) { c.CertFile, c.KeyFile = clientOnlyCert, clientOnlyKey },
			want: []report.Code{report.CodeWrongUsageServer}, detail: "clientAuth, without serverAuth"},
		{name: "expired server cert", edit: func(c *Config) { c.CertFile, c.KeyFile = expiredCert, expiredKey },
			want: []report.Code{report.CodeExpired}, detail: "expired on"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := Config{
				CertFile:      filepath.Join(dir, fixtures.ServerCertFile),
				KeyFile:       filepath.Join(dir, fixtures.ServerKeyFile),
				ClientCAFiles: []string{testCA},
				Logger:        slog.New(slog.DiscardHandler),
			}
			tt.edit(&cfg)
			srv, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			findings := srv.Findings()
			if got := codes(findings); !slices.Equal(got, tt.want) {
				t.Fatalf("finding codes %v, want %v: %v", got, tt.want, findings)
			}
			if len(findings) == 0 {
				return
			}
			if !strings.Contains(findings[0].Detail, tt.detail) {
				t.Errorf("detail %q does not contain %q", findings[0].Detail, tt.detail)
			}
			if !strings.Contains(findings[0].Summary, tt.summary) {
				t.Errorf("summary %q does not contain %q", findings[0].Summary, tt.summary)
			}
			if findings[0].Fix == "" {
				t.Errorf("finding %s has no fix", findings[0].Code)
			}
		})
	}
}

// TestPublicCAFromSystemRoots checks the detection against the real
// system roots with the CA that Dialogflow ES uses today.
func TestPublicCAFromSystemRoots(t *testing.T) {
	const sslcom = "/etc/ssl/certs/SSL.com_Root_Certification_Authority_RSA.pem"
	if _, err := os.Stat(sslcom); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is missing; install it with \"apt-get install ca-certificates\"", sslcom)
		}
		t.Skipf("%s is missing; install it with \"apt-get install ca-certificates\"", sslcom)
	}
	_, dir := newTestPKI(t)
	srv, err := New(Config{
		CertFile:      filepath.Join(dir, fixtures.ServerCertFile),
		KeyFile:       filepath.Join(dir, fixtures.ServerKeyFile),
		ClientCAFiles: []string{sslcom},
		Logger:        slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := codes(srv.Findings()); !slices.Contains(got, report.CodeIdentityUnpinned) {
		t.Errorf("finding codes %v, want %s for the SSL.com root without --client-subject", got, report.CodeIdentityUnpinned)
	}
}
