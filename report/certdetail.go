package report

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"strings"
	"time"
)

// CertDetail is everything inspect shows about one certificate. Lists
// are never null in JSON, so scripts can index them without a check.
type CertDetail struct {
	// Index is the 1-based position of the certificate in the file or in
	// the chain the server sent.
	Index int `json:"index"`
	// Role is "leaf", "intermediate CA", "root CA" or "end-entity" (a
	// non-CA certificate after the first).
	Role      string    `json:"role"`
	Subject   string    `json:"subject"`
	Issuer    string    `json:"issuer"`
	Serial    string    `json:"serial"`
	NotBefore time.Time `json:"not_before"`
	NotAfter  time.Time `json:"not_after"`
	// DaysLeft counts whole days from the time of inspection to
	// NotAfter; it is negative for an expired certificate.
	DaysLeft int      `json:"days_left"`
	SANs     []string `json:"sans"`
	// PublicKey is the algorithm and size, such as "ECDSA P-256".
	PublicKey          string   `json:"public_key"`
	KeyType            string   `json:"key_type"`
	KeyBits            int      `json:"key_bits"`
	SignatureAlgorithm string   `json:"signature_algorithm"`
	KeyUsage           []string `json:"key_usage"`
	ExtKeyUsage        []string `json:"ext_key_usage"`
	IsCA               bool     `json:"is_ca"`
	// BasicConstraintsPresent distinguishes a certificate without the
	// basic constraints extension, such as an X.509 v1 certificate, from
	// one whose extension is CA:FALSE. IsCA is false for both.
	BasicConstraintsPresent bool `json:"basic_constraints_present"`
	// MaxPathLen is the CA's path length constraint; nil when there is
	// none or the certificate is not a CA.
	MaxPathLen *int `json:"max_path_len"`
	SelfSigned bool `json:"self_signed"`
	// SubjectKeyID and AuthorityKeyID are colon hex, empty when absent.
	SubjectKeyID          string   `json:"subject_key_id"`
	AuthorityKeyID        string   `json:"authority_key_id"`
	OCSPServers           []string `json:"ocsp_servers"`
	IssuingCertificateURL []string `json:"ca_issuers"`
	CRLDistributionPoints []string `json:"crl_distribution_points"`
	SHA256                string   `json:"sha256"`
	SHA1                  string   `json:"sha1"`
}

// KeyDetail is a private key found by inspect. It never holds the key.
type KeyDetail struct {
	// Index is the 1-based position of the key's block in the file.
	Index     int    `json:"index"`
	Format    string `json:"format"`
	PublicKey string `json:"public_key"`
	KeyType   string `json:"key_type"`
	KeyBits   int    `json:"key_bits"`
	// PublicKeySHA256 is the SHA-256 of the public key's DER
	// SubjectPublicKeyInfo, which equals that of its certificate's key.
	PublicKeySHA256 string `json:"public_key_sha256"`
	// MatchesCertificate is the Index of the first certificate whose
	// public key is this key's, or 0 when none is.
	MatchesCertificate int    `json:"matches_certificate"`
	MatchesSubject     string `json:"matches_subject,omitempty"`
}

// Inspection is the result of inspect for one file or server.
type Inspection struct {
	Target string `json:"target"`
	Kind   string `json:"kind"`
	OK     bool   `json:"ok"`
	// Encoding is the form the file stored its certificates in, such as
	// "PEM" or "PKCS#12", or "TLS" for a server.
	Encoding     string       `json:"encoding,omitempty"`
	Findings     []Finding    `json:"findings"`
	Certificates []CertDetail `json:"certificates"`
	Keys         []KeyDetail  `json:"keys"`
	Notes        []string     `json:"notes,omitempty"`
}

// Finish sets OK and makes the lists non-nil for JSON.
func (in *Inspection) Finish() *Inspection {
	if in.Kind == "" {
		in.Kind = "inspect"
	}
	if in.Findings == nil {
		in.Findings = []Finding{}
	}
	if in.Certificates == nil {
		in.Certificates = []CertDetail{}
	}
	if in.Keys == nil {
		in.Keys = []KeyDetail{}
	}
	in.OK = true
	for _, f := range in.Findings {
		if f.Severity == SeverityError {
			in.OK = false
		}
	}
	return in
}

