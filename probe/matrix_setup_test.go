package probe

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/mtlsdoctor/mtlsdoctor/fixtures"
	"github.com/mtlsdoctor/mtlsdoctor/internal/peers"
)

// chainCert is a certificate chain, leaf first, and the key that goes
// with it. It is what a server serves or what a client presents.
type chainCert struct {
	chain []*x509.Certificate
	key   crypto.Signer
}

func fromFixture(c *fixtures.Cert) chainCert {
	return chainCert{chain: append([]*x509.Certificate{c.Cert}, c.Intermediates...), key: c.Key}
}

func (c chainCert) tlsCertificate() tls.Certificate {
	out := tls.Certificate{PrivateKey: c.key, Leaf: c.chain[0]}
	for _, cert := range c.chain {
		out.Certificate = append(out.Certificate, cert.Raw)
	}
	return out
}

func (c chainCert) chainPEM() []byte {
	return fixtures.EncodeCertPEM(c.chain...)
}

func (c chainCert) keyPEM(t *testing.T) []byte {
	t.Helper()
	data, err := fixtures.EncodeKeyPEM(c.key)
	if err != nil {
		t.Fatalf("encode key: %v", err)
	}
	return data
}

// matrixPKI holds every certificate the matrix needs: the test CA with its
// server and client certificates, the broken variants of both, and the
// roots that make the server chain fail in particular ways.
type matrixPKI struct {
	*testPKI
	servers map[string]chainCert
	clients map[string]chainCert
	roots   map[string]*fixtures.Cert
}

// newMatrixPKI mints the matrix's certificates. Every failure is built
// in, relative to now, so none depends on the date.
func newMatrixPKI(t *testing.T) *matrixPKI {
	t.Helper()
	pki := newTestPKI(t)
	m := &matrixPKI{
		testPKI: pki,
		servers: map[string]chainCert{},
		clients: map[string]chainCert{},
		roots:   map[string]*fixtures.Cert{"": pki.CA},
	}
	must := func(c *fixtures.Cert, err error) *fixtures.Cert {
		t.Helper()
		if err != nil {
			t.Fatalf("mint certificate: %v", err)
		}
		return c
	}
	inter := must(fixtures.NewIntermediate(pki.CA, "mtlsdoctor test intermediate", fixtures.ECDSAP256))
	serverOnlyCA := must(pki.CA.Issue(fixtures.Spec{
		CommonName: "mtlsdoctor server-only intermediate", IsCA: true,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}))

	// Server chains.
	m.servers["valid"] = fromFixture(pki.Server)
	m.servers["foreign CA"] = fromFixture(pki.foreign.Server)
	viaInter := must(inter.Issue(fixtures.Spec{
		CommonName: "localhost", DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		AIAIssuerURL: "http://127.0.0.1:9/intermediate.crt", // never fetched
	}))
	m.servers["intermediate not sent"] = chainCert{chain: []*x509.Certificate{viaInter.Cert}, key: viaInter.Key}
	m.servers["expired"] = fromFixture(must(pki.IssueServer(fixtures.Expired)))
	m.servers["not yet valid"] = fromFixture(must(pki.IssueServer(fixtures.NotYetValid)))
	m.servers["common name only"] = fromFixture(must(pki.IssueServer(func(s *fixtures.Spec) { s.DNSNames, s.IPAddresses = nil, nil })))
	m.servers["no IP SAN"] = fromFixture(must(pki.IssueServer(func(s *fixtures.Spec) { s.IPAddresses = nil })))
	m.servers["SHA-1 signature"] = fromFixture(must(pki.IssueServer(func(s *fixtures.Spec) { s.SignatureAlgorithm = x509.ECDSAWithSHA1 })))
	m.servers["RSA-1024 key"] = fromFixture(must(pki.IssueServer(func(s *fixtures.Spec) { s.Key = rsaKey(t, 1024) })))
	m.servers["self-signed"] = selfSignedChain(t, "localhost", []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth})
	m.servers["client usage"] = fromFixture(must(pki.IssueServer(func(s *fixtures.Spec) {
		s.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	})))
	grandchild := must(pki.Server.Issue(fixtures.Spec{
		CommonName: "localhost", DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}))
	m.servers["leaf signs leaf"] = chainCert{chain: []*x509.Certificate{grandchild.Cert, pki.Server.Cert}, key: grandchild.Key}
	expiredRoot := must(fixtures.NewRoot(fixtures.Spec{
		CommonName: "mtlsdoctor expired root", Organization: "mtlsdoctor test PKI",
		NotBefore: time.Now().AddDate(-2, 0, 0), NotAfter: time.Now().AddDate(0, 0, -1),
	}))
	m.roots["expired root"] = expiredRoot
	m.servers["under expired root"] = fromFixture(must(expiredRoot.Issue(fixtures.Spec{
		CommonName: "localhost", DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	})))
	// A root with the test CA's name but its own key.
	m.roots["impostor"] = must(fixtures.NewRoot(fixtures.Spec{
		CommonName: pki.CA.Cert.Subject.CommonName, Organization: "mtlsdoctor test PKI",
	}))

	// Client chains.
	clientSpec := func(edit func(*fixtures.Spec)) fixtures.Spec {
		s := fixtures.Spec{
			CommonName: "mtlsdoctor test client", Organization: "mtlsdoctor test PKI",
			ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		}
		if edit != nil {
			edit(&s)
		}
		return s
	}
	m.clients["valid"] = fromFixture(pki.Client)
	m.clients["foreign CA"] = fromFixture(pki.foreign.Client)
	viaInterClient := must(inter.Issue(clientSpec(nil)))
	m.clients["with intermediate"] = fromFixture(viaInterClient)
	m.clients["intermediate not sent"] = chainCert{chain: []*x509.Certificate{viaInterClient.Cert}, key: viaInterClient.Key}
	deepRoot := must(fixtures.NewRoot(fixtures.Spec{CommonName: "mtlsdoctor deep root", Organization: "mtlsdoctor test PKI", MaxPathLen: 2}))
	m.roots["deep root"] = deepRoot
	deepInter1 := must(deepRoot.Issue(fixtures.Spec{CommonName: "mtlsdoctor deep intermediate 1", IsCA: true, MaxPathLen: 1}))
	deepInter2 := must(deepInter1.Issue(fixtures.Spec{CommonName: "mtlsdoctor deep intermediate 2", IsCA: true}))
	m.clients["two intermediates"] = fromFixture(must(deepInter2.Issue(clientSpec(nil))))
	m.clients["expired"] = fromFixture(must(pki.IssueClient(fixtures.Expired)))
	m.clients["not yet valid"] = fromFixture(must(pki.IssueClient(fixtures.NotYetValid)))
	m.clients["server usage"] = fromFixture(must(pki.IssueClient(func(s *fixtures.Spec) {
		s.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	})))
	m.clients["CA restricts usage"] = fromFixture(must(serverOnlyCA.Issue(clientSpec(nil))))
	m.clients["self-signed"] = selfSignedChain(t, "mtlsdoctor test client", []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth})
	leafSigned := must(pki.Client.Issue(clientSpec(nil)))
	m.clients["leaf signs leaf"] = chainCert{chain: []*x509.Certificate{leafSigned.Cert, pki.Client.Cert}, key: leafSigned.Key}
	m.clients["SHA-1 signature"] = fromFixture(must(pki.IssueClient(func(s *fixtures.Spec) { s.SignatureAlgorithm = x509.ECDSAWithSHA1 })))
	m.clients["RSA-1024 key"] = fromFixture(must(pki.IssueClient(func(s *fixtures.Spec) { s.Key = rsaKey(t, 1024) })))
	m.clients["key mismatch"] = chainCert{chain: []*x509.Certificate{pki.Client.Cert}, key: pki.Server.Key}
	m.clients["blocks out of order"] = chainCert{chain: []*x509.Certificate{inter.Cert, viaInterClient.Cert}, key: viaInterClient.Key}
	return m
}

