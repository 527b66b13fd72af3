package probe

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mtlsdoctor/mtlsdoctor/internal/peers"
	"github.com/mtlsdoctor/mtlsdoctor/report"
	"github.com/mtlsdoctor/mtlsdoctor/serve"
)

// runAudit audits url with the client certificate of pki.
func runAudit(t *testing.T, pki *testPKI, url string, edit func(*Options)) *report.Report {
	t.Helper()
	cert, chain := clientOptions(pki.Client)
	opts := Options{URL: url, Certificate: cert, ClientChain: chain, Roots: pki.CA.Pool()}
	if edit != nil {
		edit(&opts)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	return Audit(ctx, opts)
}

// wantAuditPass fails unless rep has no error finding and every audit
// check that rejects callers passed.
func wantAuditPass(t *testing.T, rep *report.Report) {
	t.Helper()
	wantNoErrors(t, rep)
	wantCheck(t, rep, checkAuditNoCert, report.StatusPass)
	wantCheck(t, rep, checkAuditUnknownCA, report.StatusPass)
	wantCheck(t, rep, auditVersionCheck(tls.VersionTLS10), report.StatusPass)
	wantCheck(t, rep, auditVersionCheck(tls.VersionTLS11), report.StatusPass)
	wantCheck(t, rep, auditVersionCheck(tls.VersionTLS12), report.StatusPass)
}

// peerFiles returns the server files of pki for a peer that verifies
// client certificates against pki's CA.
func peerFiles(t *testing.T, pki *testPKI) peers.Files {
	return peers.Files{Cert: pki.Server.ChainPEM(), Key: keyPEM(t, pki.Server), ClientCA: pki.CA.CertPEM()}
}

func TestAuditNodeServers(t *testing.T) {
	pki := newTestPKI(t)
	legacyTLS := peerFiles(t, pki)
	legacyTLS.SecurityLevel0 = true // OpenSSL 3.0 allows TLS 1.0 and 1.1 only at level 0

	cases := []struct {
		name      string
		script    string
		files     peers.Files
		options   []string
		wantCodes map[report.Code]report.Severity // empty: the audit passes
	}{
		{
			name: "platform demo shape", script: peers.NodeDemo, files: peerFiles(t, pki),
			wantCodes: map[report.Code]report.Severity{
				report.CodeUnauthAccepted:    report.SeverityError,
				report.CodeUntrustedAccepted: report.SeverityError,
			},
		},
		{name: "rejectUnauthorized true", script: peers.NodeStrict, files: peerFiles(t, pki)},
		{
			name: "TLS 1.0 allowed", script: peers.NodeStrict, files: legacyTLS, options: []string{"minVersion=TLSv1"},
			wantCodes: map[report.Code]report.Severity{report.CodeProtocolVersion: report.SeverityWarning},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			server := peers.StartNode(t, tc.script, tc.files, tc.options...)
			rep := runAudit(t, pki, server.URL("/webhook"), nil)

			// The main probe, with a trusted certificate, passes in every case.
			wantCheck(t, rep, checkCertAccepted, report.StatusPass)
			if rep.Kind != "audit" {
				t.Errorf("report kind = %q, want audit", rep.Kind)
			}
			if len(tc.wantCodes) == 0 {
				wantAuditPass(t, rep)
				return
			}
			for code, severity := range tc.wantCodes {
				wantCode(t, rep, code, severity)
			}
			if _, ok := tc.wantCodes[report.CodeUnauthAccepted]; ok {
				wantCheck(t, rep, checkAuditNoCert, report.StatusFail)
				wantCheck(t, rep, checkAuditUnknownCA, report.StatusFail)
				wantDetail(t, rep, report.CodeUnauthAccepted, "HTTP 200", "requested a client certificate")
				wantDetail(t, rep, report.CodeUntrustedAccepted, throwawayCAName, "HTTP 200")
			}
			if _, ok := tc.wantCodes[report.CodeProtocolVersion]; ok {
				wantNoErrors(t, rep)
				wantCheck(t, rep, auditVersionCheck(tls.VersionTLS10), report.StatusWarn)
				wantCheck(t, rep, auditVersionCheck(tls.VersionTLS11), report.StatusWarn)
			}
		})
	}
}

