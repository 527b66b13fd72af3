package chain

import (
	"crypto"
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"

	"github.com/youmark/pkcs8"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/mtlsdoctor/mtlsdoctor/report"
)

// KeyFormat names how a private key was stored.
type KeyFormat string

// The key formats the readers decode.
const (
	KeyPKCS8          KeyFormat = "PKCS#8"
	KeyEncryptedPKCS8 KeyFormat = "encrypted PKCS#8"
	KeyPKCS1          KeyFormat = "PKCS#1"
	KeySEC1           KeyFormat = "SEC1"
	KeyLegacyPEM      KeyFormat = "legacy encrypted PEM"
	KeyPKCS12         KeyFormat = "PKCS#12"
)

// Key is a private key found in a file.
type Key struct {
	Signer crypto.Signer
	Format KeyFormat
	Index  int // 1-based position of its block in the file
}

// passwordFix is the fix for an encrypted key or PKCS#12 file without a
// password, without its full stop. It names the file option and the
// environment variable but never a password on the command line, which
// other users can read.
const passwordFix = "Pass the password with --password-file or the " + PasswordEnv + " environment variable"

var oidECPublicKey = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}

// parseKeyBlock decodes a PEM block whose type ends in "PRIVATE KEY".
func parseKeyBlock(index int, block *pem.Block, pw Password) (*Key, *BlockError) {
	switch {
	case block.Type == "ENCRYPTED PRIVATE KEY":
		return decryptPKCS8(index, block.Type, block.Bytes, pw)
	case block.Headers["Proc-Type"] == "4,ENCRYPTED":
		return decryptLegacyPEM(index, block, pw)
	}
	return parsePlainKey(index, block.Type, block.Bytes)
}

// parseKeyDER decodes a DER private key, encrypted or not.
func parseKeyDER(index int, blockType string, der []byte, pw Password) (*Key, *BlockError) {
	if classifyDER(der) == derEncryptedKey {
		return decryptPKCS8(index, blockType, der, pw)
	}
	return parsePlainKey(index, blockType, der)
}

func parsePlainKey(index int, blockType string, der []byte) (*Key, *BlockError) {
	signer, format, err := parsePrivateKeyDER(der)
	if err != nil {
		return nil, keyBlockError(index, blockType, der, err)
	}
	return &Key{Signer: signer, Format: format, Index: index}, nil
}

// parsePrivateKeyDER tries PKCS#8, PKCS#1 and SEC1 in turn, because PEM
// labels are often wrong and DER has none.
func parsePrivateKeyDER(der []byte) (crypto.Signer, KeyFormat, error) {
	if key, err := x509.ParsePKCS8PrivateKey(der); err == nil {
		signer, ok := key.(crypto.Signer)
		if !ok {
			return nil, KeyPKCS8, fmt.Errorf("the PKCS#8 key is a %T, which cannot sign a TLS handshake", key)
		}
		return signer, KeyPKCS8, nil
	}
	if key, err := x509.ParsePKCS1PrivateKey(der); err == nil {
		return key, KeyPKCS1, nil
	}
	if key, err := x509.ParseECPrivateKey(der); err == nil {
		return key, KeySEC1, nil
	}
	return nil, "", errors.New("not a PKCS#8, PKCS#1 or SEC1 private key")
}

// keyBlockError explains an unencrypted key that does not parse.
func keyBlockError(index int, blockType string, der []byte, err error) *BlockError {
	if blockType == opensshBlockType {
		return opensshKeyError(index, der)
	}
	e := &BlockError{Index: index, Type: blockType, Code: report.CodeNotPEM}
	switch {
	case hasExplicitECParameters(der):
		e.Err = errors.New("the key uses explicit EC parameters instead of a named curve, which Go and most TLS libraries reject")
		e.Fix = "Convert it to a named curve: openssl ec -in FILE -param_enc named_curve -out FILE.named."
	case blockType == "DSA PRIVATE KEY":
		e.Err = errors.New("DSA keys cannot sign TLS 1.3 handshakes, and Go does not load them")
		e.Fix = "Generate an ECDSA P-256 or RSA 2048 key and have the certificate reissued for it."
	default:
		e.Err = fmt.Errorf("the key cannot be parsed: %w", err)
		e.Fix = "Copy the key again from its source; openssl pkey -in FILE -noout checks it."
	}
	return e
}

