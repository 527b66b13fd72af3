package chain

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"errors"
	"io"
	"log"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/mtlsdoctor/mtlsdoctor/fixtures"
	"github.com/mtlsdoctor/mtlsdoctor/report"
)

// detailedLeaf issues a leaf from ca with OCSP, caIssuers and CRL URLs.
func detailedLeaf(t *testing.T, ca *fixtures.Cert) *x509.Certificate {
	t.Helper()
	c, err := ca.Issue(fixtures.Spec{
		CommonName:   "webhook.example",
		DNSNames:     []string{"webhook.example"},
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		AIAIssuerURL: "http://127.0.0.1:1/ca.crt",
		OCSPServer:   "http://127.0.0.1:1/ocsp",
	})
	if err != nil {
		t.Fatal(err)
	}
	tmpl := *c.Cert
	tmpl.CRLDistributionPoints = []string{"http://127.0.0.1:1/ca.crl"}
	der, err := x509.CreateCertificate(rand.Reader, &tmpl, ca.Cert, c.Key.Public(), ca.Key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

func TestInspectContentsDetails(t *testing.T) {
	pki := mustPKI(t)
	leaf := detailedLeaf(t, pki.CA)
	keyPEM, err := pki.Client.KeyPEM()
	if err != nil {
		t.Fatal(err)
	}
	data := append(append(pemOf(leaf, pki.CA.Cert), keyPEM...), pki.Client.CertPEM()...)
	now := time.Now()
	in := InspectContents("bundle.pem", Decode(data), now).Inspection

	if len(in.Certificates) != 3 || len(in.Keys) != 1 {
		t.Fatalf("got %d certificates and %d keys, want 3 and 1", len(in.Certificates), len(in.Keys))
	}
	d := in.Certificates[0]
	sha1Sum := sha1.Sum(leaf.Raw)
	checks := []struct {
		field, got, want string
	}{
		{"role", d.Role, "leaf"},
		{"subject", d.Subject, "CN=webhook.example"},
		{"issuer", d.Issuer, pki.CA.Cert.Subject.String()},
		{"sans", strings.Join(d.SANs, ","), "DNS:webhook.example"},
		{"public key", d.PublicKey, "ECDSA P-256"},
		{"signature", d.SignatureAlgorithm, "ECDSA-SHA256"},
		{"key usage", strings.Join(d.KeyUsage, ","), "digitalSignature"},
		{"extended key usage", strings.Join(d.ExtKeyUsage, ","), "serverAuth,clientAuth"},
		{"ocsp", strings.Join(d.OCSPServers, ","), "http://127.0.0.1:1/ocsp"},
		{"ca issuers", strings.Join(d.IssuingCertificateURL, ","), "http://127.0.0.1:1/ca.crt"},
		{"crl", strings.Join(d.CRLDistributionPoints, ","), "http://127.0.0.1:1/ca.crl"},
		{"sha256", d.SHA256, report.Fingerprint(leaf.Raw)},
		{"sha1", d.SHA1, report.ColonHex(sha1Sum[:])},
		{"ski", d.SubjectKeyID, report.ColonHex(leaf.SubjectKeyId)},
		{"aki", d.AuthorityKeyID, report.ColonHex(pki.CA.Cert.SubjectKeyId)},
		{"ca role", in.Certificates[1].Role, "root CA"},
		{"third role", in.Certificates[2].Role, "end-entity"},
		{"key format", in.Keys[0].Format, "PKCS#8"},
		{"key match subject", in.Keys[0].MatchesSubject, pki.Client.Cert.Subject.String()},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.field, c.got, c.want)
		}
	}
	if d.DaysLeft < 364 || d.DaysLeft > 365 {
		t.Errorf("days left = %d, want 364 or 365 for a one-year certificate", d.DaysLeft)
	}
	if in.Keys[0].MatchesCertificate != 3 {
		t.Errorf("key matches certificate %d, want 3", in.Keys[0].MatchesCertificate)
	}
	if in.Keys[0].Index != 3 {
		t.Errorf("key block = %d, want 3", in.Keys[0].Index)
	}
	if ca := in.Certificates[1]; !ca.IsCA || !ca.SelfSigned || ca.MaxPathLen == nil || *ca.MaxPathLen != 1 {
		t.Errorf("CA details = CA %v, self-signed %v, path length %v; want true, true, 1", ca.IsCA, ca.SelfSigned, ca.MaxPathLen)
	}
}

