package chain

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/mtlsdoctor/mtlsdoctor/report"
)

// Encoding names how a file's certificates were stored.
type Encoding string

// The encodings Decode recognises.
const (
	EncodingPEM    Encoding = "PEM"
	EncodingDER    Encoding = "DER"
	EncodingBase64 Encoding = "base64 DER"
	EncodingEmpty  Encoding = "empty"
	EncodingOther  Encoding = "unknown"
)

// Contents is what Decode found in a file.
type Contents struct {
	Encoding     Encoding
	Certificates []*x509.Certificate
	// KeyBlocks counts private key blocks, so a key file passed where a
	// certificate was expected can be named as such.
	KeyBlocks int
	// Problems lists the blocks that could not be parsed; the others are
	// still in Certificates.
	Problems []*BlockError
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// Decode reads certificates from data, detecting PEM, DER or base64 DER by
// content, never by file name. A byte-order mark and CRLF line ends are
// accepted.
func Decode(data []byte) Contents {
	data = bytes.TrimPrefix(data, utf8BOM)
	trimmed := bytes.TrimSpace(data)
	switch {
	case len(trimmed) == 0:
		return Contents{Encoding: EncodingEmpty}
	case bytes.Contains(data, []byte("-----BEGIN ")):
		return decodePEM(data)
	case data[0] == 0x30: // an ASN.1 SEQUENCE: DER, which must not be trimmed
		return decodeDER(data, EncodingDER)
	}
	if der, err := base64.StdEncoding.DecodeString(string(stripSpace(trimmed))); err == nil && len(der) > 0 && der[0] == 0x30 {
		return decodeDER(der, EncodingBase64)
	}
	return Contents{Encoding: EncodingOther}
}

func stripSpace(b []byte) []byte {
	return bytes.Map(func(r rune) rune {
		if r == ' ' || r == '\t' || r == '\r' || r == '\n' {
			return -1
		}
		return r
	}, b)
}

func decodeDER(der []byte, enc Encoding) Contents {
	c := Contents{Encoding: enc}
	certs, err := x509.ParseCertificates(der)
	if err == nil {
		c.Certificates = certs
		return c
	}
	if _, keyErr := parsePrivateKeyDER(der); keyErr == nil {
		c.KeyBlocks = 1
		return c
	}
	c.Problems = append(c.Problems, &BlockError{Index: 1, Type: string(enc), Err: err})
	return c
}

func decodePEM(data []byte) Contents {
	c := Contents{Encoding: EncodingPEM}
	rest := data
	for index := 1; ; index++ {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		switch {
		case block.Type == "CERTIFICATE" || block.Type == "X509 CERTIFICATE":
			cert, err := x509.ParseCertificate(block.Bytes)
			if err != nil {
				c.Problems = append(c.Problems, &BlockError{Index: index, Type: block.Type, Err: err})
				continue
			}
			c.Certificates = append(c.Certificates, cert)
		case strings.HasSuffix(block.Type, "PRIVATE KEY"):
			c.KeyBlocks++
		default:
			c.Problems = append(c.Problems, &BlockError{
				Index: index, Type: block.Type,
				Err: fmt.Errorf("a %s block is not a certificate", block.Type),
			})
		}
	}
	if len(c.Certificates) == 0 && c.KeyBlocks == 0 && len(c.Problems) == 0 {
		// "-----BEGIN " was there but no block decoded: usually blocks glued
		// onto one line or a damaged footer.
		c.Problems = append(c.Problems, &BlockError{Index: 1, Type: "PEM",
			Err: errors.New("the PEM armour is damaged: each BEGIN and END line must be on a line of its own")})
	}
	return c
}

// ParseCertificates returns the certificates in data. When some blocks
// fail, it returns the good certificates and an error listing the bad
// blocks; when none is usable, it returns no certificates and an error.
func ParseCertificates(data []byte) ([]*x509.Certificate, error) {
	c := Decode(data)
	if len(c.Certificates) == 0 {
		return nil, c.noCertificatesError()
	}
	return c.Certificates, c.problemsError()
}

func (c Contents) problemsError() error {
	if len(c.Problems) == 0 {
		return nil
	}
	errs := make([]error, len(c.Problems))
	for i, p := range c.Problems {
		errs[i] = p
	}
	return errors.Join(errs...)
}

func (c Contents) noCertificatesError() error {
	switch {
	case c.Encoding == EncodingEmpty:
		return errors.New("the file is empty")
	case c.KeyBlocks > 0:
		return errors.New("the file holds a private key, not a certificate: the certificate and key files may be swapped")
	case len(c.Problems) > 0:
		return fmt.Errorf("no usable certificate: %w", c.problemsError())
	}
	return errors.New("no certificate found: expected PEM, DER or base64 DER")
}

// ReadCertificatesFile reads every certificate in path. what names the
// role of the file in messages ("client certificate", "CA bundle"). A file
// with some bad blocks returns the good certificates and a *FileError; one
// with none returns only the error.
func ReadCertificatesFile(path, what string) ([]*x509.Certificate, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &FileError{Path: path, What: what, Code: report.CodeUnreadableFile,
			Reason: "cannot read the file", Fix: "check the path and the file's permissions", Err: unwrapPathError(err)}
	}
	c := Decode(data)
	if len(c.Certificates) == 0 {
		fix := "pass a certificate file in PEM or DER form"
		if c.KeyBlocks > 0 {
			fix = "pass the certificate file here and the key file to the key option"
		}
		return nil, &FileError{Path: path, What: what, Code: report.CodeNotPEM,
			Reason: c.noCertificatesError().Error(), Fix: fix}
	}
	if err := c.problemsError(); err != nil {
		return c.Certificates, &FileError{Path: path, What: what, Code: report.CodeNotPEM,
			Reason: fmt.Sprintf("%d block(s) skipped, %d certificate(s) used", len(c.Problems), len(c.Certificates)),
			Fix: "remove or replace the damaged blocks", Err: err}
	}
	return c.Certificates, nil
}

