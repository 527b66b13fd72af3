package chain

import (
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"strings"
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
	expiredRoot, err := fixtures.NewRoot(fixtures.Spec{CommonName: "chain test expired root",
		NotBefore: time.Now().AddDate(-2, 0, 0), NotAfter: time.Now().AddDate(0, 0, -1)})
	if err != nil {
		t.Fatal(err)
	}
	underExpiredRoot, err := expiredRoot.Issue(fixtures.Spec{CommonName: "localhost", DNSNames: []string{"localhost"},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}})
	if err != nil {
		t.Fatal(err)
	}
	expiredUnderExpiredRoot, err := expiredRoot.Issue(fixtures.Spec{CommonName: "localhost", DNSNames: []string{"localhost"},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		NotBefore:   time.Now().AddDate(0, -2, 0), NotAfter: time.Now().AddDate(0, -1, 0)})
	if err != nil {
		t.Fatal(err)
	}
	sha1Leaf, err := pki.IssueServer(func(s *fixtures.Spec) { s.SignatureAlgorithm = x509.ECDSAWithSHA1 })
	if err != nil {
		t.Fatal(err)
	}
	sha1Root, err := fixtures.NewRoot(fixtures.Spec{CommonName: "chain test SHA-1 root", SignatureAlgorithm: x509.ECDSAWithSHA1})
	if err != nil {
		t.Fatal(err)
	}
	underSHA1Root, err := sha1Root.Issue(fixtures.Spec{CommonName: "localhost", DNSNames: []string{"localhost"},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}})
	if err != nil {
		t.Fatal(err)
	}
	sha1Inter, err := root.Issue(fixtures.Spec{CommonName: "chain test SHA-1 intermediate", IsCA: true, SignatureAlgorithm: x509.ECDSAWithSHA1})
	if err != nil {
		t.Fatal(err)
	}
	viaSHA1Inter, err := sha1Inter.Issue(fixtures.Spec{CommonName: "localhost", DNSNames: []string{"localhost"},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}})
	if err != nil {
		t.Fatal(err)
	}
	expiredInter, err := root.Issue(fixtures.Spec{CommonName: "chain test expired intermediate", IsCA: true,
		NotBefore: time.Now().AddDate(0, -2, 0), NotAfter: time.Now().AddDate(0, 0, -1)})
	if err != nil {
		t.Fatal(err)
	}
	viaExpiredInter, err := expiredInter.Issue(fixtures.Spec{CommonName: "localhost", DNSNames: []string{"localhost"},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, NotBefore: time.Now().AddDate(0, -1, 0)})
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
		{"expired leaf with root sent", []*x509.Certificate{expired.Cert, pki.CA.Cert}, rootPool(pki.CA), []report.Code{report.CodeExpired}},
		{"valid leaf under expired root", []*x509.Certificate{underExpiredRoot.Cert}, rootPool(expiredRoot), []report.Code{report.CodeCAExpired}},
		{"expired leaf under expired root", []*x509.Certificate{expiredUnderExpiredRoot.Cert}, rootPool(expiredRoot),
			[]report.Code{report.CodeExpired, report.CodeCAExpired}},
		{"SHA-1 leaf", []*x509.Certificate{sha1Leaf.Cert}, rootPool(pki.CA), []report.Code{report.CodeInsecureSignature}},
		{"SHA-1 leaf without root certs", []*x509.Certificate{sha1Leaf.Cert}, VerifyOptions{Roots: pki.CA.Pool()}, []report.Code{report.CodeInsecureSignature}},
		{"SHA-1 root sent", []*x509.Certificate{underSHA1Root.Cert, sha1Root.Cert}, rootPool(sha1Root), nil},
		{"SHA-1 intermediate", []*x509.Certificate{viaSHA1Inter.Cert, sha1Inter.Cert}, rootPool(root), []report.Code{report.CodeInsecureSignature}},
		{"expired intermediate", []*x509.Certificate{viaExpiredInter.Cert, expiredInter.Cert}, rootPool(root), []report.Code{report.CodeCAExpired}},
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