func TestInspectContentsLints(t *testing.T) {
	pki := mustPKI(t)
	weakKey, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	issue := func(edit func(*fixtures.Spec)) *x509.Certificate {
		c, err := pki.IssueServer(edit)
		if err != nil {
			t.Fatal(err)
		}
		return c.Cert
	}
	selfSigned, err := fixtures.NewRoot(fixtures.Spec{CommonName: "self"})
	if err != nil {
		t.Fatal(err)
	}
	selfLeaf := selfSignedLeaf(t)
	client, err := pki.IssueClient(func(s *fixtures.Spec) { s.DNSNames, s.IPAddresses, s.Emails = nil, nil, nil })
	if err != nil {
		t.Fatal(err)
	}
	clientOnly := client.Cert
	noAKI := withoutAuthorityKeyID(t, pki)
	now := time.Now()

	tests := []struct {
		name     string
		certs    []*x509.Certificate
		code     report.Code
		severity report.Severity
		summary  string
	}{
		{"weak key", []*x509.Certificate{issue(func(s *fixtures.Spec) { s.Key = weakKey })}, report.CodeWeakKey, report.SeverityWarning, "1024-bit RSA"},
		{"common name only", []*x509.Certificate{issue(func(s *fixtures.Spec) { s.DNSNames, s.IPAddresses = nil, nil })}, report.CodeLegacyCommonName, report.SeverityWarning, "no subject alternative names"},
		{"common name only, no extended key usage", []*x509.Certificate{issue(func(s *fixtures.Spec) { s.DNSNames, s.IPAddresses, s.ExtKeyUsage = nil, nil, nil })},
			report.CodeLegacyCommonName, report.SeverityWarning, "no subject alternative names"},
		{"client certificate without names", []*x509.Certificate{clientOnly}, "", "", ""},
		{"expires soon", []*x509.Certificate{issue(func(s *fixtures.Spec) { s.NotAfter = now.Add(10 * 24 * time.Hour) })}, report.CodeExpired, report.SeverityWarning, "expires in"},
		{"expired", []*x509.Certificate{issue(fixtures.Expired)}, report.CodeExpired, report.SeverityError, "expired on"},
		{"self-signed leaf", []*x509.Certificate{selfLeaf}, report.CodeSelfSignedLeaf, report.SeverityWarning, ""},
		{"leaf without subject key id", []*x509.Certificate{pki.Server.Cert}, "", "", ""},
		{"no authority key id", []*x509.Certificate{noAKI}, report.CodeMissingKeyID, report.SeverityWarning, "no authority key identifier"},
		{"root without authority key id", []*x509.Certificate{selfSigned.Cert}, "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := InspectContents("f.pem", Contents{Encoding: EncodingPEM, Certificates: tt.certs}, now).Inspection
			if tt.code == "" {
				for _, f := range in.Findings {
					if f.Severity != report.SeverityInfo {
						t.Errorf("unexpected finding %s", f)
					}
				}
				return
			}
			var found bool
			for _, f := range in.Findings {
				if f.Code == tt.code && f.Severity == tt.severity && strings.Contains(f.Summary, tt.summary) {
					found = true
				}
			}
			if !found {
				t.Errorf("findings %v lack %s %s containing %q", in.Findings, tt.severity, tt.code, tt.summary)
			}
		})
	}
}

// selfSignedLeaf makes a non-CA certificate signed by its own key.
func selfSignedLeaf(t *testing.T) *x509.Certificate {
	t.Helper()
	key, err := fixtures.GenerateKey(fixtures.ECDSAP256)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: fixturesSerial(), Subject: pkixName("self-signed leaf"),
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		DNSNames: []string{"localhost"}, SubjectKeyId: []byte{1, 2, 3},
	}
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

// withoutAuthorityKeyID issues a leaf from a CA that has no subject key
// identifier, so Go cannot fill in the leaf's authority key identifier.
func withoutAuthorityKeyID(t *testing.T, pki *fixtures.PKI) *x509.Certificate {
	t.Helper()
	caTmpl := *pki.CA.Cert
	caTmpl.SubjectKeyId = nil
	caTmpl.AuthorityKeyId = nil
	key, err := fixtures.GenerateKey(fixtures.ECDSAP256)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: fixturesSerial(), Subject: pkixName("no aki"),
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		DNSNames: []string{"localhost"}, SubjectKeyId: []byte{4, 5, 6},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, &caTmpl, key.Public(), pki.CA.Key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	if len(cert.AuthorityKeyId) != 0 {
		t.Fatal("the certificate has an authority key identifier after all")
	}
	return cert
}

func TestInspectFileErrors(t *testing.T) {
	pki := mustPKI(t)
	encrypted := encryptedPKCS8PEM(t, pki.Client.Key, "s3cret")
	tests := []struct {
		name string
		data []byte
		code report.Code
		text string
	}{
		{"empty", []byte(" \n"), report.CodeNotPEM, "empty"},
		{"garbage", []byte("hello"), report.CodeNotPEM, "no certificate found"},
		{"encrypted key only", encrypted, report.CodeEncryptedKey, "no password was given"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, "f.pem", tt.data)
			_, err := InspectFile(path, ReadOptions{}, time.Now())
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("error = %v, want *FileError", err)
			}
			if fe.Code != tt.code || !strings.Contains(err.Error(), tt.text) {
				t.Errorf("error = %s %q, want %s containing %q", fe.Code, err, tt.code, tt.text)
			}
		})
	}
}

