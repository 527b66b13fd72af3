package probe

import (
	"strings"
	"testing"

	"github.com/mtlsdoctor/mtlsdoctor/fixtures"
	"github.com/mtlsdoctor/mtlsdoctor/internal/peers"
	"github.com/mtlsdoctor/mtlsdoctor/report"
)

const opensslHint = peers.OpenSSLHint

// startSServer runs openssl s_server -www with the test PKI's server
// certificate, the test CA as -CAfile and extra arguments, and returns the
// URL to probe.
func startSServer(t *testing.T, pki *testPKI, args ...string) string {
	t.Helper()
	files := peers.Files{Cert: pki.Server.ChainPEM(), Key: keyPEM(t, pki.Server), ClientCA: pki.CA.CertPEM()}
	return peers.StartOpenSSL(t, files, args...).URL("/")
}

// requireClientCert makes s_server insist on a verified client certificate.
var requireClientCert = []string{"-Verify", "1", "-verify_return_error"}

func TestProbeOpenSSLClientAuth(t *testing.T) {
	pki := newTestPKI(t)
	versions := []struct {
		name string
		flag string
	}{
		{"TLS 1.2", "-no_tls1_3"},
		{"TLS 1.3", "-tls1_3"},
	}
	clients := []struct {
		name     string
		cert     *fixtures.Cert
		wantCode report.Code // empty: the server accepts
		evidence string
	}{
		{"valid client cert", pki.Client, "", ""},
		{"no client cert", nil, report.CodeClientCertRequired, "no client certificate was sent"},
		{"foreign client cert", pki.foreign.Client, report.CodeClientCertRejected, "unknown certificate authority"},
	}
	for _, version := range versions {
		for _, client := range clients {
			t.Run(version.name+"/"+client.name, func(t *testing.T) {
				url := startSServer(t, pki, append([]string{version.flag}, requireClientCert...)...)
				cert, chain := clientOptions(client.cert)
				rep := runProbe(t, Options{
					URL: url, Certificate: cert, ClientChain: chain,
					Roots: pki.CA.Pool(), Edition: EditionNone,
				})

				if rep.TLS == nil || rep.TLS.Version != version.name {
					dumpReport(t, rep)
					t.Fatalf("TLS version is not %s", version.name)
				}
				if !rep.TLS.ClientCertRequested {
					t.Errorf("the report does not record the CertificateRequest")
				}
				if len(rep.TLS.AcceptableCAs) != 1 || !strings.Contains(rep.TLS.AcceptableCAs[0], "CN=mtlsdoctor test CA") {
					t.Errorf("acceptable CAs = %q, want the test CA", rep.TLS.AcceptableCAs)
				}
				wantCheck(t, rep, checkServerCert, report.StatusPass)

				if client.wantCode == "" {
					wantNoErrors(t, rep)
					wantCheck(t, rep, checkCertAccepted, report.StatusPass)
					wantCheck(t, rep, checkHTTP, report.StatusPass)
					return
				}
				wantCode(t, rep, client.wantCode, report.SeverityError)
				wantDetail(t, rep, client.wantCode, client.evidence, version.name)
				wantCheck(t, rep, checkCertAccepted, report.StatusFail)
				if client.cert != nil {
					wantCode(t, rep, report.CodeClientCANotAccept, report.SeverityWarning)
					wantDetail(t, rep, report.CodeClientCANotAccept, "CN=foreign test CA")
				}
			})
		}
	}
}

func TestProbeOpenSSLClientCertNotRequested(t *testing.T) {
	pki := newTestPKI(t)
	for _, flag := range []string{"-no_tls1_3", "-tls1_3"} {
		t.Run(flag, func(t *testing.T) {
			url := startSServer(t, pki, flag)
			cert, chain := clientOptions(pki.Client)
			rep := runProbe(t, Options{URL: url, Certificate: cert, ClientChain: chain, Roots: pki.CA.Pool(), Edition: EditionNone})

			// Given a client certificate, the probe tests mutual TLS, so a
			// server that never requests it is an error.
			wantCode(t, rep, report.CodeClientCertNotReq, report.SeverityError)
			wantDetail(t, rep, report.CodeClientCertNotReq, "the client certificate was not sent")
			if rep.TLS.ClientCertSent {
				t.Errorf("the report says a client certificate was sent")
			}
		})
	}
}

func TestProbeOpenSSLNegotiationFailures(t *testing.T) {
	pki := newTestPKI(t)
	cases := []struct {
		name     string
		args     []string
		wantCode report.Code
	}{
		{
			// Go does not offer the CBC-SHA256 suites, so this server shares
			// no TLS 1.2 suite with the probe.
			name:     "no shared cipher",
			args:     []string{"-no_tls1_3", "-cipher", "ECDHE-ECDSA-AES128-SHA256"},
			wantCode: report.CodeNoSharedCipher,
		},
		{
			name:     "TLS 1.1 only",
			args:     []string{"-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0"},
			wantCode: report.CodeProtocolVersion,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			url := startSServer(t, pki, tc.args...)
			rep := runProbe(t, Options{URL: url, Roots: pki.CA.Pool(), Edition: EditionNone})

			wantCode(t, rep, tc.wantCode, report.SeverityError)
			wantCheck(t, rep, checkHandshake, report.StatusFail)
		})
	}
}

func TestProbeOpenSSLClientSignatureAlgorithms(t *testing.T) {
	pki := newTestPKI(t)
	for _, flag := range []string{"-no_tls1_3", "-tls1_3"} {
		t.Run(flag, func(t *testing.T) {
			// The test client key is ECDSA, and this server accepts only RSA
			// signatures from clients.
			args := append([]string{flag, "-client_sigalgs", "rsa_pss_rsae_sha256:rsa_pkcs1_sha256"}, requireClientCert...)
			url := startSServer(t, pki, args...)
			cert, chain := clientOptions(pki.Client)
			rep := runProbe(t, Options{URL: url, Certificate: cert, ClientChain: chain, Roots: pki.CA.Pool(), Edition: EditionNone})

			wantCode(t, rep, report.CodeClientCertRejected, report.SeverityError)
			wantDetail(t, rep, report.CodeClientCertRejected, "PSSWithSHA256")
			wantCheck(t, rep, checkHandshake, report.StatusFail)
		})
	}
}
