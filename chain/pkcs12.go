package chain

import (
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"

	"software.sslmate.com/src/go-pkcs12"

	"github.com/mtlsdoctor/mtlsdoctor/report"
)

// decodePKCS12 opens a PKCS#12 (.p12, .pfx) file with pw, or with the
// empty password when pw is unset, which is how files exported without a
// password are protected. The certificate that matches the key comes
// first, followed by the others in file order.
func decodePKCS12(der []byte, pw Password) Contents {
	c := Contents{Encoding: EncodingPKCS12}
	if err := checkPKCS12Cost(der); err != nil {
		c.Problems = append(c.Problems, &BlockError{Index: 1, Type: "PKCS#12", Err: err,
			Fix: "Export the file again; OpenSSL writes 2048 iterations: openssl pkcs12 -export -in CERT -inkey KEY -out FILE.new."})
		return c
	}
	secret := ""
	if pw.IsSet() {
		secret = pw.secret
	}

	key, leaf, cas, err := pkcs12.DecodeChain(der, secret)
	if err != nil && secret != "" {
		// A password given for other files, as through the environment,
		// must not lock out a file exported without one.
		if k, l, c, emptyErr := pkcs12.DecodeChain(der, ""); emptyErr == nil {
			key, leaf, cas, err = k, l, c, nil
		}
	}
	if err == nil {
		c.Certificates = append([]*x509.Certificate{leaf}, cas...)
		c.KeyBlocks = 1
		signer, ok := key.(crypto.Signer)
		if !ok {
			c.KeyProblems = append(c.KeyProblems, &BlockError{Index: 1, Type: "PKCS#12", Code: report.CodeNotPEM,
				Err: fmt.Errorf("the PKCS#12 key is a %T, which cannot sign a TLS handshake", key),
				Fix: "Use an ECDSA, RSA or Ed25519 key."})
			return c
		}
		c.Keys = append(c.Keys, Key{Signer: signer, Format: KeyPKCS12, Index: 1})
		c.Certificates = matchingFirst(c.Certificates, signer)
		return c
	}
	if errors.Is(err, pkcs12.ErrIncorrectPassword) {
		c.Problems = append(c.Problems, pkcs12PasswordError(pw))
		return c
	}

	// DecodeChain insists on exactly one key. A file of certificates only,
	// such as a Java trust store or an export with -nokeys, is read as a
	// trust store, and failing that, bag by bag.
	if certs, trustErr := pkcs12.DecodeTrustStore(der, secret); trustErr == nil {
		c.Certificates = certs
		return c
	}
	if bagContents, ok := decodePKCS12Bags(der, secret); ok {
		return bagContents
	}
	if err.Error() == "pkcs12: private key missing" {
		// NOTE: go-pkcs12 v0.7 reads certificate-only files only when they
		// are Java trust stores or have exactly two safe contents.
		c.Problems = append(c.Problems, &BlockError{Index: 1, Type: "PKCS#12",
			Err: errors.New("the PKCS#12 file contains certificates without a private key, in a layout this tool cannot read"),
			Fix: "Convert it to PEM and pass that: openssl pkcs12 -in FILE -nokeys -out FILE.pem."})
		return c
	}
	c.Problems = append(c.Problems, &BlockError{Index: 1, Type: "PKCS#12",
		Err: fmt.Errorf("the PKCS#12 file cannot be decoded: %w", err),
		Fix: "Convert it to PEM and pass that: openssl pkcs12 -in FILE -nodes -out FILE.pem (add -legacy for files from old Windows or Java versions)."})
	return c
}

// decodePKCS12Bags decodes a PKCS#12 file through the library's PEM
// conversion, which accepts any mix of certificate and key bags. The
// library deprecates it because it labels PKCS#1 and SEC1 keys "PRIVATE
// KEY"; parsePrivateKeyDER tries every key format, so that is harmless.
func decodePKCS12Bags(der []byte, secret string) (Contents, bool) {
	//lint:ignore SA1019 see the function comment
	blocks, err := pkcs12.ToPEM(der, secret) //nolint:staticcheck
	if err != nil {
		return Contents{}, false
	}
	c := Contents{Encoding: EncodingPKCS12}
	for i, block := range blocks {
		switch block.Type {
		case "CERTIFICATE":
			cert, err := x509.ParseCertificate(block.Bytes)
			if err != nil {
				c.Problems = append(c.Problems, certificateError(i+1, "PKCS#12 certificate", err))
				continue
			}
			c.Certificates = append(c.Certificates, cert)
		case "PRIVATE KEY":
			c.KeyBlocks++
			c.addKey(parsePlainKey(i+1, "PKCS#12 key", block.Bytes))
		}
	}
	for i := range c.Keys {
		c.Keys[i].Format = KeyPKCS12
	}
	if len(c.Keys) > 0 {
		c.Certificates = matchingFirst(c.Certificates, c.Keys[0].Signer)
	}
	return c, true
}

func pkcs12PasswordError(pw Password) *BlockError {
	e := &BlockError{Index: 1, Type: "PKCS#12", Code: report.CodeEncryptedKey}
	if !pw.IsSet() {
		e.Err = errors.New("the PKCS#12 file is protected by a password and none was given")
		e.Fix = passwordFix + "."
		return e
	}
	e.Err = fmt.Errorf("the %s does not open the PKCS#12 file", pw)
	e.Fix = "Check the password; openssl pkcs12 -in FILE -noout asks for it and tests it."
	return e
}

// matchingFirst moves the certificate that matches key to the front.
func matchingFirst(certs []*x509.Certificate, key crypto.Signer) []*x509.Certificate {
	for i, cert := range certs {
		if i > 0 && KeyMatches(cert, key) {
			out := []*x509.Certificate{cert}
			out = append(out, certs[:i]...)
			return append(out, certs[i+1:]...)
		}
		if KeyMatches(cert, key) {
			return certs
		}
	}
	return certs
}
