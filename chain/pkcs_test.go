package chain

import (
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"software.sslmate.com/src/go-pkcs12"

	"github.com/mtlsdoctor/mtlsdoctor/report"
)

func TestDecodeContainerFormats(t *testing.T) {
	pki := mustPKI(t)
	server, ca := pki.Server.Cert, pki.CA.Cert
	p7 := degeneratePKCS7(t, server.Raw, ca.Raw)
	p12, err := pkcs12.Modern.Encode(pki.Client.Key, pki.Client.Cert, []*x509.Certificate{ca}, "s3cret")
	if err != nil {
		t.Fatal(err)
	}
	p12NoPassword, err := pkcs12.Passwordless.Encode(pki.Client.Key, pki.Client.Cert, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	trustStore, err := pkcs12.Modern.EncodeTrustStore([]*x509.Certificate{ca, server}, "s3cret")
	if err != nil {
		t.Fatal(err)
	}
	// The key bag comes with the CA first, so the reader must reorder.
	p12CAFirst, err := pkcs12.Modern.Encode(pki.Client.Key, ca, []*x509.Certificate{pki.Client.Cert}, "s3cret")
	if err != nil {
		t.Fatal(err)
	}
	keyPEM, err := pki.Server.KeyPEM()
	if err != nil {
		t.Fatal(err)
	}
	keyBlock, _ := pem.Decode(keyPEM)
	trusted := pem.EncodeToMemory(&pem.Block{Type: "TRUSTED CERTIFICATE", Bytes: append(append([]byte{}, ca.Raw...), 0x30, 0x00)})
	indented := "config:\n  ca: |\n" + indent(string(pemOf(ca)), "    ")
	password := ReadOptions{Password: NewPassword("s3cret", "test")}

	tests := []struct {
		name      string
		data      []byte
		opts      ReadOptions
		encoding  Encoding
		certs     int
		keys      int
		firstCert *x509.Certificate // nil: not checked
	}{
		{"pkcs7 der", p7, ReadOptions{}, EncodingPKCS7, 2, 0, server},
		{"pkcs7 pem", pem.EncodeToMemory(&pem.Block{Type: "PKCS7", Bytes: p7}), ReadOptions{}, EncodingPKCS7PEM, 2, 0, server},
		{"pkcs7 pem signed data label", pem.EncodeToMemory(&pem.Block{Type: "PKCS #7 SIGNED DATA", Bytes: p7}), ReadOptions{}, EncodingPKCS7PEM, 2, 0, server},
		{"pkcs7 pem and certificate", append(pem.EncodeToMemory(&pem.Block{Type: "PKCS7", Bytes: p7}), pemOf(ca)...), ReadOptions{}, EncodingPEM, 3, 0, server},
		{"pkcs7 base64", []byte(base64.StdEncoding.EncodeToString(p7)), ReadOptions{}, EncodingPKCS7Base64, 2, 0, server},
		{"pkcs12 with password", p12, password, EncodingPKCS12, 2, 1, pki.Client.Cert},
		{"pkcs12 without password", p12NoPassword, ReadOptions{}, EncodingPKCS12, 1, 1, pki.Client.Cert},
		{"pkcs12 empty password despite one given", p12NoPassword, password, EncodingPKCS12, 1, 1, pki.Client.Cert},
		{"pkcs12 key certificate first", p12CAFirst, password, EncodingPKCS12, 2, 1, pki.Client.Cert},
		{"pkcs12 trust store", trustStore, password, EncodingPKCS12, 2, 0, ca},
		{"pkcs12 base64", []byte(base64.StdEncoding.EncodeToString(p12)), password, EncodingPKCS12Base64, 2, 1, pki.Client.Cert},
		{"der with final newline", append(append([]byte{}, server.Raw...), '\n'), ReadOptions{}, EncodingDER, 1, 0, server},
		{"concatenated der", append(append([]byte{}, server.Raw...), ca.Raw...), ReadOptions{}, EncodingDER, 2, 0, server},
		{"trusted certificate", trusted, ReadOptions{}, EncodingPEM, 1, 0, ca},
		{"indented pem", []byte(indented), ReadOptions{}, EncodingPEM, 1, 0, ca},
		{"certificate and key", append(pki.Server.CertPEM(), keyPEM...), ReadOptions{}, EncodingPEM, 1, 1, server},
		{"der key", keyBlock.Bytes, ReadOptions{}, EncodingDER, 0, 1, nil},
		{"ec parameters before key", append([]byte("-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n"), keyPEM...), ReadOptions{}, EncodingPEM, 0, 1, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := DecodeWith(tt.data, tt.opts)
			if c.Encoding != tt.encoding {
				t.Errorf("encoding = %q, want %q", c.Encoding, tt.encoding)
			}
			if len(c.Certificates) != tt.certs {
				t.Errorf("got %d certificates, want %d", len(c.Certificates), tt.certs)
			}
			if len(c.Keys) != tt.keys {
				t.Errorf("got %d keys, want %d (key problems: %v)", len(c.Keys), tt.keys, joinBlockErrors(c.KeyProblems))
			}
			if len(c.Problems) > 0 || len(c.KeyProblems) > 0 {
				t.Errorf("unexpected problems: %v; %v", c.problemsError(), joinBlockErrors(c.KeyProblems))
			}
			if tt.firstCert != nil && len(c.Certificates) > 0 && !c.Certificates[0].Equal(tt.firstCert) {
				t.Errorf("first certificate is %s, want %s", c.Certificates[0].Subject, tt.firstCert.Subject)
			}
		})
	}
}

