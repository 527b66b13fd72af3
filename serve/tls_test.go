package serve

import (
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/mtlsdoctor/mtlsdoctor/fixtures"
	"github.com/mtlsdoctor/mtlsdoctor/report"
)

// The commands of the platform's guide, with gen's file names.
var (
	curlWithCert = []string{"-k", "--key", "client-key.pem", "--cert", "client-crt.pem"}
	curlNoCert   = []string{"-k"}
)

func TestCurlClientAuthModes(t *testing.T) {
	tests := []struct {
		name       string
		auth       ClientAuth
		args       []string
		wantOK     bool
		wantBody   string
		wantRecord map[string]string // attributes of the handshake record
	}{
		{
			name: "require with cert", auth: ClientAuthRequire, args: curlWithCert, wantOK: true,
			wantBody:   "client certificate CN=mtlsdoctor test client verified",
			wantRecord: map[string]string{"client_cert": "verified", "cn": "mtlsdoctor test client"},
		},
		{
			name: "require without cert", auth: ClientAuthRequire, args: curlNoCert, wantOK: false,
			wantRecord: map[string]string{"code": string(report.CodeClientCertRequired), "reason": "no client certificate"},
		},
		{
			name: "request with cert", auth: ClientAuthRequest, args: curlWithCert, wantOK: true,
			wantBody:   "client certificate CN=mtlsdoctor test client verified",
			wantRecord: map[string]string{"client_cert": "verified", "cn": "mtlsdoctor test client"},
		},
		{
			name: "request without cert", auth: ClientAuthRequest, args: curlNoCert, wantOK: true,
			wantBody:   "TLS ok, no client certificate",
			wantRecord: map[string]string{"client_cert": "none"},
		},
		{
			name: "none with cert", auth: ClientAuthNone, args: curlWithCert, wantOK: true,
			wantBody:   "no client certificate (--client-auth none",
			wantRecord: map[string]string{"client_cert": "none"},
		},
		{
			name: "none without cert", auth: ClientAuthNone, args: curlNoCert, wantOK: true,
			wantBody:   "no client certificate (--client-auth none",
			wantRecord: map[string]string{"client_cert": "none"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := startServer(t, func(c *Config) { c.ClientAuth = tt.auth })
			res := ts.curl(t, tt.args...)

			if gotOK := res.exitCode == 0; gotOK != tt.wantOK {
				t.Fatalf("curl exit code %d, want success %v; stderr:\n%s", res.exitCode, tt.wantOK, res.stderr)
			}
			if !strings.Contains(res.stdout, tt.wantBody) {
				t.Errorf("curl output %q does not contain %q", res.stdout, tt.wantBody)
			}
			msg := "TLS handshake ok"
			if !tt.wantOK {
				msg = "TLS handshake failed"
			}
			ts.logs.waitRecord(t, msg, tt.wantRecord)
		})
	}
}

func TestCurlRequireWithoutCertFailsInHandshake(t *testing.T) {
	ts := startServer(t, nil)
	res := ts.curl(t, curlNoCert...)

	if res.exitCode == 0 {
		t.Fatalf("curl without a client certificate succeeded: %s", res.stdout)
	}
	// OpenSSL names the alert the server sent: "certificate required" in
	// TLS 1.3, "handshake failure" in TLS 1.2.
	if !strings.Contains(res.stderr, "alert certificate required") && !strings.Contains(res.stderr, "handshake failure") {
		t.Errorf("curl stderr does not name the alert:\n%s", res.stderr)
	}
	if strings.Contains(res.stdout, "mtlsdoctor serve") {
		t.Errorf("curl got an HTTP response without a client certificate: %q", res.stdout)
	}

	// The failure is logged once, by the handshake listener, and not again
	// by http.Server's error log.
	ts.logs.waitRecord(t, "TLS handshake failed", map[string]string{"code": string(report.CodeClientCertRequired)})
	if err := ts.stop(); err != nil {
		t.Fatal(err)
	}
	var failures, others int
	for _, rec := range ts.logs.records(t) {
		switch msg, _ := rec["msg"].(string); {
		case msg == "TLS handshake failed":
			failures++
		case strings.Contains(msg, "TLS handshake error"):
			others++
		}
	}
	if failures != 1 {
		t.Errorf("%d \"TLS handshake failed\" records, want 1", failures)
	}
	if others != 0 {
		t.Errorf("%d records from http.Server about the handshake, want 0", others)
	}
}

