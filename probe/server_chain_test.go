package probe

import (
	"crypto/x509"
	"net"
	"strings"
	"testing"

	"github.com/mtlsdoctor/mtlsdoctor/fixtures"
	"github.com/mtlsdoctor/mtlsdoctor/internal/peers"
	"github.com/mtlsdoctor/mtlsdoctor/report"
)

// TestProbeIntermediateOnlyInCA probes openssl s_server, whose -cert sends
// the leaf alone, with --ca holding the root and the intermediate. The
// chain verifies only through the --ca copy of the intermediate, which the
// platform, trusting roots only, does not have, so the probe must fail.
func TestProbeIntermediateOnlyInCA(t *testing.T) {
	pki := newTestPKI(t)
	intermediate, err := fixtures.NewIntermediate(pki.CA, "served-nowhere intermediate", "")
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := intermediate.Issue(fixtures.Spec{
		CommonName:  "localhost",
		DNSNames:    []string{"localhost"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	})
	if err != nil {
		t.Fatal(err)
	}
	leafOnly := peers.StartOpenSSL(t, peers.Files{Cert: leaf.CertPEM(), Key: keyPEM(t, leaf)})
	withChain := peers.StartOpenSSL(t, peers.Files{Cert: leaf.ChainPEM(), Key: keyPEM(t, leaf)})
	trust := func(certs ...*x509.Certificate) Options {
		opts := Options{Roots: x509.NewCertPool(), RootCerts: certs, Edition: EditionNone}
		for _, c := range certs {
			opts.Roots.AddCert(c)
		}
		return opts
	}

	tests := []struct {
		name       string
		server     *peers.Server
		opts       Options
		status     report.Status
		incomplete bool // an incomplete-chain error naming the intermediate
	}{
		{"leaf only, root and intermediate trusted", leafOnly, trust(pki.CA.Cert, intermediate.Cert), report.StatusFail, true},
		{"leaf only, root trusted", leafOnly, trust(pki.CA.Cert), report.StatusFail, false},
		{"leaf and intermediate, root and intermediate trusted", withChain, trust(pki.CA.Cert, intermediate.Cert), report.StatusPass, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := tt.opts
			opts.URL = tt.server.URL("/")
			rep := runProbe(t, opts)
			wantCheck(t, rep, checkServerCert, tt.status)
			if tt.status == report.StatusPass {
				wantNoErrors(t, rep)
				wantNoCode(t, rep, report.CodeIncompleteChain)
				return
			}
			if !rep.HasErrors() {
				dumpReport(t, rep)
				t.Errorf("a chain the platform rejects gave no error")
			}
			if !tt.incomplete {
				return
			}
			wantCode(t, rep, report.CodeIncompleteChain, report.SeverityError)
			f, _ := rep.Finding(report.CodeIncompleteChain)
			for _, part := range []string{"CN=served-nowhere intermediate", "Dialogflow", "verifies only because --ca holds"} {
				if !strings.Contains(f.Summary+" "+f.Detail, part) {
					t.Errorf("finding %q / %q does not contain %q", f.Summary, f.Detail, part)
				}
			}
			if !strings.HasPrefix(f.Fix, "Serve this intermediate after the leaf") {
				t.Errorf("fix %q does not start with the advice to serve the intermediate", f.Fix)
			}
		})
	}
}
