package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mtlsdoctor/mtlsdoctor/chain"
)

// TestBundleOutStdout checks that --out - writes the bundle to standard
// output, byte for byte what --out FILE writes, with the report on
// standard error, and creates no file named "-".
func TestBundleOutStdout(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	file := filepath.Join(dir, "ca-crt.pem")
	code, _, stderr := runCLI(t, "bundle", "--offline", "--out", file)
	if code != 0 {
		t.Fatalf("bundle --out %s: exit %d\nstderr: %s", file, code, stderr)
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}

	for _, format := range []string{"text", "json", "junit"} {
		t.Run(format, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, "bundle", "--offline", "--out", "-", "--output", format)
			if code != 0 {
				t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
			}
			if stdout != string(want) {
				t.Errorf("stdout is not the bundle that --out FILE writes:\n%s", stdout)
			}
			if !strings.Contains(stderr, "platform CAs") {
				t.Errorf("stderr lacks the report:\n%s", stderr)
			}
			certs := chain.Decode([]byte(stdout)).Certificates
			if len(certs) == 0 {
				t.Errorf("stdout holds no certificate")
			}
			// JUnit has no place for the report's notes.
			if format != "junit" && !strings.Contains(stderr, "wrote the bundle to standard output") {
				t.Errorf("stderr lacks the report's note on where the bundle went:\n%s", stderr)
			}
			if _, err := os.Stat(filepath.Join(dir, "-")); err == nil {
				t.Errorf("bundle created a file named -")
			}
		})
	}

	usageErrors := []struct {
		name string
		args []string
		want string
	}{
		{"invalid profile", []string{"--profile", "nope"}, "nope"},
		{"argument", []string{"extra.pem"}, "extra.pem"},
	}
	for _, tt := range usageErrors {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"bundle", "--offline", "--out", "-", "--output", "json"}, tt.args...)
			code, stdout, stderr := runCLI(t, args...)
			if code != exitUsage {
				t.Errorf("exit %d, want %d", code, exitUsage)
			}
			if stdout != "" {
				t.Errorf("stdout, which the bundle would go to, holds text:\n%s", stdout)
			}
			if !strings.Contains(stderr, tt.want) || !strings.Contains(stderr, `"exit_code": 2`) {
				t.Errorf("stderr lacks the error report naming %q:\n%s", tt.want, stderr)
			}
		})
	}
}

func TestBundleHelpNamesOutStdout(t *testing.T) {
	_, stdout, _ := runCLI(t, "bundle", "--help")
	if !strings.Contains(stdout, "standard output") {
		t.Errorf("bundle --help does not say that --out - writes to standard output:\n%s", stdout)
	}
}
