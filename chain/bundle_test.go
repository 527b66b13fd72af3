package chain

import (
	"bytes"
	"context"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mtlsdoctor/mtlsdoctor/fixtures"
	"github.com/mtlsdoctor/mtlsdoctor/report"
)

// sourceSet is one certificate per encoding, served and written under
// names whose extensions do not match their content, because detection
// goes by content.
type sourceSet struct {
	files map[string][]byte
	order []string            // file names in the order they are passed
	want  []*x509.Certificate // the bundle's certificates in order
}

func newSourceSet(t *testing.T, now time.Time) sourceSet {
	t.Helper()
	derRoot := newTestRoot(t, "DER test root", now, nil)
	pemRoot := newTestRoot(t, "PEM test root", now, nil)
	sslcom := systemRoot(t, "SSL.com_Root_Certification_Authority_RSA.pem")
	gtsR1 := systemRoot(t, "GTS_Root_R1.pem")
	gsr4 := systemRoot(t, "GlobalSign_ECC_Root_CA_-_R4.pem")

	multi := append([]byte("Roots copied from /etc/ssl/certs at test time.\n"), pemOf(sslcom)...)
	multi = append(multi, []byte("\r\n")...)
	multi = append(multi, pemOf(gtsR1)...)
	return sourceSet{
		files: map[string][]byte{
			"der-root.pem":    derRoot.Raw,
			"pem-root.der":    pemOf(pemRoot),
			"multi.crt":       multi,
			"base64-root.pem": base64Of(gsr4),
		},
		order: []string{"der-root.pem", "pem-root.der", "multi.crt", "base64-root.pem"},
		want:  []*x509.Certificate{derRoot, pemRoot, sslcom, gtsR1, gsr4},
	}
}

// sourceForms returns the set's sources as http URLs, file paths and file
// URLs.
func sourceForms(t *testing.T, set sourceSet) map[string][]string {
	t.Helper()
	srv := serveFiles(t, set.files)
	dir := t.TempDir()
	forms := map[string][]string{}
	for _, name := range set.order {
		path := writeTestFile(t, dir, name, set.files[name])
		forms["http URLs"] = append(forms["http URLs"], srv.URL+"/"+name)
		forms["file paths"] = append(forms["file paths"], path)
		forms["file URLs"] = append(forms["file URLs"], "file://"+path)
	}
	return forms
}

func TestBuildBundleFromSources(t *testing.T) {
	now := time.Now()
	set := newSourceSet(t, now)
	forms := sourceForms(t, set)
	for _, form := range []string{"http URLs", "file paths", "file URLs"} {
		t.Run(form, func(t *testing.T) {
			res, err := BuildBundle(context.Background(), BundleOptions{Sources: forms[form], Now: now})
			if err != nil {
				t.Fatalf("BuildBundle: %v", err)
			}
			if got, want := fingerprints(res.Certificates), fingerprints(set.want); !slices.Equal(got, want) {
				t.Fatalf("certificates\n got %v\nwant %v", got, want)
			}
			if len(res.Report.Findings) != 0 {
				t.Errorf("unexpected findings: %v", res.Report.Findings)
			}
			if !res.Report.OK {
				t.Error("report not OK")
			}
			if res.Report.Kind != "bundle" {
				t.Errorf("kind = %q, want bundle", res.Report.Kind)
			}
			wantNote := "read from file"
			if form == "http URLs" {
				wantNote = "downloaded"
			}
			if len(res.Report.Certificates) != len(set.want) {
				t.Fatalf("%d table rows, want %d", len(res.Report.Certificates), len(set.want))
			}
			for i, row := range res.Report.Certificates {
				if row.Note != wantNote {
					t.Errorf("row %d note = %q, want %q", i, row.Note, wantNote)
				}
				if row.Source == "" {
					t.Errorf("row %d has no source", i)
				}
				if row.SHA256 != report.Fingerprint(set.want[i].Raw) {
					t.Errorf("row %d SHA-256 = %s, want %s", i, row.SHA256, report.Fingerprint(set.want[i].Raw))
				}
			}
			parsed, err := ParseCertificates(res.PEM)
			if err != nil {
				t.Fatalf("parse the bundle's PEM: %v", err)
			}
			if got, want := fingerprints(parsed), fingerprints(set.want); !slices.Equal(got, want) {
				t.Errorf("PEM contains\n %v\nwant %v", got, want)
			}
		})
	}
}

