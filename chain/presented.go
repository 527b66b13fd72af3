package chain

import (
	"crypto/x509"
	"fmt"
	"strings"
	"time"

	"github.com/mtlsdoctor/mtlsdoctor/report"
)

// CheckPresented checks a chain, leaf first, as its owner is about to
// present it, without a trust store. It checks the validity of every
// certificate, that the leaf and every CA in the chain that restricts
// extended key usage allow usage, and that each certificate is followed by
// the CA that signed it. It also flags weak keys, insecure signatures and a
// self-signed leaf. The probe checks its client certificate with it before
// dialling, because the CAs that verify a client certificate are
// configured on the server only.
func CheckPresented(presented []*x509.Certificate, usage Usage, at time.Time) []report.Finding {
	if len(presented) == 0 {
		return nil
	}
	if usage == "" {
		usage = UsageServer
	}
	var findings []report.Finding
	findings = append(findings, lintChain(presented)...)
	findings = append(findings, checkValidity(presented, at)...)
	findings = append(findings, checkLeafUsage(presented[0], usage)...)
	findings = append(findings, checkCAUsage(presented[1:], usage)...)
	findings = append(findings, checkLinks(presented)...)
	return findings
}

// checkCAUsage flags CAs whose extended key usage excludes usage. Go and
// OpenSSL both apply a CA's extended key usage to the chain below it, so
// such a CA invalidates a leaf that itself allows usage.
func checkCAUsage(cas []*x509.Certificate, usage Usage) []report.Finding {
	var findings []report.Finding
	for i, ca := range cas {
		if !ca.IsCA || allowsUsage(ca, usage) {
			continue
		}
		findings = append(findings, report.Newf(usage.wrongUsageCode(),
			fmt.Sprintf("the %s certificate %s does not allow %s authentication", Position(i+1, ca), describeName(ca), usage),
			"the CA restricts extended key usage to %s, and Go and OpenSSL apply a CA's restriction to every certificate below it, so they reject the chain although the leaf allows %s",
			strings.Join(usageNames(ca), ", "), usageName(usage)).
			WithFix("Issue the certificate from a CA whose extended key usage includes "+usageName(usage)+", or from a CA without that extension."))
	}
	return findings
}

// allowsUsage reports whether c's extended key usage permits usage. A
// certificate without the extension permits every usage (RFC 5280,
// section 4.2.1.12).
func allowsUsage(c *x509.Certificate, usage Usage) bool {
	if len(c.ExtKeyUsage) == 0 && len(c.UnknownExtKeyUsage) == 0 {
		return true
	}
	for _, eku := range c.ExtKeyUsage {
		if eku == usage.extKeyUsage() || eku == x509.ExtKeyUsageAny {
			return true
		}
	}
	return false
}

func usageNames(c *x509.Certificate) []string {
	var names []string
	for _, eku := range c.ExtKeyUsage {
		names = append(names, report.ExtKeyUsageName(eku))
	}
	for _, oid := range c.UnknownExtKeyUsage {
		names = append(names, oid.String())
	}
	return names
}

// checkLinks follows the chain from the leaf through the certificates that
// signed each one, wherever they are in presented. A signer that is not a
// CA is an error. A chain whose order differs from that path, and
// certificates off the path, are warnings, because OpenSSL and Go servers
// build the path themselves, while TLS 1.2 requires each certificate to be
// followed by its issuer (RFC 5246, section 7.4.2). The last issuer on the
// path is the verifier's business, so it is not checked.
func checkLinks(presented []*x509.Certificate) []report.Finding {
	var findings []report.Finding
	path := []int{0}
	onPath := map[int]bool{0: true}
	for {
		i := path[len(path)-1]
		j := signerIndex(presented[i], presented)
		if j < 0 || onPath[j] {
			break
		}
		if !presented[j].IsCA {
			findings = append(findings, report.Newf(report.CodeNotACA,
				fmt.Sprintf("%s signed certificate %d of the chain but is not a CA", describeName(presented[j]), i+1),
				"%s has no CA:TRUE basic constraint, so no verifier accepts what it signs", presented[j].Subject).
				WithFix("Issue the certificate from a real CA; a leaf certificate cannot sign others."))
		}
		path = append(path, j)
		onPath[j] = true
	}

	for k, i := range path {
		if i != k {
			findings = append(findings, report.Newf(report.CodeIncompleteChain,
				"the certificates are out of order",
				"certificate %d of the chain, %s, was signed by certificate %d, %s, which should follow it; TLS 1.2 requires each certificate to be followed by its issuer (RFC 5246, section 7.4.2)",
				path[k-1]+1, describeName(presented[path[k-1]]), i+1, describeName(presented[i])).
				WithSeverity(report.SeverityWarning).
				WithFix("Order the file leaf first, then each intermediate followed by the CA that signed it."))
			break
		}
	}
	for i, c := range presented {
		if !onPath[i] {
			findings = append(findings, report.Newf(report.CodeIncompleteChain,
				fmt.Sprintf("certificate %d of the chain, %s, does not belong to the leaf's chain", i+1, describeName(c)),
				"no certificate on the path from the leaf up was signed by %s, so it is sent for nothing, and verifiers that expect an ordered chain may fail", c.Subject).
				WithSeverity(report.SeverityWarning).
				WithFix("Remove the unrelated certificate from the file, or add the intermediate that links it."))
		}
	}
	return findings
}

// signerIndex returns the index of the certificate in presented, other
// than c, that signed c, or -1.
func signerIndex(c *x509.Certificate, presented []*x509.Certificate) int {
	for j, p := range presented {
		if p != c && signedBy(c, p) {
			return j
		}
	}
	return -1
}
