package probe

import (
	"crypto/tls"
	"crypto/x509"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/mtlsdoctor/mtlsdoctor/fixtures"
	"github.com/mtlsdoctor/mtlsdoctor/internal/peers"
	"github.com/mtlsdoctor/mtlsdoctor/report"
)

// startGoServer runs a Go HTTPS server with cfg and handler and returns the
// URL of its /webhook path.
func startGoServer(t *testing.T, cfg *tls.Config, handler http.Handler) string {
	t.Helper()
	if handler == nil {
		handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"fulfillmentText":"ok"}`))
		})
	}
	srv := httptest.NewUnstartedServer(handler)
	srv.TLS = cfg
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // handshake errors are the point of these tests
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv.URL + "/webhook"
}

func serverConfig(certs ...tls.Certificate) *tls.Config {
	return &tls.Config{Certificates: certs}
}

func TestProbeServerCertificate(t *testing.T) {
	pki := newTestPKI(t)

	intermediate, err := fixtures.NewIntermediate(pki.CA, "mtlsdoctor test intermediate", "")
	if err != nil {
		t.Fatal(err)
	}
	chainedLeaf, err := intermediate.Issue(fixtures.Spec{
		CommonName:   "localhost",
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		AIAIssuerURL: "http://127.0.0.1:9/intermediate.crt", // never fetched
	})
	if err != nil {
		t.Fatal(err)
	}
	leafOnly := tls.Certificate{Certificate: [][]byte{chainedLeaf.Cert.Raw}, PrivateKey: chainedLeaf.Key}

	expired, err := pki.IssueServer(fixtures.Expired)
	if err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		name       string
		cert       tls.Certificate
		serverName string
		wantCode   report.Code
	}{
		{"foreign CA", pki.foreign.Server.TLSCertificate(), "", report.CodeUnknownAuthority},
		{"leaf without intermediate", leafOnly, "", report.CodeIncompleteChain},
		{"expired", expired.TLSCertificate(), "", report.CodeExpired},
		{"other server name", pki.Server.TLSCertificate(), "other.example", report.CodeHostnameMismatch},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			url := startGoServer(t, serverConfig(tc.cert), nil)
			rep := runProbe(t, Options{URL: url, Roots: pki.CA.Pool(), ServerName: tc.serverName})

			wantCode(t, rep, tc.wantCode, report.SeverityError)
			wantCheck(t, rep, checkServerCert, report.StatusFail)
			// The probe carries on past a bad server chain.
			wantCheck(t, rep, checkHTTP, report.StatusPass)
			wantCheck(t, rep, checkWebhook, report.StatusPass)
		})
	}

	t.Run("valid chain", func(t *testing.T) {
		url := startGoServer(t, serverConfig(pki.Server.TLSCertificate()), nil)
		rep := runProbe(t, Options{URL: url, Roots: pki.CA.Pool()})

		wantNoErrors(t, rep)
		wantCheck(t, rep, checkServerCert, report.StatusPass)
		if n := len(rep.TLS.PeerChain); n != 1 {
			t.Errorf("peer chain has %d certificates, want 1", n)
		}
	})
}

func TestProbeGoClientAuth(t *testing.T) {
	pki := newTestPKI(t)
	cases := []struct {
		name     string
		version  uint16
		cert     *fixtures.Cert
		wantCode report.Code
		evidence string
	}{
		{"TLS 1.2 no cert", tls.VersionTLS12, nil, report.CodeClientCertRequired, "alert 40 (handshake failure) during the TLS 1.2 handshake"},
		{"TLS 1.3 no cert", tls.VersionTLS13, nil, report.CodeClientCertRequired, "alert 116 (certificate required) after the TLS 1.3 handshake"},
		{"TLS 1.2 foreign cert", tls.VersionTLS12, pki.foreign.Client, report.CodeClientCertRejected, "alert 48 (unknown certificate authority) during the TLS 1.2 handshake"},
		{"TLS 1.3 foreign cert", tls.VersionTLS13, pki.foreign.Client, report.CodeClientCertRejected, "alert 48 (unknown certificate authority) after the TLS 1.3 handshake"},
		{"TLS 1.3 valid cert", tls.VersionTLS13, pki.Client, "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := serverConfig(pki.Server.TLSCertificate())
			cfg.ClientAuth = tls.RequireAndVerifyClientCert
			cfg.ClientCAs = pki.CA.Pool()
			cfg.MinVersion, cfg.MaxVersion = tc.version, tc.version
			url := startGoServer(t, cfg, nil)
			cert, chain := clientOptions(tc.cert)
			rep := runProbe(t, Options{URL: url, Certificate: cert, ClientChain: chain, Roots: pki.CA.Pool()})

			if tc.wantCode == "" {
				wantNoErrors(t, rep)
				wantCheck(t, rep, checkCertAccepted, report.StatusPass)
				return
			}
			wantCode(t, rep, tc.wantCode, report.SeverityError)
			wantDetail(t, rep, tc.wantCode, tc.evidence)
		})
	}
}

func TestProbeOptionalClientCert(t *testing.T) {
	pki := newTestPKI(t)
	cfg := serverConfig(pki.Server.TLSCertificate())
	cfg.ClientAuth = tls.VerifyClientCertIfGiven
	cfg.ClientCAs = pki.CA.Pool()
	url := startGoServer(t, cfg, nil)

	rep := runProbe(t, Options{URL: url, Roots: pki.CA.Pool()})

	wantCode(t, rep, report.CodeUnauthAccepted, report.SeverityError)
	wantCheck(t, rep, checkCertRequested, report.StatusPass)
}

func TestProbeTLS13ResetAfterHandshake(t *testing.T) {
	pki := newTestPKI(t)
	cfg := serverConfig(pki.Server.TLSCertificate())
	cfg.ClientAuth = tls.RequestClientCert
	cfg.MinVersion = tls.VersionTLS13
	// The server completes the handshake, then resets the connection
	// without an alert, as a TLS 1.3 server does when its alert is lost.
	addr := peers.StartListener(t, func(conn net.Conn) {
		defer conn.Close()
		if err := tls.Server(conn, cfg).Handshake(); err != nil {
			return
		}
		_ = conn.(*net.TCPConn).SetLinger(0)
	}).Addr

	rep := runProbe(t, Options{URL: "https://" + addr + "/", Roots: pki.CA.Pool()})

	wantCode(t, rep, report.CodeClientCertRequired, report.SeverityError)
	wantDetail(t, rep, report.CodeClientCertRequired, "right after the TLS 1.3 handshake", "no alert could be read")
	wantCheck(t, rep, checkHandshake, report.StatusPass)
}

func TestProbeExpiredClientCert(t *testing.T) {
	pki := newTestPKI(t)
	expired, err := pki.IssueClient(fixtures.Expired)
	if err != nil {
		t.Fatal(err)
	}
	cfg := serverConfig(pki.Server.TLSCertificate())
	cfg.ClientAuth = tls.RequireAndVerifyClientCert
	cfg.ClientCAs = pki.CA.Pool()
	url := startGoServer(t, cfg, nil)
	cert, chain := clientOptions(expired)

	rep := runProbe(t, Options{URL: url, Certificate: cert, ClientChain: chain, Roots: pki.CA.Pool()})

	wantCode(t, rep, report.CodeExpired, report.SeverityError)
	wantCheck(t, rep, checkClientCert, report.StatusFail)
	wantCode(t, rep, report.CodeClientCertRejected, report.SeverityError)
	wantDetail(t, rep, report.CodeClientCertRejected, "alert 45 (expired certificate)")
	wantNoCode(t, rep, report.CodeClientCANotAccept)
}
