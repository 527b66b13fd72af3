package main

import (
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mtlsdoctor/mtlsdoctor/fixtures"
)

// writePKI writes a fresh test PKI into a temporary folder and returns it.
func writePKI(t *testing.T) (string, *fixtures.PKI) {
	t.Helper()
	pki, err := fixtures.NewPKI(fixtures.Options{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if _, err := pki.Write(dir, false); err != nil {
		t.Fatal(err)
	}
	return dir, pki
}

func TestVerifyCommand(t *testing.T) {
	dir, pki := writePKI(t)
	p := func(name string) string { return filepath.Join(dir, name) }
	expired, err := pki.IssueServer(fixtures.Expired)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p("expired.pem"), expired.CertPEM(), 0o644); err != nil {
		t.Fatal(err)
	}
	foreign, err := fixtures.NewPKI(fixtures.Options{CAName: "foreign CA"})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p("foreign-ca.pem"), foreign.CA.CertPEM(), 0o644); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name     string
		args     []string
		wantCode int
		want     string
	}{
		{"valid server", []string{"--cert", p("server-crt.pem"), "--ca", p("test-ca-crt.pem"), "--host", "localhost"}, 0, "OK"},
		{"valid client with key", []string{"--cert", p("client-crt.pem"), "--key", p("client-key.pem"), "--ca", p("test-ca-crt.pem"), "--usage", "client"}, 0, "OK"},
		{"key mismatch", []string{"--cert", p("client-crt.pem"), "--key", p("server-key.pem"), "--ca", p("test-ca-crt.pem"), "--usage", "client"}, 1, "key-mismatch"},
		{"host mismatch", []string{"--cert", p("server-crt.pem"), "--ca", p("test-ca-crt.pem"), "--host", "webhook.example.com"}, 1, "hostname-mismatch"},
		{"client as server", []string{"--cert", p("client-crt.pem"), "--ca", p("test-ca-crt.pem")}, 1, "wrong-usage-server"},
		{"expired", []string{"--cert", p("expired.pem"), "--ca", p("test-ca-crt.pem")}, 1, "expired"},
		{"foreign CA", []string{"--cert", p("server-crt.pem"), "--ca", p("foreign-ca.pem")}, 1, "unknown-authority"},
		{"in the future", []string{"--cert", p("server-crt.pem"), "--ca", p("test-ca-crt.pem"), "--at", "2999-01-01T00:00:00Z"}, 1, "expired"},
		{"missing cert flag", []string{"--ca", p("test-ca-crt.pem")}, 2, "--cert"},
		{"missing file", []string{"--cert", p("nope.pem")}, 2, "nope.pem"},
		{"key as cert", []string{"--cert", p("client-key.pem")}, 2, "swapped"},
		{"bad usage", []string{"--cert", p("server-crt.pem"), "--usage", "both"}, 2, "--usage"},
		{"bad time", []string{"--cert", p("server-crt.pem"), "--at", "tomorrow"}, 2, "--at"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, append([]string{"verify"}, tt.args...)...)
			if code != tt.wantCode {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tt.wantCode, stdout, stderr)
			}
			if !strings.Contains(stdout+stderr, tt.want) {
				t.Errorf("output does not contain %q\nstdout: %s\nstderr: %s", tt.want, stdout, stderr)
			}
		})
	}
}

func TestVerifyJUnit(t *testing.T) {
	dir, _ := writePKI(t)
	code, stdout, _ := runCLI(t, "verify", "--cert", filepath.Join(dir, "server-crt.pem"),
		"--ca", filepath.Join(dir, "test-ca-crt.pem"), "--host", "wrong.example", "--output", "junit")
	if code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	var doc struct {
		Failures int `xml:"failures,attr"`
		Suites   []struct {
			Cases []struct {
				Name    string `xml:"name,attr"`
				Failure *struct {
					Type string `xml:"type,attr"`
				} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("not XML: %v\n%s", err, stdout)
	}
	if doc.Failures != 1 {
		t.Errorf("failures = %d, want 1", doc.Failures)
	}
	found := false
	for _, c := range doc.Suites[0].Cases {
		if c.Failure != nil && c.Failure.Type == "hostname-mismatch" {
			found = c.Name == "host name"
		}
	}
	if !found {
		t.Errorf("no failed case \"host name\" of type hostname-mismatch:\n%s", stdout)
	}
}
