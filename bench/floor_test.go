// Package bench contains the benchmark scripts of mtlsdoctor and, in this
// file, the Go benchmark of the cryptographic floor of one mutual TLS
// handshake. docs/benchmarks.md explains how to run them and records the
// results.
package bench

import (
	"crypto"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"testing"

	"github.com/mtlsdoctor/mtlsdoctor/fixtures"
)

// handshakeWork is the public-key work a TLS 1.3 server does in one full
// mutual TLS handshake with X25519. That is one key pair and one shared
// secret, one signature over the transcript (CertificateVerify), the
// check of the client's CertificateVerify, and the verification of the
// client's chain. Hashing, HKDF and record encryption are left out,
// because they cost a few microseconds.
type handshakeWork struct {
	serverKey     crypto.Signer
	clientKey     crypto.Signer
	clientPeer    *ecdh.PublicKey
	clientDER     [][]byte
	client        *x509.Certificate
	roots         *x509.CertPool
	digest        []byte
	clientSig     []byte
	verifyOptions x509.VerifyOptions
}

func newHandshakeWork(b *testing.B, kt fixtures.KeyType) *handshakeWork {
	b.Helper()
	pki, err := fixtures.NewPKI(fixtures.Options{KeyType: kt})
	if err != nil {
		b.Fatal(err)
	}
	peer, err := ecdh.X25519().GenerateKey(rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	// The signed content of CertificateVerify is 64 spaces, a context
	// string, a zero byte and the transcript hash (RFC 8446 section 4.4.3).
	transcript := sha256.Sum256([]byte("ClientHello...Certificate"))
	content := append([]byte("                                                                TLS 1.3, server CertificateVerify\x00"), transcript[:]...)
	digest := sha256.Sum256(content)

	w := &handshakeWork{
		serverKey:  pki.Server.Key,
		clientKey:  pki.Client.Key,
		clientPeer: peer.PublicKey(),
		clientDER:  [][]byte{pki.Client.Cert.Raw},
		client:     pki.Client.Cert,
		roots:      pki.CA.Pool(),
		digest:     digest[:],
	}
	w.verifyOptions = x509.VerifyOptions{
		Roots:     w.roots,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	if w.clientSig, err = sign(w.clientKey, w.digest); err != nil {
		b.Fatal(err)
	}
	return w
}

// sign signs digest as TLS 1.3 does with the key's type:
// ecdsa_secp256r1_sha256 or rsa_pss_rsae_sha256.
func sign(key crypto.Signer, digest []byte) ([]byte, error) {
	var opts crypto.SignerOpts = crypto.SHA256
	if _, ok := key.(*rsa.PrivateKey); ok {
		opts = &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: crypto.SHA256}
	}
	return key.Sign(rand.Reader, digest, opts)
}

func verifySignature(pub crypto.PublicKey, digest, sig []byte) bool {
	switch pub := pub.(type) {
	case *ecdsa.PublicKey:
		return ecdsa.VerifyASN1(pub, digest, sig)
	case *rsa.PublicKey:
		return rsa.VerifyPSS(pub, crypto.SHA256, digest, sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash}) == nil
	}
	return false
}

func (w *handshakeWork) keyExchange(b *testing.B) {
	key, err := ecdh.X25519().GenerateKey(rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := key.ECDH(w.clientPeer); err != nil {
		b.Fatal(err)
	}
}

func (w *handshakeWork) sign(b *testing.B) {
	if _, err := sign(w.serverKey, w.digest); err != nil {
		b.Fatal(err)
	}
}

func (w *handshakeWork) verifyClientSignature(b *testing.B) {
	if !verifySignature(w.client.PublicKey, w.digest, w.clientSig) {
		b.Fatal("client signature does not verify")
	}
}

func (w *handshakeWork) parseClientChain(b *testing.B) {
	for _, der := range w.clientDER {
		if _, err := x509.ParseCertificate(der); err != nil {
			b.Fatal(err)
		}
	}
}

func (w *handshakeWork) verifyClientChain(b *testing.B) {
	if _, err := w.client.Verify(w.verifyOptions); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkHandshakeCrypto measures each step of handshakeWork and, as
// "floor", all of them in a row. The floor is a lower bound on the CPU
// time a server that uses Go's crypto spends on one full mutual TLS
// handshake with these keys.
func BenchmarkHandshakeCrypto(b *testing.B) {
	for _, kt := range []fixtures.KeyType{fixtures.ECDSAP256, fixtures.RSA2048} {
		w := newHandshakeWork(b, kt)
		steps := []struct {
			name string
			run  func(*testing.B)
		}{
			{"x25519", w.keyExchange},
			{"sign", w.sign},
			{"verify-signature", w.verifyClientSignature},
			{"verify-chain", w.verifyClientChain},
			{"floor", func(b *testing.B) {
				w.keyExchange(b)
				w.sign(b)
				w.verifyClientSignature(b)
				w.verifyClientChain(b)
			}},
			// Parsing is not cryptography, but crypto/tls parses the
			// client's chain in every handshake.
			{"parse-chain", w.parseClientChain},
		}
		for _, step := range steps {
			b.Run(string(kt)+"/"+step.name, func(b *testing.B) {
				for b.Loop() {
					step.run(b)
				}
			})
		}
	}
}