func TestInspectAddress(t *testing.T) {
	pki := mustPKI(t)
	tlsSrv := httptest.NewUnstartedServer(http.NotFoundHandler())
	tlsSrv.TLS = &tls.Config{Certificates: []tls.Certificate{pki.Server.TLSCertificate()}}
	tlsSrv.StartTLS()
	t.Cleanup(tlsSrv.Close)
	files := serveFiles(t, map[string][]byte{"ca.crt": pki.CA.Cert.Raw, "page": []byte("<html><head></head></html>")})
	// A server that cannot load a certificate for any name: crypto/tls
	// sends internal_error, as nginx does for a missing certificate file.
	noCert := httptest.NewUnstartedServer(http.NotFoundHandler())
	noCert.Config.ErrorLog = log.New(io.Discard, "", 0)
	noCert.Listener = tls.NewListener(noCert.Listener, &tls.Config{
		GetCertificate: func(*tls.ClientHelloInfo) (*tls.Certificate, error) {
			return nil, errors.New("no certificate for this name")
		},
	})
	noCert.Start()
	t.Cleanup(noCert.Close)

	tests := []struct {
		name     string
		target   string
		certs    int
		encoding string
		code     report.Code // a finding the inspection must have
		wantErr  string
	}{
		{"tls server url", tlsSrv.URL, 1, "TLS", "", ""},
		{"host and port", strings.TrimPrefix(tlsSrv.URL, "https://"), 1, "TLS", "", ""},
		{"http download", files.URL + "/ca.crt", 1, "DER", "", ""},
		{"plain http", "https://" + strings.TrimPrefix(files.URL, "http://"), 0, "TLS", report.CodePlainHTTP, ""},
		{"alert", "https://" + strings.TrimPrefix(noCert.URL, "http://"), 0, "TLS", report.CodeHandshakeFailure, ""},
		{"refused", strings.Replace(closedPortURL(t, ""), "http://", "https://", 1), 0, "TLS", report.CodeConnectionRefused, ""},
		{"download of a page", files.URL + "/page", 0, "", "", "web page"},
		{"ftp url", "ftp://127.0.0.1/ca.crt", 0, "", "", "invalid target"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := InspectAddress(context.Background(), tt.target, InspectAddressOptions{Timeout: 5 * time.Second}, time.Now())
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			in := got.Inspection
			if len(in.Certificates) != tt.certs || len(got.Certificates) != tt.certs {
				t.Errorf("got %d certificates, want %d", len(in.Certificates), tt.certs)
			}
			if in.Encoding != tt.encoding {
				t.Errorf("encoding = %q, want %q", in.Encoding, tt.encoding)
			}
			if tt.code != "" {
				found := false
				for _, f := range in.Findings {
					found = found || f.Code == tt.code
				}
				if !found {
					t.Errorf("findings %v lack %s", in.Findings, tt.code)
				}
			}
		})
	}
}

func TestRenderInspectionsListsEveryField(t *testing.T) {
	pki := mustPKI(t)
	keyPEM, err := pki.Server.KeyPEM()
	if err != nil {
		t.Fatal(err)
	}
	in := InspectContents("server.pem", Decode(append(pki.Server.ChainPEM(), keyPEM...)), time.Now()).Inspection

	var out bytes.Buffer
	if err := report.RenderInspections(&out, report.FormatJSON, report.Options{}, in); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out.String())
	}
	certs, _ := doc["certificates"].([]any)
	if len(certs) != 1 {
		t.Fatalf("JSON has %d certificates, want 1", len(certs))
	}
	cert := certs[0].(map[string]any)
	for _, field := range []string{"index", "role", "subject", "issuer", "serial", "not_before", "not_after", "days_left",
		"sans", "public_key", "key_type", "key_bits", "signature_algorithm", "key_usage", "ext_key_usage", "is_ca", "basic_constraints_present",
		"max_path_len", "self_signed", "subject_key_id", "authority_key_id", "ocsp_servers", "ca_issuers",
		"crl_distribution_points", "sha256", "sha1"} {
		if _, ok := cert[field]; !ok {
			t.Errorf("certificate object lacks %q", field)
		}
	}
	keys, _ := doc["keys"].([]any)
	if len(keys) != 1 || keys[0].(map[string]any)["matches_certificate"] != float64(1) {
		t.Errorf("keys = %v, want one matching certificate 1", doc["keys"])
	}

	out.Reset()
	if err := report.RenderInspections(&out, report.FormatText, report.Options{}, in); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"certificate 1: leaf", "subject key ID", "SHA-1", "private key (block 2): PKCS#8 ECDSA P-256, matches certificate 1"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("text output lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "PRIVATE KEY-----") {
		t.Error("text output prints the private key")
	}
}

func fixturesSerial() *big.Int {
	n, err := rand.Int(rand.Reader, big.NewInt(1<<62))
	if err != nil {
		panic(err)
	}
	return n.Add(n, big.NewInt(1))
}

func pkixName(cn string) pkix.Name { return pkix.Name{CommonName: cn} }
