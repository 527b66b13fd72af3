package main

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mtlsdoctor/mtlsdoctor/chain"
	"github.com/mtlsdoctor/mtlsdoctor/fixtures"
	"github.com/mtlsdoctor/mtlsdoctor/internal/fsutil"
)

func TestGenWritesPKI(t *testing.T) {
	for _, kt := range fixtures.KeyTypes {
		t.Run(string(kt), func(t *testing.T) {
			dir := t.TempDir()
			code, stdout, stderr := runCLI(t, "gen", "--dir", dir, "--key-type", string(kt), "--host", "webhook.test", "--host", "127.0.0.1", "--client-cn", "Google LLC")
			if code != 0 {
				t.Fatalf("exit %d; stderr: %s", code, stderr)
			}
			if !strings.Contains(stdout, "server-crt.pem") {
				t.Errorf("output does not list server-crt.pem:\n%s", stdout)
			}
			for _, name := range []string{fixtures.CAKeyFile, fixtures.ServerKeyFile, fixtures.ClientKeyFile} {
				info, err := os.Stat(filepath.Join(dir, name))
				if err != nil {
					t.Fatal(err)
				}
				if info.Mode().Perm() != 0o600 {
					t.Errorf("%s has mode %o, want 600", name, info.Mode().Perm())
				}
			}
			server, err := chain.LoadKeyPair(filepath.Join(dir, fixtures.ServerCertFile), filepath.Join(dir, fixtures.ServerKeyFile), "server")
			if err != nil {
				t.Fatal(err)
			}
			if err := server.Leaf.VerifyHostname("webhook.test"); err != nil {
				t.Errorf("server certificate: %v", err)
			}
			if err := server.Leaf.VerifyHostname("127.0.0.1"); err != nil {
				t.Errorf("server certificate: %v", err)
			}
			client, err := chain.LoadKeyPair(filepath.Join(dir, fixtures.ClientCertFile), filepath.Join(dir, fixtures.ClientKeyFile), "client")
			if err != nil {
				t.Fatal(err)
			}
			if cn := client.Leaf.Subject.CommonName; cn != "Google LLC" {
				t.Errorf("client CN = %q, want Google LLC", cn)
			}
		})
	}
}

func TestGenRefusesOverwrite(t *testing.T) {
	dir := t.TempDir()
	keyPath := filepath.Join(dir, fixtures.ClientKeyFile)
	if err := os.WriteFile(keyPath, []byte("precious key"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runCLI(t, "gen", "--dir", dir)
	if code != 2 {
		t.Fatalf("exit %d, want 2", code)
	}
	if !strings.Contains(stderr, keyPath) || !strings.Contains(stderr, "--force") {
		t.Errorf("stderr does not name the file and --force:\n%s", stderr)
	}
	data, err := os.ReadFile(keyPath)
	if err != nil {
		t.Fatal(err)
	}
	if string(data) != "precious key" {
		t.Error("existing key was overwritten")
	}
	if _, err := os.Stat(filepath.Join(dir, fixtures.ServerCertFile)); err == nil {
		t.Error("gen wrote other files although it refused")
	}

	code, _, stderr = runCLI(t, "gen", "--dir", dir, "--force")
	if code != 0 {
		t.Fatalf("with --force: exit %d; stderr: %s", code, stderr)
	}
	if data, _ := os.ReadFile(keyPath); string(data) == "precious key" {
		t.Error("--force did not replace the key")
	}
}

func TestGenInvalidFlags(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"key type", []string{"--key-type", "dsa"}, "--key-type"},
		{"days", []string{"--days", "0"}, "--days"},
		{"output", []string{"--output", "yaml"}, "--output"},
		{"unknown flag", []string{"--nope"}, "nope"},
		{"host url", []string{"--host", "https://webhook.example"}, "--host"},
		{"empty host", []string{"--host", ""}, "--host"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, append([]string{"gen", "--dir", t.TempDir()}, tt.args...)...)
			if code != 2 {
				t.Errorf("exit %d, want 2", code)
			}
			if !strings.Contains(stderr, tt.want) {
				t.Errorf("stderr does not name %s:\n%s", tt.want, stderr)
			}
		})
	}
}

func TestGenJSON(t *testing.T) {
	code, stdout, stderr := runCLI(t, "gen", "--dir", t.TempDir(), "--output", "json")
	if code != 0 {
		t.Fatalf("exit %d; stderr: %s", code, stderr)
	}
	var rep struct {
		OK           bool `json:"ok"`
		Certificates []struct {
			Subject string `json:"subject"`
		} `json:"certificates"`
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, stdout)
	}
	if !rep.OK || len(rep.Certificates) != 3 {
		t.Errorf("ok=%v with %d certificates, want ok with 3", rep.OK, len(rep.Certificates))
	}
}

func TestGenForceRefusesDirectory(t *testing.T) {
	dir := t.TempDir()
	blocker := filepath.Join(dir, fixtures.ServerKeyFile)
	if err := os.Mkdir(blocker, 0o755); err != nil {
		t.Fatal(err)
	}

	code, _, stderr := runCLI(t, "gen", "--dir", dir, "--force")
	if code != exitUsage {
		t.Fatalf("exit %d, want %d; stderr: %s", code, exitUsage, stderr)
	}
	message, fix := stderrMessage(t, stderr)
	if !strings.Contains(message, blocker) || !strings.Contains(message, "directory") {
		t.Errorf("message %q does not name %s as a directory", message, blocker)
	}
	if !strings.Contains(fix, blocker) {
		t.Errorf("fix %q does not name %s", fix, blocker)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("gen left %v in --dir, want only the directory it refused", names)
	}
}

func TestGenWriteErrorPartial(t *testing.T) {
	err := genWriteError("certs", &fsutil.PartialWriteError{
		Replaced:    []string{"certs/test-ca-crt.pem"},
		NotReplaced: []string{"certs/test-ca-key.pem"},
		Err:         errors.New("rename failed"),
	})
	var ue *usageError
	if !errors.As(err, &ue) {
		t.Fatalf("error = %v, want a usage error", err)
	}
	for _, want := range []string{"replaced certs/test-ca-crt.pem", "not replaced certs/test-ca-key.pem"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q lacks %q", err, want)
		}
	}
	if !strings.Contains(ue.fix, "--force") {
		t.Errorf("fix %q does not say to run gen again with --force", ue.fix)
	}
}