func indent(s, prefix string) string {
	lines := strings.SplitAfter(s, "\n")
	for i, line := range lines {
		if line != "" {
			lines[i] = prefix + line
		}
	}
	return strings.Join(lines, "")
}

func TestDecodeNamesBadBlock(t *testing.T) {
	pki := mustPKI(t)
	server, ca := pki.Server.Cert, pki.CA.Cert
	negative := negativeSerialDER(t, server, pki.CA)
	duplicate := duplicateExtensionDER(t, server, pki.CA)
	good := string(pemOf(server))
	caPEM := string(pemOf(ca))
	p12, err := pkcs12.Modern.Encode(pki.Client.Key, pki.Client.Cert, nil, "s3cret")
	if err != nil {
		t.Fatal(err)
	}
	glued := strings.TrimSuffix(good, "\n") + caPEM
	noEnd := good + strings.Split(caPEM, "-----END")[0]
	textAfterBegin := good + strings.Replace(caPEM, "-----\n", "-----", 1)

	tests := []struct {
		name     string
		data     []byte
		opts     ReadOptions
		certs    int    // certificates still used
		index    int    // the block the problem names
		blockTyp string // part of the block type the problem names
		code     report.Code
		text     string // part of the reason
		fix      string // part of the fix
	}{
		{"end glued to begin", []byte(glued), ReadOptions{}, 1, 2, "CERTIFICATE", report.CodeNotPEM, "glued onto the END line of block 1", "line break"},
		{"text after begin line", []byte(textAfterBegin), ReadOptions{}, 1, 2, "CERTIFICATE", report.CodeNotPEM, "follows the BEGIN line", "line of its own"},
		{"end line missing", []byte(noEnd), ReadOptions{}, 1, 2, "CERTIFICATE", report.CodeNotPEM, "END line is missing", "copy the block again"},
		{"negative serial", []byte(good + string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: negative})) + caPEM), ReadOptions{}, 2, 2, "CERTIFICATE", report.CodeNotPEM, "serial number is negative", "GODEBUG=x509negativeserial=1"},
		{"duplicate extension", []byte(string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: duplicate})) + caPEM), ReadOptions{}, 1, 1, "CERTIFICATE", report.CodeNotPEM, "extension twice", "openssl x509 -in FILE -noout -text"},
		{"negative serial in der", append(append([]byte{}, server.Raw...), negative...), ReadOptions{}, 1, 2, "DER", report.CodeNotPEM, "serial number is negative", "Reissue"},
		{"negative serial in pkcs7", degeneratePKCS7(t, server.Raw, negative, ca.Raw), ReadOptions{}, 2, 1, "PKCS#7 certificate 2", report.CodeNotPEM, "serial number is negative", "Reissue"},
		{"certificate request", []byte(good + "-----BEGIN CERTIFICATE REQUEST-----\nMAA=\n-----END CERTIFICATE REQUEST-----\n"), ReadOptions{}, 1, 2, "CERTIFICATE REQUEST", report.CodeNotPEM, "signing request is not a certificate", "Send the request to the CA"},
		{"empty pkcs7", degeneratePKCS7(t), ReadOptions{}, 0, 1, "PKCS#7", report.CodeNotPEM, "contains no certificates", "certificate chain"},
		{"pkcs12 without password", p12, ReadOptions{}, 0, 1, "PKCS#12", report.CodeEncryptedKey, "protected by a password and none was given", PasswordEnv},
		{"pkcs12 wrong password", p12, ReadOptions{Password: NewPassword("wrong", "--password")}, 0, 1, "PKCS#12", report.CodeEncryptedKey, "password from --password does not open", "Check the password"},
		{"html page", []byte("<!DOCTYPE html><html><head><title>CA</title></head></html>"), ReadOptions{}, 0, 1, "HTML", report.CodeNotPEM, "web page", "Download the certificate itself"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := DecodeWith(tt.data, tt.opts)
			if len(c.Certificates) != tt.certs {
				t.Errorf("got %d certificates, want %d", len(c.Certificates), tt.certs)
			}
			if len(c.Problems) != 1 {
				t.Fatalf("got %d problems, want 1: %v", len(c.Problems), c.problemsError())
			}
			p := c.Problems[0]
			if p.Index != tt.index {
				t.Errorf("problem names block %d, want %d", p.Index, tt.index)
			}
			if !strings.Contains(p.Type, tt.blockTyp) {
				t.Errorf("problem type %q does not contain %q", p.Type, tt.blockTyp)
			}
			if got := commonCode(c.Problems); got != tt.code {
				t.Errorf("code = %s, want %s", got, tt.code)
			}
			if !strings.Contains(p.Error(), tt.text) {
				t.Errorf("problem %q does not contain %q", p.Error(), tt.text)
			}
			if !strings.Contains(p.Fix, tt.fix) {
				t.Errorf("fix %q does not contain %q", p.Fix, tt.fix)
			}
		})
	}
}

