package chain

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"

	"github.com/mtlsdoctor/mtlsdoctor/fixtures"
	"github.com/mtlsdoctor/mtlsdoctor/report"
)

// damagedRSAKey is an RSA PRIVATE KEY block whose base64 decodes but
// whose DER is cut off.
const damagedRSAKey = "-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu\n-----END RSA PRIVATE KEY-----\n"

// brokenBase64Key is a PRIVATE KEY block whose armour is intact but whose
// base64 text contains characters outside the alphabet.
const brokenBase64Key = "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqG!!!49AgEGCCqGSM49AwEHBG0wawIBAQQgnfasg3LX+o2VcZie\n-----END PRIVATE KEY-----\n"

// truncatedBase64Key is a PRIVATE KEY block whose base64 text was cut in
// the middle of a line, so its length is not a multiple of four.
const truncatedBase64Key = "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGS\n-----END PRIVATE KEY-----\n"

// mismatchedLabelKey is a PRIVATE KEY block whose END line names another
// type, which encoding/pem rejects.
const mismatchedLabelKey = "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgnfasg3LX+o2VcZie\n-----END RSA PRIVATE KEY-----\n"

// keyPairFiles writes the files of the ReadKeyPair tests into one folder
// and returns their paths by name.
func keyPairFiles(t *testing.T) (*fixtures.PKI, func(string) string) {
	t.Helper()
	pki, err := fixtures.NewPKI(fixtures.Options{})
	if err != nil {
		t.Fatal(err)
	}
	clientKey, err := pki.Client.KeyPEM()
	if err != nil {
		t.Fatal(err)
	}
	serverKey, err := pki.Server.KeyPEM()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	files := map[string][]byte{
		"client.pem":            pki.Client.ChainPEM(),
		"client.key":            clientKey,
		"damaged-first.key":     append([]byte(damagedRSAKey), clientKey...),
		"other-first.key":       append(append([]byte{}, serverKey...), clientKey...),
		"two-others.key":        append(append([]byte{}, serverKey...), serverKey...),
		"damaged-other.key":     append([]byte(damagedRSAKey), serverKey...),
		"combined.pem":          append(pki.Client.ChainPEM(), clientKey...),
		"combined-damaged.pem":  append(append(pki.Client.ChainPEM(), damagedRSAKey...), clientKey...),
		"reversed.pem":          append(pki.CA.CertPEM(), pki.Client.CertPEM()...),
		"base64-first.key":      append([]byte(brokenBase64Key), clientKey...),
		"truncated-first.key":   append([]byte(truncatedBase64Key), clientKey...),
		"label-first.key":       append([]byte(mismatchedLabelKey), clientKey...),
		"base64-only.key":       []byte(brokenBase64Key),
		"truncated-only.key":    []byte(truncatedBase64Key),
		"damaged-only.key":      []byte(damagedRSAKey),
		"same-twice.key":        append(append([]byte{}, clientKey...), clientKey...),
		"same-around-other.key": append(append(append([]byte{}, clientKey...), serverKey...), clientKey...),
		"combined-base64.pem":   append(append(pki.Client.ChainPEM(), brokenBase64Key...), clientKey...),
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return pki, func(name string) string { return filepath.Join(dir, name) }
}

func TestReadKeyPairUsesMatchingKey(t *testing.T) {
	pki, p := keyPairFiles(t)
	tests := []struct {
		name         string
		files        KeyPairFiles
		keyIndex     int
		fromCertFile bool
		warnings     []report.Code // codes of the key warnings, in order
		warning      string        // text of the last warning's summary or detail
	}{
		{"one key", KeyPairFiles{Role: "client", CertFile: p("client.pem"), KeyFile: p("client.key")}, 1, false, nil, ""},
		{"damaged block before the key", KeyPairFiles{Role: "client", CertFile: p("client.pem"), KeyFile: p("damaged-first.key")},
			2, false, []report.Code{report.CodeNotPEM}, "block 1 (RSA PRIVATE KEY)"},
		{"other key before the key", KeyPairFiles{Role: "client", CertFile: p("client.pem"), KeyFile: p("other-first.key")},
			2, false, []report.Code{report.CodeKeyMismatch}, "contains 2 private keys, and only block 2 matches"},
		{"key in the certificate file", KeyPairFiles{Role: "client", CertFile: p("combined.pem")}, 2, true, nil, ""},
		{"damaged key in the certificate file", KeyPairFiles{Role: "client", CertFile: p("combined-damaged.pem")},
			3, true, []report.Code{report.CodeNotPEM}, "block 2 (RSA PRIVATE KEY)"},
		{"certificate file before the fallback", KeyPairFiles{Role: "server", CertFile: p("combined.pem"), FallbackKeyFile: p("missing.key")},
			2, true, nil, ""},
		{"fallback key file", KeyPairFiles{Role: "client", CertFile: p("client.pem"), FallbackKeyFile: p("client.key")}, 1, false, nil, ""},
		{"broken base64 before the key", KeyPairFiles{Role: "client", CertFile: p("client.pem"), KeyFile: p("base64-first.key")},
			2, false, []report.Code{report.CodeNotPEM}, "block 1 (PRIVATE KEY): the base64 text between the BEGIN and END lines is damaged"},
		{"truncated base64 before the key", KeyPairFiles{Role: "client", CertFile: p("client.pem"), KeyFile: p("truncated-first.key")},
			2, false, []report.Code{report.CodeNotPEM}, "block 1 (PRIVATE KEY)"},
		{"mismatched END label before the key", KeyPairFiles{Role: "client", CertFile: p("client.pem"), KeyFile: p("label-first.key")},
			2, false, []report.Code{report.CodeNotPEM}, "block 1 (PRIVATE KEY)"},
		{"broken base64 in the certificate file", KeyPairFiles{Role: "client", CertFile: p("combined-base64.pem")},
			3, true, []report.Code{report.CodeNotPEM}, "block 2 (PRIVATE KEY)"},
		{"same key twice", KeyPairFiles{Role: "client", CertFile: p("client.pem"), KeyFile: p("same-twice.key")},
			1, false, []report.Code{report.CodeKeyMismatch}, "contains the same private key 2 times, in blocks 1 and 2, and block 1 is used"},
		{"same key around another", KeyPairFiles{Role: "client", CertFile: p("client.pem"), KeyFile: p("same-around-other.key")},
			1, false, []report.Code{report.CodeKeyMismatch}, "blocks 1 and 3 match the certificate, of which block 1 is used"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pair, err := ReadKeyPair(tt.files, ReadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if !KeyMatches(pki.Client.Cert, pair.Key.Signer) {
				t.Error("the key does not match the client certificate")
			}
			if pair.Key.Index != tt.keyIndex {
				t.Errorf("key block = %d, want %d", pair.Key.Index, tt.keyIndex)
			}
			if pair.FromCertFile != tt.fromCertFile {
				t.Errorf("FromCertFile = %v, want %v", pair.FromCertFile, tt.fromCertFile)
			}
			if tt.fromCertFile && !strings.Contains(pair.KeyDetail(), "because no key file was given") {
				t.Errorf("KeyDetail() = %q, want it to say the key came from the certificate file", pair.KeyDetail())
			}
			if pair.Certificate.Leaf == nil || !pair.Certificate.Leaf.Equal(pki.Client.Cert) {
				t.Error("Leaf is not the client certificate")
			}
			var codes []report.Code
			for _, w := range pair.KeyWarnings {
				codes = append(codes, w.Code)
				if w.Severity != report.SeverityWarning {
					t.Errorf("%s has severity %s, want warning", w.Code, w.Severity)
				}
			}
			if !equalCodes(codes, tt.warnings) {
				t.Fatalf("key warnings = %v, want %v", codes, tt.warnings)
			}
			if len(pair.CertWarnings) > 0 {
				t.Errorf("certificate warnings = %v, want none because the key warnings name the damaged blocks", pair.CertWarnings)
			}
			if tt.warning != "" {
				last := pair.KeyWarnings[len(pair.KeyWarnings)-1]
				if !strings.Contains(last.Summary+" "+last.Detail, tt.warning) {
					t.Errorf("warning %q / %q does not contain %q", last.Summary, last.Detail, tt.warning)
				}
			}
		})
	}
}

func equalCodes(a, b []report.Code) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestReadKeyPairErrors(t *testing.T) {
	_, p := keyPairFiles(t)
	tests := []struct {
		name  string
		files KeyPairFiles
		code  report.Code
		text  string
		fix   string
	}{
		{"two keys of another certificate", KeyPairFiles{Role: "client", CertFile: p("client.pem"), KeyFile: p("two-others.key")},
			report.CodeKeyMismatch, "none of the 2 keys", "Use the key generated with this certificate"},
		{"damaged block and a key of another certificate", KeyPairFiles{Role: "client", CertFile: p("client.pem"), KeyFile: p("damaged-other.key")},
			report.CodeKeyMismatch, "1 other key block could not be read", "Use the key generated with this certificate"},
		{"blocks out of order", KeyPairFiles{Role: "client", CertFile: p("reversed.pem"), KeyFile: p("client.key")},
			report.CodeKeyMismatch, "matches block 2", "Put the certificate that matches the key first"},
		{"no key file and none in the certificate file", KeyPairFiles{Role: "client", CertFile: p("client.pem")},
			report.CodeNotPEM, "no key file was given", "--key"},
		{"fallback key file missing", KeyPairFiles{Role: "server", CertFile: p("client.pem"), FallbackKeyFile: p("missing.key")},
			report.CodeUnreadableFile, "missing.key", "Check the path"},
		{"only a block with broken base64", KeyPairFiles{Role: "client", CertFile: p("client.pem"), KeyFile: p("base64-only.key")},
			report.CodeNotPEM, "block 1 (PRIVATE KEY): the base64 text between the BEGIN and END lines is damaged", "copy the block again"},
		{"only a block with truncated base64", KeyPairFiles{Role: "client", CertFile: p("client.pem"), KeyFile: p("truncated-only.key")},
			report.CodeNotPEM, "block 1 (PRIVATE KEY): the base64 text", "copy the block again"},
		{"only a block with truncated DER", KeyPairFiles{Role: "client", CertFile: p("client.pem"), KeyFile: p("damaged-only.key")},
			report.CodeNotPEM, "block 1 (RSA PRIVATE KEY): the key cannot be parsed", "openssl pkey"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadKeyPair(tt.files, ReadOptions{})
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("error = %v, want a *FileError", err)
			}
			if fe.Code != tt.code {
				t.Errorf("code = %s, want %s", fe.Code, tt.code)
			}
			if !strings.Contains(fe.Error(), tt.text) {
				t.Errorf("error %q does not contain %q", fe.Error(), tt.text)
			}
			if !strings.Contains(fe.Fix, tt.fix) {
				t.Errorf("fix %q does not contain %q", fe.Fix, tt.fix)
			}
		})
	}
}