// Report converts in to a Report with the basic certificate listing, for
// the JUnit renderer and for callers that combine reports.
func (in *Inspection) Report() *Report {
	r := &Report{Target: in.Target, Kind: in.Kind, Findings: in.Findings, Notes: in.Notes}
	for _, c := range in.Certificates {
		r.Certificates = append(r.Certificates, CertInfo{
			Subject: c.Subject, Issuer: c.Issuer, Serial: c.Serial,
			NotBefore: c.NotBefore, NotAfter: c.NotAfter, SANs: c.SANs,
			IsCA: c.IsCA, SHA256: c.SHA256, Note: c.Role,
		})
	}
	return r.Finish()
}

// DescribeDetail lists every field of cert that inspect shows, with the
// days left counted from now. Index and Role are left to the caller.
func DescribeDetail(cert *x509.Certificate, now time.Time) CertDetail {
	basic := Describe(cert)
	sha1Sum := sha1.Sum(cert.Raw)
	keyType, bits := KeyTypeAndBits(cert.PublicKey)
	d := CertDetail{
		Subject:            basic.Subject,
		Issuer:             basic.Issuer,
		Serial:             basic.Serial,
		NotBefore:          basic.NotBefore,
		NotAfter:           basic.NotAfter,
		DaysLeft:           int(cert.NotAfter.Sub(now).Hours() / 24),
		SANs:               nonNil(sanList(cert)),
		PublicKey:          PublicKeyName(cert.PublicKey),
		KeyType:            keyType,
		KeyBits:            bits,
		SignatureAlgorithm: cert.SignatureAlgorithm.String(),
		KeyUsage:           nonNil(KeyUsageNames(cert.KeyUsage)),
		ExtKeyUsage:        nonNil(ExtKeyUsageNames(cert)),
		IsCA:               cert.IsCA,
		// crypto/x509 sets BasicConstraintsValid only when the
		// certificate has the extension.
		BasicConstraintsPresent: cert.BasicConstraintsValid,
		SelfSigned:              isSelfSigned(cert),
		SubjectKeyID:            hexOrEmpty(cert.SubjectKeyId),
		AuthorityKeyID:          hexOrEmpty(cert.AuthorityKeyId),
		OCSPServers:             nonNil(cert.OCSPServer),
		IssuingCertificateURL:   nonNil(cert.IssuingCertificateURL),
		CRLDistributionPoints:   nonNil(cert.CRLDistributionPoints),
		SHA256:                  basic.SHA256,
		SHA1:                    ColonHex(sha1Sum[:]),
	}
	if cert.IsCA && cert.BasicConstraintsValid && (cert.MaxPathLen > 0 || cert.MaxPathLenZero) {
		n := cert.MaxPathLen
		d.MaxPathLen = &n
	}
	return d
}

// DescribeKey lists what inspect shows about a private key's public half.
// Index and the match are left to the caller.
func DescribeKey(pub crypto.PublicKey, format string) KeyDetail {
	keyType, bits := KeyTypeAndBits(pub)
	d := KeyDetail{Format: format, PublicKey: PublicKeyName(pub), KeyType: keyType, KeyBits: bits}
	if spki, err := x509.MarshalPKIXPublicKey(pub); err == nil {
		sum := sha256.Sum256(spki)
		d.PublicKeySHA256 = ColonHex(sum[:])
	}
	return d
}

func sanList(cert *x509.Certificate) []string {
	var out []string
	for _, name := range cert.DNSNames {
		out = append(out, "DNS:"+name)
	}
	for _, ip := range cert.IPAddresses {
		out = append(out, "IP:"+net.IP(ip).String())
	}
	for _, email := range cert.EmailAddresses {
		out = append(out, "email:"+email)
	}
	for _, uri := range cert.URIs {
		out = append(out, "URI:"+uri.String())
	}
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func hexOrEmpty(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return ColonHex(b)
}

// isSelfSigned reports whether cert's subject equals its issuer and its
// own key verifies its signature.
func isSelfSigned(cert *x509.Certificate) bool {
	return string(cert.RawSubject) == string(cert.RawIssuer) &&
		cert.CheckSignature(cert.SignatureAlgorithm, cert.RawTBSCertificate, cert.Signature) == nil
}

// KeyTypeAndBits returns "RSA", "ECDSA" or "Ed25519" and the key size in
// bits (the curve size for ECDSA).
func KeyTypeAndBits(pub crypto.PublicKey) (string, int) {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return "RSA", k.N.BitLen()
	case *ecdsa.PublicKey:
		return "ECDSA", k.Curve.Params().BitSize
	case ed25519.PublicKey:
		return "Ed25519", 256
	}
	return fmt.Sprintf("%T", pub), 0
}