func TestVerifyChainNamesCertificate(t *testing.T) {
	root, err := fixtures.NewRoot(fixtures.Spec{CommonName: "naming root"})
	if err != nil {
		t.Fatal(err)
	}
	sha1Inter, err := root.Issue(fixtures.Spec{CommonName: "SHA-1 intermediate", IsCA: true, SignatureAlgorithm: x509.ECDSAWithSHA1})
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := sha1Inter.Issue(fixtures.Spec{CommonName: "localhost", DNSNames: []string{"localhost"},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}})
	if err != nil {
		t.Fatal(err)
	}
	findings := VerifyChain([]*x509.Certificate{leaf.Cert, sha1Inter.Cert}, VerifyOptions{Roots: root.Pool(), RootCerts: []*x509.Certificate{root.Cert}})
	if len(findings) != 1 {
		t.Fatalf("got %d findings, want 1: %v", len(findings), findings)
	}
	if want := "first intermediate certificate CN=SHA-1 intermediate"; !strings.Contains(findings[0].Summary, want) {
		t.Errorf("summary %q does not name %q", findings[0].Summary, want)
	}
}

func TestCheckPresented(t *testing.T) {
	pki := mustPKI(t)
	must := func(c *fixtures.Cert, err error) *fixtures.Cert {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	clientSpec := fixtures.Spec{CommonName: "client", ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	deepRoot := must(fixtures.NewRoot(fixtures.Spec{CommonName: "deep root", MaxPathLen: 2}))
	inter1 := must(deepRoot.Issue(fixtures.Spec{CommonName: "intermediate 1", IsCA: true, MaxPathLen: 1}))
	inter2 := must(inter1.Issue(fixtures.Spec{CommonName: "intermediate 2", IsCA: true}))
	deepLeaf := must(inter2.Issue(clientSpec))
	expiredInter := must(deepRoot.Issue(fixtures.Spec{CommonName: "expired intermediate", IsCA: true,
		NotBefore: time.Now().AddDate(0, -2, 0), NotAfter: time.Now().AddDate(0, -1, 0)}))
	serverOnlyInter := must(deepRoot.Issue(fixtures.Spec{CommonName: "server-only intermediate", IsCA: true,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}))
	foreign := mustPKI(t)

	tests := []struct {
		name  string
		chain []*x509.Certificate
		want  map[report.Code]report.Severity
		text  string // in the first finding's summary or detail
	}{
		{"leaf only", []*x509.Certificate{pki.Client.Cert}, nil, ""},
		{"leaf and intermediates", []*x509.Certificate{deepLeaf.Cert, inter2.Cert, inter1.Cert}, nil, ""},
		{"leaf, intermediates and root", []*x509.Certificate{deepLeaf.Cert, inter2.Cert, inter1.Cert, deepRoot.Cert}, nil, ""},
		{"server certificate", []*x509.Certificate{pki.Server.Cert},
			map[report.Code]report.Severity{report.CodeWrongUsageClient: report.SeverityError}, "allows only serverAuth"},
		{"CA restricts usage", []*x509.Certificate{must(serverOnlyInter.Issue(clientSpec)).Cert, serverOnlyInter.Cert},
			map[report.Code]report.Severity{report.CodeWrongUsageClient: report.SeverityError}, "first intermediate"},
		{"expired intermediate", []*x509.Certificate{must(expiredInter.Issue(clientSpec)).Cert, expiredInter.Cert},
			map[report.Code]report.Severity{report.CodeCAExpired: report.SeverityError}, "first intermediate"},
		{"leaf signs leaf", []*x509.Certificate{must(pki.Client.Issue(clientSpec)).Cert, pki.Client.Cert},
			map[report.Code]report.Severity{report.CodeNotACA: report.SeverityError}, "is not a CA"},
		{"intermediates out of order", []*x509.Certificate{deepLeaf.Cert, inter1.Cert, inter2.Cert},
			map[report.Code]report.Severity{report.CodeIncompleteChain: report.SeverityWarning}, "should follow it"},
		{"unrelated second certificate", []*x509.Certificate{pki.Client.Cert, foreign.CA.Cert},
			map[report.Code]report.Severity{report.CodeIncompleteChain: report.SeverityWarning}, "does not belong"},
		{"self-signed leaf", []*x509.Certificate{selfSigned(t)},
			map[report.Code]report.Severity{report.CodeSelfSignedLeaf: report.SeverityWarning}, "signed by its own key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			findings := CheckPresented(tt.chain, UsageClient, time.Now())
			got := codes(findings)
			for code, severity := range tt.want {
				if got[code] != severity {
					t.Errorf("finding %s has severity %q, want %q; got %v", code, got[code], severity, got)
				}
			}
			if len(got) != len(tt.want) {
				t.Errorf("got findings %v, want exactly %v", got, tt.want)
			}
			if tt.text != "" && len(findings) > 0 && !strings.Contains(findings[0].Summary+" "+findings[0].Detail, tt.text) {
				t.Errorf("finding %q: %q does not contain %q", findings[0].Summary, findings[0].Detail, tt.text)
			}
		})
	}
}

func TestVerifyChainNeutralWording(t *testing.T) {
	p := newOrderPKI(t)
	viaInterAIA, err := p.inter.Issue(fixtures.Spec{CommonName: "localhost", DNSNames: []string{"localhost"},
		AIAIssuerURL: "http://127.0.0.1:1/inter.der"})
	if err != nil {
		t.Fatal(err)
	}
	opts := VerifyOptions{Roots: p.root.Pool(), RootCerts: []*x509.Certificate{p.root.Cert}}
	tests := []struct {
		name  string
		chain []*x509.Certificate
		code  report.Code
		want  string
	}{
		{"missing intermediate without AIA", []*x509.Certificate{p.leaf.Cert}, report.CodeUnknownAuthority,
			"the chain has 1 certificate; the last, CN=localhost, was issued by"},
		{"missing intermediate with AIA", []*x509.Certificate{viaInterAIA.Cert}, report.CodeIncompleteChain,
			"the chain has 1 certificate; the last, CN=localhost, was issued by"},
		{"untrusted self-signed", []*x509.Certificate{selfSigned(t)}, report.CodeUnknownAuthority,
			"the chain has 1 certificate and ends at"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var found bool
			for _, f := range VerifyChain(tt.chain, opts) {
				if f.Code != tt.code {
					continue
				}
				found = true
				if !strings.Contains(f.Detail, tt.want) {
					t.Errorf("detail %q does not contain %q", f.Detail, tt.want)
				}
				if strings.Contains(f.Detail, "peer") || strings.Contains(f.Detail, "sent") {
					t.Errorf("detail %q speaks of a peer, but verify has none", f.Detail)
				}
			}
			if !found {
				t.Errorf("no %s finding", tt.code)
			}
		})
	}
}