// issueIdentityCert issues a client certificate from pki's CA whose
// subject has every attribute the handshake log reports, including a
// PKCS #9 emailAddress, which fixtures.Spec cannot set.
func issueIdentityCert(t *testing.T, pki *fixtures.PKI) *fixtures.Cert {
	t.Helper()
	key, err := fixtures.GenerateKey(fixtures.ECDSAP256)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(now.UnixNano()),
		Subject: pkix.Name{
			CommonName:   "Google LLC",
			Organization: []string{"Google LLC"},
			Locality:     []string{"Mountain View"},
			ExtraNames:   []pkix.AttributeTypeAndValue{{Type: oidEmailAddress, Value: "subject@example.com"}},
		},
		NotBefore:      now.Add(-time.Hour),
		NotAfter:       now.Add(24 * time.Hour),
		KeyUsage:       x509.KeyUsageDigitalSignature,
		ExtKeyUsage:    []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		DNSNames:       []string{"client.example.com"},
		EmailAddresses: []string{"san@example.com"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, pki.CA.Cert, key.Public(), pki.CA.Key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &fixtures.Cert{Cert: cert, Key: key}
}

func TestHandshakeLogHasIdentity(t *testing.T) {
	ts := startServer(t, nil)
	client := issueIdentityCert(t, ts.pki)
	certFile, keyFile := ts.writeCert(t, "identity", client)

	res := ts.curl(t, "-k", "--cert", certFile, "--key", keyFile)
	if res.exitCode != 0 {
		t.Fatalf("curl exit code %d; stderr:\n%s", res.exitCode, res.stderr)
	}

	rec := ts.logs.waitRecord(t, "TLS handshake ok", map[string]string{"cn": "Google LLC"})
	want := map[string]string{
		"remote":      "127.0.0.1:",
		"o":           "Google LLC",
		"l":           "Mountain View",
		"email":       "subject@example.com, san@example.com",
		"sans":        "client.example.com, san@example.com",
		"issuer":      ts.pki.CA.Cert.Subject.String(),
		"sha256":      report.Fingerprint(client.Cert.Raw),
		"tls_version": "TLS 1.",
		"client_cert": "verified",
	}
	for key, value := range want {
		t.Run(key, func(t *testing.T) {
			got, _ := rec[key].(string)
			if !strings.Contains(got, value) {
				t.Errorf("log attribute %s = %q, want it to contain %q", key, got, value)
			}
		})
	}
}

func TestCurlRejectedClientCerts(t *testing.T) {
	tests := []struct {
		name     string
		makeCert func(t *testing.T, pki *fixtures.PKI) *fixtures.Cert
		code     report.Code
		reason   string
	}{
		{
			name: "foreign CA",
			makeCert: func(t *testing.T, _ *fixtures.PKI) *fixtures.Cert {
				foreign, err := fixtures.NewPKI(fixtures.Options{CAName: "foreign CA"})
				if err != nil {
					t.Fatal(err)
				}
				return foreign.Client
			},
			code:   report.CodeUnknownAuthority,
			reason: `unknown CA: "CN=mtlsdoctor test client,O=mtlsdoctor test PKI" was issued by "CN=foreign CA`,
		},
		{
			name: "regenerated CA",
			makeCert: func(t *testing.T, pki *fixtures.PKI) *fixtures.Cert {
				again, err := fixtures.NewPKI(fixtures.Options{CAName: pki.CA.Cert.Subject.CommonName})
				if err != nil {
					t.Fatal(err)
				}
				return again.Client
			},
			code:   report.CodeUnknownAuthority,
			reason: "the CA was probably regenerated",
		},
		{
			name: "expired",
			makeCert: func(t *testing.T, pki *fixtures.PKI) *fixtures.Cert {
				cert, err := pki.IssueClient(fixtures.Expired)
				if err != nil {
					t.Fatal(err)
				}
				return cert
			},
			code:   report.CodeExpired,
			reason: "expired: the client certificate",
		},
		{
			name: "not yet valid",
			makeCert: func(t *testing.T, pki *fixtures.PKI) *fixtures.Cert {
				cert, err := pki.IssueClient(fixtures.NotYetValid)
				if err != nil {
					t.Fatal(err)
				}
				return cert
			},
			code:   report.CodeNotYetValid,
			reason: "not yet valid",
		},
		{
			name: "server usage only",
			makeCert: func(t *testing.T, pki *fixtures.PKI) *fixtures.Cert {
				return pki.Server
			},
			code:   report.CodeWrongUsageClient,
			reason: "wrong usage: the client certificate \"CN=localhost\" is not allowed for TLS client authentication (extended key usage: serverAuth)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := startServer(t, nil)
			cert := tt.makeCert(t, ts.pki)
			certFile, keyFile := ts.writeCert(t, "bad", cert)

			res := ts.curl(t, "-k", "--cert", certFile, "--key", keyFile)
			if res.exitCode == 0 {
				t.Fatalf("curl with a bad client certificate succeeded: %s", res.stdout)
			}
			ts.logs.waitRecord(t, "TLS handshake failed", map[string]string{
				"code":   string(tt.code),
				"reason": tt.reason,
				"sha256": report.Fingerprint(cert.Cert.Raw),
				"cn":     cert.Cert.Subject.CommonName,
			})
		})
	}
}

