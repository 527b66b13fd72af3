package chain

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/mtlsdoctor/mtlsdoctor/internal/hostname"
	"github.com/mtlsdoctor/mtlsdoctor/internal/plural"
	"github.com/mtlsdoctor/mtlsdoctor/report"
)

// Usage is the TLS role a certificate is checked for.
type Usage string

// The usages VerifyChain checks.
const (
	UsageServer Usage = "server"
	UsageClient Usage = "client"
)

// ParseUsage validates a --usage value.
func ParseUsage(s string) (Usage, error) {
	switch Usage(s) {
	case UsageServer, UsageClient:
		return Usage(s), nil
	}
	return "", fmt.Errorf("invalid --usage %q: use server or client", s)
}

func (u Usage) extKeyUsage() x509.ExtKeyUsage {
	if u == UsageClient {
		return x509.ExtKeyUsageClientAuth
	}
	return x509.ExtKeyUsageServerAuth
}

func (u Usage) wrongUsageCode() report.Code {
	if u == UsageClient {
		return report.CodeWrongUsageClient
	}
	return report.CodeWrongUsageServer
}

// VerifyOptions configure VerifyChain.
type VerifyOptions struct {
	// Roots are the trusted CAs; nil means the system roots.
	Roots *x509.CertPool
	// RootCerts lists the certificates in Roots when the caller has them,
	// so a CA with the right name but another key can be named.
	RootCerts []*x509.Certificate
	// Intermediates are extra intermediates beyond those presented, such
	// as ones fetched through AIA.
	Intermediates []*x509.Certificate
	// Host is the name or IP address dialled; empty skips the name check.
	// An internationalized name is checked in its A-label form
	// (hostname.ToASCII), as certificates name it.
	Host string
	// Usage is the role the leaf must be allowed for; empty means server.
	Usage Usage
	// At is the time of the check; zero means now.
	At time.Time
	// ChainFile names the file the presented chain was read from, so that
	// findings speak of what the file contains rather than of what a peer
	// sent. Empty means a peer sent the chain.
	ChainFile string
}

// Position names the place of c, block i of a presented chain, for
// messages: "leaf" for the first block, "root" for a self-issued CA and
// "first intermediate", "second intermediate" and so on for the others.
func Position(i int, c *x509.Certificate) string {
	switch {
	case i == 0:
		return "leaf"
	case isSelfIssuedCA(c):
		return "root"
	}
	return ordinal(i) + " intermediate"
}