// PublicKeyName returns a key's algorithm and size, such as "RSA 2048"
// or "ECDSA P-256".
func PublicKeyName(pub crypto.PublicKey) string {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return fmt.Sprintf("RSA %d", k.N.BitLen())
	case *ecdsa.PublicKey:
		return "ECDSA " + k.Curve.Params().Name
	case ed25519.PublicKey:
		return "Ed25519"
	}
	return fmt.Sprintf("%T", pub)
}

// keyUsageBits maps each key usage bit to the name RFC 5280 gives it.
var keyUsageBits = []struct {
	bit  x509.KeyUsage
	name string
}{
	{x509.KeyUsageDigitalSignature, "digitalSignature"},
	{x509.KeyUsageContentCommitment, "contentCommitment"},
	{x509.KeyUsageKeyEncipherment, "keyEncipherment"},
	{x509.KeyUsageDataEncipherment, "dataEncipherment"},
	{x509.KeyUsageKeyAgreement, "keyAgreement"},
	{x509.KeyUsageCertSign, "keyCertSign"},
	{x509.KeyUsageCRLSign, "cRLSign"},
	{x509.KeyUsageEncipherOnly, "encipherOnly"},
	{x509.KeyUsageDecipherOnly, "decipherOnly"},
}

// KeyUsageNames lists the RFC 5280 names of the bits set in usage.
func KeyUsageNames(usage x509.KeyUsage) []string {
	var names []string
	for _, b := range keyUsageBits {
		if usage&b.bit != 0 {
			names = append(names, b.name)
		}
	}
	return names
}

var extKeyUsageNames = map[x509.ExtKeyUsage]string{
	x509.ExtKeyUsageAny:             "any",
	x509.ExtKeyUsageServerAuth:      "serverAuth",
	x509.ExtKeyUsageClientAuth:      "clientAuth",
	x509.ExtKeyUsageCodeSigning:     "codeSigning",
	x509.ExtKeyUsageEmailProtection: "emailProtection",
	x509.ExtKeyUsageIPSECEndSystem:  "ipsecEndSystem",
	x509.ExtKeyUsageIPSECTunnel:     "ipsecTunnel",
	x509.ExtKeyUsageIPSECUser:       "ipsecUser",
	x509.ExtKeyUsageTimeStamping:    "timeStamping",
	x509.ExtKeyUsageOCSPSigning:     "OCSPSigning",
}

// ExtKeyUsageName returns the RFC 5280 name of an extended key usage, as
// OpenSSL prints it, or "usage N" for one Go has no constant for.
func ExtKeyUsageName(eku x509.ExtKeyUsage) string {
	if name, ok := extKeyUsageNames[eku]; ok {
		return name
	}
	return fmt.Sprintf("usage %d", eku)
}

// ExtKeyUsageNames lists the extended key usages of cert by their RFC
// 5280 names, and unknown ones by OID.
func ExtKeyUsageNames(cert *x509.Certificate) []string {
	var names []string
	for _, eku := range cert.ExtKeyUsage {
		names = append(names, ExtKeyUsageName(eku))
	}
	for _, oid := range cert.UnknownExtKeyUsage {
		names = append(names, oid.String())
	}
	return names
}

// RenderInspections writes inspections in format: JSON objects (one
// indented object for one inspection, JSON Lines for several), a text
// listing, or JUnit XML with one test case per finding code.
func RenderInspections(w io.Writer, format Format, opts Options, inspections ...*Inspection) error {
	for _, in := range inspections {
		in.Finish()
	}
	switch format {
	case FormatJSON:
		enc := json.NewEncoder(w)
		if len(inspections) == 1 {
			enc.SetIndent("", "  ")
		}
		for _, in := range inspections {
			if err := enc.Encode(in); err != nil {
				return err
			}
		}
		return nil
	case FormatJUnit:
		reports := make([]*Report, len(inspections))
		for i, in := range inspections {
			reports[i] = in.Report()
		}
		return RenderJUnit(w, opts.Suite, reports...)
	}
	return renderInspectionsText(w, opts, inspections...)
}

