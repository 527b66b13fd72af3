package main

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDemoText(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "demo")
	code, stdout, stderr := runCLI(t, "demo", "--dir", dir)
	if code != 0 {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	for _, want := range []string{"client-cert-required", "client-cert-rejected", "== Summary", "TLS handshake ok"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	for _, name := range []string{"ca-crt.pem", "test-ca-crt.pem", "client-key.pem"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("--dir kept no %s: %v", name, err)
		}
	}
}

func TestDemoJSON(t *testing.T) {
	code, stdout, stderr := runCLI(t, "demo", "--output", "json")
	if code != 0 {
		t.Fatalf("exit %d\nstderr: %s", code, stderr)
	}
	var reports []map[string]any
	scanner := bufio.NewScanner(strings.NewReader(stdout))
	scanner.Buffer(make([]byte, 1<<20), 1<<20)
	for scanner.Scan() {
		var r map[string]any
		if err := json.Unmarshal(scanner.Bytes(), &r); err != nil {
			t.Fatalf("line is not JSON: %v\n%s", err, scanner.Text())
		}
		reports = append(reports, r)
	}
	if len(reports) != 7 {
		t.Fatalf("got %d JSON lines, want 7 (6 steps and the summary)", len(reports))
	}
	summary := reports[len(reports)-1]
	if summary["kind"] != "demo" || summary["ok"] != true {
		t.Errorf("summary = %v, want kind demo and ok true", summary)
	}
}