func unwrapPathError(err error) error {
	var pathErr *os.PathError
	if errors.As(err, &pathErr) {
		return pathErr.Err
	}
	return err
}

// ReadKeyFile reads a private key in PKCS#8, PKCS#1 or SEC1 form, PEM or
// DER. Encrypted keys return a *FileError with code encrypted-key.
func ReadKeyFile(path, what string) (crypto.Signer, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &FileError{Path: path, What: what, Code: report.CodeUnreadableFile,
			Reason: "cannot read the file", Fix: "check the path and the file's permissions", Err: unwrapPathError(err)}
	}
	key, reason, code := parsePrivateKey(bytes.TrimPrefix(data, utf8BOM))
	if key == nil {
		fix := "pass an unencrypted private key in PEM (PKCS#8, PKCS#1 or SEC1) or DER form"
		switch code {
		case report.CodeEncryptedKey:
			fix = "decrypt it first: openssl pkey -in " + path + " -out key-plain.pem"
		case report.CodeNotPEM:
			if strings.Contains(reason, "certificate") {
				fix = "pass the key file here and the certificate file to the certificate option"
			}
		}
		return nil, &FileError{Path: path, What: what, Code: code, Reason: reason, Fix: fix}
	}
	return key, nil
}

func parsePrivateKey(data []byte) (crypto.Signer, string, report.Code) {
	if !bytes.Contains(data, []byte("-----BEGIN ")) {
		der := data // binary: trimming "space" bytes would cut the DER
		if key, err := parsePrivateKeyDER(der); err == nil {
			return key, "", ""
		}
		if _, err := x509.ParseCertificate(der); err == nil {
			return nil, "the file holds a DER certificate, not a private key", report.CodeNotPEM
		}
		return nil, "no private key found: expected PEM or DER", report.CodeNotPEM
	}
	rest := data
	sawCert := false
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		switch {
		case block.Type == "ENCRYPTED PRIVATE KEY":
			return nil, "the key is encrypted (PKCS#8)", report.CodeEncryptedKey
		case strings.HasSuffix(block.Type, "PRIVATE KEY") && block.Headers["Proc-Type"] == "4,ENCRYPTED":
			return nil, "the key is encrypted (legacy PEM encryption, " + block.Headers["DEK-Info"] + ")", report.CodeEncryptedKey
		case strings.HasSuffix(block.Type, "PRIVATE KEY"):
			key, err := parsePrivateKeyDER(block.Bytes)
			if err != nil {
				return nil, fmt.Sprintf("the %s block cannot be parsed: %v", block.Type, err), report.CodeNotPEM
			}
			return key, "", ""
		case block.Type == "CERTIFICATE":
			sawCert = true
		}
	}
	if sawCert {
		return nil, "the file holds a certificate, not a private key: the certificate and key files may be swapped", report.CodeNotPEM
	}
	return nil, "no PRIVATE KEY block found", report.CodeNotPEM
}