// ordinal spells out n for the first few positions in a chain, which is as
// deep as real chains go, and falls back to "Nth".
func ordinal(n int) string {
	words := []string{"", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth"}
	if n > 0 && n < len(words) {
		return words[n]
	}
	return fmt.Sprintf("%dth", n)
}

func describeName(c *x509.Certificate) string {
	if c.Subject.CommonName != "" {
		return "CN=" + c.Subject.CommonName
	}
	return c.Subject.String()
}

// VerifyChain verifies presented (leaf first, then the intermediates the
// peer sent) against opts and returns one finding per problem, naming the
// certificate at fault. An empty result means the chain is valid for the
// usage and host.
func VerifyChain(presented []*x509.Certificate, opts VerifyOptions) []report.Finding {
	if len(presented) == 0 {
		return nil
	}
	if opts.Usage == "" {
		opts.Usage = UsageServer
	}
	// A name that IDNA rejects stays as given and draws hostname-mismatch,
	// because no certificate can name it.
	if ascii, err := hostname.ToASCII(opts.Host); err == nil {
		opts.Host = ascii
	}
	at := opts.At
	if at.IsZero() {
		at = time.Now()
	}
	leaf := presented[0]

	var findings []report.Finding
	findings = append(findings, lintChain(presented)...)
	timeFindings := checkValidity(presented, at)
	findings = append(findings, timeFindings...)
	findings = append(findings, checkLeafUsage(leaf, opts.Usage)...)
	if opts.Host != "" {
		findings = append(findings, checkHost(leaf, opts.Host, opts.ChainFile != "")...)
	}

	// Verify trust at a time inside every presented certificate's validity,
	// so an expired leaf does not hide an unknown CA behind it.
	trustAt := at
	if len(timeFindings) > 0 {
		trustAt = validWindow(presented, at)
	}
	intermediates := x509.NewCertPool()
	for _, c := range presented[1:] {
		intermediates.AddCert(c)
	}
	for _, c := range opts.Intermediates {
		intermediates.AddCert(c)
	}
	verifyOpts := x509.VerifyOptions{
		Roots:         opts.Roots,
		Intermediates: intermediates,
		CurrentTime:   trustAt,
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	}
	chains, err := leaf.Verify(verifyOpts)
	var invalid x509.CertificateInvalidError
	if err != nil && trustAt != at && errors.As(err, &invalid) && invalid.Reason == x509.Expired {
		// No single moment is inside the validity of every certificate,
		// so compare signatures instead. checkValidity has named the
		// presented certificates that are invalid now; a trusted CA that
		// is invalid now too is named here.
		if !isPresented(invalid.Cert, presented) && !validAt(invalid.Cert, at) {
			findings = append(findings, caExpiredFinding(invalid.Cert, at))
		}
		if len(opts.RootCerts) > 0 && !chainsToRoot(presented, opts.RootCerts) {
			findings = append(findings, diagnoseUnknownAuthority(presented, opts))
		}
		return findings
	}
	if err != nil {
		return append(findings, classifyTrustError(err, presented, opts, trustAt)...)
	}

	// The chain is trusted: check the CAs in it for expiry and for
	// extended key usages that forbid the requested role.
	findings = append(findings, checkIssuers(chains[0], presented, at)...)
	if f, ok := suppliedIntermediateFinding(chains, presented, opts); ok {
		findings = append(findings, f)
	}
	verifyOpts.KeyUsages = []x509.ExtKeyUsage{opts.Usage.extKeyUsage()}
	if _, err := leaf.Verify(verifyOpts); err != nil && !hasCode(findings, opts.Usage.wrongUsageCode()) {
		var invalid x509.CertificateInvalidError
		if errors.As(err, &invalid) && invalid.Reason == x509.IncompatibleUsage {
			findings = append(findings, report.Newf(opts.Usage.wrongUsageCode(), "",
				"the leaf allows %s use, but a CA above it restricts its extended key usage so that %s authentication is not allowed",
				opts.Usage, opts.Usage).
				WithFix("Issue the certificate from a CA whose extended key usage includes "+usageName(opts.Usage)+", or from a CA without that restriction."))
		}
	}
	return findings
}

func isPresented(c *x509.Certificate, presented []*x509.Certificate) bool {
	for _, p := range presented {
		if p.Equal(c) {
			return true
		}
	}
	return false
}

// chainsToRoot reports whether the last presented certificate is a root
// or was signed by one of roots, ignoring validity periods.
func chainsToRoot(presented, roots []*x509.Certificate) bool {
	last := presented[len(presented)-1]
	for _, root := range roots {
		if last.Equal(root) || signedBy(last, root) {
			return true
		}
	}
	return false
}

func hasCode(findings []report.Finding, code report.Code) bool {
	for _, f := range findings {
		if f.Code == code {
			return true
		}
	}
	return false
}

func usageName(u Usage) string {
	if u == UsageClient {
		return "clientAuth"
	}
	return "serverAuth"
}

// validWindow returns a time inside the validity of every certificate in
// certs, or the middle of the leaf's validity when there is none.
func validWindow(certs []*x509.Certificate, at time.Time) time.Time {
	start, end := certs[0].NotBefore, certs[0].NotAfter
	for _, c := range certs[1:] {
		if c.NotBefore.After(start) {
			start = c.NotBefore
		}
		if c.NotAfter.Before(end) {
			end = c.NotAfter
		}
	}
	if start.Before(end) {
		return start.Add(end.Sub(start) / 2)
	}
	return certs[0].NotBefore.Add(certs[0].NotAfter.Sub(certs[0].NotBefore) / 2)
}

// checkValidity flags the certificates of certs that are not valid at at.
// An expired CA after the leaf is ca-expired, because the fix is to
// replace the CA's certificate, not the leaf.
func checkValidity(certs []*x509.Certificate, at time.Time) []report.Finding {
	var findings []report.Finding
	for i, c := range certs {
		switch {
		case at.After(c.NotAfter):
			code := report.CodeExpired
			if i > 0 && c.IsCA {
				code = report.CodeCAExpired
			}
			findings = append(findings, report.Newf(code,
				fmt.Sprintf("the %s certificate %s expired on %s", Position(i, c), describeName(c), c.NotAfter.UTC().Format(time.DateOnly)),
				"valid from %s until %s; checked at %s",
				c.NotBefore.UTC().Format(time.RFC3339), c.NotAfter.UTC().Format(time.RFC3339), at.UTC().Format(time.RFC3339)))
		case at.Before(c.NotBefore):
			findings = append(findings, report.Newf(report.CodeNotYetValid,
				fmt.Sprintf("the %s certificate %s is valid only from %s", Position(i, c), describeName(c), c.NotBefore.UTC().Format(time.RFC3339)),
				"valid from %s until %s; checked at %s",
				c.NotBefore.UTC().Format(time.RFC3339), c.NotAfter.UTC().Format(time.RFC3339), at.UTC().Format(time.RFC3339)))
		}
	}
	return findings
}

func checkLeafUsage(leaf *x509.Certificate, usage Usage) []report.Finding {
	if len(leaf.ExtKeyUsage) == 0 && len(leaf.UnknownExtKeyUsage) == 0 {
		return nil // no extension: every usage is allowed (RFC 5280, 4.2.1.12)
	}
	want := usage.extKeyUsage()
	var names []string
	for _, eku := range leaf.ExtKeyUsage {
		if eku == want || eku == x509.ExtKeyUsageAny {
			return nil
		}
		names = append(names, report.ExtKeyUsageName(eku))
	}
	for _, oid := range leaf.UnknownExtKeyUsage {
		names = append(names, oid.String())
	}
	return []report.Finding{report.Newf(usage.wrongUsageCode(), "",
		"expected extended key usage %s; the leaf %s allows only %s",
		usageName(usage), describeName(leaf), strings.Join(names, ", "))}
}

// SANList formats a certificate's DNS and IP subject alternative names.
func SANList(c *x509.Certificate) string {
	var parts []string
	for _, name := range c.DNSNames {
		parts = append(parts, "DNS:"+name)
	}
	for _, ip := range c.IPAddresses {
		parts = append(parts, "IP:"+ip.String())
	}
	if len(parts) == 0 {
		return "no subject alternative names"
	}
	return strings.Join(parts, ", ")
}

func checkHost(leaf *x509.Certificate, host string, offline bool) []report.Finding {
	host = strings.Trim(host, "[]")
	if len(leaf.DNSNames) == 0 && len(leaf.IPAddresses) == 0 {
		if leaf.Subject.CommonName != "" && strings.EqualFold(leaf.Subject.CommonName, host) {
			return []report.Finding{report.Newf(report.CodeLegacyCommonName,
				fmt.Sprintf("the certificate names %s only in its common name", hostname.Quote(host)),
				"the leaf has CN=%s and no subject alternative names; Go since 1.15, Chrome since 58 and curl with OpenSSL 3 ignore the common name", leaf.Subject.CommonName)}
		}
	}
	if err := leaf.VerifyHostname(host); err == nil {
		return nil
	}
	detail := fmt.Sprintf("dialled %s; the certificate is valid for %s", hostname.Quote(host), SANList(leaf))
	fix := ""
	if ip := net.ParseIP(host); ip != nil && len(leaf.IPAddresses) == 0 {
		detail += "; an IP address is matched only against IP subject alternative names"
		// The probe dials, and --server-name sets the name it checks;
		// verify only checks the name given with --host.
		nameFlag := "Dial a host name the certificate names (--server-name)"
		if offline {
			nameFlag = "Check a host name the certificate names (--host NAME)"
		}
		fix = nameFlag + ", or reissue it with an IP SAN (mtlsdoctor gen --host " + host + ")."
	}
	f := report.New(report.CodeHostnameMismatch, fmt.Sprintf("the certificate is not valid for %s", hostname.Quote(host)), detail)
	if fix != "" {
		f = f.WithFix(fix)
	}
	return []report.Finding{f}
}

// Lint flags what is wrong with certs regardless of trust: weak keys,
// insecure signatures and a self-signed leaf. It also flags a leaf that
// may serve TLS but has no subject alternative names, and certificates
// expired, not yet valid or expiring within 30 days of now.
func Lint(certs []*x509.Certificate, now time.Time) []report.Finding {
	if len(certs) == 0 {
		return nil
	}
	findings := lintChain(certs)
	leaf := certs[0]
	// Clients match the server's name only, so a client certificate
	// needs no subject alternative name.
	if !leaf.IsCA && allowsUsage(leaf, UsageServer) && len(leaf.DNSNames) == 0 && len(leaf.IPAddresses) == 0 && len(leaf.EmailAddresses) == 0 && len(leaf.URIs) == 0 && leaf.Subject.CommonName != "" {
		findings = append(findings, report.Newf(report.CodeLegacyCommonName,
			fmt.Sprintf("the leaf %s has no subject alternative names", describeName(leaf)),
			"only the common name %q names the host, and TLS clients ignore it", leaf.Subject.CommonName).WithSeverity(report.SeverityWarning))
	}
	findings = append(findings, checkValidity(certs, now)...)
	for i, c := range certs {
		left := c.NotAfter.Sub(now)
		if left > 0 && left <= 30*24*time.Hour {
			code := report.CodeExpired
			if i > 0 && c.IsCA {
				code = report.CodeCAExpired
			}
			findings = append(findings, report.Newf(code,
				fmt.Sprintf("the %s certificate %s expires in %d days", Position(i, c), describeName(c), int(left.Hours()/24)),
				"valid until %s", c.NotAfter.UTC().Format(time.RFC3339)).
				WithSeverity(report.SeverityWarning).
				WithFix("Renew the certificate before it expires."))
		}
	}
	return findings
}

// lintChain flags weak keys, insecure signatures and a self-signed leaf.
func lintChain(certs []*x509.Certificate) []report.Finding {
	var findings []report.Finding
	leaf := certs[0]
	if !leaf.IsCA && isSelfSigned(leaf) {
		findings = append(findings, report.Newf(report.CodeSelfSignedLeaf, "",
			"the leaf %s is signed by its own key", describeName(leaf)))
	}
	for i, c := range certs {
		if insecureSignature(c) && !isSelfIssuedCA(c) {
			// A root's signature on itself is never checked, so only the
			// certificates below a root count.
			findings = append(findings, report.Newf(report.CodeInsecureSignature,
				fmt.Sprintf("the %s certificate %s is signed with %s", Position(i, c), describeName(c), c.SignatureAlgorithm),
				"Go rejects SHA-1 and MD5 signatures since Go 1.18, and OpenSSL 3 at security level 1 and above rejects them too"))
		}
		if weak := weakKey(c); weak != "" {
			findings = append(findings, report.Newf(report.CodeWeakKey,
				fmt.Sprintf("the %s certificate %s has a %s key", Position(i, c), describeName(c), weak),
				"expected RSA of at least 2048 bits or an elliptic curve of at least 256 bits"))
		}
	}
	return findings
}

// insecureSignature reports whether c is signed with MD2, MD5 or SHA-1.
func insecureSignature(c *x509.Certificate) bool {
	switch c.SignatureAlgorithm {
	case x509.MD2WithRSA, x509.MD5WithRSA, x509.SHA1WithRSA, x509.DSAWithSHA1, x509.ECDSAWithSHA1:
		return true
	}
	return false
}

// isSelfIssuedCA reports whether c is a CA whose subject is its issuer, as
// a root is. It compares names only, because checking a SHA-1 signature
// fails.
func isSelfIssuedCA(c *x509.Certificate) bool {
	return c.IsCA && bytes.Equal(c.RawSubject, c.RawIssuer)
}

func hasInsecureSignature(certs []*x509.Certificate) bool {
	for _, c := range certs {
		if insecureSignature(c) && !isSelfIssuedCA(c) {
			return true
		}
	}
	return false
}

func weakKey(c *x509.Certificate) string {
	switch k := c.PublicKey.(type) {
	case *rsa.PublicKey:
		if k.N.BitLen() < 2048 {
			return fmt.Sprintf("%d-bit RSA", k.N.BitLen())
		}
	case *ecdsa.PublicKey:
		if k.Curve.Params().BitSize < 256 {
			return k.Curve.Params().Name
		}
	}
	return ""
}

// checkIssuers looks at the CAs of a verified chain: an expired CA anywhere
// in it, named by position.
func checkIssuers(verified []*x509.Certificate, presented []*x509.Certificate, at time.Time) []report.Finding {
	var findings []report.Finding
	for _, c := range verified[1:] {
		if isPresented(c, presented) {
			continue // checkValidity already reported it
		}
		if at.After(c.NotAfter) {
			findings = append(findings, report.Newf(report.CodeCAExpired,
				fmt.Sprintf("the trusted CA %s expired on %s", describeName(c), c.NotAfter.UTC().Format(time.DateOnly)),
				"the chain ends at %s, valid until %s", c.Subject, c.NotAfter.UTC().Format(time.RFC3339)))
		}
	}
	return findings
}

func validAt(c *x509.Certificate, at time.Time) bool {
	return !at.Before(c.NotBefore) && !at.After(c.NotAfter)
}

// caExpiredFinding names a trusted CA that is outside its validity at at.
func caExpiredFinding(ca *x509.Certificate, at time.Time) report.Finding {
	return report.Newf(report.CodeCAExpired,
		fmt.Sprintf("the CA %s is outside its validity", describeName(ca)),
		"valid from %s until %s; checked at %s",
		ca.NotBefore.UTC().Format(time.RFC3339), ca.NotAfter.UTC().Format(time.RFC3339), at.UTC().Format(time.RFC3339))
}

// classifyTrustError turns an x509 verification error into findings that
// say which certificate is at fault.
func classifyTrustError(err error, presented []*x509.Certificate, opts VerifyOptions, at time.Time) []report.Finding {
	var unknown x509.UnknownAuthorityError
	var invalid x509.CertificateInvalidError
	var insecure x509.InsecureAlgorithmError
	switch {
	case errors.As(err, &unknown) && hasInsecureSignature(presented) && strings.Contains(err.Error(), "insecure algorithm"):
		// crypto/x509 rejects the SHA-1 or MD5 link as an unknown authority
		// and keeps the reason in an unexported field, which only its
		// message shows (Go 1.18 to 1.26). lintChain already named the
		// certificate, and calling the CA unknown would send the reader to
		// the wrong fix.
		return nil
	case errors.As(err, &unknown):
		return []report.Finding{diagnoseUnknownAuthority(presented, opts)}
	case errors.As(err, &insecure):
		return nil // lintChain already named the certificate
	case errors.As(err, &invalid):
		switch invalid.Reason {
		case x509.NotAuthorizedToSign:
			return []report.Finding{report.Newf(report.CodeNotACA,
				fmt.Sprintf("%s signed another certificate but is not a CA", describeName(invalid.Cert)),
				"basic constraints of %s: CA=%v; %v", invalid.Cert.Subject, invalid.Cert.IsCA, err)}
		case x509.Expired:
			return []report.Finding{caExpiredFinding(invalid.Cert, at)}
		case x509.IncompatibleUsage:
			return nil // the usage checks name it
		case x509.TooManyIntermediates, x509.CANotAuthorizedForThisName, x509.CANotAuthorizedForExtKeyUsage:
			return []report.Finding{report.New(report.CodeUnknownAuthority, "the chain breaks a CA's constraints", err.Error()).
				WithFix("Issue the certificate within the path length, name and usage constraints of its CA.")}
		}
	}
	return []report.Finding{report.New(report.CodeUnknownAuthority, "", err.Error())}
}

// isSelfSigned reports whether c is signed by its own key. It checks the
// signature directly because CheckSignatureFrom insists that the parent is
// a CA, and self-signed leaves are not.
func isSelfSigned(c *x509.Certificate) bool {
	return c.Subject.String() == c.Issuer.String() &&
		c.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature) == nil
}

