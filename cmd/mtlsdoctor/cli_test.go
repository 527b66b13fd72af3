package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// runCLI runs the command line in-process and returns the exit code and
// what it printed.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := RunContext(context.Background(), append([]string{"mtlsdoctor"}, args...), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestInterspersedFlags(t *testing.T) {
	app := newApp(&env{})
	tests := []struct {
		name string
		in   []string
		want []string
	}{
		{"flags after url", []string{"m", "probe", "https://x", "--cert", "c.pem", "--verbose"}, []string{"m", "probe", "--cert", "c.pem", "--verbose", "--", "https://x"}},
		{"flags before url", []string{"m", "probe", "--cert=c.pem", "https://x"}, []string{"m", "probe", "--cert=c.pem", "--", "https://x"}},
		{"double dash keeps dashes", []string{"m", "explain", "--", "-----BEGIN"}, []string{"m", "explain", "--", "-----BEGIN"}},
		{"no command", []string{"m"}, []string{"m"}},
		{"unknown command", []string{"m", "nope", "x", "--y"}, []string{"m", "nope", "x", "--y"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := interspersed(app, tt.in)
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("interspersed(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