func TestAuditNginx(t *testing.T) {
	pki := newTestPKI(t)
	server := peers.StartNginx(t, peers.NginxConfig{Files: peerFiles(t, pki), VerifyClient: "on"})

	rep := runAudit(t, pki, server.URL("/webhook"), nil)
	wantAuditPass(t, rep)
	// nginx completes the handshake and responds with 400 and its error page.
	for _, check := range []string{checkAuditNoCert, checkAuditUnknownCA} {
		if d := checkDetail(rep, check); !strings.Contains(d, "HTTP 400") {
			t.Errorf("check %q detail %q does not name HTTP 400", check, d)
		}
	}
}

// startServe runs mtlsdoctor's verifying server with the test PKI and
// returns its URL.
func startServe(t *testing.T, pki *testPKI, projects ...string) string {
	t.Helper()
	dir := writeFiles(t, map[string][]byte{
		"server-crt.pem": pki.Server.ChainPEM(),
		"server-key.pem": keyPEM(t, pki.Server),
		"ca-crt.pem":     pki.CA.CertPEM(),
	})
	srv, err := serve.New(serve.Config{
		Addr:          "127.0.0.1:0",
		CertFile:      filepath.Join(dir, "server-crt.pem"),
		KeyFile:       filepath.Join(dir, "server-key.pem"),
		ClientCAFiles: []string{filepath.Join(dir, "ca-crt.pem")},
		Projects:      projects,
		Logger:        slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatalf("configure serve: %v", err)
	}
	ln, err := srv.Listen()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		<-served
	})
	return "https://" + srv.Addr() + "/webhook"
}

func TestAuditServe(t *testing.T) {
	pki := newTestPKI(t)
	cases := []struct {
		name    string
		edition Edition
	}{
		{"es", EditionES},
		{"cx", EditionCX},
	}
	url := startServe(t, pki, "acme-prod")
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rep := runAudit(t, pki, url, func(o *Options) {
				o.Project = "acme-prod"
				o.Edition = tc.edition
			})
			wantAuditPass(t, rep)
			wantCheck(t, rep, checkAuditProject, report.StatusPass)
			if d := checkDetail(rep, checkAuditProject); !strings.Contains(d, "HTTP 403") {
				t.Errorf("project check detail %q does not name HTTP 403", d)
			}
		})
	}
}

// esReply responds with a valid ES WebhookResponse.
func esReply(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(`{"fulfillmentText":"ok"}`))
}

// projectOf returns the project of an ES request's session name.
func projectOf(r *http.Request) string {
	var body struct {
		Session string `json:"session"`
	}
	_ = json.NewDecoder(r.Body).Decode(&body)
	s, err := parseSessionName(body.Session)
	if err != nil {
		return ""
	}
	return s.project
}