func renderInspection(w io.Writer, p palette, in *Inspection) {
	verdict := p.green("OK")
	if !in.OK {
		verdict = p.red("FAIL")
	}
	fmt.Fprintf(w, "%s %s  %s%s\n", in.Kind, p.bold(in.Target), verdict, countSuffix(in.Findings))
	summary := fmt.Sprintf("%s, %s", plural(len(in.Certificates), "certificate"), plural(len(in.Keys), "private key"))
	if in.Encoding != "" {
		summary = in.Encoding + ", " + summary
	}
	fmt.Fprintf(w, "  %s\n", summary)
	for _, note := range in.Notes {
		fmt.Fprintf(w, "  %s\n", note)
	}
	for _, c := range in.Certificates {
		renderCertDetail(w, p, c)
	}
	for _, k := range in.Keys {
		match := "matches no certificate here"
		if k.MatchesCertificate > 0 {
			match = fmt.Sprintf("matches certificate %d (%s)", k.MatchesCertificate, k.MatchesSubject)
		}
		fmt.Fprintf(w, "%s (block %d): %s %s, %s\n", p.bold("private key"), k.Index, k.Format, k.PublicKey, match)
		fmt.Fprintf(w, "  %-20s %s\n", "public key SHA-256", k.PublicKeySHA256)
	}
	for _, f := range in.Findings {
		fmt.Fprintf(w, "%s %s: %s\n", p.severity(f.Severity), p.bold(string(f.Code)), f.Summary)
		if f.Detail != "" {
			fmt.Fprintf(w, "  found: %s\n", indentLines(f.Detail, "         "))
		}
		if f.Fix != "" {
			fmt.Fprintf(w, "  fix:   %s\n", indentLines(f.Fix, "         "))
		}
	}
}

func renderCertDetail(w io.Writer, p palette, c CertDetail) {
	fmt.Fprintf(w, "%s %d: %s\n", p.bold("certificate"), c.Index, c.Role)
	days := fmt.Sprintf("%d days left", c.DaysLeft)
	if c.DaysLeft < 0 {
		days = p.red(fmt.Sprintf("expired %d days ago", -c.DaysLeft))
	} else if c.DaysLeft <= 30 {
		days = p.yellow(days)
	}
	constraints := "CA:FALSE"
	switch {
	case !c.BasicConstraintsPresent:
		constraints = "absent"
	case c.IsCA:
		constraints = "CA:TRUE"
		if c.MaxPathLen != nil {
			constraints += fmt.Sprintf(", path length %d", *c.MaxPathLen)
		}
	}
	if c.SelfSigned {
		constraints += ", self-signed"
	}
	rows := [][2]string{
		{"subject", c.Subject},
		{"issuer", c.Issuer},
		{"serial", c.Serial},
		{"validity", fmt.Sprintf("%s to %s (%s)", c.NotBefore.Format(time.RFC3339), c.NotAfter.Format(time.RFC3339), days)},
		{"SANs", joinOrNone(c.SANs)},
		{"public key", c.PublicKey},
		{"signature", c.SignatureAlgorithm},
		{"key usage", joinOrNone(c.KeyUsage)},
		{"extended key usage", joinOrNone(c.ExtKeyUsage)},
		{"basic constraints", constraints},
		{"subject key ID", orNone(c.SubjectKeyID)},
		{"authority key ID", orNone(c.AuthorityKeyID)},
		{"OCSP", joinOrNone(c.OCSPServers)},
		{"CA issuers", joinOrNone(c.IssuingCertificateURL)},
		{"CRL", joinOrNone(c.CRLDistributionPoints)},
		{"SHA-256", c.SHA256},
		{"SHA-1", c.SHA1},
	}
	for _, row := range rows {
		fmt.Fprintf(w, "  %-20s %s\n", row[0], row[1])
	}
}

func joinOrNone(items []string) string {
	if len(items) == 0 {
		return "none"
	}
	return strings.Join(items, ", ")
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
