package serve

import (
	"crypto/x509"
	"strings"
	"testing"
	"time"

	"github.com/mtlsdoctor/mtlsdoctor/chain"
	"github.com/mtlsdoctor/mtlsdoctor/fixtures"
	"github.com/mtlsdoctor/mtlsdoctor/report"
)

// profileRoot returns the embedded copy of the named certificate of a
// chain profile.
func profileRoot(t *testing.T, profile, name string) *x509.Certificate {
	t.Helper()
	p, err := chain.LookupProfile(profile)
	if err != nil {
		t.Fatal(err)
	}
	for _, src := range p.Sources {
		if src.Name == name {
			certs, err := chain.ParseCertificates(src.Embedded)
			if err != nil || len(certs) != 1 {
				t.Fatalf("parse embedded %s: %v", name, err)
			}
			return certs[0]
		}
	}
	t.Fatalf("profile %s has no source %q", profile, name)
	return nil
}

func TestPlatformCAFindings(t *testing.T) {
	// GTS Root R1 and the SSL.com root are valid until 2036 and later, and
	// the legacy CA below expired in 2021, so the test holds at this date.
	now := time.Date(2027, 1, 15, 0, 0, 0, 0, time.UTC)
	sslCom := profileRoot(t, chain.ProfileDialogflowES, "SSL.com Root Certification Authority RSA")
	gtsR1 := profileRoot(t, chain.ProfileDialogflowCX, "GTS Root R1")
	legacy, err := fixtures.NewRoot(fixtures.Spec{
		CommonName:   "GTS CA 1O1",
		Organization: "Google Trust Services",
		NotBefore:    time.Date(2017, 6, 15, 0, 0, 0, 0, time.UTC),
		NotAfter:     time.Date(2021, 12, 15, 0, 0, 0, 0, time.UTC),
	})
	if err != nil {
		t.Fatal(err)
	}
	testCA, err := fixtures.NewRoot(fixtures.Spec{CommonName: "mtlsdoctor test CA", Now: now})
	if err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		name         string
		cas          []*x509.Certificate
		wantSeverity report.Severity // empty: no finding
		wantDetail   string
	}{
		{"legacy CAs only", []*x509.Certificate{legacy.Cert}, report.SeverityError, "expired on 2021-12-15"},
		{"legacy CA and test CA", []*x509.Certificate{legacy.Cert, testCA.Cert}, report.SeverityError, "SSL.com"},
		{"GTS root without SSL.com", []*x509.Certificate{gtsR1}, report.SeverityWarning, "suits a CX agent"},
		{"GTS root with SSL.com", []*x509.Certificate{gtsR1, sslCom}, "", ""},
		{"SSL.com only", []*x509.Certificate{sslCom}, "", ""},
		{"test CA only", []*x509.Certificate{testCA.Cert}, "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			findings := platformCAFindings(tc.cas, now)
			if tc.wantSeverity == "" {
				if len(findings) > 0 {
					t.Fatalf("unexpected findings: %+v", findings)
				}
				return
			}
			if len(findings) != 1 {
				t.Fatalf("got %d findings, want 1: %+v", len(findings), findings)
			}
			f := findings[0]
			if f.Code != report.CodePlatformCAOutdated {
				t.Errorf("code = %s, want %s", f.Code, report.CodePlatformCAOutdated)
			}
			if f.Severity != tc.wantSeverity {
				t.Errorf("severity = %s, want %s", f.Severity, tc.wantSeverity)
			}
			if !strings.Contains(f.Summary+" "+f.Detail, tc.wantDetail) {
				t.Errorf("finding %q / %q does not mention %q", f.Summary, f.Detail, tc.wantDetail)
			}
			if !strings.Contains(f.Fix, "SSL.com Root Certification Authority RSA") {
				t.Errorf("fix %q does not say what to add", f.Fix)
			}
		})
	}
}

func TestStartupFindingsPlatformCA(t *testing.T) {
	now := time.Date(2027, 1, 15, 0, 0, 0, 0, time.UTC)
	gtsR1 := profileRoot(t, chain.ProfileDialogflowCX, "GTS Root R1")
	cases := []struct {
		name       string
		clientAuth ClientAuth
		want       bool
	}{
		{"require", ClientAuthRequire, true},
		{"none", ClientAuthNone, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := Config{ClientAuth: tc.clientAuth, ClientSubject: "Google LLC"}
			findings := startupFindings(cfg, nil, []*x509.Certificate{gtsR1}, now)
			got := false
			for _, f := range findings {
				got = got || f.Code == report.CodePlatformCAOutdated
			}
			if got != tc.want {
				t.Errorf("platform-ca-outdated reported = %v, want %v: %+v", got, tc.want, findings)
			}
		})
	}
}