// pemBlocks splits a bundle into its PEM blocks, each from its BEGIN line
// to its END line and newline.
func pemBlocks(t *testing.T, data []byte) [][]byte {
	t.Helper()
	var blocks [][]byte
	rest := data
	for {
		start := bytes.Index(rest, []byte("-----BEGIN CERTIFICATE-----\n"))
		if start < 0 {
			return blocks
		}
		endMarker := []byte("-----END CERTIFICATE-----\n")
		end := bytes.Index(rest[start:], endMarker)
		if end < 0 {
			t.Fatalf("block without END line in:\n%s", rest[start:])
		}
		end += start + len(endMarker)
		blocks = append(blocks, rest[start:end])
		rest = rest[end:]
	}
}

func TestBundlePEMMatchesOpenSSL(t *testing.T) {
	openssl := requireTool(t, "openssl", "apt-get install openssl")
	now := time.Now()
	set := newSourceSet(t, now)
	forms := sourceForms(t, set)
	res, err := BuildBundle(context.Background(), BundleOptions{Sources: forms["http URLs"], Now: now})
	if err != nil {
		t.Fatalf("BuildBundle: %v", err)
	}

	dir := t.TempDir()
	out := filepath.Join(dir, "ca-crt.pem")
	if err := WriteBundle(out, res.PEM, false); err != nil {
		t.Fatalf("WriteBundle: %v", err)
	}
	written, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}

	blocks := pemBlocks(t, written)
	if len(blocks) != len(set.want) {
		t.Fatalf("%d PEM blocks written, want %d", len(blocks), len(set.want))
	}
	for i, cert := range set.want {
		t.Run(certificateLabel(cert), func(t *testing.T) {
			der := writeTestFile(t, dir, "cert.der", cert.Raw)
			want, err := exec.Command(openssl, "x509", "-inform", "der", "-in", der).Output()
			if err != nil {
				t.Fatalf("openssl x509 -inform der: %v", err)
			}
			if !bytes.Equal(blocks[i], want) {
				t.Errorf("block %d differs from openssl's output\n got:\n%s\nwant:\n%s", i+1, blocks[i], want)
			}
		})
	}
}

func TestBundleCommentsPrecedeBlocks(t *testing.T) {
	res, err := BuildBundle(context.Background(), BundleOptions{Offline: true, HTTPClient: failingClient(t)})
	if err != nil {
		t.Fatalf("BuildBundle: %v", err)
	}
	want := "# SSL.com Root Certification Authority RSA\n# SHA-256 " + pinSSLComRootRSA + "\n"
	if !bytes.HasPrefix(res.PEM, []byte(want)) {
		t.Errorf("bundle starts with\n%s\nwant the prefix\n%s", firstLines(res.PEM, 3), want)
	}
}

func firstLines(data []byte, n int) string {
	lines := strings.SplitN(string(data), "\n", n+1)
	return strings.Join(lines[:min(n, len(lines))], "\n")
}

func TestBuildBundleOffline(t *testing.T) {
	tests := []struct {
		profile  string
		certs    int
		codes    []report.Code
		noteWant string
	}{
		{profile: "", certs: 1},
		{profile: ProfileDialogflowES, certs: 1},
		{profile: ProfileDialogflowCX, certs: 5},
		{profile: ProfileLegacyGTS, certs: 0, codes: []report.Code{report.CodePlatformCAOutdated}, noteWant: "expired on 2021-12-15"},
	}
	for _, tt := range tests {
		name := tt.profile
		if name == "" {
			name = "default profile"
		}
		t.Run(name, func(t *testing.T) {
			res, err := BuildBundle(context.Background(), BundleOptions{
				Profile: tt.profile, Offline: true, HTTPClient: failingClient(t),
			})
			if err != nil {
				t.Fatalf("BuildBundle: %v", err)
			}
			if len(res.Certificates) != tt.certs {
				t.Errorf("%d certificates, want %d", len(res.Certificates), tt.certs)
			}
			for _, row := range res.Report.Certificates {
				if row.Note != "embedded copy (offline)" {
					t.Errorf("%s: note = %q, want %q", row.Subject, row.Note, "embedded copy (offline)")
				}
				if !strings.HasPrefix(row.Source, "embedded profiles/") {
					t.Errorf("%s: source = %q, want the embedded file", row.Subject, row.Source)
				}
			}
			var codes []report.Code
			for _, f := range res.Report.Findings {
				codes = append(codes, f.Code)
			}
			if !slices.Equal(codes, tt.codes) {
				t.Errorf("finding codes = %v, want %v (%v)", codes, tt.codes, res.Report.Findings)
			}
			if tt.noteWant != "" && !slices.ContainsFunc(res.Report.Notes, func(n string) bool { return strings.Contains(n, tt.noteWant) }) {
				t.Errorf("notes %q do not mention %q", res.Report.Notes, tt.noteWant)
			}
			if tt.certs == 0 && res.PEM != nil {
				t.Errorf("an empty bundle has PEM %q", res.PEM)
			}
			// Checks of an empty set must not pass as if they had found
			// nothing wrong.
			for _, c := range res.Report.Checks {
				if tt.certs == 0 && c.Name != "pins" && c.Name != "duplicates" && c.Name != "platform CAs" && c.Status == report.StatusPass {
					t.Errorf("check %q passes on an empty bundle: %s", c.Name, c.Detail)
				}
			}
		})
	}
}

