package probe

import (
	"crypto/tls"
	"slices"
	"strings"
	"testing"

	"github.com/mtlsdoctor/mtlsdoctor/fixtures"
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
			if tc.empty {
				wantCheck(t, rep, checkCertAccepted, report.StatusPass)
				if n := len(rep.TLS.AcceptableCAs); n != 0 {
					t.Errorf("acceptable CAs = %q, want an empty list", rep.TLS.AcceptableCAs)
				}
				wantNoCode(t, rep, report.CodeClientCANotAccept)
				wantCheckDetail(t, rep, checkCertRequested, "named no acceptable CAs")
				return
			}
			// The server verifies against a CA it does not announce and
			// responds with 2xx, so the finding is the verdict, not the list.
			wantAcceptedOutsideCAList(t, rep)
			wantDetail(t, rep, report.CodeClientCANotAccept, "CN=foreign test CA", "HTTP 200")
		})
	}
}

// wantAcceptedOutsideCAList fails unless rep reports, as the verdict on
// the client certificate, that the server responded with 2xx to a certificate
// from a CA it does not announce, and sends the operator to --audit.
func wantAcceptedOutsideCAList(t *testing.T, rep *report.Report) {
	t.Helper()
	wantCheck(t, rep, checkCertAccepted, report.StatusWarn)
	wantCode(t, rep, report.CodeClientCANotAccept, report.SeverityWarning)
	f, _ := rep.Finding(report.CodeClientCANotAccept)
	if f.Summary != summaryOutsideCAList {
		t.Errorf("summary = %q, want %q", f.Summary, summaryOutsideCAList)
	}
	wantDetail(t, rep, report.CodeClientCANotAccept, "does not verify client certificates", "CAs it does not announce", "Go's crypto/tls")
	if !strings.Contains(f.Fix, "mtlsdoctor probe --audit") {
		t.Errorf("fix %q does not send the operator to probe --audit", f.Fix)
	}
	if strings.Contains(f.Detail, "to show the server's verdict") {
		t.Errorf("detail %q still promises a verdict instead of giving it", f.Detail)
	}
	for _, c := range rep.Checks {
		if c.Name == checkCertRequested && slices.Contains(c.Codes, report.CodeClientCANotAccept) {
			t.Errorf("check %q still lists %s, whose fix to add the CA to the list is wrong for a server that accepted", c.Name, report.CodeClientCANotAccept)
		}
	}
}

// TestProbeAcceptsOutsideCAList probes servers that announce the test CA
// but respond with 2xx to a client certificate from another CA, because they do
// not verify client certificates.
func TestProbeAcceptsOutsideCAList(t *testing.T) {
	pki := newTestPKI(t)
	files := peers.Files{Cert: pki.Server.ChainPEM(), Key: keyPEM(t, pki.Server), ClientCA: pki.CA.CertPEM()}

	cases := []struct {
		name    string
		start   func(t *testing.T) *peers.Server
		edition Edition
	}{
		{
			name:    "openssl -Verify without -verify_return_error",
			start:   func(t *testing.T) *peers.Server { return peers.StartOpenSSL(t, files, "-Verify", "1") },
			edition: EditionNone,
		},
		{
			name: "nginx optional_no_ca",
			start: func(t *testing.T) *peers.Server {
				return peers.StartNginx(t, peers.NginxConfig{Files: files, VerifyClient: "optional_no_ca"})
			},
			edition: EditionES,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			server := tc.start(t)
			cert, chain := clientOptions(pki.foreign.Client)
			rep := runProbe(t, Options{URL: server.URL("/"), Certificate: cert, ClientChain: chain, Roots: pki.CA.Pool(), Edition: tc.edition})

			wantNoErrors(t, rep)
			wantAcceptedOutsideCAList(t, rep)
			wantDetail(t, rep, report.CodeClientCANotAccept, "CN=mtlsdoctor test CA", "CN=foreign test CA")
		})
	}
}

// TestAuditSettlesCAListVerdict checks that --audit completes the
// verdict: a server that accepts the throwaway CA too does not verify
// client certificates, and one that rejects it trusts a CA it does not
// announce.
func TestAuditSettlesCAListVerdict(t *testing.T) {
	pki := newTestPKI(t)
	cases := []struct {
		name    string
		start   func(t *testing.T) *peers.Server
		client  *fixtures.Cert
		edition Edition
		settled string
		fix     string
	}{
		{
			name: "openssl -Verify without -verify_return_error",
			start: func(t *testing.T) *peers.Server {
				files := peers.Files{Cert: pki.Server.ChainPEM(), Key: keyPEM(t, pki.Server), ClientCA: pki.CA.CertPEM()}
				return peers.StartOpenSSL(t, files, "-Verify", "1")
			},
			client:  pki.foreign.Client,
			edition: EditionNone,
			settled: "so it does not verify client certificates",
			fix:     "untrusted-cert-accepted",
		},
		{
			name: "nginx ssl_trusted_certificate",
			start: func(t *testing.T) *peers.Server {
				files := peers.Files{Cert: pki.Server.ChainPEM(), Key: keyPEM(t, pki.Server), ClientCA: pki.foreign.CA.CertPEM()}
				return peers.StartNginx(t, peers.NginxConfig{Files: files, VerifyClient: "on", TrustedCA: pki.CA.CertPEM()})
			},
			client:  pki.Client,
			edition: EditionES,
			settled: "so it verifies client certificates against a CA it does not announce",
			fix:     "nginx ssl_client_certificate, not only ssl_trusted_certificate",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			server := tc.start(t)
			rep := runAudit(t, pki, server.URL("/"), func(o *Options) {
				o.Certificate, o.ClientChain = clientOptions(tc.client)
				o.Edition = tc.edition
			})
			f, ok := rep.Finding(report.CodeClientCANotAccept)
			if !ok {
				dumpReport(t, rep)
				t.Fatalf("report has no %s finding", report.CodeClientCANotAccept)
			}
			if f.Severity != report.SeverityWarning {
				t.Errorf("severity = %s, want warning", f.Severity)
			}
			if !strings.Contains(f.Detail, tc.settled) {
				t.Errorf("detail %q does not contain %q", f.Detail, tc.settled)
			}
			if !strings.Contains(f.Fix, tc.fix) {
				t.Errorf("fix %q does not contain %q", f.Fix, tc.fix)
			}
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
