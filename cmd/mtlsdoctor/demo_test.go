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

// TestDemoDirErrorDocument checks the error document of a --dir that
// demo cannot use: one indented object, as every other command prints,
// with the fix apart from the message.
func TestDemoDirErrorDocument(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "test-ca-crt.pem"), []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	notFolder := filepath.Join(dir, "file")
	if err := os.WriteFile(notFolder, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		dir     string
		message string
		fix     string
	}{
		{"file exists", dir, "test-ca-crt.pem already exists, and demo never overwrites files", "Choose an empty or new folder with --dir"},
		{"not a folder", notFolder, "write the demo files to " + notFolder, "Choose a folder you can write to with --dir"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, "demo", "--output", "json", "--dir", tt.dir)
			if code != exitUsage {
				t.Fatalf("exit %d, want %d\nstderr: %s", code, exitUsage, stderr)
			}
			if !strings.HasPrefix(stdout, "{\n  ") {
				t.Errorf("stdout is not an indented JSON object:\n%s", stdout)
			}
			doc := parseErrorJSON(t, stdout)
			if !strings.Contains(doc.Error.Message, tt.message) {
				t.Errorf("error.message = %q, want it to contain %q", doc.Error.Message, tt.message)
			}
			if strings.Contains(doc.Error.Message, "--dir") {
				t.Errorf("error.message = %q holds the fix", doc.Error.Message)
			}
			if !strings.HasPrefix(doc.Error.Fix, tt.fix) {
				t.Errorf("error.fix = %q, want it to start with %q", doc.Error.Fix, tt.fix)
			}
		})
	}
}

// TestDemoDirWithoutValue checks that --dir without a value is named with
// two dashes, as the help spells it.
func TestDemoDirWithoutValue(t *testing.T) {
	code, stdout, stderr := runCLI(t, "demo", "--output", "json", "--dir")
	if code != exitUsage {
		t.Fatalf("exit %d, want %d\nstderr: %s", code, exitUsage, stderr)
	}
	doc := parseErrorJSON(t, stdout)
	if doc.Error.Message != "--dir needs a path" {
		t.Errorf("error.message = %q, want %q", doc.Error.Message, "--dir needs a path")
	}
	if !strings.HasPrefix(stdout, "{\n  ") {
		t.Errorf("stdout is not an indented JSON object:\n%s", stdout)
	}
}