// signedBy reports whether parent's key signed c, whatever parent's basic
// constraints say.
func signedBy(c, parent *x509.Certificate) bool {
	return c.Issuer.String() == parent.Subject.String() &&
		parent.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature) == nil
}

// diagnoseUnknownAuthority distinguishes a missing intermediate, an
// untrusted root and a CA with the right name but another key.
func diagnoseUnknownAuthority(presented []*x509.Certificate, opts VerifyOptions) report.Finding {
	for i, c := range presented {
		for _, parent := range presented {
			if parent != c && !parent.IsCA && signedBy(c, parent) {
				return report.Newf(report.CodeNotACA,
					fmt.Sprintf("%s signed the %s certificate but is not a CA", describeName(parent), Position(i, c)),
					"%s has no CA:TRUE basic constraint, so no verifier accepts what it signs", parent.Subject).
					WithFix("Issue the certificate from a real CA; a leaf certificate cannot sign others.")
			}
		}
	}

	last := presented[len(presented)-1]
	issuerName := last.Issuer.String()

	for _, root := range opts.RootCerts {
		if root.Subject.String() == issuerName && last.CheckSignatureFrom(root) != nil {
			return report.Newf(report.CodeUnknownAuthority,
				fmt.Sprintf("a trusted CA is named %s but its key did not sign the chain", describeName(root)),
				"%s names its issuer %q; the trusted CA of that name (SHA-256 %s) has another key, so it is a different CA that shares the name",
				describeName(last), issuerName, report.Fingerprint(root.Raw)).
				WithFix("Trust the CA certificate that really issued the chain: compare fingerprints with mtlsdoctor inspect, and replace the stale copy in the CA file.")
		}
	}

	if isSelfSigned(last) {
		what := "root CA"
		if len(presented) == 1 {
			what = "self-signed certificate"
		}
		return report.Newf(report.CodeUnknownAuthority,
			fmt.Sprintf("the chain ends at the untrusted %s %s", what, describeName(last)),
			"the chain has %s and ends at %s (SHA-256 %s), which is not in the trusted roots",
			plural.Count(len(presented), "certificate"), last.Subject, report.Fingerprint(last.Raw))
	}

	// Public CAs never issue leaves straight from a root (CA/Browser Forum
	// Baseline Requirements 6.1.7), and such leaves carry an AIA caIssuers
	// URL, so a leaf with one and no intermediate almost surely lacks one.
	if len(last.IssuingCertificateURL) > 0 {
		summary := fmt.Sprintf("the issuer of %s was not sent", describeName(last))
		fix := fmt.Sprintf("Serve the intermediate %q after the leaf (download it from %s), or trust its root.", issuerName, last.IssuingCertificateURL[0])
		if opts.ChainFile != "" {
			summary = fmt.Sprintf("the file does not contain the issuer of %s", describeName(last))
			fix = fmt.Sprintf("Add the intermediate %q to %s after the leaf (download it from %s), or trust its root.",
				issuerName, opts.ChainFile, last.IssuingCertificateURL[0])
		}
		return report.Newf(report.CodeIncompleteChain, summary,
			"the chain has %s; the last, %s, was issued by %q, which is neither in the chain nor trusted; its AIA caIssuers URL is %s",
			plural.Count(len(presented), "certificate"), describeName(last), issuerName, joinAtMost(last.IssuingCertificateURL, 3)).
			WithFix(fix)
	}
	return report.Newf(report.CodeUnknownAuthority,
		fmt.Sprintf("the issuer %s is not trusted", issuerName),
		"the chain has %s; the last, %s, was issued by %q, which is neither in the chain nor trusted. If %q is an intermediate, it must be in the chain after the certificate it signed",
		plural.Count(len(presented), "certificate"), describeName(last), issuerName, issuerName)
}

// joinAtMost joins the first n items and counts the rest, so that a
// certificate with a hundred URLs does not flood a finding.
func joinAtMost(items []string, n int) string {
	if len(items) <= n {
		return strings.Join(items, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(items[:n], ", "), len(items)-n)
}
