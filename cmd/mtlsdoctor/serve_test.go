package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mtlsdoctor/mtlsdoctor/fixtures"
)

// serveWaitLimit bounds each wait for the background serve command. It
// is a safety net against a hung server, not an assertion about speed.
const serveWaitLimit = 20 * time.Second

// lockedBuffer is a buffer that the serve command writes to while the
// test reads it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// serveRun is "mtlsdoctor serve" running in the background.
type serveRun struct {
	stdout, stderr *lockedBuffer
	cancel         context.CancelFunc
	exit           chan int
}

// startServeCLI runs "mtlsdoctor serve args" in-process until the test
// calls stop or ends.
func startServeCLI(t *testing.T, args ...string) *serveRun {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	run := &serveRun{stdout: &lockedBuffer{}, stderr: &lockedBuffer{}, cancel: cancel, exit: make(chan int, 1)}
	go func() {
		run.exit <- RunContext(ctx, append([]string{"mtlsdoctor", "serve"}, args...), run.stdout, run.stderr)
	}()
	t.Cleanup(func() { run.stop(t) })
	return run
}

// stop cancels the command, as SIGINT does, and returns its exit code.
func (r *serveRun) stop(t *testing.T) int {
	t.Helper()
	r.cancel()
	select {
	case code := <-r.exit:
		r.exit <- code // a later stop returns the same code
		return code
	case <-time.After(serveWaitLimit):
		t.Fatalf("serve did not stop; stderr:\n%s", r.stderr.String())
		return -1
	}
}

// waitStdout polls stdout until ready accepts it, and fails the test when
// the command ends first.
func (r *serveRun) waitStdout(t *testing.T, ready func(string) bool) string {
	t.Helper()
	deadline := time.Now().Add(serveWaitLimit)
	for {
		if out := r.stdout.String(); ready(out) {
			return out
		}
		select {
		case code := <-r.exit:
			r.exit <- code
			t.Fatalf("serve exited with %d before its startup report was complete\nstdout: %s\nstderr: %s", code, r.stdout.String(), r.stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("no complete startup report on stdout\nstdout: %s\nstderr: %s", r.stdout.String(), r.stderr.String())
		}
	}
}

// serveFiles returns the serve flags for gen's files in dir, with the
// client certificate as the server certificate when clientAsServer is set:
// a certificate without serverAuth, which is an error finding.
func serveFiles(dir string, clientAsServer bool) []string {
	cert, key := fixtures.ServerCertFile, fixtures.ServerKeyFile
	if clientAsServer {
		cert, key = fixtures.ClientCertFile, fixtures.ClientKeyFile
	}
	return []string{
		"--addr", "127.0.0.1:0",
		"--cert", filepath.Join(dir, cert),
		"--key", filepath.Join(dir, key),
		"--client-ca", filepath.Join(dir, fixtures.CAFile),
	}
}

// logRecords parses stderr as JSON log records.
func logRecords(t *testing.T, stderr string) []map[string]any {
	t.Helper()
	var records []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(stderr), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line is not JSON: %v: %s", err, line)
		}
		records = append(records, rec)
	}
	return records
}

func TestServeOutputJSON(t *testing.T) {
	dir, _ := writePKI(t)
	run := startServeCLI(t, append(serveFiles(dir, true), "--output", "json")...)
	stdout := run.waitStdout(t, func(s string) bool { return json.Valid([]byte(s)) })

	var rep struct {
		Target   string `json:"target"`
		Kind     string `json:"kind"`
		OK       bool   `json:"ok"`
		Findings []struct {
			Code     string `json:"code"`
			Severity string `json:"severity"`
		} `json:"findings"`
		Checks []struct {
			Name   string `json:"name"`
			Status string `json:"status"`
		} `json:"checks"`
		Certificates []struct {
			Note string `json:"note"`
		} `json:"certificates"`
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("stdout is not a JSON report: %v\n%s", err, stdout)
	}
	if rep.Kind != "serve" {
		t.Errorf("kind %q, want serve", rep.Kind)
	}
	if rep.OK {
		t.Error("ok is true, want false for the error finding")
	}
	if len(rep.Findings) != 1 {
		t.Fatalf("findings %+v, want one", rep.Findings)
	}
	if got := rep.Findings[0].Code; got != "wrong-usage-server" {
		t.Errorf("finding code %q, want wrong-usage-server", got)
	}
	if got := rep.Findings[0].Severity; got != "error" {
		t.Errorf("finding severity %q, want error", got)
	}
	var checks []string
	for _, c := range rep.Checks {
		checks = append(checks, c.Name+" "+c.Status)
	}
	wantChecks := []string{"client certificate policy pass", "client CAs pass", "client identity pass", "server certificate fail"}
	if !slices.Equal(checks, wantChecks) {
		t.Errorf("checks %q, want %q", checks, wantChecks)
	}
	if len(rep.Certificates) != 2 {
		t.Errorf("%d certificates, want the server certificate and the client CA", len(rep.Certificates))
	}

	// The report comes once the server listens, so its target takes
	// connections.
	if _, port, err := net.SplitHostPort(rep.Target); err != nil || port == "0" {
		t.Fatalf("target %q is not the bound address", rep.Target)
	}
	conn, err := net.DialTimeout("tcp", rep.Target, serveWaitLimit)
	if err != nil {
		t.Fatalf("dial the report's target: %v", err)
	}
	conn.Close()

	if code := run.stop(t); code != exitOK {
		t.Errorf("exit %d after the stop, want %d", code, exitOK)
	}
	dec := json.NewDecoder(strings.NewReader(run.stdout.String()))
	var first json.RawMessage
	if err := dec.Decode(&first); err != nil {
		t.Fatal(err)
	}
	if err := dec.Decode(&first); err != io.EOF {
		t.Errorf("stdout holds more than one JSON document:\n%s", run.stdout.String())
	}

	// --output json makes the log JSON, and the error finding is an ERROR.
	found := false
	for _, rec := range logRecords(t, run.stderr.String()) {
		if rec["code"] == "wrong-usage-server" {
			found = true
			if rec["level"] != "ERROR" {
				t.Errorf("wrong-usage-server logged at level %v, want ERROR", rec["level"])
			}
		}
	}
	if !found {
		t.Errorf("the log lacks the wrong-usage-server finding:\n%s", run.stderr.String())
	}
}