// TestVerifyFilesKeyWarnings checks that verify reads --key as probe and
// serve do: a damaged or extra key block is a warning, and the key that
// matches is used.
func TestVerifyFilesKeyWarnings(t *testing.T) {
	pki, p := keyPairFiles(t)
	caFile := writeFile(t, "ca.pem", pki.CA.CertPEM())
	tests := []struct {
		name    string
		keyFile string
		cert    string
		status  report.Status
		code    report.Code
		detail  string
	}{
		{"damaged block before the key", p("damaged-first.key"), p("client.pem"), report.StatusWarn, report.CodeNotPEM, "1 key block skipped"},
		{"other key before the key", p("other-first.key"), p("client.pem"), report.StatusWarn, report.CodeKeyMismatch, "block 1 (ECDSA P-256) is not used"},
		{"broken base64 before the key", p("base64-first.key"), p("client.pem"), report.StatusWarn, report.CodeNotPEM, "block 1 (PRIVATE KEY)"},
		{"same key twice", p("same-twice.key"), p("client.pem"), report.StatusWarn, report.CodeKeyMismatch, "blocks 1 and 2 contain the same key"},
		{"key in the certificate file", "", p("combined.pem"), report.StatusPass, "", "because no key file was given"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := VerifyFiles(context.Background(), VerifyFilesOptions{CertFile: tt.cert, KeyFile: tt.keyFile, CAFile: caFile,
				Verify: VerifyOptions{Usage: UsageClient}})
			if err != nil {
				t.Fatal(err)
			}
			check := findCheck(rep, "key matches certificate")
			if check == nil {
				t.Fatalf("no key check in %+v", rep.Checks)
			}
			if check.Status != tt.status {
				t.Errorf("status = %s, want %s", check.Status, tt.status)
			}
			if tt.code == "" {
				if !strings.Contains(check.Detail, tt.detail) {
					t.Errorf("detail %q does not contain %q", check.Detail, tt.detail)
				}
				return
			}
			var found bool
			for _, f := range rep.Findings {
				if f.Code == tt.code && f.Severity == report.SeverityWarning && strings.Contains(f.Detail, tt.detail) {
					found = true
				}
			}
			if !found {
				t.Errorf("no %s warning containing %q in %+v", tt.code, tt.detail, rep.Findings)
			}
		})
	}
}

