package peers

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// NginxConfig describes the one virtual server StartNginx runs.
type NginxConfig struct {
	Files Files
	// VerifyClient is ssl_verify_client: "on", "optional" or
	// "optional_no_ca"; empty leaves client certificates off.
	VerifyClient string
	// VerifyDepth is ssl_verify_depth; zero keeps nginx's default of 1,
	// which with OpenSSL 3.0 allows one intermediate between the client's
	// leaf and the trusted root and rejects a second.
	VerifyDepth int
	// TrustedCA is written to ssl_trusted_certificate: CAs that verify
	// client certificates without being named in the CertificateRequest.
	TrustedCA []byte
	// Protocols and Ciphers set ssl_protocols and ssl_ciphers when not
	// empty.
	Protocols string
	Ciphers   string
	// RejectWithoutSNI puts a default server with ssl_reject_handshake
	// (nginx 1.19.4 and later) in front, so only clients that send the
	// server name "localhost" reach the virtual server.
	RejectWithoutSNI bool
	// PlainHTTP listens without TLS, for probes of a port without it.
	PlainHTTP bool
	// CertByServerName names the ssl_certificate and ssl_certificate_key
	// files after the requested server name ($ssl_server_name, nginx
	// 1.15.9 and later), and writes Files.Cert and Files.Key only under
	// the name "localhost". nginx loads the files during each handshake,
	// so for any other server name, or none, it logs "cannot load
	// certificate" and sends an internal_error alert (nginx 1.22.1).
	CertByServerName bool
}

// certsByNameDir is the directory, inside the test's nginx directory, of
// the per-name files that CertByServerName uses.
const certsByNameDir = "certs-by-name"

// nginxMain runs one nginx process in the foreground with every path
// inside the test's directory, so it needs no root and leaves nothing
// behind.
const nginxMain = `daemon off;
master_process off;
worker_processes 1;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log info;
events { worker_connections 64; }
http {
	access_log %[1]s/access.log;
	client_body_temp_path %[1]s/client_body;
	proxy_temp_path %[1]s/proxy;
	fastcgi_temp_path %[1]s/fastcgi;
	uwsgi_temp_path %[1]s/uwsgi;
	scgi_temp_path %[1]s/scgi;
%[2]s}
`

// server renders the server blocks of cfg for port.
func (cfg NginxConfig) server(p paths, port int) string {
	var b strings.Builder
	listen := fmt.Sprintf("127.0.0.1:%d", port)
	if cfg.PlainHTTP {
		fmt.Fprintf(&b, "\tserver {\n\t\tlisten %s;\n", listen)
	} else {
		if cfg.RejectWithoutSNI {
			fmt.Fprintf(&b, "\tserver {\n\t\tlisten %s ssl default_server;\n\t\tssl_reject_handshake on;\n\t}\n", listen)
		}
		fmt.Fprintf(&b, "\tserver {\n\t\tlisten %s ssl;\n\t\tserver_name localhost;\n", listen)
		cert, key := p.Cert, p.Key
		if cfg.CertByServerName {
			dir := filepath.Join(p.Dir, certsByNameDir)
			cert, key = filepath.Join(dir, "$ssl_server_name.crt"), filepath.Join(dir, "$ssl_server_name.key")
		}
		fmt.Fprintf(&b, "\t\tssl_certificate %s;\n\t\tssl_certificate_key %s;\n", cert, key)
		if cfg.Protocols != "" {
			fmt.Fprintf(&b, "\t\tssl_protocols %s;\n", cfg.Protocols)
		}
		if cfg.Ciphers != "" {
			fmt.Fprintf(&b, "\t\tssl_ciphers %s;\n", cfg.Ciphers)
		}
		if p.ClientCA != "" {
			fmt.Fprintf(&b, "\t\tssl_client_certificate %s;\n", p.ClientCA)
		}
		if p.TrustedCA != "" {
			fmt.Fprintf(&b, "\t\tssl_trusted_certificate %s;\n", p.TrustedCA)
		}
		if cfg.VerifyClient != "" {
			fmt.Fprintf(&b, "\t\tssl_verify_client %s;\n", cfg.VerifyClient)
		}
		if cfg.VerifyDepth > 0 {
			fmt.Fprintf(&b, "\t\tssl_verify_depth %d;\n", cfg.VerifyDepth)
		}
	}
	b.WriteString("\t\tlocation / {\n\t\t\tdefault_type application/json;\n")
	fmt.Fprintf(&b, "\t\t\treturn 200 '%s';\n\t\t}\n\t}\n", WebhookResponse)
	return b.String()
}

// nginxAttempts is how often StartNginx tries a new port when another
// process took the free one first.
const nginxAttempts = 3

// StartNginx runs nginx with the virtual server cfg describes. nginx cannot
// listen on port 0, so StartNginx picks a free port and tries another when
// it was taken in the meantime. The Server's log includes nginx's error
// log, where nginx writes why it rejected a client certificate.
func StartNginx(t testing.TB, cfg NginxConfig) *Server {
	t.Helper()
	nginx := Require(t, "nginx", NginxHint)
	p := cfg.Files.write(t)
	if cfg.TrustedCA != nil {
		p.TrustedCA = writeFile(t, p.Dir, "trusted-ca.pem", cfg.TrustedCA)
	}
	if cfg.CertByServerName {
		dir := filepath.Join(p.Dir, certsByNameDir)
		if err := os.Mkdir(dir, 0o700); err != nil {
			t.Fatalf("create %s: %v", dir, err)
		}
		writeFile(t, dir, "localhost.crt", cfg.Files.Cert)
		writeFile(t, dir, "localhost.key", cfg.Files.Key)
	}
	errorLog := filepath.Join(p.Dir, "error.log")
	conf := filepath.Join(p.Dir, "nginx.conf")

	var lastErr error
	var s *Server
	for range nginxAttempts {
		port := FreePort(t)
		text := fmt.Sprintf(nginxMain, p.Dir, cfg.server(p, port))
		writeFile(t, p.Dir, "nginx.conf", []byte(text))
		s, lastErr = startProcess(t, StackNginx, portReady(port), p.Env, nginx, "-p", p.Dir, "-c", conf, "-e", errorLog)
		if s != nil {
			s.readLogs = func() string {
				data, _ := os.ReadFile(errorLog)
				return string(data)
			}
		}
		if lastErr == nil {
			return s
		}
		if !errors.Is(lastErr, errExited) || !strings.Contains(s.Log(), "Address already in use") {
			break
		}
	}
	failStart(t, "nginx", s, lastErr)
	return nil
}
