package probe

import (
	"crypto/x509"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/mtlsdoctor/mtlsdoctor/fixtures"
	"github.com/mtlsdoctor/mtlsdoctor/internal/peers"
	"github.com/mtlsdoctor/mtlsdoctor/report"
)

// TestProbeLookupsOutsideDeadline probes openssl s_server -www whose leaf
// names, as caIssuers or OCSP URL, a port that accepts connections and
// never responds. The lookups time out after --timeout, which equals the
// deadline here, so a lookup that ran on the webhook's clock would leave
// the request no time at all.
func TestProbeLookupsOutsideDeadline(t *testing.T) {
	pki := newTestPKI(t)
	silent := "http://" + peers.StartListener(t, drain).Addr

	intermediate, err := fixtures.NewIntermediate(pki.CA, "lookup test intermediate", "")
	if err != nil {
		t.Fatal(err)
	}
	aiaLeaf, err := intermediate.Issue(fixtures.Spec{
		CommonName:   "localhost",
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		AIAIssuerURL: silent + "/intermediate.crt",
	})
	if err != nil {
		t.Fatal(err)
	}
	ocspLeaf, err := pki.IssueServer(func(s *fixtures.Spec) { s.OCSPServer = silent + "/ocsp" })
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name   string
		leaf   *fixtures.Cert
		opts   Options
		check  string
		code   report.Code
		detail string
	}{
		{"aia", aiaLeaf, Options{AIA: true}, checkIssuerDownload, report.CodeIncompleteChain, "timed out"},
		{"ocsp", ocspLeaf, Options{OCSP: true}, checkRevocation, report.CodeOCSPUnavailable, "did not answer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// -cert sends the leaf alone, without its intermediate.
			server := peers.StartOpenSSL(t, peers.Files{Cert: tt.leaf.CertPEM(), Key: keyPEM(t, tt.leaf)})
			opts := tt.opts
			opts.URL = server.URL("/")
			opts.ServerName = "localhost"
			opts.Roots = pki.CA.Pool()
			opts.Edition = EditionNone
			opts.Timeout = time.Second
			opts.Deadline = time.Second
			rep := runProbe(t, opts)

			wantNoCode(t, rep, report.CodeSlowResponse)
			wantCheck(t, rep, checkDeadline, report.StatusPass)
			wantCheck(t, rep, checkHTTP, report.StatusPass)
			wantCheck(t, rep, tt.check, report.StatusWarn)
			if rep.Timings == nil || rep.Timings.FirstByte == 0 {
				dumpReport(t, rep)
				t.Errorf("the report has no first-byte timing")
			}

			var lookup *report.Finding
			for _, c := range rep.Checks {
				if c.Name == tt.check && len(c.Codes) > 0 && c.Codes[0] == tt.code {
					for i := range rep.Findings {
						if rep.Findings[i].Code == tt.code && rep.Findings[i].Severity == report.SeverityWarning {
							lookup = &rep.Findings[i]
						}
					}
				}
			}
			if lookup == nil {
				dumpReport(t, rep)
				t.Fatalf("check %q has no %s warning", tt.check, tt.code)
			}
			for _, part := range []string{tt.detail, "after the webhook's exchange", "--timeout 1s"} {
				if !strings.Contains(lookup.Detail, part) {
					t.Errorf("%s detail %q does not contain %q", tt.code, lookup.Detail, part)
				}
			}
		})
	}
}