func TestBuildBundleProfileDownload(t *testing.T) {
	now := time.Now()
	sslcom := embeddedRoot(t, ProfileDialogflowES, "SSL.com Root Certification Authority RSA")
	impostor := newTestRoot(t, "SSL.com Root Certification Authority RSA", now, nil)
	srv := serveFiles(t, map[string][]byte{
		"real.der":     sslcom.Raw,
		"real.pem":     pemOf(sslcom),
		"impostor.pem": pemOf(impostor),
		"page.html":    []byte("<html>moved</html>"),
	})

	tests := []struct {
		name     string
		url      string
		note     string
		codes    []report.Code
		reportOK bool
		notes    string // a report note that must be present
	}{
		{name: "DER matches the pin", url: srv.URL + "/real.der", note: "downloaded, matches the pin", reportOK: true},
		{name: "PEM matches the pin", url: srv.URL + "/real.pem", note: "downloaded, matches the pin", reportOK: true},
		{
			name: "pin mismatch falls back", url: srv.URL + "/impostor.pem",
			note:  "embedded copy (the download did not match the pin)",
			codes: []report.Code{report.CodePinMismatch},
		},
		{
			name: "closed port falls back", url: closedPortURL(t, "/real.der"),
			note: "embedded copy (download failed)", reportOK: true, notes: "the embedded copy is used instead",
		},
		{
			name: "HTTP 404 falls back", url: srv.URL + "/missing.der",
			note: "embedded copy (download failed)", reportOK: true, notes: "404",
		},
		{
			name: "web page falls back", url: srv.URL + "/page.html",
			note: "embedded copy (download contains no certificate)", reportOK: true, notes: "page.html",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			profile := profileWithURLs(t, ProfileDialogflowES, tt.url)
			res, err := buildBundle(context.Background(), BundleOptions{Now: now, HTTPClient: srv.Client()}, profile, nil)
			if err != nil {
				t.Fatalf("buildBundle: %v", err)
			}
			if got := fingerprints(res.Certificates); !slices.Equal(got, []string{pinSSLComRootRSA}) {
				t.Errorf("certificates = %v, want only the pinned SSL.com root", got)
			}
			if len(res.Report.Certificates) != 1 {
				t.Fatalf("%d table rows, want 1", len(res.Report.Certificates))
			}
			if got := res.Report.Certificates[0].Note; got != tt.note {
				t.Errorf("note = %q, want %q", got, tt.note)
			}
			var codes []report.Code
			for _, f := range res.Report.Findings {
				codes = append(codes, f.Code)
			}
			if !slices.Equal(codes, tt.codes) {
				t.Errorf("finding codes = %v, want %v (%v)", codes, tt.codes, res.Report.Findings)
			}
			if res.Report.OK != tt.reportOK {
				t.Errorf("report OK = %v, want %v", res.Report.OK, tt.reportOK)
			}
			if tt.notes != "" && !slices.ContainsFunc(res.Report.Notes, func(n string) bool { return strings.Contains(n, tt.notes) }) {
				t.Errorf("notes %q do not mention %q", res.Report.Notes, tt.notes)
			}
		})
	}
}

func TestBuildBundlePinMismatchNamesBothFingerprints(t *testing.T) {
	now := time.Now()
	impostor := newTestRoot(t, "impostor", now, nil)
	srv := serveFiles(t, map[string][]byte{"impostor.der": impostor.Raw})
	profile := profileWithURLs(t, ProfileDialogflowES, srv.URL+"/impostor.der")
	res, err := buildBundle(context.Background(), BundleOptions{Now: now, HTTPClient: srv.Client()}, profile, nil)
	if err != nil {
		t.Fatalf("buildBundle: %v", err)
	}
	found := findingsWith(res.Report, report.CodePinMismatch)
	if len(found) != 1 {
		t.Fatalf("%d pin findings, want 1: %v", len(found), res.Report.Findings)
	}
	f := found[0]
	if f.Severity != report.SeverityError {
		t.Errorf("severity = %s, want error", f.Severity)
	}
	for _, want := range []string{report.Fingerprint(impostor.Raw), pinSSLComRootRSA, "embedded copy is used instead"} {
		if !strings.Contains(f.Detail, want) {
			t.Errorf("detail %q does not contain %q", f.Detail, want)
		}
	}
}