func TestAuditGoServers(t *testing.T) {
	pki := newTestPKI(t)
	accept := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { esReply(w) })
	require401 := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.TLS == nil || len(r.TLS.VerifiedChains) == 0 {
			http.Error(w, `{"error":"client certificate required"}`, http.StatusUnauthorized)
			return
		}
		esReply(w)
	})
	checkProject := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if projectOf(r) != "acme-prod" {
			http.Error(w, `{"error":"wrong project"}`, http.StatusForbidden)
			return
		}
		esReply(w)
	})

	type want struct {
		check  string
		status report.Status
	}
	cases := []struct {
		name       string
		clientAuth tls.ClientAuthType
		minVersion uint16
		maxVersion uint16
		handler    http.Handler
		project    string
		wantCodes  map[report.Code]report.Severity
		wantChecks []want
	}{
		{
			name: "optional certificate", clientAuth: tls.VerifyClientCertIfGiven, handler: accept,
			wantCodes:  map[report.Code]report.Severity{report.CodeUnauthAccepted: report.SeverityError},
			wantChecks: []want{{checkAuditNoCert, report.StatusFail}, {checkAuditUnknownCA, report.StatusPass}},
		},
		{
			name: "optional certificate with 401", clientAuth: tls.VerifyClientCertIfGiven, handler: require401,
			wantChecks: []want{{checkAuditNoCert, report.StatusPass}, {checkAuditUnknownCA, report.StatusPass}},
		},
		{
			name: "certificate not verified", clientAuth: tls.RequireAnyClientCert, handler: accept,
			wantCodes:  map[report.Code]report.Severity{report.CodeUntrustedAccepted: report.SeverityError},
			wantChecks: []want{{checkAuditNoCert, report.StatusPass}, {checkAuditUnknownCA, report.StatusFail}},
		},
		{
			name: "certificate not requested", clientAuth: tls.NoClientCert, handler: accept,
			wantCodes: map[report.Code]report.Severity{
				report.CodeUnauthAccepted:   report.SeverityError,
				report.CodeClientCertNotReq: report.SeverityError,
			},
			wantChecks: []want{{checkAuditNoCert, report.StatusFail}, {checkAuditUnknownCA, report.StatusSkip}},
		},
		{
			name: "TLS 1.0 enabled", clientAuth: tls.RequireAndVerifyClientCert, minVersion: tls.VersionTLS10, handler: accept,
			wantCodes: map[report.Code]report.Severity{report.CodeProtocolVersion: report.SeverityWarning},
			wantChecks: []want{
				{auditVersionCheck(tls.VersionTLS10), report.StatusWarn},
				{auditVersionCheck(tls.VersionTLS11), report.StatusWarn},
				{auditVersionCheck(tls.VersionTLS13), report.StatusPass},
			},
		},
		{
			name: "TLS 1.3 only", clientAuth: tls.RequireAndVerifyClientCert, minVersion: tls.VersionTLS13, handler: accept,
			wantCodes:  map[report.Code]report.Severity{report.CodeProtocolVersion: report.SeverityWarning},
			wantChecks: []want{{auditVersionCheck(tls.VersionTLS12), report.StatusWarn}, {auditVersionCheck(tls.VersionTLS13), report.StatusPass}},
		},
		{
			name: "TLS 1.2 only", clientAuth: tls.RequireAndVerifyClientCert, maxVersion: tls.VersionTLS12, handler: accept,
			wantCodes:  map[report.Code]report.Severity{report.CodeProtocolVersion: report.SeverityInfo},
			wantChecks: []want{{auditVersionCheck(tls.VersionTLS12), report.StatusPass}, {auditVersionCheck(tls.VersionTLS13), report.StatusPass}},
		},
		{
			name: "project ignored", clientAuth: tls.RequireAndVerifyClientCert, handler: accept, project: "acme-prod",
			wantCodes:  map[report.Code]report.Severity{report.CodeProjectMismatch: report.SeverityError},
			wantChecks: []want{{checkAuditProject, report.StatusFail}},
		},
		{
			name: "project checked", clientAuth: tls.RequireAndVerifyClientCert, handler: checkProject, project: "acme-prod",
			wantChecks: []want{{checkAuditProject, report.StatusPass}},
		},
		{
			name: "no project given", clientAuth: tls.RequireAndVerifyClientCert, handler: accept,
			wantChecks: []want{{checkAuditProject, report.StatusSkip}},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := serverConfig(pki.Server.TLSCertificate())
			cfg.ClientAuth, cfg.ClientCAs = tc.clientAuth, pki.CA.Pool()
			cfg.MinVersion, cfg.MaxVersion = tc.minVersion, tc.maxVersion
			url := startGoServer(t, cfg, tc.handler)

			rep := runAudit(t, pki, url, func(o *Options) { o.Project = tc.project })

			for code, severity := range tc.wantCodes {
				wantCode(t, rep, code, severity)
			}
			for _, w := range tc.wantChecks {
				wantCheck(t, rep, w.check, w.status)
			}
			for _, f := range rep.Findings {
				if _, expected := tc.wantCodes[f.Code]; f.Severity == report.SeverityError && !expected {
					dumpReport(t, rep)
					t.Errorf("unexpected error finding %s: %s", f.Code, f.Detail)
				}
			}
		})
	}
}

func TestAuditWithoutClientCertificate(t *testing.T) {
	pki := newTestPKI(t)
	cfg := serverConfig(pki.Server.TLSCertificate())
	cfg.ClientAuth, cfg.ClientCAs = tls.VerifyClientCertIfGiven, pki.CA.Pool()
	url := startGoServer(t, cfg, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { esReply(w) }))

	rep := runAudit(t, pki, url, func(o *Options) { o.Certificate, o.ClientChain = nil, nil })

	wantCheck(t, rep, checkAuditNoCert, report.StatusFail)
	count := 0
	for _, f := range rep.Findings {
		if f.Code == report.CodeUnauthAccepted {
			count++
		}
	}
	if count != 1 {
		dumpReport(t, rep)
		t.Errorf("report has %d unauthenticated-accepted findings, want 1: the main probe already is the probe without a certificate", count)
	}
}

func checkDetail(rep *report.Report, name string) string {
	for _, c := range rep.Checks {
		if c.Name == name {
			return c.Detail
		}
	}
	return ""
}
