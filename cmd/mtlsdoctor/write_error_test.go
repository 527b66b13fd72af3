package main

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

// fullDisk fails every write, as stdout redirected to /dev/full does.
type fullDisk struct{}

func (fullDisk) Write([]byte) (int, error) {
	return 0, errors.New("no space left on device")
}

func TestTextOutputWriteError(t *testing.T) {
	dir, _ := writePKI(t)
	p := func(name string) string { return filepath.Join(dir, name) }
	tests := []struct {
		name string
		args []string
	}{
		{"inspect", []string{"inspect", p("client-crt.pem")}},
		{"verify", []string{"verify", "--cert", p("client-crt.pem"), "--ca", p("test-ca-crt.pem"), "--usage", "client"}},
		{"explain", []string{"explain", "remote error: tls: certificate required"}},
		{"bundle", []string{"bundle", "--offline", "--out", filepath.Join(t.TempDir(), "ca-crt.pem")}},
		{"gen", []string{"gen", "--dir", filepath.Join(t.TempDir(), "pki")}},
		{"probe", []string{"probe", "https://127.0.0.1:1/", "--timeout", "5s"}},
		{"demo", []string{"demo"}},
		{"help", []string{"--help"}},
		{"command help", []string{"probe", "--help"}},
		{"version", []string{"--version"}},
		{"completion", []string{"completion", "bash"}},
		{"man", []string{"man"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stderr bytes.Buffer
			code := RunContext(context.Background(), append([]string{"mtlsdoctor"}, tt.args...), fullDisk{}, &stderr)
			if code != exitUsage {
				t.Errorf("exit %d, want %d\nstderr: %s", code, exitUsage, stderr.String())
			}
			if !strings.Contains(stderr.String(), "no space left on device") {
				t.Errorf("stderr does not report the write error:\n%s", stderr.String())
			}
		})
	}
}
