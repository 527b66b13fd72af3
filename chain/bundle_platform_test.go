package chain

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"strings"
	"testing"
	"time"

	"github.com/mtlsdoctor/mtlsdoctor/report"
)

// TestCheckPlatformCAs uses fake certificates with the subject names of
// GTS CA 1O1 and GlobalSign Root CA - R2, because the real ones are not at
// hand, and CheckPlatformCAs goes by name for them.
func TestCheckPlatformCAs(t *testing.T) {
	now := time.Now()
	sslcom := embeddedRoot(t, ProfileDialogflowES, "SSL.com Root Certification Authority RSA")
	gtsR1 := embeddedRoot(t, ProfileDialogflowCX, "GTS Root R1")
	gsr4 := embeddedRoot(t, ProfileDialogflowCX, "GlobalSign ECC Root CA - R4")
	gts1o1 := newNamedCA(t, pkix.Name{CommonName: "GTS CA 1O1", Organization: []string{"Google Trust Services"}, Country: []string{"US"}},
		time.Date(2017, 6, 15, 0, 0, 42, 0, time.UTC), time.Date(2021, 12, 15, 0, 0, 42, 0, time.UTC))
	gsr2 := newNamedCA(t, pkix.Name{CommonName: "GlobalSign", Organization: []string{"GlobalSign"}, OrganizationalUnit: []string{"GlobalSign Root CA - R2"}},
		time.Date(2006, 12, 15, 8, 0, 0, 0, time.UTC), time.Date(2021, 12, 15, 8, 0, 0, 0, time.UTC))
	// Same subject as the SSL.com root but another key: not the root.
	lookalike := newNamedCA(t, sslcom.Subject, now.Add(-time.Hour), now.AddDate(1, 0, 0))
	own := newTestRoot(t, "own client CA", now, nil)

	tests := []struct {
		name    string
		certs   []*x509.Certificate
		profile string
		at      time.Time
		want    bool   // a platform-ca-outdated finding
		summary string // part of its summary
		detail  string // part of its detail
		fix     string // part of its fix
	}{
		{name: "es with the SSL.com root", certs: []*x509.Certificate{own, sslcom}, profile: ProfileDialogflowES},
		{name: "sources only with the SSL.com root", certs: []*x509.Certificate{sslcom}, profile: ""},
		{name: "legacy-gts with the SSL.com root added", certs: []*x509.Certificate{gts1o1, gsr2, sslcom}, profile: ProfileLegacyGTS},
		{
			name: "legacy-gts with only legacy CAs", certs: []*x509.Certificate{gts1o1, gsr2}, profile: ProfileLegacyGTS, want: true,
			summary: "only Google Trust Services CAs that expired on 2021-12-15", detail: "GTS CA 1O1", fix: pinSSLComRootRSA,
		},
		{
			name: "sources only with only legacy CAs", certs: []*x509.Certificate{gsr2}, profile: "", want: true,
			summary: "only Google Trust Services", fix: "--profile dialogflow-es",
		},
		{
			name: "es with its own CA only", certs: []*x509.Certificate{own}, profile: ProfileDialogflowES, want: true,
			summary: "lacks SSL.com Root Certification Authority RSA", detail: "own client CA", fix: "verify depth of 1, nginx's default, allows",
		},
		{
			name: "es with the GTS roots", certs: []*x509.Certificate{gtsR1, gsr4}, profile: ProfileDialogflowES, want: true,
			summary: "lacks SSL.com", detail: "GTS Root R1",
		},
		{
			name: "es with a look-alike SSL.com root", certs: []*x509.Certificate{lookalike}, profile: ProfileDialogflowES, want: true,
			summary: "lacks SSL.com",
		},
		{
			name: "es with no certificate", certs: nil, profile: ProfileDialogflowES, want: true,
			detail: "contains no certificate",
		},
		{
			name: "es after the SSL.com root expired", certs: []*x509.Certificate{sslcom}, profile: ProfileDialogflowES,
			at: sslcom.NotAfter.Add(time.Hour), want: true, detail: "is not valid at",
		},
		{name: "cx with GTS Root R1", certs: []*x509.Certificate{gtsR1}, profile: ProfileDialogflowCX},
		{name: "cx with GlobalSign ECC R4", certs: []*x509.Certificate{gsr4}, profile: ProfileDialogflowCX},
		{
			name: "cx with only the SSL.com root", certs: []*x509.Certificate{sslcom}, profile: ProfileDialogflowCX, want: true,
			summary: "Google Trust Services roots", fix: "--profile dialogflow-cx",
		},
		{
			name: "cx with only legacy CAs", certs: []*x509.Certificate{gts1o1, gsr2}, profile: ProfileDialogflowCX, want: true,
			detail: "expired on 2021-12-15", fix: "--profile dialogflow-cx",
		},
		{name: "unknown profile", certs: []*x509.Certificate{own}, profile: "my-platform"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			at := tt.at
			if at.IsZero() {
				at = now
			}
			findings := CheckPlatformCAs(tt.certs, tt.profile, at)
			if !tt.want {
				if len(findings) != 0 {
					t.Errorf("unexpected findings: %v", findings)
				}
				return
			}
			if len(findings) != 1 {
				t.Fatalf("findings = %v, want one platform-ca-outdated", findings)
			}
			f := findings[0]
			if f.Code != report.CodePlatformCAOutdated || f.Severity != report.SeverityError {
				t.Errorf("finding = %s %s, want error platform-ca-outdated", f.Severity, f.Code)
			}
			if !strings.Contains(f.Summary, tt.summary) {
				t.Errorf("summary %q does not contain %q", f.Summary, tt.summary)
			}
			if !strings.Contains(f.Detail, tt.detail) {
				t.Errorf("detail %q does not contain %q", f.Detail, tt.detail)
			}
			if !strings.Contains(f.Fix, tt.fix) {
				t.Errorf("fix %q does not contain %q", f.Fix, tt.fix)
			}
		})
	}
}

// TestPlatformFixVerifyDepth checks that the bundle's fix agrees with
// probe's nginx finding: nginx's default ssl_verify_depth 1 allows the one
// intermediate that Dialogflow ES sends, so the fix must not demand 2.
func TestPlatformFixVerifyDepth(t *testing.T) {
	own := newTestRoot(t, "own client CA", time.Now(), nil)
	findings := CheckPlatformCAs([]*x509.Certificate{own}, ProfileDialogflowES, time.Now())
	if len(findings) != 1 {
		t.Fatalf("findings = %v, want one platform-ca-outdated", findings)
	}
	fix := findings[0].Fix
	for _, want := range []string{"depth of 1, nginx's default", "nginx 1.22 and OpenSSL 3.0", "depth of 2 leaves room for one more"} {
		if !strings.Contains(fix, want) {
			t.Errorf("fix %q does not contain %q", fix, want)
		}
	}
	if strings.Contains(fix, "at least 2") {
		t.Errorf("fix %q still demands a verify depth of at least 2", fix)
	}
}
