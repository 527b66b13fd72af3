package serve

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mtlsdoctor/mtlsdoctor/fixtures"
)

// waitLimit bounds every wait in the tests. It is a safety net against a
// hung peer, not an assertion about speed.
const waitLimit = 20 * time.Second

// logBuffer collects the server's JSON log records.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// records parses the log lines written so far.
func (b *logBuffer) records(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	scanner := bufio.NewScanner(strings.NewReader(b.String()))
	for scanner.Scan() {
		var rec map[string]any
		if err := json.Unmarshal(scanner.Bytes(), &rec); err != nil {
			t.Fatalf("log line is not JSON: %v: %s", err, scanner.Text())
		}
		out = append(out, rec)
	}
	return out
}

// waitRecord polls the log until a record with message msg and every
// attribute in want appears, and returns it.
func (b *logBuffer) waitRecord(t *testing.T, msg string, want map[string]string) map[string]any {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for {
		for _, rec := range b.records(t) {
			if rec["msg"] == msg && recordHas(rec, want) {
				return rec
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no log record %q with %v; log:\n%s", msg, want, b.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func recordHas(rec map[string]any, want map[string]string) bool {
	for key, value := range want {
		got, _ := rec[key].(string)
		if !strings.Contains(got, value) {
			return false
		}
	}
	return true
}

// testServer is a running Server on a free port of 127.0.0.1, with the
// PKI files that mtlsdoctor gen writes in dir.
type testServer struct {
	dir    string
	pki    *fixtures.PKI
	srv    *Server
	port   string
	logs   *logBuffer
	cancel context.CancelFunc
	done   chan error
}

// newTestPKI writes a fresh PKI into a temporary directory.
func newTestPKI(t *testing.T) (*fixtures.PKI, string) {
	t.Helper()
	pki, err := fixtures.NewPKI(fixtures.Options{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if _, err := pki.Write(dir, false); err != nil {
		t.Fatal(err)
	}
	return pki, dir
}

// startServer runs a server with gen's files and the default policy,
// changed by edit.
func startServer(t *testing.T, edit func(*Config)) *testServer {
	t.Helper()
	pki, dir := newTestPKI(t)
	return startServerIn(t, pki, dir, edit)
}

func startServerIn(t *testing.T, pki *fixtures.PKI, dir string, edit func(*Config)) *testServer {
	t.Helper()
	logs := &logBuffer{}
	cfg := Config{
		Addr:          "127.0.0.1:0",
		CertFile:      filepath.Join(dir, fixtures.ServerCertFile),
		KeyFile:       filepath.Join(dir, fixtures.ServerKeyFile),
		ClientCAFiles: []string{filepath.Join(dir, fixtures.CAFile)},
		Logger:        slog.New(slog.NewJSONHandler(logs, nil)),
	}
	if edit != nil {
		edit(&cfg)
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ln, err := srv.Listen()
	if err != nil {
		t.Fatalf("Listen: %v", err)
	}
	_, port, err := net.SplitHostPort(srv.Addr())
	if err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	ts := &testServer{dir: dir, pki: pki, srv: srv, port: port, logs: logs, cancel: cancel, done: make(chan error, 1)}
	go func() { ts.done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		if err := ts.stop(); err != nil {
			t.Errorf("Serve: %v", err)
		}
		if t.Failed() {
			t.Logf("server log:\n%s", logs.String())
		}
	})
	return ts
}

// stop cancels the server's context and returns what Serve returned.
func (ts *testServer) stop() error {
	ts.cancel()
	select {
	case err := <-ts.done:
		ts.done <- err // a later stop returns the same result
		return err
	case <-time.After(waitLimit):
		return errors.New("Serve did not return after its context was cancelled")
	}
}

// url returns the server's URL with the host name the platform's guide
// uses.
func (ts *testServer) url() string {
	return "https://localhost:" + ts.port
}

// requireTool skips the test when a peer binary is missing, except under
// CI=true, where a missing peer fails the test.
func requireTool(t *testing.T, name, install string) {
	t.Helper()
	if _, err := exec.LookPath(name); err == nil {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is not installed; install it with %q", name, install)
	}
	t.Skipf("%s is not installed; install it with %q", name, install)
}

// result is the outcome of a peer process.
type result struct {
	stdout, stderr string
	exitCode       int
}

// run runs a peer process in dir, so the relative file names of the
// platform's guide work, with stdin as its input.
func run(t *testing.T, dir, stdin string, name string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	res := result{stdout: stdout.String(), stderr: stderr.String()}
	var exitErr *exec.ExitError
	switch {
	case errors.As(err, &exitErr):
		res.exitCode = exitErr.ExitCode()
	case err != nil:
		t.Fatalf("run %s: %v", name, err)
	}
	if ctx.Err() != nil {
		t.Fatalf("%s did not finish within %s; stderr:\n%s", name, waitLimit, res.stderr)
	}
	return res
}

// curl runs curl against the server with the given extra arguments.
func (ts *testServer) curl(t *testing.T, args ...string) result {
	t.Helper()
	requireTool(t, "curl", "apt-get install curl")
	args = append([]string{"-v", "-s", "--max-time", "15"}, args...)
	return run(t, ts.dir, "", "curl", append(args, ts.url())...)
}

// writeCert writes cert's chain and key into the server's directory and
// returns their file names.
func (ts *testServer) writeCert(t *testing.T, name string, cert *fixtures.Cert) (certFile, keyFile string) {
	t.Helper()
	key, err := cert.KeyPEM()
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = name+"-crt.pem", name+"-key.pem"
	if err := os.WriteFile(filepath.Join(ts.dir, certFile), cert.ChainPEM(), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(ts.dir, keyFile), key, 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}

// client returns a Go HTTPS client that trusts the test CA and presents
// cert unless it is nil. It speaks HTTP/1.1.
func (ts *testServer) client(cert *fixtures.Cert) *http.Client {
	config := &tls.Config{RootCAs: ts.pki.CA.Pool(), ServerName: "localhost"}
	if cert != nil {
		config.Certificates = []tls.Certificate{cert.TLSCertificate()}
	}
	return &http.Client{
		Timeout: waitLimit,
		Transport: &http.Transport{
			TLSClientConfig:       config,
			ExpectContinueTimeout: waitLimit,
			DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
				var d net.Dialer
				return d.DialContext(ctx, network, "127.0.0.1:"+ts.port)
			},
		},
	}
}
