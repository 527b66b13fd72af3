package chain

import (
	"context"
	"crypto/x509"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mtlsdoctor/mtlsdoctor/fixtures"
	"github.com/mtlsdoctor/mtlsdoctor/report"
)

// orderPKI is a root, an intermediate and a server leaf under it.
type orderPKI struct {
	root, inter, leaf *fixtures.Cert
}

func newOrderPKI(t *testing.T) orderPKI {
	t.Helper()
	root, err := fixtures.NewRoot(fixtures.Spec{CommonName: "order root"})
	if err != nil {
		t.Fatal(err)
	}
	inter, err := fixtures.NewIntermediate(root, "order intermediate", fixtures.ECDSAP256)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := inter.Issue(fixtures.Spec{CommonName: "localhost", DNSNames: []string{"localhost"},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}})
	if err != nil {
		t.Fatal(err)
	}
	return orderPKI{root: root, inter: inter, leaf: leaf}
}

func TestOrderFindings(t *testing.T) {
	p := newOrderPKI(t)
	leaf, inter, root := p.leaf.Cert, p.inter.Cert, p.root.Cert
	tests := []struct {
		name    string
		certs   []*x509.Certificate
		wantErr bool
		text    string // in the finding's summary or detail
		fix     string // in the finding's fix
	}{
		{"leaf only", []*x509.Certificate{leaf}, false, "", ""},
		{"leaf and intermediate", []*x509.Certificate{leaf, inter}, false, "", ""},
		{"leaf, intermediate and root", []*x509.Certificate{leaf, inter, root}, false, "", ""},
		{"intermediate then leaf", []*x509.Certificate{inter, leaf}, true,
			"the leaf is block 2, not block 1", "Put the leaf (block 2, CN=localhost) first, then each certificate's issuer"},
		{"root, intermediate, leaf", []*x509.Certificate{root, inter, leaf}, true,
			"the leaf is block 3, not block 1", "Put the leaf (block 3, CN=localhost) first"},
		{"root then intermediate", []*x509.Certificate{root, inter}, true,
			"reverse order", "Put the leaf (block 2, CN=order intermediate) first"},
		{"intermediates swapped", []*x509.Certificate{leaf, root, inter}, true,
			"block 1 (CN=localhost) is signed by block 3", "Put the leaf first, then each certificate's issuer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			findings := OrderFindings(tt.certs)
			if !tt.wantErr {
				if len(findings) != 0 {
					t.Fatalf("got findings %v, want none", findings)
				}
				return
			}
			if len(findings) != 1 {
				t.Fatalf("got %d findings, want 1: %v", len(findings), findings)
			}
			f := findings[0]
			if f.Code != report.CodeIncompleteChain {
				t.Errorf("code = %s, want %s", f.Code, report.CodeIncompleteChain)
			}
			if f.Severity != report.SeverityError {
				t.Errorf("severity = %s, want error", f.Severity)
			}
			if !strings.Contains(f.Summary+" "+f.Detail, tt.text) {
				t.Errorf("summary %q and detail %q do not contain %q", f.Summary, f.Detail, tt.text)
			}
			if !strings.Contains(f.Fix, tt.fix) {
				t.Errorf("fix %q does not contain %q", f.Fix, tt.fix)
			}
		})
	}
}

func TestOrderFindingsKeyMatchesLaterBlock(t *testing.T) {
	p := newOrderPKI(t)
	// An unrelated leaf first: only the key shows that block 2 is the
	// leaf of this file.
	other := mustPKI(t).Server.Cert
	certs := []*x509.Certificate{other, p.leaf.Cert, p.inter.Cert}
	if got := OrderFindings(certs); len(got) != 0 {
		t.Fatalf("without the key: got findings %v, want none", got)
	}
	findings := orderFindings(certs, p.leaf.Key)
	if len(findings) != 1 {
		t.Fatalf("got %d findings, want 1: %v", len(findings), findings)
	}
	if want := "the private key matches block 2 (CN=localhost)"; !strings.Contains(findings[0].Detail, want) {
		t.Errorf("detail %q does not contain %q", findings[0].Detail, want)
	}
}

