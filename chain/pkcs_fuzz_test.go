package chain

import (
	"encoding/pem"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ocsp"
	"software.sslmate.com/src/go-pkcs12"

	"github.com/mtlsdoctor/mtlsdoctor/fixtures"
)

// fuzzPassword opens the encrypted seeds of the fuzz targets below.
const fuzzPassword = "fuzz-password"

// checkContents checks what holds for every result of Decode: every
// certificate and key is usable, and every problem names its block and
// explains what is wrong.
func checkContents(t *testing.T, c Contents) {
	t.Helper()
	for _, cert := range c.Certificates {
		if cert == nil || len(cert.Raw) == 0 {
			t.Fatal("nil or empty certificate")
		}
	}
	for _, k := range c.Keys {
		if k.Signer == nil || k.Signer.Public() == nil || k.Format == "" || k.Index < 1 {
			t.Fatalf("incomplete key %+v", k)
		}
	}
	if len(c.Keys)+len(c.KeyProblems) > c.KeyBlocks && c.Encoding != EncodingPKCS12 && c.Encoding != EncodingPKCS12Base64 {
		t.Fatalf("%d keys and %d key problems from %d key blocks", len(c.Keys), len(c.KeyProblems), c.KeyBlocks)
	}
	for _, p := range append(append([]*BlockError{}, c.Problems...), c.KeyProblems...) {
		if p.Err == nil || p.Index < 1 || p.Type == "" || p.Fix == "" {
			t.Fatalf("incomplete problem %+v", p)
		}
		if strings.Contains(p.Error(), fuzzPassword) || strings.Contains(p.Fix, fuzzPassword) {
			t.Fatalf("problem %q shows the password", p)
		}
	}
}

// FuzzDecodeWithPassword feeds arbitrary files through every reader with
// a password, so the PKCS#12 and encrypted-key paths run to the end.
func FuzzDecodeWithPassword(f *testing.F) {
	pki, err := fixtures.NewPKI(fixtures.Options{})
	if err != nil {
		f.Fatal(err)
	}
	p12, err := pkcs12.Modern.Encode(pki.Client.Key, pki.Client.Cert, nil, fuzzPassword)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(p12)
	f.Add(pki.Server.ChainPEM())
	keyPEM, err := pki.Client.KeyPEM()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(keyPEM)
	f.Add([]byte("-----BEGIN ENCRYPTED PRIVATE KEY-----\nMAA=\n-----END ENCRYPTED PRIVATE KEY-----\n"))
	f.Add([]byte("-----BEGIN PKCS7-----\nMAA=\n-----END PKCS7-----\n"))
	opts := ReadOptions{Password: NewPassword(fuzzPassword, "fuzz")}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkContents(t, DecodeWith(data, opts))
	})
}

// FuzzKeyDER feeds arbitrary DER to the private key parser, encrypted or
// not, and to the explicit EC parameters check.
func FuzzKeyDER(f *testing.F) {
	pki, err := fixtures.NewPKI(fixtures.Options{})
	if err != nil {
		f.Fatal(err)
	}
	keyPEM, err := pki.Client.KeyPEM()
	if err != nil {
		f.Fatal(err)
	}
	block, _ := pem.Decode(keyPEM)
	f.Add(block.Bytes)
	f.Add([]byte{0x30, 0x03, 0x02, 0x01, 0x01})
	f.Add([]byte{0x30, 0x05, 0x30, 0x00, 0x04, 0x01, 0x00})
	pw := NewPassword(fuzzPassword, "fuzz")
	f.Fuzz(func(t *testing.T, der []byte) {
		hasExplicitECParameters(der)
		key, problem := parseKeyDER(1, "DER", der, pw)
		if (key == nil) == (problem == nil) {
			t.Fatalf("key %v and problem %v: want exactly one", key, problem)
		}
		if problem != nil && (problem.Err == nil || problem.Fix == "") {
			t.Fatalf("incomplete problem %+v", problem)
		}
		if key != nil && key.Signer == nil {
			t.Fatal("key without a signer")
		}
	})
}

// FuzzPKCS7 feeds arbitrary DER to the PKCS#7 reader, including its
// certificate-by-certificate fallback.
func FuzzPKCS7(f *testing.F) {
	pki, err := fixtures.NewPKI(fixtures.Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(pki.Server.Cert.Raw)
	f.Add([]byte{0x30, 0x80, 0x06, 0x00, 0x00, 0x00})
	f.Fuzz(func(t *testing.T, der []byte) {
		certs, problems := decodePKCS7(der, 1, "PKCS#7")
		for _, c := range certs {
			if c == nil {
				t.Fatal("nil certificate")
			}
		}
		for _, p := range problems {
			if p.Err == nil || p.Fix == "" {
				t.Fatalf("incomplete problem %+v", p)
			}
		}
		if len(certs) == 0 && len(problems) == 0 {
			t.Fatal("neither a certificate nor a problem")
		}
		pkcs7CertificateSet(der)
	})
}

// FuzzOCSPResponse feeds arbitrary responder output to the OCSP checker:
// whatever arrives, the result is one of the statuses, and only a good
// status comes without a finding.
func FuzzOCSPResponse(f *testing.F) {
	pki, err := fixtures.NewPKI(fixtures.Options{})
	if err != nil {
		f.Fatal(err)
	}
	now := time.Now()
	for _, status := range []int{ocsp.Good, ocsp.Revoked, ocsp.Unknown} {
		der, err := ocsp.CreateResponse(pki.CA.Cert, pki.CA.Cert, ocsp.Response{
			Status: status, SerialNumber: pki.Server.Cert.SerialNumber, ThisUpdate: now, NextUpdate: now.Add(time.Hour),
		}, pki.CA.Key)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(der)
	}
	f.Add(ocsp.TryLaterErrorResponse)
	f.Fuzz(func(t *testing.T, der []byte) {
		result := CheckOCSPResponse(der, "http://127.0.0.1/ocsp", pki.Server.Cert, pki.CA.Cert, now)
		switch result.Status {
		case OCSPGood:
			if len(result.Findings) != 0 {
				t.Fatalf("good status with findings %+v", result.Findings)
			}
		case OCSPRevoked, OCSPUnknown, OCSPUnavailable:
			if len(result.Findings) != 1 {
				t.Fatalf("status %s with %d findings", result.Status, len(result.Findings))
			}
		default:
			t.Fatalf("unexpected status %q", result.Status)
		}
		if result.Detail == "" {
			t.Fatal("empty detail")
		}
	})
}
