package main

import (
	"strings"
	"testing"

	"software.sslmate.com/src/go-pkcs12"
)

// TestInspectStandardInputConversionNote pipes a PKCS#12 file to
// inspect - and checks that the conversion note names a file to save,
// not the file "-".
func TestInspectStandardInputConversionNote(t *testing.T) {
	_, pki := writePKI(t)
	p12, err := pkcs12.Passwordless.Encode(pki.Client.Key, pki.Client.Cert, nil, "")
	if err != nil {
		t.Fatal(err)
	}

	code, stdout, stderr := runWithStdin(t, string(p12), "inspect", "-")

	if code != 0 {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	want := "openssl pkcs12 -in FILE.p12 -nokeys -out FILE-crt.pem"
	if !strings.Contains(stdout, want) {
		t.Errorf("output does not suggest %q:\n%s", want, stdout)
	}
	if strings.Contains(stdout, "--crt.pem") || strings.Contains(stdout, "-in -") {
		t.Errorf("output suggests a file named after -:\n%s", stdout)
	}
}