func TestBuildBundleUserPins(t *testing.T) {
	now := time.Now()
	a := newTestRoot(t, "pinned root", now, nil)
	b := newTestRoot(t, "unpinned root", now, nil)
	sslcom := embeddedRoot(t, ProfileDialogflowES, "SSL.com Root Certification Authority RSA")
	dir := t.TempDir()
	sources := []string{
		writeTestFile(t, dir, "a.pem", pemOf(a)),
		writeTestFile(t, dir, "b.pem", pemOf(b)),
		writeTestFile(t, dir, "b-again.der", b.Raw),
		writeTestFile(t, dir, "sslcom.pem", pemOf(sslcom)),
	}
	plainLower := strings.ToLower(strings.ReplaceAll(report.Fingerprint(a.Raw), ":", ""))
	unused := strings.Repeat("ab", 32)

	res, err := BuildBundle(context.Background(), BundleOptions{
		Sources: sources, Pins: []string{plainLower, "sha256 Fingerprint=" + pinSSLComRootRSA, unused}, Now: now,
	})
	if err != nil {
		t.Fatalf("BuildBundle: %v", err)
	}
	if got, want := fingerprints(res.Certificates), fingerprints([]*x509.Certificate{a, sslcom}); !slices.Equal(got, want) {
		t.Errorf("certificates = %v, want %v", got, want)
	}
	found := findingsWith(res.Report, report.CodePinMismatch)
	if len(found) != 1 || !strings.Contains(found[0].Detail, report.Fingerprint(b.Raw)) {
		t.Errorf("pin findings = %v, want one naming %s", found, report.Fingerprint(b.Raw))
	}
	rows := rowsBySHA256(res.Report)
	if got := rows[report.Fingerprint(b.Raw)]; len(got) != 2 || !strings.Contains(got[0].Note, "rejected") || !strings.Contains(got[1].Note, "duplicate removed") {
		t.Errorf("rows for the unpinned root = %+v, want one rejected and one duplicate", got)
	}
	wantNote := "--pin " + strings.ToUpper(strings.Join(strings.SplitAfter(unused, "b"), ":"))
	wantNote = strings.TrimSuffix(wantNote, ":")
	if !slices.ContainsFunc(res.Report.Notes, func(n string) bool { return strings.HasPrefix(n, wantNote) }) {
		t.Errorf("notes %q do not report the unused pin %q", res.Report.Notes, wantNote)
	}
	parsed, err := ParseCertificates(res.PEM)
	if err != nil || len(parsed) != 2 {
		t.Errorf("PEM contains %d certificates (error %v), want 2", len(parsed), err)
	}
}

