package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/mtlsdoctor/mtlsdoctor/fixtures"
)

func TestExtraArgumentsRejected(t *testing.T) {
	dir, _ := writePKI(t)
	cert := filepath.Join(dir, fixtures.ClientCertFile)
	targets := filepath.Join(dir, "targets.txt")
	if err := os.WriteFile(targets, []byte("https://127.0.0.1:1/\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		args  []string
		extra string
	}{
		{"verify", []string{"verify", "--cert", cert, "extra.pem"}, "extra.pem"},
		{"gen", []string{"gen", "--dir", t.TempDir(), "extra"}, "extra"},
		{"serve", []string{"serve", "extra"}, "extra"},
		{"bundle", []string{"bundle", "--offline", "extra.pem"}, "extra.pem"},
		{"demo", []string{"demo", "extra"}, "extra"},
		{"man", []string{"man", "extra"}, "extra"},
		{"completion", []string{"completion", "bash", "zsh"}, "zsh"},
		{"inspect", []string{"inspect", cert, "extra.pem"}, "extra.pem"},
		{"probe", []string{"probe", "https://127.0.0.1:1/", "https://127.0.0.1:2/"}, "https://127.0.0.1:2/"},
		{"probe with targets", []string{"probe", "--targets", targets, "https://127.0.0.1:2/"}, "https://127.0.0.1:2/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, tt.args...)
			if code != exitUsage {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, exitUsage, stdout, stderr)
			}
			message, fix := stderrMessage(t, stderr)
			if !strings.Contains(message, `"`+tt.extra+`"`) {
				t.Errorf("message %q does not name %q", message, tt.extra)
			}
			if fix == "" {
				t.Errorf("no fix in stderr:\n%s", stderr)
			}
		})
	}
}

func TestProbeURLUsageErrors(t *testing.T) {
	tests := []struct {
		name, url, wantMessage, wantFix string
	}{
		{"port too large", "https://127.0.0.1:99999", "port 99999", "from 1 to 65535"},
		{"port zero", "https://127.0.0.1:0/df", "port 0", "https://127.0.0.1:4433/df"},
		{"port out of int range", "https://localhost:99999999999999999999/", "port 99999999999999999999", "https://localhost:4433/"},
		{"no scheme", "127.0.0.1:4433", "needs the https:// scheme", "Pass https://127.0.0.1:4433"},
		{"no scheme with host name", "localhost:4433/df", "needs the https:// scheme", "Pass https://localhost:4433/df"},
		{"no scheme with password", "user:s3cret@127.0.0.1:4433", "needs the https:// scheme", "Pass https://user:xxxxx@127.0.0.1:4433"},
		{"empty", "", "empty", "https://localhost:4433"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, "probe", tt.url)
			if code != exitUsage {
				t.Fatalf("exit %d, want %d\nstderr: %s", code, exitUsage, stderr)
			}
			message, fix := stderrMessage(t, stderr)
			if !strings.Contains(message, tt.wantMessage) {
				t.Errorf("message %q lacks %q", message, tt.wantMessage)
			}
			if tt.url != "" && !strings.Contains(message, strings.ReplaceAll(tt.url, "s3cret", "xxxxx")) {
				t.Errorf("message %q does not name the URL", message)
			}
			if !strings.Contains(fix, tt.wantFix) {
				t.Errorf("fix %q lacks %q", fix, tt.wantFix)
			}
			if strings.Contains(stderr, "s3cret") {
				t.Errorf("stderr shows the URL's password:\n%s", stderr)
			}
		})
	}
}

func TestVersionFlag(t *testing.T) {
	for _, flag := range []string{"--version", "-v"} {
		code, stdout, stderr := runCLI(t, flag)
		if code != exitOK {
			t.Fatalf("%s: exit %d; stderr: %s", flag, code, stderr)
		}
		// A test binary has no module version, so it reports devel.
		if want := "mtlsdoctor version devel, built with " + runtime.Version(); strings.TrimSpace(stdout) != want {
			t.Errorf("%s printed %q, want %q", flag, stdout, want)
		}
	}
}

