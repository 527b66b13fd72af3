package main

import (
	"crypto/x509"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"software.sslmate.com/src/go-pkcs12"
)

// TestEmptyPasswordFile checks that a password file without a password is
// a usage error that names the file, rather than a password that does not
// open the PKCS#12 file.
func TestEmptyPasswordFile(t *testing.T) {
	dir, pki := writePKI(t)
	p := func(name string) string { return filepath.Join(dir, name) }
	p12, err := pkcs12.Modern.Encode(pki.Client.Key, pki.Client.Cert, []*x509.Certificate{pki.CA.Cert}, "s3cret")
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{
		"client.p12":     p12,
		"empty.txt":      nil,
		"newline.txt":    []byte("\n"),
		"crlf.txt":       []byte("\r\n"),
		"first-line.txt": []byte("\ns3cret\n"),
	}
	for name, data := range files {
		if err := os.WriteFile(p(name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}

	tests := []struct {
		name   string
		file   string
		reason string
	}{
		{"empty file", "empty.txt", "the password file is empty"},
		{"only a newline", "newline.txt", "the password file is empty"},
		{"only CRLF", "crlf.txt", "the password file is empty"},
		{"empty first line", "first-line.txt", "the first line of the password file is empty"},
	}
	for _, tt := range tests {
		for _, args := range [][]string{
			{"inspect", p("client.p12")},
			{"verify", "--cert", p("client.p12"), "--usage", "client"},
		} {
			t.Run(tt.name+"/"+args[0], func(t *testing.T) {
				code, stdout, stderr := runCLI(t, append(args, "--password-file", p(tt.file))...)
				if code != 2 {
					t.Errorf("exit %d, want 2\nstdout: %s\nstderr: %s", code, stdout, stderr)
				}
				message, fix := stderrMessage(t, stderr)
				if !strings.Contains(message, p(tt.file)) || !strings.Contains(message, tt.reason) {
					t.Errorf("message %q does not name %s and say %q", message, p(tt.file), tt.reason)
				}
				if !strings.Contains(fix, "first line") {
					t.Errorf("fix %q does not say to write the password on the first line", fix)
				}
				if strings.Contains(stderr, "does not open") {
					t.Errorf("stderr blames the password, not the empty file:\n%s", stderr)
				}
			})
		}
	}
}

// TestPasswordFileNotText checks that a device or binary file given as
// the password file is named as such, not as a certificate or key file.
func TestPasswordFileNotText(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero on this system")
	}
	dir, _ := writePKI(t)
	code, stdout, stderr := runCLI(t, "verify", "--cert", filepath.Join(dir, "client-crt.pem"), "--password-file", "/dev/zero", "--output", "json")
	if code != exitUsage {
		t.Fatalf("exit %d, want %d\nstderr: %s", code, exitUsage, stderr)
	}
	doc := parseErrorJSON(t, stdout)
	if !strings.Contains(doc.Error.Message, `read password file "/dev/zero": the password file is not text`) {
		t.Errorf("error.message = %q, want it to say the password file is not text", doc.Error.Message)
	}
	if strings.Contains(doc.Error.Message, "certificate or key file") {
		t.Errorf("error.message = %q calls the password file a certificate or key file", doc.Error.Message)
	}
	if doc.Error.Fix != "Pass a text file whose first line is the password." {
		t.Errorf("error.fix = %q", doc.Error.Fix)
	}
}
