package chain

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mtlsdoctor/mtlsdoctor/fixtures"
	"github.com/mtlsdoctor/mtlsdoctor/report"
)

func TestDecodeEncodings(t *testing.T) {
	pki := mustPKI(t)
	der := pki.Server.Cert.Raw
	pemData := pki.Server.CertPEM()
	two := append(append([]byte{}, pemData...), pki.CA.CertPEM()...)
	tests := []struct {
		name  string
		data  []byte
		enc   Encoding
		certs int
	}{
		{"pem", pemData, EncodingPEM, 1},
		{"two pem blocks", two, EncodingPEM, 2},
		{"pem with bom", append([]byte{0xEF, 0xBB, 0xBF}, pemData...), EncodingPEM, 1},
		{"pem with crlf", bytes.ReplaceAll(pemData, []byte("\n"), []byte("\r\n")), EncodingPEM, 1},
		{"der", der, EncodingDER, 1},
		{"base64 der", []byte(base64.StdEncoding.EncodeToString(der) + "\n"), EncodingBase64, 1},
		{"wrapped base64 der", []byte(wrap(base64.StdEncoding.EncodeToString(der), 64)), EncodingBase64, 1},
		{"empty", []byte("  \n"), EncodingEmpty, 0},
		{"text", []byte("hello"), EncodingOther, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Decode(tt.data)
			if c.Encoding != tt.enc {
				t.Errorf("encoding = %s, want %s", c.Encoding, tt.enc)
			}
			if len(c.Certificates) != tt.certs {
				t.Errorf("got %d certificates, want %d", len(c.Certificates), tt.certs)
			}
		})
	}
}

func wrap(s string, n int) string {
	var sb strings.Builder
	for len(s) > n {
		sb.WriteString(s[:n] + "\n")
		s = s[n:]
	}
	sb.WriteString(s + "\n")
	return sb.String()
}

func TestParseCertificatesKeepsGoodBlocks(t *testing.T) {
	pki := mustPKI(t)
	bad := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{0x30, 0x03, 0x02, 0x01, 0x01}})
	data := append(append(append([]byte{}, pki.Server.CertPEM()...), bad...), pki.CA.CertPEM()...)
	certs, err := ParseCertificates(data)
	if len(certs) != 2 {
		t.Fatalf("got %d certificates, want 2", len(certs))
	}
	var be *BlockError
	if !errors.As(err, &be) {
		t.Fatalf("error = %v, want a *BlockError", err)
	}
	if be.Index != 2 {
		t.Errorf("bad block index = %d, want 2", be.Index)
	}
}

func TestParseCertificatesGluedPEM(t *testing.T) {
	pki := mustPKI(t)
	glued := strings.ReplaceAll(string(pki.Server.CertPEM()), "\n", "")
	_, err := ParseCertificates([]byte(glued))
	if err == nil || !strings.Contains(err.Error(), "line of its own") {
		t.Errorf("error = %v, want one about BEGIN and END lines", err)
	}
}

func writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestReadKeyFile(t *testing.T) {
	pki := mustPKI(t)
	keyPEM, err := pki.Client.KeyPEM()
	if err != nil {
		t.Fatal(err)
	}
	rsaKey, err := fixtures.GenerateKey(fixtures.RSA2048)
	if err != nil {
		t.Fatal(err)
	}
	pkcs1 := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(rsaKeyOf(t, rsaKey))})
	ecDER, err := x509.MarshalECPrivateKey(ecKeyOf(t, pki.Client.Key))
	if err != nil {
		t.Fatal(err)
	}
	sec1 := pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: ecDER})
	encrypted := pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: []byte{0x30, 0x00}})
	legacy := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Headers: map[string]string{"Proc-Type": "4,ENCRYPTED", "DEK-Info": "AES-128-CBC,00"}, Bytes: []byte{1}})
	block, _ := pem.Decode(keyPEM)

	tests := []struct {
		name     string
		data     []byte
		wantCode report.Code // empty: the key must load
		wantText string
	}{
		{"pkcs8 pem", keyPEM, "", ""},
		{"pkcs8 der", block.Bytes, "", ""},
		{"pkcs1 pem", pkcs1, "", ""},
		{"sec1 pem", sec1, "", ""},
		{"encrypted pkcs8", encrypted, report.CodeEncryptedKey, "encrypted"},
		{"legacy encrypted", legacy, report.CodeEncryptedKey, "legacy PEM encryption"},
		{"certificate instead", pki.Client.CertPEM(), report.CodeNotPEM, "swapped"},
		{"der certificate instead", pki.Client.Cert.Raw, report.CodeNotPEM, "certificate"},
		{"garbage", []byte("not a key"), report.CodeNotPEM, "no private key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, "key.pem", tt.data)
			_, err := ReadKeyFile(path, "client key")
			if tt.wantCode == "" {
				if err != nil {
					t.Fatalf("ReadKeyFile: %v", err)
				}
				return
			}
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("error = %v, want *FileError", err)
			}
			if fe.Code != tt.wantCode {
				t.Errorf("code = %s, want %s", fe.Code, tt.wantCode)
			}
			if !strings.Contains(err.Error(), tt.wantText) {
				t.Errorf("error %q does not mention %q", err, tt.wantText)
			}
			if !strings.Contains(err.Error(), path) {
				t.Errorf("error %q does not name the file", err)
			}
			if fe.Fix == "" {
				t.Error("no fix")
			}
		})
	}
}

