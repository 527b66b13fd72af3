package probe

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mtlsdoctor/mtlsdoctor/fixtures"
	"github.com/mtlsdoctor/mtlsdoctor/internal/peers"
	"github.com/mtlsdoctor/mtlsdoctor/report"
)

// testPKI mints a CA with a server certificate for localhost and 127.0.0.1
// and a client certificate, and a second, foreign CA with its own client
// certificate that the first CA's servers do not trust.
type testPKI struct {
	*fixtures.PKI
	foreign *fixtures.PKI
}

func newTestPKI(t *testing.T) *testPKI {
	t.Helper()
	pki, err := fixtures.NewPKI(fixtures.Options{Hosts: []string{"localhost", "127.0.0.1"}})
	if err != nil {
		t.Fatalf("mint test PKI: %v", err)
	}
	foreign, err := fixtures.NewPKI(fixtures.Options{
		Hosts:    []string{"localhost", "127.0.0.1"},
		CAName:   "foreign test CA",
		ClientCN: "foreign client",
	})
	if err != nil {
		t.Fatalf("mint foreign PKI: %v", err)
	}
	return &testPKI{PKI: pki, foreign: foreign}
}

// clientOptions returns probe options that present c as client
// certificate; nil presents none.
func clientOptions(c *fixtures.Cert) (*tls.Certificate, []*x509.Certificate) {
	if c == nil {
		return nil, nil
	}
	cert := c.TLSCertificate()
	return &cert, append([]*x509.Certificate{c.Cert}, c.Intermediates...)
}

// writeFiles writes name → content into a new temporary directory and
// returns it.
func writeFiles(t *testing.T, files map[string][]byte) string {
	t.Helper()
	dir := t.TempDir()
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatalf("write %s: %v", name, err)
		}
	}
	return dir
}

func keyPEM(t *testing.T, c *fixtures.Cert) []byte {
	t.Helper()
	data, err := c.KeyPEM()
	if err != nil {
		t.Fatalf("encode key: %v", err)
	}
	return data
}

// requireTool returns the path of a peer binary, or skips the test with an
// install hint. Under CI=true a missing peer fails the test instead.
func requireTool(t *testing.T, name, hint string) string {
	t.Helper()
	return peers.Require(t, name, hint)
}

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// startProcess starts a peer server and stops it, by its PID, when the
// test ends. ready reports when the output shows the server listening; nil
// means ready once the port accepts TCP connections.
func startProcess(t *testing.T, port int, ready func(output string) bool, name string, args ...string) *peers.Log {
	t.Helper()
	out := &peers.Log{}
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
		if t.Failed() {
			t.Logf("%s output:\n%s", name, out.String())
		}
	})

	limit := time.Now().Add(10 * time.Second)
	for time.Now().Before(limit) {
		select {
		case <-exited:
			t.Fatalf("%s exited before it was ready:\n%s", name, out.String())
		default:
		}
		if ready != nil && ready(out.String()) {
			return out
		}
		if ready == nil {
			conn, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(port), time.Second)
			if err == nil {
				conn.Close()
				return out
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s did not become ready within 10s:\n%s", name, out.String())
	return nil
}

// dumpReport logs the report as JSON, for failed tests.
func dumpReport(t *testing.T, rep *report.Report) {
	t.Helper()
	data, _ := json.MarshalIndent(rep, "", "  ")
	t.Logf("report:\n%s", data)
}

func wantCode(t *testing.T, rep *report.Report, code report.Code, severity report.Severity) {
	t.Helper()
	f, ok := rep.Finding(code)
	if !ok {
		dumpReport(t, rep)
		t.Fatalf("report has no %s finding", code)
	}
	if f.Severity != severity {
		t.Errorf("%s finding has severity %s, want %s", code, f.Severity, severity)
	}
	if f.Summary == "" || f.Detail == "" || f.Fix == "" {
		t.Errorf("%s finding lacks summary, detail or fix: %+v", code, f)
	}
}

func wantNoCode(t *testing.T, rep *report.Report, code report.Code) {
	t.Helper()
	if f, ok := rep.Finding(code); ok {
		dumpReport(t, rep)
		t.Errorf("unexpected finding %s: %s", code, f.Detail)
	}
}

func wantNoErrors(t *testing.T, rep *report.Report) {
	t.Helper()
	if rep.HasErrors() || !rep.OK {
		dumpReport(t, rep)
		t.Fatalf("report has error findings")
	}
}

func checkStatus(rep *report.Report, name string) report.Status {
	for _, c := range rep.Checks {
		if c.Name == name {
			return c.Status
		}
	}
	return ""
}

func wantCheck(t *testing.T, rep *report.Report, name string, status report.Status) {
	t.Helper()
	if got := checkStatus(rep, name); got != status {
		dumpReport(t, rep)
		t.Errorf("check %q has status %q, want %q", name, got, status)
	}
}

func wantDetail(t *testing.T, rep *report.Report, code report.Code, parts ...string) {
	t.Helper()
	f, _ := rep.Finding(code)
	for _, part := range parts {
		if !strings.Contains(f.Detail, part) {
			t.Errorf("%s detail %q does not contain %q", code, f.Detail, part)
		}
	}
}

// runProbe runs the probe with a test-sized timeout.
func runProbe(t *testing.T, opts Options) *report.Report {
	t.Helper()
	if opts.Timeout == 0 {
		opts.Timeout = 5 * time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return Run(ctx, opts)
}

// drain reads from conn until the peer closes it.
func drain(conn net.Conn) {
	_, _ = io.Copy(io.Discard, bufio.NewReader(conn))
}