func TestBuildBundleChecksCertificates(t *testing.T) {
	now := time.Now()
	pki, err := fixtures.NewPKI(fixtures.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	sslcom := embeddedRoot(t, ProfileDialogflowES, "SSL.com Root Certification Authority RSA")
	tests := []struct {
		name     string
		cert     *x509.Certificate
		code     report.Code
		severity report.Severity
		summary  string
		note     string
	}{
		{name: "valid CA", cert: pki.CA.Cert},
		{
			name: "leaf certificate", cert: pki.Client.Cert,
			code: report.CodeNotACA, severity: report.SeverityError, summary: "is not a CA", note: "not a CA",
		},
		{
			name: "expired CA",
			cert: newTestRoot(t, "expired root", now, func(s *fixtures.Spec) {
				s.NotBefore = now.AddDate(0, 0, -60)
				s.NotAfter = now.AddDate(0, 0, -1)
			}),
			code: report.CodeCAExpired, severity: report.SeverityError, summary: "expired on", note: "expired",
		},
		{
			name: "CA expiring in 10 days",
			cert: newTestRoot(t, "expiring root", now, func(s *fixtures.Spec) {
				s.NotAfter = now.Add(10*24*time.Hour + time.Hour)
			}),
			code: report.CodeCAExpired, severity: report.SeverityWarning, summary: "expires in 10 days", note: "expires in 10 days",
		},
		{
			name: "CA not valid yet",
			cert: newTestRoot(t, "future root", now, func(s *fixtures.Spec) {
				s.NotBefore = now.AddDate(0, 0, 1)
				s.NotAfter = now.AddDate(1, 0, 0)
			}),
			code: report.CodeNotYetValid, severity: report.SeverityError, summary: "is not valid until", note: "not valid yet",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			// The SSL.com root keeps platform-ca-outdated out of the way.
			sources := []string{writeTestFile(t, dir, "cert.pem", pemOf(tt.cert)), writeTestFile(t, dir, "sslcom.pem", pemOf(sslcom))}
			res, err := BuildBundle(context.Background(), BundleOptions{Sources: sources, Now: now})
			if err != nil {
				t.Fatalf("BuildBundle: %v", err)
			}
			if tt.code == "" {
				if len(res.Report.Findings) != 0 {
					t.Errorf("unexpected findings: %v", res.Report.Findings)
				}
				return
			}
			if len(res.Report.Findings) != 1 {
				t.Fatalf("findings = %v, want one %s", res.Report.Findings, tt.code)
			}
			f := res.Report.Findings[0]
			if f.Code != tt.code {
				t.Errorf("code = %s, want %s", f.Code, tt.code)
			}
			if f.Severity != tt.severity {
				t.Errorf("severity = %s, want %s", f.Severity, tt.severity)
			}
			if !strings.Contains(f.Summary, tt.summary) {
				t.Errorf("summary %q does not contain %q", f.Summary, tt.summary)
			}
			if !strings.Contains(f.Detail, report.Fingerprint(tt.cert.Raw)) {
				t.Errorf("detail %q does not name the certificate's SHA-256", f.Detail)
			}
			row := rowsBySHA256(res.Report)[report.Fingerprint(tt.cert.Raw)]
			if len(row) != 1 || !strings.Contains(row[0].Note, tt.note) {
				t.Errorf("table row = %+v, want a note with %q", row, tt.note)
			}
			// Problem certificates stay in the bundle. The findings decide
			// whether it is written.
			if len(res.Certificates) != 2 {
				t.Errorf("%d certificates kept, want 2", len(res.Certificates))
			}
		})
	}
}

func TestBuildBundleRemovesDuplicates(t *testing.T) {
	now := time.Now()
	root := newTestRoot(t, "twice served root", now, nil)
	sslcom := embeddedRoot(t, ProfileDialogflowES, "SSL.com Root Certification Authority RSA")

	// The profile comes from its embedded copy, so the test reaches no
	// internet host. The sources repeat its certificate and each other.
	dir := t.TempDir()
	res, err := BuildBundle(context.Background(), BundleOptions{
		Profile: ProfileDialogflowES,
		Sources: []string{
			writeTestFile(t, dir, "root.der", root.Raw),
			writeTestFile(t, dir, "root.pem", pemOf(root)),
			writeTestFile(t, dir, "multi.pem", pemOf(sslcom, root)),
		},
		Offline: true, Now: now, HTTPClient: failingClient(t),
	})
	if err != nil {
		t.Fatalf("BuildBundle: %v", err)
	}

	if got, want := fingerprints(res.Certificates), fingerprints([]*x509.Certificate{sslcom, root}); !slices.Equal(got, want) {
		t.Errorf("certificates = %v, want %v", got, want)
	}
	if len(res.Report.Findings) != 0 {
		t.Errorf("unexpected findings: %v", res.Report.Findings)
	}

	removed := 0
	for _, row := range res.Report.Certificates {
		if strings.Contains(row.Note, "duplicate removed") {
			removed++
		}
	}
	if removed != 3 {
		t.Errorf("%d rows say duplicate removed, want 3 (two of the test root, one of SSL.com): %+v", removed, res.Report.Certificates)
	}
	if n := strings.Count(string(res.PEM), "-----BEGIN CERTIFICATE-----"); n != 2 {
		t.Errorf("PEM contains %d blocks, want 2", n)
	}
}