func TestReadCertificatesFileNamesFix(t *testing.T) {
	pki := mustPKI(t)
	negative := negativeSerialDER(t, pki.Server.Cert, pki.CA)
	data := append(pki.CA.CertPEM(), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: negative})...)
	path := writeFile(t, "bundle.pem", data)

	certs, err := ReadCertificatesFile(path, "CA file")
	if len(certs) != 1 {
		t.Fatalf("got %d certificates, want the good one", len(certs))
	}
	var fe *FileError
	if !errors.As(err, &fe) {
		t.Fatalf("error = %v, want *FileError", err)
	}
	for _, want := range []string{`CA file "` + path + `"`, "1 block skipped", "block 2 (CERTIFICATE)", "negative"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
	if !strings.Contains(fe.Fix, "openssl x509 -in "+path) {
		t.Errorf("fix %q does not name the file", fe.Fix)
	}
}

func TestReadKeyFileFormats(t *testing.T) {
	pki := mustPKI(t)
	ecKey := ecKeyOf(t, pki.Client.Key)
	encrypted := encryptedPKCS8PEM(t, ecKey, "s3cret")
	encryptedBlock, _ := pem.Decode(encrypted)
	legacy := legacyEncryptedPEM(t, ecKey, "s3cret")
	sec1, pkcs8DER := explicitECKeys(t)
	p12, err := pkcs12.Modern.Encode(pki.Client.Key, pki.Client.Cert, nil, "s3cret")
	if err != nil {
		t.Fatal(err)
	}
	right := ReadOptions{Password: NewPassword("s3cret", "--password-file \"pw.txt\"")}
	wrong := ReadOptions{Password: NewPassword("not-it", "--password-file \"pw.txt\"")}

	tests := []struct {
		name   string
		data   []byte
		opts   ReadOptions
		code   report.Code // empty: the key must load
		reason string
		fix    string // "KEYPATH" stands for the file's path
	}{
		{"encrypted pkcs8", encrypted, right, "", "", ""},
		{"encrypted pkcs8 der", encryptedBlock.Bytes, right, "", "", ""},
		{"encrypted pkcs8 without password", encrypted, ReadOptions{}, report.CodeEncryptedKey, "encrypted (PKCS#8) and no password was given", "--password-file"},
		{"encrypted pkcs8 wrong password", encrypted, wrong, report.CodeEncryptedKey, `password from --password-file "pw.txt" does not decrypt`, "Check the password"},
		{"legacy encrypted", legacy, right, "", "", ""},
		{"legacy encrypted without password", legacy, ReadOptions{}, report.CodeEncryptedKey, "legacy PEM encryption, AES-128-CBC", PasswordEnv},
		{"legacy encrypted wrong password", legacy, wrong, report.CodeEncryptedKey, "does not decrypt the key (legacy PEM encryption", "openssl pkey -in KEYPATH"},
		{"explicit ec sec1", pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: sec1}), ReadOptions{}, report.CodeNotPEM, "explicit EC parameters", "openssl ec -in KEYPATH -param_enc named_curve -out KEYPATH.named"},
		{"explicit ec pkcs8", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8DER}), ReadOptions{}, report.CodeNotPEM, "explicit EC parameters", "-param_enc named_curve"},
		{"explicit ec der", sec1, ReadOptions{}, report.CodeNotPEM, "explicit EC parameters", "-param_enc named_curve"},
		{"pkcs12 key", p12, right, "", "", ""},
		{"pkcs12 without password", p12, ReadOptions{}, report.CodeEncryptedKey, "PKCS#12 file is protected by a password", PasswordEnv},
		{"dsa key", []byte("-----BEGIN DSA PRIVATE KEY-----\nMAA=\n-----END DSA PRIVATE KEY-----\n"), ReadOptions{}, report.CodeNotPEM, "DSA keys", "ECDSA P-256"},
		{"empty file", []byte("\n"), ReadOptions{}, report.CodeNotPEM, "empty", "unencrypted private key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, "key.pem", tt.data)
			key, err := ReadKeyFileWith(path, "client key", tt.opts)
			if tt.code == "" {
				if err != nil {
					t.Fatalf("ReadKeyFileWith: %v", err)
				}
				if !KeyMatches(pki.Client.Cert, key) {
					t.Error("the key read does not match the client certificate")
				}
				return
			}
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("error = %v, want *FileError", err)
			}
			if fe.Code != tt.code {
				t.Errorf("code = %s, want %s", fe.Code, tt.code)
			}
			if !strings.Contains(err.Error(), tt.reason) {
				t.Errorf("error %q does not contain %q", err, tt.reason)
			}
			if want := strings.ReplaceAll(tt.fix, "KEYPATH", path); !strings.Contains(fe.Fix, want) {
				t.Errorf("fix %q does not contain %q", fe.Fix, want)
			}
			for _, secret := range []string{"s3cret", "not-it"} {
				if strings.Contains(err.Error()+fe.Fix, secret) {
					t.Errorf("message %q shows the password", err)
				}
			}
		})
	}
}

