package probe

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/mtlsdoctor/mtlsdoctor/fixtures"
	"github.com/mtlsdoctor/mtlsdoctor/report"
)

const nginxHint = "install nginx (apt-get install nginx-light)"

// nginxConfig runs one nginx process in the foreground with every path
// inside dir, so it needs no root and leaves nothing behind.
const nginxConfig = `
daemon off;
master_process off;
worker_processes 1;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log info;
events { worker_connections 16; }
http {
	access_log %[1]s/access.log;
	client_body_temp_path %[1]s/client_body;
	proxy_temp_path %[1]s/proxy;
	fastcgi_temp_path %[1]s/fastcgi;
	uwsgi_temp_path %[1]s/uwsgi;
	scgi_temp_path %[1]s/scgi;
	server {
		listen 127.0.0.1:%[2]d ssl;
		server_name localhost;
		ssl_certificate %[1]s/server-crt.pem;
		ssl_certificate_key %[1]s/server-key.pem;
		ssl_client_certificate %[1]s/ca-crt.pem;
		ssl_verify_client on;
		location / {
			default_type application/json;
			return 200 '{"fulfillmentText":"ok"}';
		}
	}
}
`

// startNginx runs nginx with ssl_verify_client on against the test CA and
// returns the URL to probe.
func startNginx(t *testing.T, pki *testPKI) string {
	t.Helper()
	nginx := requireTool(t, "nginx", nginxHint)
	port := freePort(t)
	dir := writeFiles(t, map[string][]byte{
		"server-crt.pem": pki.Server.ChainPEM(),
		"server-key.pem": keyPEM(t, pki.Server),
		"ca-crt.pem":     pki.CA.CertPEM(),
	})
	conf := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(conf, fmt.Appendf(nil, nginxConfig, dir, port), 0o600); err != nil {
		t.Fatal(err)
	}
	startProcess(t, port, nil, nginx, "-p", dir, "-c", conf, "-e", filepath.Join(dir, "error.log"))
	t.Cleanup(func() {
		if t.Failed() {
			log, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			t.Logf("nginx error log:\n%s", log)
		}
	})
	return fmt.Sprintf("https://127.0.0.1:%d/webhook", port)
}

func TestProbeNginx(t *testing.T) {
	// Debian installs nginx in /usr/sbin, which is not on every user's PATH.
	if _, err := os.Stat("/usr/sbin/nginx"); err == nil {
		t.Setenv("PATH", os.Getenv("PATH")+":/usr/sbin")
	}
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
