package probe

import (
	"testing"

	"github.com/mtlsdoctor/mtlsdoctor/fixtures"
	"github.com/mtlsdoctor/mtlsdoctor/internal/peers"
	"github.com/mtlsdoctor/mtlsdoctor/report"
)

// startNginx runs nginx with ssl_verify_client on against the test CA and
// returns the URL to probe.
func startNginx(t *testing.T, pki *testPKI) string {
	t.Helper()
	files := peers.Files{Cert: pki.Server.ChainPEM(), Key: keyPEM(t, pki.Server), ClientCA: pki.CA.CertPEM()}
	return peers.StartNginx(t, peers.NginxConfig{Files: files, VerifyClient: "on"}).URL("/webhook")
}

func TestProbeNginx(t *testing.T) {
	pki := newTestPKI(t)
	url := startNginx(t, pki)

	cases := []struct {
		name     string
		cert     *fixtures.Cert
		wantCode report.Code // empty: accepted
		evidence string
	}{
		{"valid client cert", pki.Client, "", ""},
		{"no client cert", nil, report.CodeClientCertRequired, "No required SSL certificate was sent"},
		{"foreign client cert", pki.foreign.Client, report.CodeClientCertRejected, "The SSL certificate error"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cert, chain := clientOptions(tc.cert)
			rep := runProbe(t, Options{URL: url, Certificate: cert, ClientChain: chain, Roots: pki.CA.Pool()})

			if !rep.TLS.HandshakeComplete {
				dumpReport(t, rep)
				t.Fatalf("nginx did not complete the handshake")
			}
			if tc.wantCode == "" {
				wantNoErrors(t, rep)
				wantCheck(t, rep, checkCertAccepted, report.StatusPass)
				wantCheck(t, rep, checkWebhook, report.StatusPass)
				return
			}
			wantCode(t, rep, tc.wantCode, report.SeverityError)
			wantDetail(t, rep, tc.wantCode, tc.evidence, "HTTP 400")
			wantCheck(t, rep, checkCertAccepted, report.StatusFail)
			wantNoCode(t, rep, report.CodeHTTPStatus)
		})
	}
}