func findCheck(rep *report.Report, name string) *report.Check {
	for i := range rep.Checks {
		if rep.Checks[i].Name == name {
			return &rep.Checks[i]
		}
	}
	return nil
}

func TestOpenSSHKeyIsNamed(t *testing.T) {
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	_, edKey, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		key  any
		fix  string
	}{
		{"ecdsa", ecKey, "ssh-keygen -p -m PEM -f KEY.pem"},
		{"ed25519", edKey, "ssh-keygen cannot write an Ed25519 key in PEM"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			block, err := ssh.MarshalPrivateKey(tt.key, "test")
			if err != nil {
				t.Fatal(err)
			}
			path := writeFile(t, "KEY", pem.EncodeToMemory(block))
			_, err = ReadKeyFileWith(path, "client key", ReadOptions{})
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("error = %v, want a *FileError", err)
			}
			if !strings.Contains(fe.Error(), "OpenSSH private key") {
				t.Errorf("error %q does not say it is an OpenSSH key", fe.Error())
			}
			want := strings.ReplaceAll(tt.fix, "KEY", path)
			if !strings.Contains(fe.Fix, want) {
				t.Errorf("fix %q does not contain %q", fe.Fix, want)
			}
			if tt.name == "ecdsa" && !strings.Contains(fe.Fix, "cp "+path+" "+path+".pem") {
				t.Errorf("fix %q does not say to copy the key first", fe.Fix)
			}
		})
	}
}

