package chain

import (
	"crypto/x509"
	"fmt"

	"github.com/mtlsdoctor/mtlsdoctor/internal/plural"
	"github.com/mtlsdoctor/mtlsdoctor/report"
)

// addAIAIssuers adds, for every certificate in the bundle that is not
// self-signed and whose issuer is not in the bundle, the issuer fetched
// through its caIssuers URL, and so on up to MaxAIADepth levels. A bundle
// of intermediates thereby gains the roots they chain to. Each failed
// download is a warning, because the bundle is still usable without it.
func (b *bundleBuilder) addAIAIssuers() (string, []report.Finding) {
	if b.offline {
		return "--offline: no issuer fetched", nil
	}
	var findings []report.Finding
	added := 0
	tried := map[*bundleEntry]bool{}
	for depth := 0; depth < MaxAIADepth; depth++ {
		var missing []*bundleEntry
		for _, e := range b.kept() {
			if !tried[e] && !isSelfSigned(e.cert) && !b.hasIssuer(e.cert) {
				missing = append(missing, e)
				tried[e] = true
			}
		}
		if len(missing) == 0 {
			break
		}
		progress := false
		for _, e := range missing {
			issuer, u, err := FetchIssuer(b.ctx, b.client, e.cert)
			if err != nil {
				findings = append(findings, report.Newf(report.CodeIncompleteChain,
					fmt.Sprintf("the issuer of %s could not be fetched", e.label),
					"%s was issued by %q: %v", e.cert.Subject, e.cert.Issuer, err).
					WithSeverity(report.SeverityWarning).
					WithFix("Add the issuer with --source, from the CA's repository."))
				continue
			}
			if b.hasIssuer(e.cert) {
				continue // an earlier download in this round added it
			}
			b.add(issuer, "", u, fmt.Sprintf("fetched through the caIssuers URL of %s", e.label))
			added++
			progress = true
		}
		if !progress {
			break
		}
	}
	return plural.Count(added, "issuer") + " fetched through caIssuers URLs", findings
}

// hasIssuer reports whether a kept certificate of the bundle signed c.
func (b *bundleBuilder) hasIssuer(c *x509.Certificate) bool {
	for _, e := range b.kept() {
		if e.cert != c && signedBy(c, e.cert) {
			return true
		}
	}
	return false
}