func TestLoadKeyPairFromPKCS12(t *testing.T) {
	pki := mustPKI(t)
	p12, err := pkcs12.Modern.Encode(pki.Client.Key, pki.Client.Cert, []*x509.Certificate{pki.CA.Cert}, "s3cret")
	if err != nil {
		t.Fatal(err)
	}
	path := writeFile(t, "client.p12", p12)
	t.Setenv(PasswordEnv, "s3cret")

	cert, err := LoadKeyPair(path, path, "client")
	if err != nil {
		t.Fatalf("LoadKeyPair with %s set: %v", PasswordEnv, err)
	}
	if !cert.Leaf.Equal(pki.Client.Cert) {
		t.Errorf("leaf is %s, want the client certificate", cert.Leaf.Subject)
	}
	if len(cert.Certificate) != 2 {
		t.Errorf("chain has %d certificates, want leaf and CA", len(cert.Certificate))
	}
}

func TestPasswordNeverFormatted(t *testing.T) {
	pw := NewPassword("hunter2", "--password")
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		if out := fmt.Sprintf(verb, pw); strings.Contains(out, "hunter2") {
			t.Errorf("%s prints the secret: %q", verb, out)
		}
	}
	if got := fmt.Sprint(ReadOptions{Password: pw}); strings.Contains(got, "hunter2") {
		t.Errorf("ReadOptions prints the secret: %q", got)
	}
}