// TestBuildBundleLegacyGTS serves fake certificates with the subject names
// of GTS CA 1O1 and GlobalSign Root CA - R2, because the real ones are not
// at hand. The pinned GSR2 URL rejects its fake; the unpinned GTS CA 1O1
// URL takes it, and it is as expired as the real one.
func TestBuildBundleLegacyGTS(t *testing.T) {
	now := time.Now()
	gts1o1 := newNamedCA(t, pkix.Name{CommonName: "GTS CA 1O1", Organization: []string{"Google Trust Services"}, Country: []string{"US"}},
		time.Date(2017, 6, 15, 0, 0, 42, 0, time.UTC), time.Date(2021, 12, 15, 0, 0, 42, 0, time.UTC))
	gsr2 := newNamedCA(t, pkix.Name{CommonName: "GlobalSign", Organization: []string{"GlobalSign"}, OrganizationalUnit: []string{"GlobalSign Root CA - R2"}},
		time.Date(2006, 12, 15, 8, 0, 0, 0, time.UTC), time.Date(2021, 12, 15, 8, 0, 0, 0, time.UTC))
	srv := serveFiles(t, map[string][]byte{"GTS1O1.crt": gts1o1.Raw, "GSR2.crt": gsr2.Raw})
	profile := profileWithURLs(t, ProfileLegacyGTS, srv.URL+"/GTS1O1.crt", srv.URL+"/GSR2.crt")

	res, err := buildBundle(context.Background(), BundleOptions{Now: now, HTTPClient: srv.Client()}, profile, nil)
	if err != nil {
		t.Fatalf("buildBundle: %v", err)
	}
	if res.Report.OK {
		t.Error("report OK for a legacy bundle")
	}
	if got := fingerprints(res.Certificates); !slices.Equal(got, fingerprints([]*x509.Certificate{gts1o1})) {
		t.Errorf("certificates = %v, want only the unpinned GTS CA 1O1", got)
	}

	pinFindings := findingsWith(res.Report, report.CodePinMismatch)
	if len(pinFindings) != 1 || !strings.Contains(pinFindings[0].Detail, "rejected") {
		t.Errorf("pin findings = %v, want one rejecting the fake GSR2", pinFindings)
	}
	expired := findingsWith(res.Report, report.CodeCAExpired)
	if len(expired) != 1 || !strings.Contains(expired[0].Summary, "2021-12-15") || !strings.Contains(expired[0].Fix, ProfileDialogflowES) {
		t.Errorf("ca-expired findings = %v, want one for GTS CA 1O1 pointing at %s", expired, ProfileDialogflowES)
	}
	outdated := findingsWith(res.Report, report.CodePlatformCAOutdated)
	if len(outdated) != 1 {
		t.Fatalf("platform-ca-outdated findings = %v, want one", outdated)
	}
	if !strings.Contains(outdated[0].Summary, "only Google Trust Services CAs") {
		t.Errorf("summary %q does not say the bundle contains only the legacy CAs", outdated[0].Summary)
	}
	if !strings.Contains(outdated[0].Fix, pinSSLComRootRSA) {
		t.Errorf("fix %q does not name the SSL.com root's fingerprint", outdated[0].Fix)
	}
	if !slices.ContainsFunc(res.Report.Notes, func(n string) bool {
		return strings.Contains(n, "expired on 2021-12-15") && strings.Contains(n, ProfileDialogflowCX)
	}) {
		t.Errorf("notes %q do not explain the expiry and the replacements", res.Report.Notes)
	}
}

func TestBuildBundleSourceProblems(t *testing.T) {
	now := time.Now()
	root := newTestRoot(t, "good root", now, nil)
	sslcom := embeddedRoot(t, ProfileDialogflowES, "SSL.com Root Certification Authority RSA")
	damaged := append(pemOf(root), []byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")...)
	srv := serveFiles(t, map[string][]byte{"page.html": []byte("<html>not here</html>"), "damaged.pem": damaged})
	dir := t.TempDir()
	sslcomPath := writeTestFile(t, dir, "sslcom.pem", pemOf(sslcom))

	tests := []struct {
		name     string
		source   string
		code     report.Code
		severity report.Severity
		certs    int
	}{
		{name: "download is a web page", source: srv.URL + "/page.html", code: report.CodeNotPEM, severity: report.SeverityError, certs: 1},
		{name: "download is missing", source: srv.URL + "/missing.pem", code: report.CodeUnreadableFile, severity: report.SeverityError, certs: 1},
		{name: "download fails", source: closedPortURL(t, "/root.pem"), code: report.CodeUnreadableFile, severity: report.SeverityError, certs: 1},
		{name: "damaged block is skipped", source: srv.URL + "/damaged.pem", code: report.CodeNotPEM, severity: report.SeverityWarning, certs: 2},
		{name: "damaged block in a file", source: writeTestFile(t, dir, "damaged.pem", damaged), code: report.CodeNotPEM, severity: report.SeverityWarning, certs: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := BuildBundle(context.Background(), BundleOptions{
				Sources: []string{sslcomPath, tt.source}, Now: now, HTTPClient: srv.Client(),
			})
			if err != nil {
				t.Fatalf("BuildBundle returned an error for a problem that should be a finding: %v", err)
			}
			if len(res.Report.Findings) != 1 {
				t.Fatalf("findings = %v, want one %s", res.Report.Findings, tt.code)
			}
			f := res.Report.Findings[0]
			if f.Code != tt.code || f.Severity != tt.severity {
				t.Errorf("finding = %s %s, want %s %s", f.Severity, f.Code, tt.severity, tt.code)
			}
			if !strings.Contains(f.Summary+f.Detail, tt.source) && !strings.Contains(f.Summary+f.Detail, filepath.Base(tt.source)) {
				t.Errorf("finding %q / %q does not name the source", f.Summary, f.Detail)
			}
			if len(res.Certificates) != tt.certs {
				t.Errorf("%d certificates, want %d", len(res.Certificates), tt.certs)
			}
		})
	}
}

