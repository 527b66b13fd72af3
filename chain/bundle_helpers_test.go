package chain

import (
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mtlsdoctor/mtlsdoctor/fixtures"
	"github.com/mtlsdoctor/mtlsdoctor/report"
)

// requireTool returns the path of a peer binary. It skips the test when
// the binary is missing, except under CI=true, where it fails.
func requireTool(t *testing.T, name, install string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s not found and CI=true: install it with %s", name, install)
		}
		t.Skipf("%s not found: install it with %s", name, install)
	}
	return path
}

// systemRoot reads a root certificate that Debian's ca-certificates
// installs, such as "GTS_Root_R1.pem".
func systemRoot(t *testing.T, file string) *x509.Certificate {
	t.Helper()
	path := filepath.Join("/etc/ssl/certs", file)
	data, err := os.ReadFile(path)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("read %s (CI=true): install it with apt-get install ca-certificates: %v", path, err)
		}
		t.Skipf("read %s: install it with apt-get install ca-certificates: %v", path, err)
	}
	certs, err := ParseCertificates(data)
	if err != nil || len(certs) != 1 {
		t.Fatalf("parse %s: %d certificates, error %v", path, len(certs), err)
	}
	return certs[0]
}

// embeddedRoot returns the embedded copy of a profile's source.
func embeddedRoot(t *testing.T, profile, name string) *x509.Certificate {
	t.Helper()
	p, err := LookupProfile(profile)
	if err != nil {
		t.Fatal(err)
	}
	for _, src := range p.Sources {
		if src.Name == name {
			certs, err := ParseCertificates(src.Embedded)
			if err != nil {
				t.Fatal(err)
			}
			return certs[0]
		}
	}
	t.Fatalf("profile %s has no source %q", profile, name)
	return nil
}

// newTestRoot mints a self-signed CA valid for a year from now, changed by
// edit.
func newTestRoot(t *testing.T, cn string, now time.Time, edit func(*fixtures.Spec)) *x509.Certificate {
	t.Helper()
	spec := fixtures.Spec{CommonName: cn, Organization: "mtlsdoctor bundle test", Now: now}
	if edit != nil {
		edit(&spec)
	}
	root, err := fixtures.NewRoot(spec)
	if err != nil {
		t.Fatal(err)
	}
	return root.Cert
}

// newNamedCA mints a self-signed CA with an exact subject, for names that
// fixtures.Spec cannot express, such as an organizational unit.
func newNamedCA(t *testing.T, subject pkix.Name, notBefore, notAfter time.Time) *x509.Certificate {
	t.Helper()
	key, err := fixtures.GenerateKey(fixtures.ECDSAP256)
	if err != nil {
		t.Fatal(err)
	}
	serial, err := rand.Int(rand.Reader, big.NewInt(1<<62))
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               subject,
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

func pemOf(certs ...*x509.Certificate) []byte {
	var out []byte
	for _, c := range certs {
		out = append(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	return out
}

// base64Of encodes a DER certificate as base64 in 76-column lines, the
// form some portals offer for download.
func base64Of(cert *x509.Certificate) []byte {
	s := base64.StdEncoding.EncodeToString(cert.Raw)
	var b strings.Builder
	for len(s) > 76 {
		b.WriteString(s[:76] + "\n")
		s = s[76:]
	}
	b.WriteString(s + "\n")
	return []byte(b.String())
}

// serveFiles serves each file at "/"+name on 127.0.0.1.
func serveFiles(t *testing.T, files map[string][]byte) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		data, ok := files[strings.TrimPrefix(r.URL.Path, "/")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		_, _ = w.Write(data)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// closedPortURL returns an http URL on 127.0.0.1 where nothing listens.
func closedPortURL(t *testing.T, path string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	return "http://" + addr + path
}

// failingClient fails the test on any request, for tests that must not
// download.
func failingClient(t *testing.T) *http.Client {
	return &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		t.Errorf("unexpected request to %s", r.URL)
		return nil, http.ErrHandlerTimeout
	})}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// profileWithURLs returns a copy of the built-in profile whose sources
// download from urls instead, in order.
func profileWithURLs(t *testing.T, name string, urls ...string) *Profile {
	t.Helper()
	p, err := LookupProfile(name)
	if err != nil {
		t.Fatal(err)
	}
	if len(urls) != len(p.Sources) {
		t.Fatalf("profile %s has %d sources, got %d URLs", name, len(p.Sources), len(urls))
	}
	for i := range p.Sources {
		p.Sources[i].URL = urls[i]
	}
	return &p
}

func findingsWith(rep *report.Report, code report.Code) []report.Finding {
	var out []report.Finding
	for _, f := range rep.Findings {
		if f.Code == code {
			out = append(out, f)
		}
	}
	return out
}

// rowsBySHA256 indexes the report's certificate table by fingerprint.
// Duplicates share a key, so each key maps to every row with it.
func rowsBySHA256(rep *report.Report) map[string][]report.CertInfo {
	rows := make(map[string][]report.CertInfo)
	for _, info := range rep.Certificates {
		rows[info.SHA256] = append(rows[info.SHA256], info)
	}
	return rows
}

func fingerprints(certs []*x509.Certificate) []string {
	out := make([]string, len(certs))
	for i, c := range certs {
		out[i] = report.Fingerprint(c.Raw)
	}
	return out
}

func writeTestFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
