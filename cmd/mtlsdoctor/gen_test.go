package main

import (
	"bytes"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
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

func TestGenCANameUniquePerRun(t *testing.T) {
	first, second := t.TempDir(), t.TempDir()
	for _, dir := range []string{first, second} {
		if code, _, stderr := runCLI(t, "gen", "--dir", dir); code != 0 {
			t.Fatalf("gen --dir %s: exit %d; stderr: %s", dir, code, stderr)
		}
	}
	firstCA := readCert(t, filepath.Join(first, fixtures.CAFile))
	secondCA := readCert(t, filepath.Join(second, fixtures.CAFile))
	secondClient := readCert(t, filepath.Join(second, fixtures.ClientCertFile))

	for _, ca := range []*x509.Certificate{firstCA, secondCA} {
		want := fmt.Sprintf("mtlsdoctor test CA %X", ca.SubjectKeyId[:4])
		if ca.Subject.CommonName != want {
			t.Errorf("CA CN = %q, want %q", ca.Subject.CommonName, want)
		}
		if !slices.Equal(ca.Subject.Organization, []string{"mtlsdoctor test PKI"}) {
			t.Errorf("CA O = %q, want mtlsdoctor test PKI", ca.Subject.Organization)
		}
	}
	if firstCA.Subject.CommonName == secondCA.Subject.CommonName {
		t.Errorf("both runs named their CA %q", firstCA.Subject.CommonName)
	}
	if bytes.Equal(secondClient.RawIssuer, firstCA.RawSubject) {
		t.Errorf("the second run's client certificate names the first run's CA %q as its issuer", firstCA.Subject)
	}
}

// TestGenTwoRunsClientCANotAccepted probes a server that trusts the CA of
// one gen run with the client certificate of another. The server's list of
// acceptable CAs then lacks the client's issuer, which probe reports.
func TestGenTwoRunsClientCANotAccepted(t *testing.T) {
	serverDir, clientDir := t.TempDir(), t.TempDir()
	for _, dir := range []string{serverDir, clientDir} {
		if code, _, stderr := runCLI(t, "gen", "--dir", dir); code != 0 {
			t.Fatalf("gen --dir %s: exit %d; stderr: %s", dir, code, stderr)
		}
	}
	url := startServe(t, serverDir)

	code, stdout, stderr := runCLI(t, "probe", url, "--output", "json",
		"--cert", filepath.Join(clientDir, fixtures.ClientCertFile),
		"--key", filepath.Join(clientDir, fixtures.ClientKeyFile),
		"--ca", filepath.Join(serverDir, fixtures.CAFile))
	if code != exitFindings {
		t.Errorf("probe exit %d, want %d; stderr: %s", code, exitFindings, stderr)
	}
	var rep struct {
		Findings []struct {
			Code string `json:"code"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("probe output is not JSON: %v\n%s", err, stdout)
	}
	var codes []string
	for _, f := range rep.Findings {
		codes = append(codes, f.Code)
	}
	if !slices.Contains(codes, "client-ca-not-accepted") {
		t.Errorf("probe findings %v lack client-ca-not-accepted", codes)
	}
}

func TestGenClientCNInvalid(t *testing.T) {
	tests := []struct {
		name    string
		cn      string
		message string
		fix     string
	}{
		{"empty", "", "the name is empty", "leave out --client-cn"},
		{"newline", "Google\nLLC", "control character U+000A", "without control characters"},
		{"tab", "Google\tLLC", "control character U+0009", "without control characters"},
		{"escape sequence", "Google \x1b[31mLLC", "control character U+001B", "without control characters"},
		{"65 characters", strings.Repeat("x", 65), "65 characters, more than the 64", "1 to 64 characters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "certs")
			code, stdout, stderr := runCLI(t, "gen", "--dir", dir, "--client-cn", tt.cn)
			if code != exitUsage {
				t.Fatalf("exit %d, want %d; stdout: %s", code, exitUsage, stdout)
			}
			message, fix := stderrMessage(t, stderr)
			if !strings.Contains(message, "--client-cn") {
				t.Errorf("message %q does not name --client-cn", message)
			}
			if !strings.Contains(message, tt.message) {
				t.Errorf("message %q lacks %q", message, tt.message)
			}
			if !strings.Contains(fix, tt.fix) {
				t.Errorf("fix %q lacks %q", fix, tt.fix)
			}
			if _, err := os.Stat(dir); err == nil {
				t.Errorf("gen created %s although it rejected --client-cn", dir)
			}
		})
	}
}

func TestGenClientCNLimits(t *testing.T) {
	for _, cn := range []string{strings.Repeat("x", 64), strings.Repeat("ü", 64), "Google LLC"} {
		dir := t.TempDir()
		code, _, stderr := runCLI(t, "gen", "--dir", dir, "--client-cn", cn)
		if code != 0 {
			t.Fatalf("--client-cn %q: exit %d; stderr: %s", cn, code, stderr)
		}
		if got := readCert(t, filepath.Join(dir, fixtures.ClientCertFile)).Subject.CommonName; got != cn {
			t.Errorf("client CN = %q, want %q", got, cn)
		}
	}
}

func TestGenInternationalHost(t *testing.T) {
	dir := t.TempDir()
	code, stdout, stderr := runCLI(t, "gen", "--dir", dir, "--host", "bücher.example", "--host", "127.0.0.1", "--output", "json")
	if code != 0 {
		t.Fatalf("exit %d; stderr: %s", code, stderr)
	}
	server := readCert(t, filepath.Join(dir, fixtures.ServerCertFile))
	if !slices.Equal(server.DNSNames, []string{"xn--bcher-kva.example"}) {
		t.Errorf("server DNS names = %q, want the A-label xn--bcher-kva.example", server.DNSNames)
	}
	if err := server.VerifyHostname("xn--bcher-kva.example"); err != nil {
		t.Errorf("server certificate: %v", err)
	}
	var rep struct {
		Notes []string `json:"notes"`
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, stdout)
	}
	want := `converted --host "bücher.example" to its ASCII (punycode) form xn--bcher-kva.example`
	if !slices.ContainsFunc(rep.Notes, func(n string) bool { return strings.Contains(n, want) }) {
		t.Errorf("notes %q lack %q", rep.Notes, want)
	}
	if slices.ContainsFunc(rep.Notes, func(n string) bool { return strings.Contains(n, "127.0.0.1") }) {
		t.Errorf("notes %q mention 127.0.0.1, which needs no conversion", rep.Notes)
	}
}

func TestGenInternationalHostRejected(t *testing.T) {
	tests := []struct {
		name   string
		host   string
		reason string
	}{
		{"disallowed character", "bü_cher.example", "IDNA rejects it: idna: disallowed rune U+005F"},
		{"leading hyphen", "-bücher.example", "IDNA rejects it: idna: invalid label"},
		{"URL", "https://bücher.example/", "not a URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, "gen", "--dir", t.TempDir(), "--host", tt.host)
			if code != exitUsage {
				t.Fatalf("exit %d, want %d", code, exitUsage)
			}
			message, fix := stderrMessage(t, stderr)
			if !strings.Contains(message, "--host") {
				t.Errorf("message %q does not name --host", message)
			}
			if !strings.Contains(message, tt.reason) {
				t.Errorf("message %q lacks %q", message, tt.reason)
			}
			if fix == "" {
				t.Error("no fix on stderr")
			}
		})
	}
}

// TestGenNextHintQuoted runs gen's "next:" command line through a POSIX
// shell and checks that each path arrives as one argument.
func TestGenNextHintQuoted(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh in PATH: install dash or bash")
	}
	dir := filepath.Join(t.TempDir(), "my certs", "it's $HOME")
	code, stdout, stderr := runCLI(t, "gen", "--dir", dir)
	if code != 0 {
		t.Fatalf("exit %d; stderr: %s", code, stderr)
	}
	var hint string
	for _, line := range strings.Split(stdout, "\n") {
		if h, ok := strings.CutPrefix(line, "  next: "); ok {
			hint = h
		}
	}
	args, ok := strings.CutPrefix(hint, "mtlsdoctor serve ")
	if !ok {
		t.Fatalf("no next: line with mtlsdoctor serve in the output:\n%s", stdout)
	}

	out, err := exec.Command(sh, "-c", `printf '%s\n' `+args).Output()
	if err != nil {
		t.Fatalf("sh -c %q: %v", args, err)
	}
	got := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	want := []string{
		"--cert", filepath.Join(dir, fixtures.ServerCertFile),
		"--key", filepath.Join(dir, fixtures.ServerKeyFile),
		"--client-ca", filepath.Join(dir, fixtures.CAFile),
	}
	if !slices.Equal(got, want) {
		t.Errorf("the shell read the hint %q as %q, want %q", hint, got, want)
	}
}

func readCert(t *testing.T, path string) *x509.Certificate {
	t.Helper()
	certs, err := chain.ReadCertificatesFile(path, "certificate")
	if err != nil {
		t.Fatal(err)
	}
	return certs[0]
}