func TestBuildBundleErrors(t *testing.T) {
	dir := t.TempDir()
	keyPEM, err := (func() ([]byte, error) {
		pki, err := fixtures.NewPKI(fixtures.Options{})
		if err != nil {
			return nil, err
		}
		return pki.Client.KeyPEM()
	})()
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name    string
		opts    BundleOptions
		want    []string
		fileErr report.Code
	}{
		{name: "unknown profile", opts: BundleOptions{Profile: "dialogflow-fx"}, want: []string{"dialogflow-fx", ProfileDialogflowES, ProfileDialogflowCX, ProfileLegacyGTS}},
		{name: "invalid pin", opts: BundleOptions{Offline: true, Pins: []string{"85:66:6A"}}, want: []string{"--pin", "85:66:6A", "64 hex digits"}},
		{name: "missing file", opts: BundleOptions{Sources: []string{filepath.Join(dir, "missing.pem")}}, want: []string{"missing.pem", "no such file"}, fileErr: report.CodeUnreadableFile},
		{name: "directory", opts: BundleOptions{Sources: []string{dir}}, want: []string{dir, "directory"}},
		{name: "empty file", opts: BundleOptions{Sources: []string{writeTestFile(t, dir, "empty.pem", nil)}}, want: []string{"empty.pem", "empty"}, fileErr: report.CodeNotPEM},
		{name: "key instead of certificate", opts: BundleOptions{Sources: []string{writeTestFile(t, dir, "key.pem", keyPEM)}}, want: []string{"key.pem", "private key"}, fileErr: report.CodeNotPEM},
		{name: "offline with a URL source", opts: BundleOptions{Offline: true, Sources: []string{"http://127.0.0.1:9/ca.pem"}}, want: []string{"--offline", "http://127.0.0.1:9/ca.pem"}},
		{name: "unsupported scheme", opts: BundleOptions{Sources: []string{"ldap://127.0.0.1/ca"}}, want: []string{"ldap"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.HTTPClient = failingClient(t)
			res, err := BuildBundle(context.Background(), tt.opts)
			if err == nil {
				t.Fatalf("no error; report %+v", res.Report)
			}
			for _, want := range tt.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
			if tt.fileErr != "" {
				var fileErr *FileError
				if !errors.As(err, &fileErr) || fileErr.Code != tt.fileErr {
					t.Errorf("error %v is not a *FileError with code %s", err, tt.fileErr)
				} else if fileErr.Fix == "" {
					t.Errorf("error %v carries no fix", err)
				}
			}
		})
	}
}

func TestBuildBundleProfileAndSources(t *testing.T) {
	now := time.Now()
	root := newTestRoot(t, "own client CA", now, nil)
	path := writeTestFile(t, t.TempDir(), "own.pem", pemOf(root))
	res, err := BuildBundle(context.Background(), BundleOptions{
		Profile: ProfileDialogflowES, Sources: []string{path}, Offline: true, Now: now, HTTPClient: failingClient(t),
	})
	if err != nil {
		t.Fatalf("BuildBundle: %v", err)
	}
	if got, want := fingerprints(res.Certificates), []string{pinSSLComRootRSA, report.Fingerprint(root.Raw)}; !slices.Equal(got, want) {
		t.Errorf("certificates = %v, want the profile's then the source's: %v", got, want)
	}
	if !strings.Contains(res.Report.Target, ProfileDialogflowES) || !strings.Contains(res.Report.Target, path) {
		t.Errorf("target %q does not name the profile and the source", res.Report.Target)
	}
}

