package chain

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/mtlsdoctor/mtlsdoctor/fixtures"
	"github.com/mtlsdoctor/mtlsdoctor/report"
)

func TestVerifyFilesPlatformCAs(t *testing.T) {
	pki := mustPKI(t)
	// A stand-in with the subject of the expired GlobalSign Root CA - R2,
	// because Debian no longer ships the real one. Only its name matters.
	key, err := fixtures.GenerateKey(fixtures.ECDSAP256)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "GlobalSign", Organization: []string{"GlobalSign"}, OrganizationalUnit: []string{"GlobalSign Root CA - R2"}},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	legacyDER, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	legacy := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: legacyDER})
	gtsR1, err := embeddedCerts.ReadFile("profiles/gts-root-r1.pem")
	if err != nil {
		t.Fatal(err)
	}
	sslcom, err := embeddedCerts.ReadFile("profiles/ssl-com-root-rsa.pem")
	if err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	write := func(name string, data []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	certFile := write("server.pem", pki.Server.CertPEM())
	testCA := pki.CA.CertPEM()

	tests := []struct {
		name     string
		ca       []byte
		severity report.Severity // empty: no platform-ca-outdated finding
	}{
		{"test CA only", testCA, ""},
		{"legacy GlobalSign R2", append(append([]byte{}, testCA...), legacy...), report.SeverityError},
		{"GTS root without SSL.com", append(append([]byte{}, testCA...), gtsR1...), report.SeverityWarning},
		{"GTS root with SSL.com", append(append(append([]byte{}, testCA...), gtsR1...), sslcom...), ""},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			caFile := write(filepath.Base(t.Name())+string(rune('a'+i))+".pem", tt.ca)
			rep, err := VerifyFiles(context.Background(), VerifyFilesOptions{CertFile: certFile, CAFile: caFile})
			if err != nil {
				t.Fatal(err)
			}
			f, found := rep.Finding(report.CodePlatformCAOutdated)
			if tt.severity == "" {
				if found {
					t.Errorf("unexpected finding: %s", f)
				}
				return
			}
			if !found {
				t.Fatalf("no platform-ca-outdated finding; findings: %v", rep.Findings)
			}
			if f.Severity != tt.severity {
				t.Errorf("severity = %s, want %s", f.Severity, tt.severity)
			}
		})
	}
}
