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
}

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