func TestReadMissingFile(t *testing.T) {
	_, err := ReadCertificatesFile(filepath.Join(t.TempDir(), "nope.pem"), "CA file")
	var fe *FileError
	if !errors.As(err, &fe) || fe.Code != report.CodeUnreadableFile {
		t.Fatalf("error = %v, want unreadable-file", err)
	}
	if !strings.Contains(err.Error(), `CA file "`) {
		t.Errorf("error %q does not name the role", err)
	}
}

func TestLoadKeyPair(t *testing.T) {
	pki := mustPKI(t)
	keyPEM, err := pki.Client.KeyPEM()
	if err != nil {
		t.Fatal(err)
	}
	otherKey, err := pki.Server.KeyPEM()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	files := map[string][]byte{
		"client.pem":      pki.Client.ChainPEM(),
		"client.key":      keyPEM,
		"server.key":      otherKey,
		"reversed.pem":    append(pki.CA.CertPEM(), pki.Client.CertPEM()...),
		"client-key.cert": keyPEM,
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	p := func(name string) string { return filepath.Join(dir, name) }

	t.Run("match", func(t *testing.T) {
		cert, err := LoadKeyPair(p("client.pem"), p("client.key"), "client")
		if err != nil {
			t.Fatal(err)
		}
		if cert.Leaf == nil || !cert.Leaf.Equal(pki.Client.Cert) {
			t.Error("leaf not set to the client certificate")
		}
	})
	t.Run("mismatch", func(t *testing.T) {
		_, err := LoadKeyPair(p("client.pem"), p("server.key"), "client")
		var fe *FileError
		if !errors.As(err, &fe) || fe.Code != report.CodeKeyMismatch {
			t.Fatalf("error = %v, want key-mismatch", err)
		}
	})
	t.Run("blocks out of order", func(t *testing.T) {
		_, err := LoadKeyPair(p("reversed.pem"), p("client.key"), "client")
		if err == nil || !strings.Contains(err.Error(), "matches block 2") {
			t.Fatalf("error = %v, want one naming block 2", err)
		}
	})
	t.Run("key passed as certificate", func(t *testing.T) {
		_, err := LoadKeyPair(p("client-key.cert"), p("client.key"), "client")
		if err == nil || !strings.Contains(err.Error(), "swapped") {
			t.Fatalf("error = %v, want one about swapped files", err)
		}
	})
}

func FuzzDecode(f *testing.F) {
	pki, err := fixtures.NewPKI(fixtures.Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(pki.Server.ChainPEM())
	f.Add(pki.Server.Cert.Raw)
	f.Add([]byte(base64.StdEncoding.EncodeToString(pki.CA.Cert.Raw)))
	f.Add([]byte("-----BEGIN CERTIFICATE-----\nMII=\n-----END CERTIFICATE-----\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c := Decode(data)
		for _, cert := range c.Certificates {
			if cert == nil {
				t.Fatal("nil certificate")
			}
		}
		_, _ = ParseCertificates(data)
	})
}

func rsaKeyOf(t *testing.T, k any) *rsa.PrivateKey {
	t.Helper()
	key, ok := k.(*rsa.PrivateKey)
	if !ok {
		t.Fatalf("key is %T, want RSA", k)
	}
	return key
}

func ecKeyOf(t *testing.T, k any) *ecdsa.PrivateKey {
	t.Helper()
	key, ok := k.(*ecdsa.PrivateKey)
	if !ok {
		t.Fatalf("key is %T, want ECDSA", k)
	}
	return key
}