func parsePrivateKeyDER(der []byte) (crypto.Signer, error) {
	if key, err := x509.ParsePKCS8PrivateKey(der); err == nil {
		if signer, ok := key.(crypto.Signer); ok {
			return signer, nil
		}
		return nil, fmt.Errorf("unsupported private key type %T", key)
	}
	if key, err := x509.ParsePKCS1PrivateKey(der); err == nil {
		return key, nil
	}
	key, err := x509.ParseECPrivateKey(der)
	if err != nil {
		return nil, errors.New("not a PKCS#8, PKCS#1 or SEC1 private key")
	}
	return key, nil
}

// KeyMatches reports whether key is the private key of cert.
func KeyMatches(cert *x509.Certificate, key crypto.Signer) bool {
	type equaler interface{ Equal(crypto.PublicKey) bool }
	pub, ok := key.Public().(equaler)
	return ok && pub.Equal(cert.PublicKey)
}

// LoadKeyPair reads a certificate chain and its key for a TLS peer. The
// first certificate must match the key; when another block matches it, the
// error says which, because out-of-order blocks are a common mistake.
func LoadKeyPair(certPath, keyPath, role string) (tls.Certificate, error) {
	certs, err := ReadCertificatesFile(certPath, role+" certificate")
	if len(certs) == 0 {
		return tls.Certificate{}, err
	}
	key, err := ReadKeyFile(keyPath, role+" key")
	if err != nil {
		return tls.Certificate{}, err
	}
	if !KeyMatches(certs[0], key) {
		reason := fmt.Sprintf("the key in %q does not match the first certificate (%s)", keyPath, certs[0].Subject)
		fix := "use the key generated with this certificate, or the certificate issued for this key"
		for i, c := range certs[1:] {
			if KeyMatches(c, key) {
				reason += fmt.Sprintf("; it matches block %d (%s)", i+2, c.Subject)
				fix = "put the certificate that matches the key first in the file, followed by its intermediates"
			}
		}
		return tls.Certificate{}, &FileError{Path: certPath, What: role + " certificate", Code: report.CodeKeyMismatch, Reason: reason, Fix: fix}
	}
	out := tls.Certificate{PrivateKey: key, Leaf: certs[0]}
	for _, c := range certs {
		out.Certificate = append(out.Certificate, c.Raw)
	}
	return out, nil
}

// KeyDescription returns the algorithm and size of a public key, such as
// "RSA 2048" or "ECDSA P-256".
func KeyDescription(pub crypto.PublicKey) string {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return fmt.Sprintf("RSA %d", k.N.BitLen())
	case *ecdsa.PublicKey:
		return "ECDSA " + k.Curve.Params().Name
	case ed25519.PublicKey:
		return "Ed25519"
	}
	return fmt.Sprintf("%T", pub)
}
