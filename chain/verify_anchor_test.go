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

// intermediatePKI mints a root, an intermediate under it and a server
// leaf for localhost under the intermediate.
func intermediatePKI(t *testing.T) (root, inter, leaf *fixtures.Cert) {
	t.Helper()
	root, err := fixtures.NewRoot(fixtures.Spec{CommonName: "anchor test root"})
	if err != nil {
		t.Fatal(err)
	}
	inter, err = fixtures.NewIntermediate(root, "anchor test intermediate", fixtures.ECDSAP256)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err = inter.Issue(fixtures.Spec{CommonName: "localhost", DNSNames: []string{"localhost"},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}})
	if err != nil {
		t.Fatal(err)
	}
	return root, inter, leaf
}

func trusting(certs ...*fixtures.Cert) VerifyOptions {
	opts := VerifyOptions{Roots: x509.NewCertPool()}
	for _, c := range certs {
		opts.Roots.AddCert(c.Cert)
		opts.RootCerts = append(opts.RootCerts, c.Cert)
	}
	return opts
}

func TestVerifyChainIntermediateOnlyInCAs(t *testing.T) {
	root, inter, leaf := intermediatePKI(t)

	tests := []struct {
		name      string
		presented []*x509.Certificate
		opts      VerifyOptions
		flagged   bool
		noRoot    bool // the detail states that the CAs hold no root
	}{
		{"root and intermediate trusted, leaf sent", []*x509.Certificate{leaf.Cert}, trusting(root, inter), true, false},
		{"only intermediate trusted, leaf sent", []*x509.Certificate{leaf.Cert}, trusting(inter), true, true},
		{"root and intermediate trusted, both sent", []*x509.Certificate{leaf.Cert, inter.Cert}, trusting(root, inter), false, false},
		{"root trusted, both sent", []*x509.Certificate{leaf.Cert, inter.Cert}, trusting(root), false, false},
		{"leaf pinned", []*x509.Certificate{leaf.Cert}, trusting(leaf), false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			findings := VerifyChain(tt.presented, tt.opts)
			got := codes(findings)
			if !tt.flagged {
				if len(got) != 0 {
					t.Errorf("got findings %v, want none", got)
				}
				return
			}
			if len(got) != 1 || got[report.CodeIncompleteChain] != report.SeverityError {
				t.Fatalf("got findings %v, want one incomplete-chain error", got)
			}
			f := findings[0]
			for _, part := range []string{"CN=anchor test intermediate", "Dialogflow", "not self-signed", "verifies only because --ca holds"} {
				if !strings.Contains(f.Summary+" "+f.Detail, part) {
					t.Errorf("finding %q / %q does not contain %q", f.Summary, f.Detail, part)
				}
			}
			if !strings.HasPrefix(f.Fix, "Serve this intermediate after the leaf: CN=anchor test intermediate") {
				t.Errorf("fix %q does not name the intermediate to serve", f.Fix)
			}
			if strings.Contains(f.Detail, "peer") || strings.Contains(f.Detail, "sent") {
				t.Errorf("detail %q speaks of a peer, but verify has none", f.Detail)
			}
			if got := strings.Contains(f.Detail, "hold no root"); got != tt.noRoot {
				t.Errorf("detail %q mentions the missing root: %v, want %v", f.Detail, got, tt.noRoot)
			}
		})
	}
}

func TestVerifyChainIntermediateOnlyInCAsClient(t *testing.T) {
	root, inter, leaf := intermediatePKI(t)
	opts := trusting(root, inter)
	opts.Usage = UsageClient
	findings := VerifyChain([]*x509.Certificate{leaf.Cert}, opts)
	if len(findings) != 1 {
		t.Fatalf("got %d findings, want one: %v", len(findings), findings)
	}
	f := findings[0]
	if !strings.Contains(f.Detail, "servers whose client CA list holds only the root") {
		t.Errorf("detail %q does not name the servers as the verifiers", f.Detail)
	}
	if !strings.Contains(f.Fix, "client certificate file") {
		t.Errorf("fix %q does not name the client certificate file", f.Fix)
	}
	if strings.Contains(f.Detail, "Dialogflow") {
		t.Errorf("detail %q names the platform as the verifier of a client certificate", f.Detail)
	}
}

// TestVerifyFilesIntermediateOnlyInCA runs the files of mtlsdoctor verify
// --cert leaf.pem --ca root+intermediate.pem: the chain verifies only with
// the intermediate from the CA file, which is an error, because a verifier
// that trusts only the root rejects it.
func TestVerifyFilesIntermediateOnlyInCA(t *testing.T) {
	root, inter, leaf := intermediatePKI(t)
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	leafFile := write("leaf.pem", leaf.CertPEM())
	chainFile := write("chain.pem", append(leaf.CertPEM(), inter.CertPEM()...))
	caFile := write("root+intermediate.pem", append(root.CertPEM(), inter.CertPEM()...))

	tests := []struct {
		name    string
		cert    string
		flagged bool
	}{
		{"leaf only", leafFile, true},
		{"leaf and intermediate", chainFile, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := VerifyFiles(context.Background(), VerifyFilesOptions{CertFile: tt.cert, CAFile: caFile, Verify: VerifyOptions{Host: "localhost"}})
			if err != nil {
				t.Fatal(err)
			}
			rep.Finish()
			f, found := rep.Finding(report.CodeIncompleteChain)
			if found != tt.flagged {
				t.Fatalf("incomplete-chain found: %v, want %v; findings: %v", found, tt.flagged, rep.Findings)
			}
			if !tt.flagged {
				return
			}
			if f.Severity != report.SeverityError {
				t.Errorf("severity = %s, want error", f.Severity)
			}
			if !rep.HasErrors() {
				t.Errorf("report has no error, so verify would exit 0: %v", rep.Findings)
			}
			for _, c := range rep.Checks {
				if c.Name == "trust" && c.Status != report.StatusFail {
					t.Errorf("trust check status = %s, want fail", c.Status)
				}
			}
		})
	}
}