func TestResolvePassword(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "pw.txt")
	if err := os.WriteFile(file, []byte("from-file\r\nsecond line\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	emptyFile := filepath.Join(dir, "empty.txt")
	if err := os.WriteFile(emptyFile, []byte("\r\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		value    string
		valueSet bool
		file     string
		env      string // "" leaves the variable unset
		secret   string
		source   string
		wantErr  string
	}{
		{"flag value", "from-flag", true, "", "from-env", "from-flag", "--password", ""},
		{"empty flag value", "", true, "", "", "", "--password", ""},
		{"file first line", "", false, file, "from-env", "from-file", "--password-file", ""},
		{"environment", "", false, "", "from-env", "from-env", PasswordEnv, ""},
		{"nothing", "", false, "", "", "", "no password", ""},
		{"both options", "x", true, file, "", "", "", "both given"},
		{"missing file", "", false, filepath.Join(dir, "nope.txt"), "", "", "", "nope.txt"},
		{"empty file", "", false, emptyFile, "from-env", "", "", "the password file is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.env != "" {
				t.Setenv(PasswordEnv, tt.env)
			} else {
				t.Setenv(PasswordEnv, "")
				os.Unsetenv(PasswordEnv)
			}
			pw, err := ResolvePassword(tt.value, tt.valueSet, tt.file)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if pw.secret != tt.secret {
				t.Errorf("secret = %q, want %q", pw.secret, tt.secret)
			}
			if !strings.Contains(pw.String(), tt.source) {
				t.Errorf("String() = %q, want it to name %q", pw.String(), tt.source)
			}
		})
	}
}