func TestUnknownFlagFix(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		wantFix string
	}{
		{"before a command", []string{"--nope"}, "Run mtlsdoctor --help for the flags."},
		{"after a command", []string{"probe", "--nope"}, "Run mtlsdoctor probe --help for the flags."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, tt.args...)
			if code != exitUsage {
				t.Fatalf("exit %d, want %d", code, exitUsage)
			}
			if _, fix := stderrMessage(t, stderr); fix != tt.wantFix {
				t.Errorf("fix = %q, want %q", fix, tt.wantFix)
			}
		})
	}
}

// runWithStdin runs the command line with stdin as standard input.
func runWithStdin(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := runWithInput(context.Background(), append([]string{"mtlsdoctor"}, args...), strings.NewReader(stdin), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestInspectStandardInput(t *testing.T) {
	_, pki := writePKI(t)
	key, err := pki.Server.KeyPEM()
	if err != nil {
		t.Fatal(err)
	}
	input := string(pki.Server.ChainPEM()) + string(key)

	t.Run("text", func(t *testing.T) {
		code, stdout, stderr := runWithStdin(t, input, "inspect", "-")
		if code != exitOK {
			t.Fatalf("exit %d; stderr: %s", code, stderr)
		}
		for _, want := range []string{"inspect -  OK", "1 certificate, 1 private key", "matches certificate 1"} {
			if !strings.Contains(stdout, want) {
				t.Errorf("output lacks %q:\n%s", want, stdout)
			}
		}
	})
	t.Run("json", func(t *testing.T) {
		code, stdout, stderr := runWithStdin(t, input, "inspect", "-", "--output", "json")
		if code != exitOK {
			t.Fatalf("exit %d; stderr: %s", code, stderr)
		}
		var in struct {
			Target string `json:"target"`
		}
		if err := json.Unmarshal([]byte(stdout), &in); err != nil {
			t.Fatalf("not JSON: %v\n%s", err, stdout)
		}
		if in.Target != "-" {
			t.Errorf("target = %q, want -", in.Target)
		}
	})
	t.Run("pem", func(t *testing.T) {
		code, stdout, stderr := runWithStdin(t, input, "inspect", "--pem", "-")
		if code != exitOK {
			t.Fatalf("exit %d; stderr: %s", code, stderr)
		}
		if stdout != string(pki.Server.CertPEM()) {
			t.Errorf("--pem wrote\n%s\nwant the server certificate", stdout)
		}
	})
	t.Run("empty", func(t *testing.T) {
		code, _, stderr := runWithStdin(t, "", "inspect", "-")
		if code != exitUsage {
			t.Fatalf("exit %d, want %d", code, exitUsage)
		}
		if message, _ := stderrMessage(t, stderr); !strings.Contains(message, "standard input") {
			t.Errorf("message %q does not name standard input", message)
		}
	})
	t.Run("encrypted key without password", func(t *testing.T) {
		der, err := x509.MarshalECPrivateKey(pki.Server.Key.(*ecdsa.PrivateKey))
		if err != nil {
			t.Fatal(err)
		}
		//lint:ignore SA1019 legacy encrypted PEM is one of the key formats that inspect reads
		block, err := x509.EncryptPEMBlock(rand.Reader, "EC PRIVATE KEY", der, []byte("s3cret"), x509.PEMCipherAES256)
		if err != nil {
			t.Fatal(err)
		}
		code, _, stderr := runWithStdin(t, string(pem.EncodeToMemory(block)), "inspect", "-")
		if code != exitUsage {
			t.Fatalf("exit %d, want %d", code, exitUsage)
		}
		if message, fix := stderrMessage(t, stderr); !strings.Contains(message, "encrypted") || !strings.Contains(fix, "--password-file") {
			t.Errorf("message %q, fix %q: want the encrypted key and --password-file named", message, fix)
		}
	})
}

func TestInspectHelpNamesStandardInput(t *testing.T) {
	_, stdout, _ := runCLI(t, "inspect", "--help")
	if !strings.Contains(stdout, "| mtlsdoctor inspect -\n") || !strings.Contains(stdout, "standard input") {
		t.Errorf("inspect --help does not document reading standard input:\n%s", stdout)
	}
}
