package report

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"math/big"
	"strings"
	"testing"
	"time"
)

// certificate returns a self-signed certificate made from tmpl.
func certificate(t *testing.T, tmpl *x509.Certificate) *x509.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl.SerialNumber = big.NewInt(1)
	tmpl.Subject = pkix.Name{CommonName: "basic constraints test"}
	tmpl.NotBefore = time.Now().Add(-time.Hour)
	tmpl.NotAfter = time.Now().Add(time.Hour)
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

func TestCertDetailBasicConstraints(t *testing.T) {
	tests := []struct {
		name     string
		tmpl     *x509.Certificate
		text     string
		present  bool
		isCA     bool
		excluded string // must not be in the text output
	}{
		{"absent", &x509.Certificate{}, "basic constraints    absent, self-signed", false, false, "CA:FALSE"},
		{"CA:FALSE", &x509.Certificate{BasicConstraintsValid: true}, "basic constraints    CA:FALSE, self-signed", true, false, "absent"},
		{"CA:TRUE", &x509.Certificate{BasicConstraintsValid: true, IsCA: true, KeyUsage: x509.KeyUsageCertSign},
			"basic constraints    CA:TRUE, self-signed", true, true, "absent"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			detail := DescribeDetail(certificate(t, tt.tmpl), time.Now())
			detail.Index, detail.Role = 1, "leaf"
			in := &Inspection{Target: "test.pem", Certificates: []CertDetail{detail}}

			var text bytes.Buffer
			if err := RenderInspections(&text, FormatText, Options{}, in); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(text.String(), tt.text) {
				t.Errorf("text output lacks %q:\n%s", tt.text, text.String())
			}
			if strings.Contains(text.String(), "basic constraints    "+tt.excluded) {
				t.Errorf("text output shows basic constraints %s:\n%s", tt.excluded, text.String())
			}

			var out bytes.Buffer
			if err := RenderInspections(&out, FormatJSON, Options{}, in); err != nil {
				t.Fatal(err)
			}
			var doc struct {
				Certificates []map[string]any `json:"certificates"`
			}
			if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
				t.Fatalf("not JSON: %v", err)
			}
			cert := doc.Certificates[0]
			if got, ok := cert["basic_constraints_present"].(bool); !ok || got != tt.present {
				t.Errorf("basic_constraints_present = %v, want %v", cert["basic_constraints_present"], tt.present)
			}
			if got, ok := cert["is_ca"].(bool); !ok || got != tt.isCA {
				t.Errorf("is_ca = %v, want %v", cert["is_ca"], tt.isCA)
			}
		})
	}
}