func TestVerifyChainExpiredCAs(t *testing.T) {
	root, err := fixtures.NewRoot(fixtures.Spec{CommonName: "expired CAs root",
		NotBefore: time.Now().AddDate(-2, 0, 0), NotAfter: time.Now().AddDate(0, 0, -1)})
	if err != nil {
		t.Fatal(err)
	}
	inter, err := root.Issue(fixtures.Spec{CommonName: "expired CAs intermediate", IsCA: true,
		NotBefore: time.Now().AddDate(0, -2, 0), NotAfter: time.Now().AddDate(0, 0, -2)})
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := inter.Issue(fixtures.Spec{CommonName: "localhost", DNSNames: []string{"localhost"},
		NotBefore: time.Now().AddDate(0, -1, 0)})
	if err != nil {
		t.Fatal(err)
	}
	findings := VerifyChain([]*x509.Certificate{leaf.Cert, inter.Cert, root.Cert},
		VerifyOptions{Roots: root.Pool(), RootCerts: []*x509.Certificate{root.Cert}})
	want := map[string]bool{
		"the first intermediate certificate CN=expired CAs intermediate expired": false,
		"the root certificate CN=expired CAs root expired":                       false,
	}
	for _, f := range findings {
		if f.Code == report.CodeExpired {
			t.Errorf("expired finding for a CA: %s", f.Summary)
		}
		for summary := range want {
			if f.Code == report.CodeCAExpired && strings.HasPrefix(f.Summary, summary) {
				want[summary] = true
			}
		}
	}
	for summary, found := range want {
		if !found {
			t.Errorf("no ca-expired finding %q; got %v", summary, findings)
		}
	}
}
