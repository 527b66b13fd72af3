package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestProbeFlagErrors checks usage errors of probe that name the flag or
// line at fault and give the reason.
func TestProbeFlagErrors(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.txt")
	if err := os.WriteFile(good, []byte("https://127.0.0.1:1/\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "targets.txt")
	lines := "https://127.0.0.1:1/\nnot a url\nhttps://127.0.0.1:1/ --bogus\n"
	if err := os.WriteFile(bad, []byte(lines), 0o600); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name    string
		args    []string
		want    []string
		notWant []string
	}{
		{"negative concurrency with URL", []string{"probe", "https://127.0.0.1:1/", "--concurrency", "-3"},
			[]string{"invalid --concurrency -3"}, nil},
		{"zero concurrency with URL", []string{"probe", "https://127.0.0.1:1/", "--concurrency", "0"},
			[]string{"invalid --concurrency 0"}, nil},
		{"negative concurrency with targets", []string{"probe", "--targets", good, "--concurrency", "-3"},
			[]string{"invalid --concurrency -3"}, nil},
		{"content length header", []string{"probe", "https://127.0.0.1:1/", "--header", "Content-Length: 5"},
			[]string{`invalid --header "Content-Length": the probe sets it from the length of the request body`}, []string{"--server-name"}},
		{"every bad targets line", []string{"probe", "--targets", bad},
			[]string{`targets.txt:2: the line starts with "not", which is not an https:// URL`, "targets.txt:3: unknown option --bogus"},
			[]string{"needs a value", `unexpected "a"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, tt.args...)
			if code != exitUsage {
				t.Errorf("exit code %d, want %d; stderr: %s", code, exitUsage, stderr)
			}
			for _, part := range tt.want {
				if !strings.Contains(stderr, part) {
					t.Errorf("stderr %q does not contain %q", stderr, part)
				}
			}
			for _, part := range tt.notWant {
				if strings.Contains(stderr, part) {
					t.Errorf("stderr %q contains %q", stderr, part)
				}
			}
		})
	}
}
