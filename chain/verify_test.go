package chain

import (
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"testing"
	"time"

	"github.com/mtlsdoctor/mtlsdoctor/fixtures"
	"github.com/mtlsdoctor/mtlsdoctor/report"
)

func codes(findings []report.Finding) map[report.Code]report.Severity {
	out := map[report.Code]report.Severity{}
	for _, f := range findings {
		out[f.Code] = f.Severity
	}
	return out
}

func mustPKI(t *testing.T) *fixtures.PKI {
	t.Helper()
	pki, err := fixtures.NewPKI(fixtures.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return pki
}

func TestVerifyChain(t *testing.T) {
	pki := mustPKI(t)
	foreign := mustPKI(t)
	root, err := fixtures.NewRoot(fixtures.Spec{CommonName: "chain test root"})
	if err != nil {
		t.Fatal(err)
	}
	inter, err := fixtures.NewIntermediate(root, "chain test intermediate", fixtures.ECDSAP256)
	if err != nil {
		t.Fatal(err)
	}
	viaInter, err := inter.Issue(fixtures.Spec{CommonName: "localhost", DNSNames: []string{"localhost"},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}})
	if err != nil {
		t.Fatal(err)
	}
	viaInterAIA, err := inter.Issue(fixtures.Spec{CommonName: "localhost", DNSNames: []string{"localhost"},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, AIAIssuerURL: "http://127.0.0.1:1/inter.der"})
	if err != nil {
		t.Fatal(err)
	}
	expired, err := pki.IssueServer(fixtures.Expired)
	if err != nil {
		t.Fatal(err)
	}
	future, err := pki.IssueServer(fixtures.NotYetValid)
	if err != nil {
		t.Fatal(err)
	}
	cnOnly, err := pki.IssueServer(func(s *fixtures.Spec) { s.DNSNames = nil; s.IPAddresses = nil })
	if err != nil {
		t.Fatal(err)
	}
	// A CA with the same name as pki.CA but another key.
	impostor, err := fixtures.NewRoot(fixtures.Spec{CommonName: pki.CA.Cert.Subject.CommonName, Organization: "mtlsdoctor test PKI"})
	if err != nil {
		t.Fatal(err)
	}
	rootPool := func(c *fixtures.Cert) VerifyOptions {
		return VerifyOptions{Roots: c.Pool(), RootCerts: []*x509.Certificate{c.Cert}}
	}
	with := func(o VerifyOptions, edit func(*VerifyOptions)) VerifyOptions { edit(&o); return o }

	tests := []struct {
		name  string
		chain []*x509.Certificate
		opts  VerifyOptions
		want  []report.Code
	}{
		{"valid server", []*x509.Certificate{pki.Server.Cert}, with(rootPool(pki.CA), func(o *VerifyOptions) { o.Host = "localhost" }), nil},
		{"valid client", []*x509.Certificate{pki.Client.Cert}, with(rootPool(pki.CA), func(o *VerifyOptions) { o.Usage = UsageClient }), nil},
		{"valid with intermediate", []*x509.Certificate{viaInter.Cert, inter.Cert}, rootPool(root), nil},
		{"foreign CA", []*x509.Certificate{foreign.Server.Cert}, rootPool(pki.CA), []report.Code{report.CodeUnknownAuthority}},
		{"missing intermediate with AIA", []*x509.Certificate{viaInterAIA.Cert}, rootPool(root), []report.Code{report.CodeIncompleteChain}},
		{"missing intermediate without AIA", []*x509.Certificate{viaInter.Cert}, rootPool(root), []report.Code{report.CodeUnknownAuthority}},
		{"same name other key", []*x509.Certificate{pki.Server.Cert}, rootPool(impostor), []report.Code{report.CodeUnknownAuthority}},
		{"expired leaf", []*x509.Certificate{expired.Cert}, rootPool(pki.CA), []report.Code{report.CodeExpired}},
		{"not yet valid", []*x509.Certificate{future.Cert}, rootPool(pki.CA), []report.Code{report.CodeNotYetValid}},
		{"expired and foreign", []*x509.Certificate{expired.Cert}, rootPool(foreign.CA), []report.Code{report.CodeExpired, report.CodeUnknownAuthority}},
		{"host mismatch", []*x509.Certificate{pki.Server.Cert}, with(rootPool(pki.CA), func(o *VerifyOptions) { o.Host = "webhook.example.com" }), []report.Code{report.CodeHostnameMismatch}},
		{"ip without ip san", []*x509.Certificate{cnOnly.Cert}, with(rootPool(pki.CA), func(o *VerifyOptions) { o.Host = "127.0.0.1" }), []report.Code{report.CodeHostnameMismatch}},
		{"common name only", []*x509.Certificate{cnOnly.Cert}, with(rootPool(pki.CA), func(o *VerifyOptions) { o.Host = "localhost" }), []report.Code{report.CodeLegacyCommonName}},
		{"client cert as server", []*x509.Certificate{pki.Client.Cert}, rootPool(pki.CA), []report.Code{report.CodeWrongUsageServer}},
		{"server cert as client", []*x509.Certificate{pki.Server.Cert}, with(rootPool(pki.CA), func(o *VerifyOptions) { o.Usage = UsageClient }), []report.Code{report.CodeWrongUsageClient}},
		{"self-signed leaf", []*x509.Certificate{selfSigned(t)}, VerifyOptions{Roots: x509.NewCertPool()}, []report.Code{report.CodeSelfSignedLeaf, report.CodeUnknownAuthority}},
		{"leaf signs leaf", leafSigned(t, pki), rootPool(pki.CA), []report.Code{report.CodeNotACA}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := codes(VerifyChain(tt.chain, tt.opts))
			for _, code := range tt.want {
				if _, ok := got[code]; !ok {
					t.Errorf("missing finding %s; got %v", code, got)
				}
			}
			if len(got) != len(tt.want) {
				t.Errorf("got findings %v, want exactly %v", got, tt.want)
			}
		})
	}
}

func selfSigned(t *testing.T) *x509.Certificate {
	t.Helper()
	// A self-signed certificate that is not a CA, as "openssl req -x509"
	// with a configuration without CA extensions makes.
	key, err := fixtures.GenerateKey(fixtures.ECDSAP256)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "localhost"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), DNSNames: []string{"localhost"}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

// leafSigned returns a chain whose leaf was signed by the server leaf, which
// is not a CA.
func leafSigned(t *testing.T, pki *fixtures.PKI) []*x509.Certificate {
	t.Helper()
	c, err := pki.Server.Issue(fixtures.Spec{CommonName: "grandchild", ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}})
	if err != nil {
		t.Fatal(err)
	}
	return []*x509.Certificate{c.Cert, pki.Server.Cert}
}