// hasExplicitECParameters reports whether der is a SEC1 or PKCS#8 EC key
// whose parameters are a SEQUENCE (the curve spelled out) rather than the
// OID of a named curve, as openssl ecparam -param_enc explicit writes.
func hasExplicitECParameters(der []byte) bool {
	input := cryptobyte.String(der)
	var key cryptobyte.String
	var version int64
	if !input.ReadASN1(&key, cbasn1.SEQUENCE) || !key.ReadASN1Integer(&version) {
		return false
	}
	switch {
	case key.PeekASN1Tag(cbasn1.SEQUENCE): // PKCS#8 AlgorithmIdentifier
		var alg cryptobyte.String
		var oid asn1.ObjectIdentifier
		if !key.ReadASN1(&alg, cbasn1.SEQUENCE) || !alg.ReadASN1ObjectIdentifier(&oid) {
			return false
		}
		return oid.Equal(oidECPublicKey) && alg.PeekASN1Tag(cbasn1.SEQUENCE)
	case key.PeekASN1Tag(cbasn1.OCTET_STRING): // SEC1 ECPrivateKey
		var params cryptobyte.String
		if !key.SkipASN1(cbasn1.OCTET_STRING) ||
			!key.ReadASN1(&params, cbasn1.Tag(0).Constructed().ContextSpecific()) {
			return false
		}
		return params.PeekASN1Tag(cbasn1.SEQUENCE)
	}
	return false
}

// decryptPKCS8 decrypts an EncryptedPrivateKeyInfo (RFC 5958). The
// youmark/pkcs8 module handles PBES2 with PBKDF2 or scrypt, which OpenSSL
// 1.1 and 3 write by default. It does not handle the older PBES1 schemes.
func decryptPKCS8(index int, blockType string, der []byte, pw Password) (*Key, *BlockError) {
	e := &BlockError{Index: index, Type: blockType, Code: report.CodeEncryptedKey}
	if !pw.IsSet() {
		e.Err = errors.New("the key is encrypted (PKCS#8) and no password was given")
		e.Fix = passwordFix + ", or decrypt the key: (umask 077; openssl pkey -in FILE -out FILE.plain), so that the plain key is readable by you alone."
		return nil, e
	}
	if err := checkPKCS8Cost(der); err != nil {
		e.Code = report.CodeNotPEM
		e.Err = err
		e.Fix = "Re-encrypt the key with default settings: openssl pkcs8 -topk8 -v2 aes-256-cbc -in FILE -out FILE.new."
		return nil, e
	}
	key, err := pkcs8.ParsePKCS8PrivateKey(der, pw.bytes())
	if err != nil {
		msg := err.Error()
		switch {
		case strings.Contains(msg, "only PBES2") || strings.Contains(msg, "only PKCS #5 v2.0"):
			e.Err = errors.New("the key is encrypted (PKCS#8) with an old PBES1 scheme, which this tool cannot decrypt")
			e.Fix = "Re-encrypt it with PBES2: openssl pkcs8 -topk8 -v2 aes-256-cbc -in FILE -out FILE.new."
		case strings.Contains(msg, "unsupported"):
			e.Err = fmt.Errorf("the key is encrypted (PKCS#8) with a scheme this tool cannot decrypt: %w", err)
			e.Fix = "Decrypt it: (umask 077; openssl pkey -in FILE -out FILE.plain), so that the plain key is readable by you alone."
		default:
			e.Err = fmt.Errorf("the %s does not decrypt the key (PKCS#8)", pw)
			e.Fix = "Check the password; openssl pkey -in FILE -noout asks for it and tests it."
		}
		return nil, e
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		e.Code = report.CodeNotPEM
		e.Err = fmt.Errorf("the PKCS#8 key is a %T, which cannot sign a TLS handshake", key)
		e.Fix = "Use an ECDSA, RSA or Ed25519 key."
		return nil, e
	}
	return &Key{Signer: signer, Format: KeyEncryptedPKCS8, Index: index}, nil
}

// decryptLegacyPEM decrypts a key with OpenSSL's traditional PEM
// encryption (Proc-Type and DEK-Info headers, RFC 1423).
func decryptLegacyPEM(index int, block *pem.Block, pw Password) (*Key, *BlockError) {
	cipher := block.Headers["DEK-Info"]
	if name, _, found := strings.Cut(cipher, ","); found {
		cipher = name // drop the IV
	}
	e := &BlockError{Index: index, Type: block.Type, Code: report.CodeEncryptedKey}
	if !pw.IsSet() {
		e.Err = fmt.Errorf("the key is encrypted (legacy PEM encryption, %s) and no password was given", cipher)
		e.Fix = passwordFix + ", or decrypt the key: (umask 077; openssl pkey -in FILE -out FILE.plain), so that the plain key is readable by you alone."
		return nil, e
	}
	// DecryptPEMBlock is deprecated because the legacy format cannot
	// detect a wrong password reliably, but it is the only reader of that
	// format in Go. A wrong password shows up as a key that does not parse.
	//lint:ignore SA1019 the legacy format has no other reader
	der, err := x509.DecryptPEMBlock(block, pw.bytes()) //nolint:staticcheck
	if err == nil {
		if signer, _, parseErr := parsePrivateKeyDER(der); parseErr == nil {
			return &Key{Signer: signer, Format: KeyLegacyPEM, Index: index}, nil
		}
	}
	e.Err = fmt.Errorf("the %s does not decrypt the key (legacy PEM encryption, %s)", pw, cipher)
	e.Fix = "Check the password; openssl pkey -in FILE -noout asks for it and tests it."
	return nil, e
}
