package chain

import (
	"errors"
	"strings"

	"golang.org/x/crypto/cryptobyte"

	"github.com/mtlsdoctor/mtlsdoctor/report"
)

// opensshBlockType is the PEM type of ssh-keygen's own private key
// format, its default since OpenSSH 7.8.
const opensshBlockType = "OPENSSH PRIVATE KEY"

// opensshMagic starts the body of an OpenSSH private key (PROTOCOL.key in
// the OpenSSH source).
const opensshMagic = "openssh-key-v1\x00"

// opensshKeyError explains an OpenSSH private key, which TLS libraries do
// not read, and how to convert it.
func opensshKeyError(index int, body []byte) *BlockError {
	e := &BlockError{Index: index, Type: opensshBlockType, Code: report.CodeNotPEM,
		Err: errors.New("the key is an OpenSSH private key, in the format ssh-keygen writes by default; TLS libraries read PKCS#8, PKCS#1 or SEC1 keys, not this format")}
	keyType := opensshKeyType(body)
	switch {
	case strings.HasPrefix(keyType, "sk-"):
		e.Fix = "Generate a TLS key, such as with mtlsdoctor gen: a security key (FIDO) SSH key cannot sign a TLS handshake."
	case keyType == "ssh-ed25519":
		e.Fix = "Generate a TLS key, such as with mtlsdoctor gen or openssl genpkey -algorithm ed25519, and have the certificate issued for it: " +
			"ssh-keygen cannot write an Ed25519 key in PEM (checked with OpenSSH 9.2)."
	default:
		e.Fix = "Convert a copy to PEM, because ssh-keygen rewrites the file it converts: cp FILE FILE.pem, then ssh-keygen -p -m PEM -f FILE.pem, " +
			"which asks for the passphrase, if any, and for a new one."
	}
	return e
}

// opensshKeyType returns the type of an OpenSSH private key, such as
// "ssh-ed25519" or "ecdsa-sha2-nistp256", which the format stores
// unencrypted in the public key. It returns "" for a body it cannot read.
func opensshKeyType(body []byte) string {
	if !strings.HasPrefix(string(body), opensshMagic) {
		return ""
	}
	s := cryptobyte.String(body[len(opensshMagic):])
	var cipherName, kdfName, kdfOptions, publicKey, keyType []byte
	var count uint32
	if !readSSHString(&s, &cipherName) || !readSSHString(&s, &kdfName) || !readSSHString(&s, &kdfOptions) ||
		!s.ReadUint32(&count) || count < 1 || !readSSHString(&s, &publicKey) {
		return ""
	}
	publicKeyFields := cryptobyte.String(publicKey)
	if !readSSHString(&publicKeyFields, &keyType) {
		return ""
	}
	return string(keyType)
}

// readSSHString reads an SSH string: a uint32 length, then that many
// bytes (RFC 4251, section 5).
func readSSHString(s *cryptobyte.String, out *[]byte) bool {
	var n uint32
	return s.ReadUint32(&n) && s.ReadBytes(out, int(n))
}