// TestOpenSSHKeyFixConverts runs the conversion the fix gives on a key
// that ssh-keygen wrote, and reads the result.
func TestOpenSSHKeyFixConverts(t *testing.T) {
	sshKeygen, err := exec.LookPath("ssh-keygen")
	if err != nil {
		t.Skip("ssh-keygen is not installed (Debian: apt-get install openssh-client)")
	}
	path := filepath.Join(t.TempDir(), "id_ecdsa")
	if out, err := exec.Command(sshKeygen, "-q", "-t", "ecdsa", "-N", "", "-f", path).CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen: %v\n%s", err, out)
	}
	_, err = ReadKeyFileWith(path, "client key", ReadOptions{})
	var fe *FileError
	if !errors.As(err, &fe) || !strings.Contains(fe.Fix, "ssh-keygen -p -m PEM") {
		t.Fatalf("error = %v, want the OpenSSH conversion", err)
	}

	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	converted := path + ".pem"
	if err := os.WriteFile(converted, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(sshKeygen, "-q", "-p", "-N", "", "-m", "PEM", "-f", converted).CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen -p: %v\n%s", err, out)
	}
	if _, err := ReadKeyFileWith(converted, "client key", ReadOptions{}); err != nil {
		t.Errorf("the converted key does not read: %v", err)
	}
}