func TestBuildBundleSourcesOnlyPlatformCheck(t *testing.T) {
	now := time.Now()
	dir := t.TempDir()
	root := newTestRoot(t, "own client CA", now, nil)
	own := writeTestFile(t, dir, "own.pem", pemOf(root))
	gts, err := embeddedCerts.ReadFile("profiles/gts-root-r1.pem")
	if err != nil {
		t.Fatal(err)
	}
	gtsPath := writeTestFile(t, dir, "gts.pem", gts)

	// An own CA alone is not meant for Dialogflow: no platform check.
	res, err := BuildBundle(context.Background(), BundleOptions{Sources: []string{own}, Now: now, HTTPClient: failingClient(t)})
	if err != nil {
		t.Fatalf("BuildBundle: %v", err)
	}
	if found := findingsWith(res.Report, report.CodePlatformCAOutdated); len(found) != 0 {
		t.Errorf("own CA only: findings = %v, want no platform-ca-outdated", found)
	}
	if res.Report.HasErrors() {
		t.Errorf("own CA only: errors %v", res.Report.Findings)
	}

	// A Google Trust Services root marks the bundle as meant for Dialogflow,
	// and it lacks the SSL.com root that Dialogflow ES uses.
	res, err = BuildBundle(context.Background(), BundleOptions{Sources: []string{own, gtsPath}, Now: now, HTTPClient: failingClient(t)})
	if err != nil {
		t.Fatalf("BuildBundle: %v", err)
	}
	found := findingsWith(res.Report, report.CodePlatformCAOutdated)
	if len(found) != 1 {
		t.Fatalf("with GTS Root R1: findings = %v, want one platform-ca-outdated", res.Report.Findings)
	}
	if !strings.Contains(found[0].Detail, "GTS Root R1") {
		t.Errorf("detail %q does not list what the bundle contains", found[0].Detail)
	}
}

func TestParsePin(t *testing.T) {
	want := pinSSLComRootRSA
	plain := strings.ReplaceAll(want, ":", "")
	tests := []struct {
		name  string
		input string
		ok    bool
	}{
		{name: "colon hex", input: want, ok: true},
		{name: "lower-case colon hex", input: strings.ToLower(want), ok: true},
		{name: "plain hex", input: plain, ok: true},
		{name: "plain lower-case hex", input: strings.ToLower(plain), ok: true},
		{name: "openssl output", input: "sha256 Fingerprint=" + want, ok: true},
		{name: "sha256 prefix", input: "SHA256:" + plain, ok: true},
		{name: "surrounding space", input: "  " + want + "\n", ok: true},
		{name: "too short", input: want[:20]},
		{name: "SHA-1 length", input: strings.Repeat("AB", 20)},
		{name: "not hex", input: strings.Repeat("ZZ", 32)},
		{name: "base64 SPKI pin", input: "sha256/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="},
		{name: "empty", input: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParsePin(tt.input)
			if !tt.ok {
				if err == nil {
					t.Fatalf("ParsePin(%q) = %q, want an error", tt.input, got)
				}
				if !strings.Contains(err.Error(), "--pin") {
					t.Errorf("error %q does not name --pin", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParsePin(%q): %v", tt.input, err)
			}
			if got != want {
				t.Errorf("ParsePin(%q) = %q, want %q", tt.input, got, want)
			}
		})
	}
}

func TestCheckCACertificates(t *testing.T) {
	now := time.Now()
	pki, err := fixtures.NewPKI(fixtures.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	expired := newTestRoot(t, "expired root", now, func(s *fixtures.Spec) {
		s.NotBefore = now.AddDate(-1, 0, 0)
		s.NotAfter = now.AddDate(0, 0, -1)
	})
	findings := CheckCACertificates([]*x509.Certificate{pki.CA.Cert, pki.Server.Cert, expired}, now)
	var codes []report.Code
	for _, f := range findings {
		codes = append(codes, f.Code)
	}
	if want := []report.Code{report.CodeNotACA, report.CodeCAExpired}; !slices.Equal(codes, want) {
		t.Errorf("codes = %v, want %v", codes, want)
	}
}

// TestBuildBundleSourcesCheckFails checks that the sources check fails,
// not merely warns, when nothing was read because a download failed.
func TestBuildBundleSourcesCheckFails(t *testing.T) {
	res, err := BuildBundle(context.Background(), BundleOptions{
		Sources: []string{closedPortURL(t, "/ca.der")},
	})
	if err != nil {
		t.Fatalf("BuildBundle: %v", err)
	}
	for _, c := range res.Report.Checks {
		if c.Name == "sources" && c.Status != report.StatusFail {
			t.Errorf("sources check is %s (%s), want fail", c.Status, c.Detail)
		}
	}
}