// TestReadOpenSSLFiles reads files that openssl itself writes, so the
// readers are checked against the tool operators use, not only against
// Go's encoders.
func TestReadOpenSSLFiles(t *testing.T) {
	openssl := requireTool(t, "openssl", "apt-get install openssl")
	dir := t.TempDir()
	run := func(args ...string) {
		t.Helper()
		cmd := exec.Command(openssl, args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("openssl %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	pki := mustPKI(t)
	keyPEM, err := pki.Client.KeyPEM()
	if err != nil {
		t.Fatal(err)
	}
	writeTestFile(t, dir, "leaf.pem", pki.Client.CertPEM())
	writeTestFile(t, dir, "ca.pem", pki.CA.CertPEM())
	writeTestFile(t, dir, "leaf.key", keyPEM)
	run("crl2pkcs7", "-nocrl", "-certfile", "leaf.pem", "-certfile", "ca.pem", "-outform", "DER", "-out", "chain.p7b")
	run("crl2pkcs7", "-nocrl", "-certfile", "leaf.pem", "-certfile", "ca.pem", "-out", "chain-pem.p7b")
	run("pkcs12", "-export", "-in", "leaf.pem", "-inkey", "leaf.key", "-certfile", "ca.pem", "-passout", "pass:s3cret", "-out", "modern.p12")
	run("pkcs12", "-export", "-legacy", "-in", "leaf.pem", "-inkey", "leaf.key", "-passout", "pass:s3cret", "-out", "legacy.p12")
	run("pkcs8", "-topk8", "-in", "leaf.key", "-passout", "pass:s3cret", "-out", "pkcs8-encrypted.key")
	run("pkcs8", "-topk8", "-v1", "PBE-SHA1-3DES", "-in", "leaf.key", "-passout", "pass:s3cret", "-out", "pbes1.key")
	run("ec", "-in", "leaf.key", "-aes128", "-passout", "pass:s3cret", "-out", "legacy.key")
	run("ec", "-in", "leaf.key", "-param_enc", "explicit", "-out", "explicit.key")
	run("x509", "-in", "leaf.pem", "-outform", "DER", "-out", "leaf.der")

	password := ReadOptions{Password: NewPassword("s3cret", "test")}
	tests := []struct {
		file     string
		encoding Encoding
		certs    int
		keys     int
		problem  string // part of the first problem, when one is expected
	}{
		{"chain.p7b", EncodingPKCS7, 2, 0, ""},
		{"chain-pem.p7b", EncodingPKCS7PEM, 2, 0, ""},
		{"modern.p12", EncodingPKCS12, 2, 1, ""},
		{"legacy.p12", EncodingPKCS12, 1, 1, ""},
		{"pkcs8-encrypted.key", EncodingPEM, 0, 1, ""},
		{"legacy.key", EncodingPEM, 0, 1, ""},
		{"leaf.der", EncodingDER, 1, 0, ""},
		{"pbes1.key", EncodingPEM, 0, 0, "old PBES1 scheme"},
		{"explicit.key", EncodingPEM, 0, 0, "explicit EC parameters"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(dir, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			c := DecodeWith(data, password)
			if c.Encoding != tt.encoding {
				t.Errorf("encoding = %q, want %q", c.Encoding, tt.encoding)
			}
			if len(c.Certificates) != tt.certs || len(c.Keys) != tt.keys {
				t.Errorf("got %d certificates and %d keys, want %d and %d", len(c.Certificates), len(c.Keys), tt.certs, tt.keys)
			}
			for _, k := range c.Keys {
				if !KeyMatches(pki.Client.Cert, k.Signer) {
					t.Errorf("key in block %d does not match the client certificate", k.Index)
				}
			}
			problems := append(append([]*BlockError{}, c.Problems...), c.KeyProblems...)
			switch {
			case tt.problem == "" && len(problems) > 0:
				t.Errorf("unexpected problems: %v", joinBlockErrors(problems))
			case tt.problem != "" && (len(problems) == 0 || !strings.Contains(problems[0].Error(), tt.problem)):
				t.Errorf("problems %v, want one containing %q", joinBlockErrors(problems), tt.problem)
			}
		})
	}
}

func TestDecodeCRLFAndBOMWithKeys(t *testing.T) {
	pki := mustPKI(t)
	keyPEM, err := pki.Client.KeyPEM()
	if err != nil {
		t.Fatal(err)
	}
	data := append([]byte{0xEF, 0xBB, 0xBF}, bytes.ReplaceAll(append(pki.Client.CertPEM(), keyPEM...), []byte("\n"), []byte("\r\n"))...)
	c := Decode(data)
	if len(c.Certificates) != 1 || len(c.Keys) != 1 {
		t.Fatalf("got %d certificates and %d keys, want 1 and 1: %v", len(c.Certificates), len(c.Keys), c.problemsError())
	}
	if c.Keys[0].Index != 2 || c.Keys[0].Format != KeyPKCS8 {
		t.Errorf("key = block %d, %s; want block 2, PKCS#8", c.Keys[0].Index, c.Keys[0].Format)
	}
}

func TestDecodeRefusesCostlyFiles(t *testing.T) {
	pki := mustPKI(t)
	p12, err := pkcs12.Modern.Encode(pki.Client.Key, pki.Client.Cert, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	password := ReadOptions{Password: NewPassword("s3cret", "test")}
	tests := []struct {
		name string
		data []byte
		opts ReadOptions
		text string
	}{
		{"pbkdf2 iterations", pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: costlyPKCS8(t, oidPBKDF2, 5_000_000, 8)}), password, "PBKDF2 iteration count 5000000 is above the limit"},
		{"scrypt memory", costlyPKCS8(t, oidScrypt, 1<<22, 8), password, "need more than 256 MiB"},
		{"pkcs12 mac iterations", costlyPKCS12(t, 5_000_000), ReadOptions{}, "PKCS#12 MAC iteration count 5000000"},
		{"pkcs12 from a download", p12, ReadOptions{Untrusted: true}, "not opened from a download"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := DecodeWith(tt.data, tt.opts)
			problems := append(append([]*BlockError{}, c.Problems...), c.KeyProblems...)
			if len(problems) != 1 || !strings.Contains(problems[0].Error(), tt.text) {
				t.Fatalf("problems = %v, want one containing %q", joinBlockErrors(problems), tt.text)
			}
			if len(c.Keys) != 0 || len(c.Certificates) != 0 {
				t.Errorf("got %d keys and %d certificates, want none", len(c.Keys), len(c.Certificates))
			}
		})
	}
	if c := Decode(p12); len(c.Certificates) != 0 || len(c.Problems) != 1 {
		t.Errorf("Decode opened a PKCS#12 file: %d certificates, %d problems", len(c.Certificates), len(c.Problems))
	}
}
