package probe

import (
	"crypto/tls"
	"strings"
	"testing"

	"github.com/mtlsdoctor/mtlsdoctor/internal/peers"
	"github.com/mtlsdoctor/mtlsdoctor/report"
)

// TestProbeAcceptableCANames checks how the probe reads the CA names of
// the CertificateRequest: an empty list, and a list that names another CA
// than the one the server verifies against, which servers can configure
// apart (nginx ssl_trusted_certificate, openssl s_server -verifyCAfile).
func TestProbeAcceptableCANames(t *testing.T) {
	pki := newTestPKI(t)
	serverFiles := func(clientCA []byte) peers.Files {
		return peers.Files{Cert: pki.Server.ChainPEM(), Key: keyPEM(t, pki.Server), ClientCA: clientCA}
	}
	caFile := func(t *testing.T) string { return peers.TempFile(t, "ca.pem", pki.CA.CertPEM()) }

	cases := []struct {
		name    string
		start   func(t *testing.T) *peers.Server
		edition Edition
		empty   bool // the CertificateRequest names no CA
	}{
		{
			name: "go without ClientCAs",
			start: func(t *testing.T) *peers.Server {
				cfg := &tls.Config{Certificates: []tls.Certificate{pki.Server.TLSCertificate()}, ClientAuth: tls.RequireAnyClientCert}
				return peers.StartGo(t, cfg, nil)
			},
			edition: EditionES, empty: true,
		},
		{
			name: "openssl with verifyCAfile only",
			start: func(t *testing.T) *peers.Server {
				return peers.StartOpenSSL(t, serverFiles(nil), "-Verify", "4", "-verify_return_error", "-verifyCAfile", caFile(t))
			},
			edition: EditionNone, empty: true,
		},
		{
			// nginx 1.22 refuses ssl_verify_client on or optional without
			// ssl_client_certificate, so only optional_no_ca, which does not
			// verify, sends an empty list.
			name: "nginx optional_no_ca",
			start: func(t *testing.T) *peers.Server {
				return peers.StartNginx(t, peers.NginxConfig{Files: serverFiles(nil), VerifyClient: "optional_no_ca"})
			},
			edition: EditionES, empty: true,
		},
		{
			name: "nginx listing another CA",
			start: func(t *testing.T) *peers.Server {
				return peers.StartNginx(t, peers.NginxConfig{Files: serverFiles(pki.foreign.CA.CertPEM()), VerifyClient: "on", TrustedCA: pki.CA.CertPEM()})
			},
			edition: EditionES,
		},
		{
			name: "openssl listing another CA",
			start: func(t *testing.T) *peers.Server {
				return peers.StartOpenSSL(t, serverFiles(pki.foreign.CA.CertPEM()), "-Verify", "4", "-verify_return_error", "-verifyCAfile", caFile(t))
			},
			edition: EditionNone,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			server := tc.start(t)
			cert, chain := clientOptions(pki.Client)
			rep := runProbe(t, Options{URL: server.URL("/"), Certificate: cert, ClientChain: chain, Roots: pki.CA.Pool(), Edition: tc.edition})

			wantNoErrors(t, rep)
			wantCheck(t, rep, checkCertAccepted, report.StatusPass)
			if tc.empty {
				if n := len(rep.TLS.AcceptableCAs); n != 0 {
					t.Errorf("acceptable CAs = %q, want an empty list", rep.TLS.AcceptableCAs)
				}
				wantNoCode(t, rep, report.CodeClientCANotAccept)
				wantCheckDetail(t, rep, checkCertRequested, "named no acceptable CAs")
				return
			}
			wantCode(t, rep, report.CodeClientCANotAccept, report.SeverityWarning)
			wantDetail(t, rep, report.CodeClientCANotAccept, "CN=foreign test CA", "send no certificate at all", "the probe sent it anyway")
		})
	}
}

func wantCheckDetail(t *testing.T, rep *report.Report, name, text string) {
	t.Helper()
	for _, c := range rep.Checks {
		if c.Name == name {
			if !strings.Contains(c.Detail, text) {
				t.Errorf("check %q detail %q does not contain %q", name, c.Detail, text)
			}
			return
		}
	}
	dumpReport(t, rep)
	t.Errorf("report has no check %q", name)
}
