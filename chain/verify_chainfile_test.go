package chain

import (
	"context"
	"crypto/x509"
	"strings"
	"testing"

	"github.com/mtlsdoctor/mtlsdoctor/report"
)

// TestIncompleteChainFileWording checks every incomplete-chain finding
// that a chain lacking its intermediate can get, once read from a file
// (ChainFile set) and once sent by a peer. A file sends nothing, so its
// findings state what the file does not contain and how to fix the file.
func TestIncompleteChainFileWording(t *testing.T) {
	srv := newAIAServer(t)
	p := newAIAPKI(t, srv, "/intermediate")
	srv.set("/intermediate", p.intermediate.Cert.Raw)
	root, inter, leaf := intermediatePKI(t)
	const file = "server-crt.pem"

	tests := []struct {
		name      string
		presented []*x509.Certificate
		opts      VerifyOptions
		aia       bool
		severity  report.Severity
		// fileText and peerText must be in the finding's summary, detail
		// or fix with and without ChainFile.
		fileText []string
		peerText []string
	}{
		{
			name:      "issuer not in chain",
			presented: []*x509.Certificate{p.leaf.Cert},
			opts:      VerifyOptions{Roots: p.root.Pool(), RootCerts: []*x509.Certificate{p.root.Cert}},
			severity:  report.SeverityError,
			fileText:  []string{"the file does not contain the issuer of CN=localhost", "Add the intermediate", "to " + file + " after the leaf"},
			peerText:  []string{"the issuer of CN=localhost was not sent", "Serve the intermediate"},
		},
		{
			name:      "intermediate fetched through AIA",
			presented: []*x509.Certificate{p.leaf.Cert},
			opts:      VerifyOptions{Roots: p.root.Pool()},
			aia:       true,
			severity:  report.SeverityError,
			fileText:  []string{"the file does not contain the intermediate CN=AIA test intermediate", file + " contains 1 certificate;", "Add this intermediate to " + file},
			peerText:  []string{"the peer did not send the intermediate CN=AIA test intermediate", "Serve this intermediate"},
		},
		{
			name:      "intermediate only in the CA file",
			presented: []*x509.Certificate{leaf.Cert},
			opts:      trusting(root, inter),
			severity:  report.SeverityError,
			fileText:  []string{"Append this intermediate to " + file + " after the leaf"},
			peerText:  []string{"Append it to the server's certificate file"},
		},
	}
	for _, tt := range tests {
		for _, fromFile := range []bool{true, false} {
			name := tt.name + "/peer"
			if fromFile {
				name = tt.name + "/file"
			}
			t.Run(name, func(t *testing.T) {
				opts := tt.opts
				want := tt.peerText
				if fromFile {
					opts.ChainFile = file
					want = tt.fileText
				}
				var findings []report.Finding
				if tt.aia {
					findings, _ = VerifyChainAIA(context.Background(), nil, tt.presented, opts)
				} else {
					findings = VerifyChain(tt.presented, opts)
				}
				f, ok := findingWithCode(findings, report.CodeIncompleteChain)
				if !ok {
					t.Fatalf("no incomplete-chain finding in %+v", findings)
				}
				if f.Severity != tt.severity {
					t.Errorf("severity = %s, want %s", f.Severity, tt.severity)
				}
				text := f.Summary + "\n" + f.Detail + "\n" + f.Fix
				for _, part := range want {
					if !strings.Contains(text, part) {
						t.Errorf("finding does not contain %q:\n%s", part, text)
					}
				}
				if !fromFile {
					return
				}
				for _, peerWording := range []string{"did not send", "was not sent", "Serve th", "peer"} {
					if strings.Contains(text, peerWording) {
						t.Errorf("finding on a file contains %q:\n%s", peerWording, text)
					}
				}
			})
		}
	}
}

// TestHostMismatchFixNamesTheFlag checks that the fix for an IP address
// the certificate does not cover names the flag of the command that ran:
// --host for verify, which reads a file, and --server-name for probe.
func TestHostMismatchFixNamesTheFlag(t *testing.T) {
	_, _, leaf := intermediatePKI(t)
	leaf.Cert.IPAddresses = nil
	for _, tc := range []struct {
		chainFile, want string
	}{
		{"server-crt.pem", "(--host NAME)"},
		{"", "(--server-name)"},
	} {
		findings := checkHost(leaf.Cert, "192.0.2.1", tc.chainFile != "")
		if len(findings) != 1 || !strings.Contains(findings[0].Fix, tc.want) {
			t.Errorf("ChainFile %q: findings %+v, want one whose fix names %s", tc.chainFile, findings, tc.want)
		}
	}
}