func TestCurlOtherHandshakeFailures(t *testing.T) {
	tests := []struct {
		name   string
		args   []string // the URL is appended; "http" replaces the scheme
		code   report.Code
		reason string
		output string // in curl's stdout
	}{
		{
			name: "plain HTTP", args: []string{"http"},
			code: report.CodePlainHTTP, reason: "plain HTTP",
			output: "Client sent an HTTP request to an HTTPS server",
		},
		{
			name: "client distrusts server", args: []string{"--key", "client-key.pem", "--cert", "client-crt.pem"},
			code: report.CodeUnknownAuthority, reason: `alert "unknown certificate authority"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			requireTool(t, "curl", "apt-get install curl")
			ts := startServer(t, nil)
			url := ts.url()
			args := tt.args
			if len(args) == 1 && args[0] == "http" {
				url, args = "http://localhost:"+ts.port, nil
			}
			res := run(t, ts.dir, "", "curl", append(append([]string{"-v", "-s", "--max-time", "15"}, args...), url)...)
			if tt.output != "" && !strings.Contains(res.stdout, tt.output) {
				t.Errorf("curl output %q does not contain %q", res.stdout, tt.output)
			}
			ts.logs.waitRecord(t, "TLS handshake failed", map[string]string{"code": string(tt.code), "reason": tt.reason})
		})
	}
}

func TestOpenSSLClient(t *testing.T) {
	requireTool(t, "openssl", "apt-get install openssl")
	ts := startServer(t, nil)
	connect := "localhost:" + ts.port
	guide := []string{"s_client", "-key", "client-key.pem", "-cert", "client-crt.pem", "-connect", connect, "-CAfile", "test-ca-crt.pem"}

	t.Run("guide command", func(t *testing.T) {
		res := run(t, ts.dir, "", "openssl", guide...)
		if res.exitCode != 0 {
			t.Fatalf("openssl exit code %d; stderr:\n%s", res.exitCode, res.stderr)
		}
		if !strings.Contains(res.stdout, "Verify return code: 0 (ok)") {
			t.Errorf("openssl output has no \"Verify return code: 0 (ok)\":\n%s", res.stdout)
		}
		want := "Acceptable client certificate CA names\nO = mtlsdoctor test PKI, CN = " + ts.pki.CA.Cert.Subject.CommonName + "\n"
		if !strings.Contains(res.stdout, want) {
			t.Errorf("openssl output does not list the test CA as acceptable:\n%s", res.stdout)
		}
	})

	t.Run("HTTP request", func(t *testing.T) {
		// -ign_eof keeps s_client reading after stdin ends, until the
		// server closes the connection after its response.
		request := "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
		res := run(t, ts.dir, request, "openssl", append(guide, "-ign_eof")...)
		if !strings.Contains(res.stdout, "Verify return code: 0 (ok)") {
			t.Errorf("openssl output has no \"Verify return code: 0 (ok)\":\n%s", res.stdout)
		}
		if !strings.Contains(res.stdout, "HTTP/1.1 200 OK") {
			t.Errorf("openssl output has no HTTP 200 response:\n%s", res.stdout)
		}
		if !strings.Contains(res.stdout, "client certificate CN=mtlsdoctor test client verified") {
			t.Errorf("response does not name the verified client:\n%s", res.stdout)
		}
	})

	t.Run("no client cert", func(t *testing.T) {
		request := "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
		res := run(t, ts.dir, request, "openssl", "s_client", "-connect", connect, "-CAfile", "test-ca-crt.pem", "-ign_eof")
		if strings.Contains(res.stdout, "HTTP/1.1 200 OK") {
			t.Errorf("server answered a client without a certificate:\n%s", res.stdout)
		}
		ts.logs.waitRecord(t, "TLS handshake failed", map[string]string{"code": string(report.CodeClientCertRequired)})
	})
}
