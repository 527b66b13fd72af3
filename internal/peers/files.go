package peers

import (
	"encoding/pem"
	"testing"
)

// Files are the PEM files a server peer loads.
type Files struct {
	// Cert is the server certificate followed by the intermediates the
	// server sends.
	Cert []byte
	// Key is the server's private key.
	Key []byte
	// ClientCA holds the CAs that client certificates are verified
	// against and that the CertificateRequest names; nil means none.
	ClientCA []byte
	// SecurityLevel0 runs the peer at OpenSSL security level 0, through
	// an OPENSSL_CONF file, so that it loads certificates that OpenSSL 3.0
	// rejects at higher levels. Level 1 rejects a CA signature with SHA-1
	// ("ca md too weak"), and level 2, the default of Debian's build,
	// also rejects RSA keys under 2048 bits ("ee key too small"). nginx
	// and Node reject them alike. Go servers ignore the setting.
	SecurityLevel0 bool
}

// securityLevel0Conf sets security level 0 as the default of every TLS
// context. Node reads the nodejs_conf section (Node 18 and later), and
// openssl and nginx read openssl_conf.
const securityLevel0Conf = `openssl_conf = openssl_init
nodejs_conf = openssl_init
[openssl_init]
ssl_conf = ssl_section
[ssl_section]
system_default = system_default_section
[system_default_section]
CipherString = DEFAULT:@SECLEVEL=0
`

// paths are Files written to a directory. ClientCA is empty when Files
// had none, and Leaf and Chain split Cert for openssl s_server, whose
// -cert sends only the first certificate.
type paths struct {
	Dir      string
	Cert     string
	Key      string
	ClientCA string
	Leaf     string
	Chain    string // empty when Cert holds only the leaf
	// TrustedCA is nginx's ssl_trusted_certificate file, written by
	// StartNginx when its configuration has one.
	TrustedCA string
	// Env is the environment a peer process adds to its own.
	Env []string
}

// write writes f into a new temporary directory of t.
func (f Files) write(t testing.TB) paths {
	t.Helper()
	dir := t.TempDir()
	p := paths{
		Dir:  dir,
		Cert: writeFile(t, dir, "server-crt.pem", f.Cert),
		Key:  writeFile(t, dir, "server-key.pem", f.Key),
	}
	if f.ClientCA != nil {
		p.ClientCA = writeFile(t, dir, "ca-crt.pem", f.ClientCA)
	}
	if f.SecurityLevel0 {
		p.Env = append(p.Env, "OPENSSL_CONF="+writeFile(t, dir, "openssl.cnf", []byte(securityLevel0Conf)))
	}
	leaf, chain := splitFirstBlock(f.Cert)
	p.Leaf = writeFile(t, dir, "server-leaf.pem", leaf)
	if len(chain) > 0 {
		p.Chain = writeFile(t, dir, "server-chain.pem", chain)
	}
	return p
}

// splitFirstBlock returns the first PEM block of data and the blocks
// after it, re-encoded.
func splitFirstBlock(data []byte) (first, rest []byte) {
	block, remaining := pem.Decode(data)
	if block == nil {
		return data, nil
	}
	first = pem.EncodeToMemory(block)
	for {
		block, remaining = pem.Decode(remaining)
		if block == nil {
			return first, rest
		}
		rest = append(rest, pem.EncodeToMemory(block)...)
	}
}