func TestServeOutputJUnit(t *testing.T) {
	dir, _ := writePKI(t)
	run := startServeCLI(t, append(serveFiles(dir, false), "--client-auth", "request", "--output", "junit")...)
	stdout := run.waitStdout(t, func(s string) bool { return strings.Contains(s, "</testsuites>") })

	doc := parseJUnit(t, stdout)
	suite := doc.Suites[0]
	if _, port, err := net.SplitHostPort(suite.Name); err != nil || port == "0" {
		t.Errorf("test suite name %q, want the bound address", suite.Name)
	}
	var cases []string
	for _, c := range suite.Cases {
		cases = append(cases, c.Name)
	}
	wantCases := []string{"client certificate policy", "client CAs", "client identity", "server certificate"}
	if !slices.Equal(cases, wantCases) {
		t.Errorf("test cases %q, want %q", cases, wantCases)
	}
	if doc.Failures != 0 {
		t.Errorf("%d failures, want 0: unauthenticated-accepted is a warning here", doc.Failures)
	}

	if code := run.stop(t); code != exitOK {
		t.Errorf("exit %d after the stop, want %d", code, exitOK)
	}
	// The log stays text with --output junit; the warning is a WARN.
	stderr := run.stderr.String()
	if !strings.Contains(stderr, `level=WARN msg="the server also accepts clients without a certificate (--client-auth request)"`) {
		t.Errorf("the text log lacks the unauthenticated-accepted warning at level WARN:\n%s", stderr)
	}
}

func TestServeOutputText(t *testing.T) {
	dir, _ := writePKI(t)
	run := startServeCLI(t, serveFiles(dir, true)...)
	deadline := time.Now().Add(serveWaitLimit)
	for !strings.Contains(run.stderr.String(), `msg="serving HTTPS"`) {
		if time.Now().After(deadline) {
			t.Fatalf("serve did not log that it serves:\n%s", run.stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if code := run.stop(t); code != exitOK {
		t.Errorf("exit %d after the stop, want %d", code, exitOK)
	}

	if stdout := run.stdout.String(); stdout != "" {
		t.Errorf("stdout = %q, want it empty with --output text", stdout)
	}
	stderr := run.stderr.String()
	if !strings.Contains(stderr, "level=ERROR msg=\"the certificate is not allowed for TLS server authentication\" code=wrong-usage-server severity=error") {
		t.Errorf("the text log lacks the wrong-usage-server finding at level ERROR:\n%s", stderr)
	}
}

// TestServePortInUse checks that the listen error keeps its fix apart
// from the message, in the JSON error document too.
func TestServePortInUse(t *testing.T) {
	dir, _ := writePKI(t)
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	args := append(serveFiles(dir, false), "--addr", busy.Addr().String(), "--output", "json")
	code, stdout, stderr := runCLI(t, append([]string{"serve"}, args...)...)
	if code != exitUsage {
		t.Fatalf("exit %d, want %d\nstderr: %s", code, exitUsage, stderr)
	}
	doc := parseErrorJSON(t, stdout)
	if !strings.HasPrefix(doc.Error.Message, "listen on "+busy.Addr().String()+": ") {
		t.Errorf("error.message = %q, want it to name the address", doc.Error.Message)
	}
	if strings.Contains(doc.Error.Message, "--addr") {
		t.Errorf("error.message = %q holds the fix", doc.Error.Message)
	}
	if doc.Error.Fix != "Choose another --addr, or stop the program that uses the port." {
		t.Errorf("error.fix = %q", doc.Error.Fix)
	}
}
