package main

import (
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mtlsdoctor/mtlsdoctor/fixtures"
)

// damagedKeyBlock is an RSA PRIVATE KEY block whose DER is cut off.
const damagedKeyBlock = "-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu\n-----END RSA PRIVATE KEY-----\n"

// keyFileCases writes gen's files and the key files the tests pass to
// probe, verify and serve, and returns the folder.
func keyFileCases(t *testing.T) string {
	t.Helper()
	dir, _ := writePKI(t)
	read := func(name string) []byte {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	clientKey, serverKey := read(fixtures.ClientKeyFile), read(fixtures.ServerKeyFile)
	files := map[string][]byte{
		"client-combined.pem": append(read(fixtures.ClientCertFile), clientKey...),
		"server-combined.pem": append(read(fixtures.ServerCertFile), serverKey...),
		"client-damaged.key":  append([]byte(damagedKeyBlock), clientKey...),
		"client-two.key":      append(append([]byte{}, serverKey...), clientKey...),
		"server-damaged.key":  append([]byte(damagedKeyBlock), serverKey...),
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// jsonReport is the part of a JSON report the key file tests read.
type jsonReport struct {
	Findings []struct {
		Code     string `json:"code"`
		Severity string `json:"severity"`
		Summary  string `json:"summary"`
		Detail   string `json:"detail"`
	} `json:"findings"`
	Checks []struct {
		Name   string `json:"name"`
		Status string `json:"status"`
		Detail string `json:"detail"`
	} `json:"checks"`
}

func parseReport(t *testing.T, stdout string) jsonReport {
	t.Helper()
	var rep jsonReport
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("stdout is not a JSON report: %v\n%s", err, stdout)
	}
	return rep
}

// checkKeyReport checks that rep has the check named check with status
// and a detail containing detail, and a warning with code whose summary
// or detail contains text, unless code is empty.
func checkKeyReport(t *testing.T, rep jsonReport, check, status, detail, code, text string) {
	t.Helper()
	found := false
	for _, c := range rep.Checks {
		if c.Name != check {
			continue
		}
		found = true
		if c.Status != status {
			t.Errorf("%s status = %s, want %s", check, c.Status, status)
		}
		if !strings.Contains(c.Detail, detail) {
			t.Errorf("%s detail = %q, want it to contain %q", check, c.Detail, detail)
		}
	}
	if !found {
		t.Fatalf("no %s check in %+v", check, rep.Checks)
	}
	if code == "" {
		return
	}
	for _, f := range rep.Findings {
		if f.Code == code && f.Severity == "warning" && strings.Contains(f.Summary+" "+f.Detail, text) {
			return
		}
	}
	t.Errorf("no %s warning containing %q in %+v", code, text, rep.Findings)
}

// closedPort returns a loopback address that refuses connections.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func TestVerifyKeyFiles(t *testing.T) {
	dir := keyFileCases(t)
	p := func(name string) string { return filepath.Join(dir, name) }
	tests := []struct {
		name   string
		args   []string
		status string
		detail string
		code   string
		text   string
	}{
		{"damaged block before the key", []string{"--cert", p("client-crt.pem"), "--key", p("client-damaged.key")},
			"warn", "ECDSA P-256", "not-pem", "block 1 (RSA PRIVATE KEY)"},
		{"other key before the key", []string{"--cert", p("client-crt.pem"), "--key", p("client-two.key")},
			"warn", "ECDSA P-256", "key-mismatch", "contains 2 private keys, and only block 2 matches"},
		{"key in the certificate file", []string{"--cert", p("client-combined.pem")},
			"pass", "because no key file was given", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"verify", "--ca", p(fixtures.CAFile), "--usage", "client", "--output", "json"}, tt.args...)
			code, stdout, stderr := runCLI(t, args...)
			if code != exitOK {
				t.Fatalf("exit %d, want %d\nstderr: %s\nstdout: %s", code, exitOK, stderr, stdout)
			}
			checkKeyReport(t, parseReport(t, stdout), "key matches certificate", tt.status, tt.detail, tt.code, tt.text)
		})
	}
}

func TestProbeKeyFiles(t *testing.T) {
	dir := keyFileCases(t)
	p := func(name string) string { return filepath.Join(dir, name) }
	url := "https://" + closedPort(t) + "/"
	tests := []struct {
		name   string
		args   []string
		status string
		detail string
		code   string
		text   string
	}{
		{"damaged block before the key", []string{"--cert", p("client-crt.pem"), "--key", p("client-damaged.key")},
			"warn", "ECDSA P-256", "not-pem", "block 1 (RSA PRIVATE KEY)"},
		{"other key before the key", []string{"--cert", p("client-crt.pem"), "--key", p("client-two.key")},
			"warn", "ECDSA P-256", "key-mismatch", "contains 2 private keys, and only block 2 matches"},
		{"key in the certificate file", []string{"--cert", p("client-combined.pem")},
			"pass", "because no key file was given", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"probe", url, "--output", "json"}, tt.args...)
			// The port refuses the connection: exit 1 with the report, not
			// 2 for unusable files.
			code, stdout, stderr := runCLI(t, args...)
			if code != exitFindings {
				t.Fatalf("exit %d, want %d\nstderr: %s\nstdout: %s", code, exitFindings, stderr, stdout)
			}
			checkKeyReport(t, parseReport(t, stdout), "client files", tt.status, tt.detail, tt.code, tt.text)
		})
	}

	t.Run("no key anywhere", func(t *testing.T) {
		code, _, stderr := runCLI(t, "probe", url, "--cert", p("client-crt.pem"))
		if code != exitUsage {
			t.Fatalf("exit %d, want %d\nstderr: %s", code, exitUsage, stderr)
		}
		message, fix := stderrMessage(t, stderr)
		if !strings.Contains(message, "no key file was given, and the certificate file contains no private key") {
			t.Errorf("message = %q", message)
		}
		if !strings.Contains(fix, "--key") {
			t.Errorf("fix = %q, want it to name --key", fix)
		}
	})
}

func TestServeKeyFiles(t *testing.T) {
	dir := keyFileCases(t)
	p := func(name string) string { return filepath.Join(dir, name) }
	tests := []struct {
		name   string
		args   []string
		status string
		detail string
		code   string
		text   string
	}{
		{"damaged block before the key", []string{"--cert", p("server-crt.pem"), "--key", p("server-damaged.key")},
			"warn", "ECDSA P-256", "not-pem", "block 1 (RSA PRIVATE KEY)"},
		{"key in the certificate file", []string{"--cert", p("server-combined.pem")},
			"pass", "because no key file was given", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"--addr", "127.0.0.1:0", "--client-ca", p(fixtures.CAFile), "--output", "json"}, tt.args...)
			run := startServeCLI(t, args...)
			stdout := run.waitStdout(t, func(s string) bool { return json.Valid([]byte(s)) })
			checkKeyReport(t, parseReport(t, stdout), "server files", tt.status, tt.detail, tt.code, tt.text)
			if code := run.stop(t); code != exitOK {
				t.Errorf("exit %d after the stop, want %d", code, exitOK)
			}
		})
	}
}
