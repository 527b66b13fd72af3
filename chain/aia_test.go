package chain

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mtlsdoctor/mtlsdoctor/fixtures"
	"github.com/mtlsdoctor/mtlsdoctor/report"
)

// aiaServer serves files set after it starts, because the URLs must be
// baked into certificates that do not exist yet.
type aiaServer struct {
	*httptest.Server
	mu    sync.Mutex
	files map[string][]byte
	hits  map[string]int
}

func newAIAServer(t *testing.T) *aiaServer {
	t.Helper()
	s := &aiaServer{files: map[string][]byte{}, hits: map[string]int{}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		data, ok := s.files[r.URL.Path]
		s.hits[r.URL.Path]++
		s.mu.Unlock()
		if !ok {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write(data)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *aiaServer) set(path string, data []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.files[path] = data
}

func (s *aiaServer) hitCount(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[path]
}

// aiaPKI is root → intermediate → leaf, where the leaf's caIssuers URL
// points at /intermediate on srv and the intermediate's at /root.
type aiaPKI struct {
	root, intermediate, leaf *fixtures.Cert
}

func newAIAPKI(t *testing.T, srv *aiaServer, leafPath string) aiaPKI {
	t.Helper()
	root, err := fixtures.NewRoot(fixtures.Spec{CommonName: "AIA test root"})
	if err != nil {
		t.Fatal(err)
	}
	intermediate, err := root.Issue(fixtures.Spec{CommonName: "AIA test intermediate", IsCA: true, AIAIssuerURL: srv.URL + "/root"})
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := intermediate.Issue(fixtures.Spec{CommonName: "localhost", DNSNames: []string{"localhost"},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, AIAIssuerURL: srv.URL + leafPath})
	if err != nil {
		t.Fatal(err)
	}
	return aiaPKI{root: root, intermediate: intermediate, leaf: leaf}
}

func TestFetchIssuer(t *testing.T) {
	srv := newAIAServer(t)
	p := newAIAPKI(t, srv, "/intermediate")
	other := mustPKI(t)
	big := make([]byte, MaxSourceSize+10)
	big[0] = 0x30

	tests := []struct {
		name    string
		served  []byte // nil: nothing at the URL (404)
		wantErr string // empty: the intermediate comes back
	}{
		{"der", p.intermediate.Cert.Raw, ""},
		{"pkcs7", degeneratePKCS7(t, p.intermediate.Cert.Raw, p.root.Cert.Raw), ""},
		{"pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: p.intermediate.Cert.Raw}), ""},
		{"not found", nil, "404"},
		{"another CA", other.CA.Cert.Raw, "none of its 1 certificate signed CN=localhost"},
		{"web page", []byte("<html><head></head></html>"), "web page"},
		{"too large", big, "too large"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.served != nil {
				srv.set("/intermediate", tt.served)
			} else {
				srv.set("/intermediate", nil)
				srv.mu.Lock()
				delete(srv.files, "/intermediate")
				srv.mu.Unlock()
			}
			issuer, u, err := FetchIssuer(context.Background(), nil, p.leaf.Cert)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !issuer.Equal(p.intermediate.Cert) {
				t.Errorf("issuer = %s, want the intermediate", issuer.Subject)
			}
			if u != srv.URL+"/intermediate" {
				t.Errorf("URL = %q, want the leaf's caIssuers URL", u)
			}
		})
	}
}

func TestFetchIssuerSkipsNonHTTP(t *testing.T) {
	root, err := fixtures.NewRoot(fixtures.Spec{CommonName: "root"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		url  string
	}{
		{"file url", "file:///etc/passwd"},
		{"ldap url", "ldap://ldap.example/cn=CA"},
		{"none", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			leaf, err := root.Issue(fixtures.Spec{CommonName: "leaf", AIAIssuerURL: tt.url})
			if err != nil {
				t.Fatal(err)
			}
			_, _, err = FetchIssuer(context.Background(), failingClient(t), leaf.Cert)
			if !errors.Is(err, ErrNoIssuerURL) {
				t.Errorf("error = %v, want ErrNoIssuerURL", err)
			}
		})
	}
}

func TestVerifyChainAIA(t *testing.T) {
	srv := newAIAServer(t)
	p := newAIAPKI(t, srv, "/intermediate")
	srv.set("/intermediate", p.intermediate.Cert.Raw)
	srv.set("/root", p.root.Cert.Raw)
	broken := newAIAPKI(t, srv, "/missing")
	opts := func(roots *fixtures.Cert) VerifyOptions {
		return VerifyOptions{Roots: roots.Pool(), Host: "localhost", Usage: UsageServer}
	}

	t.Run("fetches the missing intermediate", func(t *testing.T) {
		findings, fetched := VerifyChainAIA(context.Background(), nil, []*x509.Certificate{p.leaf.Cert}, opts(p.root))
		if len(fetched) != 1 || !fetched[0].Certificate.Equal(p.intermediate.Cert) {
			t.Fatalf("fetched %d certificate(s), want the intermediate only (the root is trusted)", len(fetched))
		}
		if len(findings) != 1 {
			t.Fatalf("findings = %+v, want only incomplete-chain", findings)
		}
		f := findings[0]
		if f.Code != report.CodeIncompleteChain || f.Severity != report.SeverityError {
			t.Errorf("finding = %s %s, want error incomplete-chain", f.Severity, f.Code)
		}
		for _, want := range []string{"CN=AIA test intermediate"} {
			if !strings.Contains(f.Summary, want) {
				t.Errorf("summary %q does not name %q", f.Summary, want)
			}
		}
		if !strings.Contains(f.Detail, srv.URL+"/intermediate") || !strings.Contains(f.Detail, "with it the chain verifies") {
			t.Errorf("detail %q does not give the URL and the outcome", f.Detail)
		}
		if !strings.HasPrefix(f.Fix, "Serve this intermediate") {
			t.Errorf("fix %q does not say to serve the intermediate", f.Fix)
		}
	})
	t.Run("still untrusted with it", func(t *testing.T) {
		other := mustPKI(t)
		findings, fetched := VerifyChainAIA(context.Background(), nil, []*x509.Certificate{p.leaf.Cert}, opts(other.CA))
		if len(fetched) != 2 {
			t.Errorf("fetched %d certificate(s), want the intermediate and the root", len(fetched))
		}
		if !hasCode(findings, report.CodeUnknownAuthority) {
			t.Errorf("findings %+v lack unknown-authority", findings)
		}
		if !strings.Contains(findings[0].Detail, "still fails") {
			t.Errorf("incomplete-chain detail %q does not say the chain still fails", findings[0].Detail)
		}
	})
	t.Run("download fails", func(t *testing.T) {
		findings, fetched := VerifyChainAIA(context.Background(), nil, []*x509.Certificate{broken.leaf.Cert}, opts(broken.root))
		if len(fetched) != 0 {
			t.Errorf("fetched %d certificate(s), want none", len(fetched))
		}
		f, ok := findingWithCode(findings, report.CodeIncompleteChain)
		if !ok || !strings.Contains(f.Detail, "fetching the issuer through its caIssuers URL failed") {
			t.Errorf("findings %+v lack an incomplete-chain saying the download failed", findings)
		}
	})
	t.Run("complete chain downloads nothing", func(t *testing.T) {
		before := srv.hitCount("/intermediate")
		findings, fetched := VerifyChainAIA(context.Background(), failingClient(t), []*x509.Certificate{p.leaf.Cert, p.intermediate.Cert}, opts(p.root))
		if len(findings) != 0 || len(fetched) != 0 || srv.hitCount("/intermediate") != before {
			t.Errorf("findings %+v, fetched %d: want none of either", findings, len(fetched))
		}
	})
}

func findingWithCode(findings []report.Finding, code report.Code) (report.Finding, bool) {
	for _, f := range findings {
		if f.Code == code {
			return f, true
		}
	}
	return report.Finding{}, false
}

func TestBuildBundleAIA(t *testing.T) {
	srv := newAIAServer(t)
	p := newAIAPKI(t, srv, "/intermediate")
	srv.set("/root", p.root.Cert.Raw)
	dir := t.TempDir()
	source := writeTestFile(t, dir, "intermediate.pem", p.intermediate.CertPEM())
	orphanRoot, err := fixtures.NewRoot(fixtures.Spec{CommonName: "orphan root"})
	if err != nil {
		t.Fatal(err)
	}
	orphan, err := orphanRoot.Issue(fixtures.Spec{CommonName: "orphan intermediate", IsCA: true, AIAIssuerURL: srv.URL + "/nothing"})
	if err != nil {
		t.Fatal(err)
	}
	orphanSource := writeTestFile(t, dir, "orphan.pem", orphan.CertPEM())

	tests := []struct {
		name    string
		sources []string
		aia     bool
		certs   int
		warning bool // an AIA issuer could not be fetched
	}{
		{"without aia", []string{source}, false, 1, false},
		{"with aia", []string{source}, true, 2, false},
		{"issuer not found", []string{orphanSource}, true, 1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			result, err := BuildBundle(context.Background(), BundleOptions{Sources: tt.sources, AIA: tt.aia,
				HTTPClient: &http.Client{Timeout: 5 * time.Second}})
			if err != nil {
				t.Fatal(err)
			}
			if len(result.Certificates) != tt.certs {
				t.Errorf("bundle has %d certificates, want %d", len(result.Certificates), tt.certs)
			}
			f, ok := result.Report.Finding(report.CodeIncompleteChain)
			if ok != tt.warning {
				t.Errorf("incomplete-chain finding present = %v, want %v: %+v", ok, tt.warning, result.Report.Findings)
			}
			if ok && f.Severity != report.SeverityWarning {
				t.Errorf("incomplete-chain severity = %s, want warning", f.Severity)
			}
			if tt.aia && tt.certs == 2 && !result.Certificates[1].Equal(p.root.Cert) {
				t.Errorf("second certificate is %s, want the fetched root", result.Certificates[1].Subject)
			}
		})
	}
}