func rsaKey(t *testing.T, bits int) crypto.Signer {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		t.Fatalf("generate RSA-%d key: %v", bits, err)
	}
	return key
}

// selfSignedChain makes a certificate that is signed by its own key and
// is not a CA, as "openssl req -x509" without CA extensions makes.
func selfSignedChain(t *testing.T, cn string, usage []x509.ExtKeyUsage) chainCert {
	t.Helper()
	key, err := fixtures.GenerateKey(fixtures.ECDSAP256)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: cn},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  usage,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return chainCert{chain: []*x509.Certificate{cert}, key: key}
}

// clientFiles writes the client certificate file variants of the "files"
// rows into a temporary directory and returns certificate and key paths
// by variant name.
func (m *matrixPKI) clientFiles(t *testing.T) map[string][2]string {
	t.Helper()
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		t.Helper()
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	valid := m.clients["valid"]
	certPath := write("client-crt.pem", valid.chainPEM())
	keyPath := write("client-key.pem", valid.keyPEM(t))
	outOfOrder := m.clients["blocks out of order"]

	return map[string][2]string{
		"valid":               {certPath, keyPath},
		"not PEM":             {write("client-crt.txt", []byte("subject=CN = mtlsdoctor test client\nissuer=CN = mtlsdoctor test CA\n")), keyPath},
		"encrypted key":       {certPath, write("client-key-encrypted.pem", encryptedKey(t, keyPath))},
		"unreadable":          {filepath.Join(dir, "missing", "client-crt.pem"), keyPath},
		"key of another cert": {certPath, write("server-key.pem", fromFixture(m.Server).keyPEM(t))},
		"blocks out of order": {write("client-chain-reversed.pem", outOfOrder.chainPEM()), write("client-inter-key.pem", outOfOrder.keyPEM(t))},
		"combined file":       {write("client-combined.pem", append(valid.chainPEM(), valid.keyPEM(t)...)), ""},
	}
}

// encryptedKey encrypts the key at path with openssl, as a user who set a
// passphrase has it.
func encryptedKey(t *testing.T, path string) []byte {
	t.Helper()
	openssl := peers.Require(t, "openssl", peers.OpenSSLHint)
	out, err := exec.Command(openssl, "pkcs8", "-topk8", "-in", path, "-v2", "aes-256-cbc", "-passout", "pass:mtlsdoctor").Output()
	if err != nil {
		t.Fatalf("encrypt key with openssl: %v", err)
	}
	return out
}
