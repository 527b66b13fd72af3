package serve

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mtlsdoctor/mtlsdoctor/fixtures"
	"github.com/mtlsdoctor/mtlsdoctor/report"
)

// dialTLS completes a handshake with the server as client and returns the
// connection.
func (ts *testServer) dialTLS(t *testing.T, client *fixtures.Cert, roots *fixtures.Cert) *tls.Conn {
	t.Helper()
	config := &tls.Config{RootCAs: roots.Pool(), ServerName: "localhost", NextProtos: []string{"http/1.1"}}
	if client != nil {
		config.Certificates = []tls.Certificate{client.TLSCertificate()}
	}
	conn, err := tls.Dial("tcp", "127.0.0.1:"+ts.port, config)
	if err != nil {
		t.Fatalf("handshake with the server: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// getOn sends a keep-alive GET on conn and returns the response status, or
// the error of the exchange. In TLS 1.3 a rejected client certificate
// shows up here, on the first read.
func getOn(conn *tls.Conn, reader *bufio.Reader) (int, error) {
	if _, err := io.WriteString(conn, "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"); err != nil {
		return 0, err
	}
	resp, err := http.ReadResponse(reader, nil)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return 0, err
	}
	return resp.StatusCode, nil
}

// serverFingerprint returns the SHA-256 of the certificate the server
// presents to a new connection.
func (ts *testServer) serverFingerprint(t *testing.T) string {
	t.Helper()
	conn := ts.dialTLS(t, ts.pki.Client, ts.pki.CA)
	return report.Fingerprint(conn.ConnectionState().PeerCertificates[0].Raw)
}

func TestReloadServerCertificate(t *testing.T) {
	ts := startServer(t, nil)
	before := ts.serverFingerprint(t)
	if want := report.Fingerprint(ts.pki.Server.Cert.Raw); before != want {
		t.Fatalf("server presents %s before the reload, want %s", before, want)
	}

	// A keep-alive connection that is open during the reload.
	open := ts.dialTLS(t, ts.pki.Client, ts.pki.CA)
	reader := bufio.NewReader(open)
	if status, err := getOn(open, reader); err != nil || status != http.StatusOK {
		t.Fatalf("first request on the open connection: status %d, error %v", status, err)
	}

	next, err := ts.pki.IssueServer(nil)
	if err != nil {
		t.Fatal(err)
	}
	ts.writeCert(t, "server", next)
	if err := ts.srv.Reload(); err != nil {
		t.Fatalf("Reload: %v", err)
	}

	want := report.Fingerprint(next.Cert.Raw)
	if got := ts.serverFingerprint(t); got != want {
		t.Errorf("new connection gets server certificate %s after the reload, want the new one %s", got, want)
	}
	if status, err := getOn(open, reader); err != nil || status != http.StatusOK {
		t.Errorf("request on the connection opened before the reload: status %d, error %v", status, err)
	}
	ts.logs.waitRecord(t, "reloaded certificates", map[string]string{"sha256": want, "previous_sha256": before})
}

func TestReloadClientCA(t *testing.T) {
	ts := startServer(t, nil)
	other, err := fixtures.NewPKI(fixtures.Options{CAName: "replacement CA"})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(ts.dir, fixtures.CAFile), other.CA.CertPEM(), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := ts.srv.Reload(); err != nil {
		t.Fatalf("Reload: %v", err)
	}

	tests := []struct {
		name   string
		client *fixtures.Cert
		wantOK bool
	}{
		{name: "client of the new CA", client: other.Client, wantOK: true},
		{name: "client of the old CA", client: ts.pki.Client, wantOK: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn := ts.dialTLS(t, tt.client, ts.pki.CA)
			status, err := getOn(conn, bufio.NewReader(conn))
			if gotOK := err == nil && status == http.StatusOK; gotOK != tt.wantOK {
				t.Errorf("request: status %d, error %v; want success %v", status, err, tt.wantOK)
			}
		})
	}
	// The CertificateRequest now names only the replacement CA, so Go's
	// client finds no matching certificate and sends none.
	ts.logs.waitRecord(t, "TLS handshake failed", map[string]string{"code": string(report.CodeClientCertRequired)})
}

func TestReloadInvalidKeepsPrevious(t *testing.T) {
	tests := []struct {
		name     string
		breakDir func(t *testing.T, ts *testServer)
		inError  string
	}{
		{
			name: "garbage certificate",
			breakDir: func(t *testing.T, ts *testServer) {
				writeTestFile(t, filepath.Join(ts.dir, fixtures.ServerCertFile), "not a certificate\n")
			},
			inError: fixtures.ServerCertFile,
		},
		{
			name: "key of another certificate",
			breakDir: func(t *testing.T, ts *testServer) {
				other, err := ts.pki.IssueServer(nil)
				if err != nil {
					t.Fatal(err)
				}
				key, err := other.KeyPEM()
				if err != nil {
					t.Fatal(err)
				}
				writeTestFile(t, filepath.Join(ts.dir, fixtures.ServerKeyFile), string(key))
			},
			inError: fixtures.ServerKeyFile,
		},
		{
			name: "client CA file removed",
			breakDir: func(t *testing.T, ts *testServer) {
				if err := os.Remove(filepath.Join(ts.dir, fixtures.CAFile)); err != nil {
					t.Fatal(err)
				}
			},
			inError: fixtures.CAFile,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := startServer(t, nil)
			before := ts.serverFingerprint(t)
			tt.breakDir(t, ts)

			err := ts.srv.Reload()
			if err == nil {
				t.Fatal("Reload accepted the broken files")
			}
			if !strings.Contains(err.Error(), tt.inError) {
				t.Errorf("Reload error %q does not name %s", err, tt.inError)
			}
			ts.logs.waitRecord(t, "reload failed, keeping the previous certificates",
				map[string]string{"error": tt.inError, "current_sha256": before})

			conn := ts.dialTLS(t, ts.pki.Client, ts.pki.CA)
			if got := report.Fingerprint(conn.ConnectionState().PeerCertificates[0].Raw); got != before {
				t.Errorf("server presents %s after the failed reload, want the previous %s", got, before)
			}
			if status, err := getOn(conn, bufio.NewReader(conn)); err != nil || status != http.StatusOK {
				t.Errorf("request after the failed reload: status %d, error %v", status, err)
			}
		})
	}
}

func TestReloadLogsNewFindings(t *testing.T) {
	ts := startServer(t, nil)
	expired, err := ts.pki.IssueServer(fixtures.Expired)
	if err != nil {
		t.Fatal(err)
	}
	ts.writeCert(t, "server", expired)
	if err := ts.srv.Reload(); err != nil {
		t.Fatalf("Reload of an expired but readable certificate: %v", err)
	}

	rec := ts.logs.waitRecord(t, "the server certificate has expired", map[string]string{"code": string(report.CodeExpired)})
	if rec["level"] != "ERROR" {
		t.Errorf("finding of severity error logged at level %v, want ERROR", rec["level"])
	}
	found := false
	for _, f := range ts.srv.Findings() {
		found = found || f.Code == report.CodeExpired
	}
	if !found {
		t.Errorf("Findings after the reload lack %s: %+v", report.CodeExpired, ts.srv.Findings())
	}
}

func writeTestFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(fmt.Errorf("write %s: %w", path, err))
	}
}
