package main

import (
	"bytes"
	"context"
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