func TestBlockLabels(t *testing.T) {
	p := newOrderPKI(t)
	leaf, inter, root := p.leaf.Cert, p.inter.Cert, p.root.Cert
	tests := []struct {
		name  string
		certs []*x509.Certificate
		want  []string
	}{
		{"leaf, intermediate and root", []*x509.Certificate{leaf, inter, root}, []string{"leaf", "first intermediate", "root"}},
		{"intermediate then leaf", []*x509.Certificate{inter, leaf}, []string{"intermediate", "leaf, out of order"}},
		{"reverse order", []*x509.Certificate{root, inter, leaf}, []string{"root", "intermediate", "leaf, out of order"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			index, _ := findLeaf(tt.certs, nil)
			got := blockLabels(tt.certs, index)
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("labels = %q, want %q", got, tt.want)
			}
		})
	}
}

// writeJoined writes the concatenation of data to name in dir and
// returns the path.
func writeJoined(t *testing.T, dir, name string, data ...[]byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	var all []byte
	for _, d := range data {
		all = append(all, d...)
	}
	if err := os.WriteFile(path, all, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func checkByName(rep *report.Report, name string) (report.Check, bool) {
	for _, c := range rep.Checks {
		if c.Name == name {
			return c, true
		}
	}
	return report.Check{}, false
}

func TestVerifyFilesReversedChain(t *testing.T) {
	p := newOrderPKI(t)
	dir := t.TempDir()
	reversed := writeJoined(t, dir, "reversed.pem", p.inter.CertPEM(), p.leaf.CertPEM())
	caFile := writeJoined(t, dir, "root.pem", p.root.CertPEM())
	keyPEM, err := p.leaf.KeyPEM()
	if err != nil {
		t.Fatal(err)
	}
	keyFile := writeJoined(t, dir, "key.pem", keyPEM)

	tests := []struct {
		name string
		opts VerifyFilesOptions
	}{
		{"without key", VerifyFilesOptions{CertFile: reversed, CAFile: caFile}},
		{"with key", VerifyFilesOptions{CertFile: reversed, CAFile: caFile, KeyFile: keyFile}},
		{"with host", VerifyFilesOptions{CertFile: reversed, CAFile: caFile, Verify: VerifyOptions{Host: "localhost"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := VerifyFiles(context.Background(), tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			order, ok := checkByName(rep, "chain order")
			if !ok {
				t.Fatal("no chain order check")
			}
			if order.Status != report.StatusFail {
				t.Errorf("chain order status = %s, want fail", order.Status)
			}
			if !rep.HasErrors() {
				t.Error("the report has no error finding, so verify would exit 0")
			}
			if len(rep.Certificates) != 2 {
				t.Fatalf("got %d certificates, want 2", len(rep.Certificates))
			}
			if got := rep.Certificates[0].Note; got != "intermediate" {
				t.Errorf("block 1 label = %q, want intermediate", got)
			}
			if got := rep.Certificates[1].Note; got != "leaf, out of order" {
				t.Errorf("block 2 label = %q, want %q", got, "leaf, out of order")
			}
			// The leaf is checked as the leaf, so its host name matches.
			if rep.Has(report.CodeHostnameMismatch) {
				t.Errorf("hostname-mismatch reported for the intermediate: %v", rep.Findings)
			}
		})
	}
}

func TestVerifyFilesRootLabel(t *testing.T) {
	p := newOrderPKI(t)
	dir := t.TempDir()
	certFile := writeJoined(t, dir, "chain.pem", p.leaf.CertPEM(), p.inter.CertPEM(), p.root.CertPEM())
	caFile := writeJoined(t, dir, "root.pem", p.root.CertPEM())
	rep, err := VerifyFiles(context.Background(), VerifyFilesOptions{CertFile: certFile, CAFile: caFile})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"leaf", "first intermediate", "root"}
	for i, c := range rep.Certificates {
		if c.Note != want[i] {
			t.Errorf("block %d label = %q, want %q", i+1, c.Note, want[i])
		}
	}
	if rep.HasErrors() {
		t.Errorf("unexpected errors: %v", rep.Findings)
	}
}

func TestVerifyFilesCAFileHoldsLeaf(t *testing.T) {
	p := newOrderPKI(t)
	dir := t.TempDir()
	certFile := writeJoined(t, dir, "chain.pem", p.leaf.CertPEM(), p.inter.CertPEM())
	tests := []struct {
		name    string
		ca      []byte
		warning bool
	}{
		{"root", p.root.CertPEM(), false},
		{"leaf", p.leaf.CertPEM(), true},
		{"root and leaf", append(append([]byte{}, p.root.CertPEM()...), p.leaf.CertPEM()...), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			caFile := writeJoined(t, dir, strings.ReplaceAll(tt.name, " ", "-")+".pem", tt.ca)
			rep, err := VerifyFiles(context.Background(), VerifyFilesOptions{CertFile: certFile, CAFile: caFile})
			if err != nil {
				t.Fatal(err)
			}
			check, ok := checkByName(rep, "CA file")
			if !ok {
				t.Fatal("no CA file check")
			}
			f, found := rep.Finding(report.CodeNotACA)
			if !tt.warning {
				if found {
					t.Errorf("unexpected finding %v", f)
				}
				if check.Status != report.StatusPass {
					t.Errorf("CA file status = %s, want pass", check.Status)
				}
				return
			}
			if !found {
				t.Fatalf("no not-a-ca finding; findings: %v", rep.Findings)
			}
			if f.Severity != report.SeverityWarning {
				t.Errorf("severity = %s, want warning", f.Severity)
			}
			if check.Status != report.StatusWarn {
				t.Errorf("CA file status = %s, want warn", check.Status)
			}
			if !strings.Contains(f.Summary, "CN=localhost") {
				t.Errorf("summary %q does not name the certificate", f.Summary)
			}
			if !strings.Contains(f.Fix, "root CA certificate") {
				t.Errorf("fix %q does not say what to put in the CA file", f.Fix)
			}
		})
	}
}

func TestVerifyFilesHostNameCheck(t *testing.T) {
	p := newOrderPKI(t)
	dir := t.TempDir()
	certFile := writeJoined(t, dir, "chain.pem", p.leaf.CertPEM(), p.inter.CertPEM())
	caFile := writeJoined(t, dir, "root.pem", p.root.CertPEM())
	tests := []struct {
		name   string
		host   string
		status report.Status
		detail string
	}{
		{"no host", "", report.StatusSkip, "no --host given"},
		{"matching host", "localhost", report.StatusPass, ""},
		{"other host", "other.example", report.StatusFail, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := VerifyFiles(context.Background(), VerifyFilesOptions{CertFile: certFile, CAFile: caFile,
				Verify: VerifyOptions{Host: tt.host}})
			if err != nil {
				t.Fatal(err)
			}
			check, ok := checkByName(rep, "host name")
			if !ok {
				t.Fatal("no host name check")
			}
			if check.Status != tt.status {
				t.Errorf("status = %s, want %s", check.Status, tt.status)
			}
			if check.Detail != tt.detail {
				t.Errorf("detail = %q, want %q", check.Detail, tt.detail)
			}
		})
	}
}

func TestCheckTrustAnchors(t *testing.T) {
	p := newOrderPKI(t)
	tests := []struct {
		name  string
		certs []*x509.Certificate
		want  int
	}{
		{"root", []*x509.Certificate{p.root.Cert}, 0},
		{"intermediate", []*x509.Certificate{p.inter.Cert}, 0},
		{"leaf", []*x509.Certificate{p.leaf.Cert}, 1},
		{"self-signed leaf", []*x509.Certificate{selfSigned(t)}, 1},
		{"root and leaf", []*x509.Certificate{p.root.Cert, p.leaf.Cert}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := CheckTrustAnchors(tt.certs)
			if len(got) != tt.want {
				t.Fatalf("got %d findings, want %d: %v", len(got), tt.want, got)
			}
			for _, f := range got {
				if f.Code != report.CodeNotACA || f.Severity != report.SeverityWarning {
					t.Errorf("finding %s %s, want a not-a-ca warning", f.Code, f.Severity)
				}
			}
		})
	}
}
