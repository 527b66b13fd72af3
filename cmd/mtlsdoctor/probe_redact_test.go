package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestProbeRedactsURLSecrets runs probe against the verifying server with
// a password and a token in the URL, in every output format and in the
// usage errors that quote the URL.
func TestProbeRedactsURLSecrets(t *testing.T) {
	dir, _ := writePKI(t)
	base := startServe(t, dir)
	secretURL := strings.Replace(base, "https://", "https://user:s3cretpw@", 1) + "?token=abc123"
	targets := filepath.Join(dir, "targets.txt")
	if err := os.WriteFile(targets, []byte(secretURL+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	flags := []string{"--ca", filepath.Join(dir, "test-ca-crt.pem"),
		"--cert", filepath.Join(dir, "client-crt.pem"), "--key", filepath.Join(dir, "client-key.pem")}

	cases := []struct {
		name string
		args []string
		want string // part of stdout or stderr
	}{
		{"text", append([]string{"probe", secretURL}, flags...), "https://user:xxxxx@"},
		{"json", append([]string{"probe", secretURL, "--output", "json"}, flags...), "token=xxxxx"},
		{"junit", append([]string{"probe", secretURL, "--output", "junit"}, flags...), "token=xxxxx"},
		{"targets", append([]string{"probe", "--targets", targets}, flags...), "https://user:xxxxx@"},
		{"targets json", append([]string{"probe", "--targets", targets, "--output", "json"}, flags...), "token=xxxxx"},
		{"URL and targets", []string{"probe", secretURL, "--targets", targets}, "either one URL or --targets"},
		{"two URLs", []string{"probe", base, secretURL}, "exactly one URL"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, stdout, stderr := runCLI(t, tc.args...)
			if !strings.Contains(stdout+stderr, tc.want) {
				t.Errorf("output does not contain %q:\n%s%s", tc.want, stdout, stderr)
			}
			for _, secret := range []string{"s3cretpw", "abc123"} {
				if strings.Contains(stdout+stderr, secret) {
					t.Errorf("the output shows %q:\n%s%s", secret, stdout, stderr)
				}
			}
		})
	}
}
