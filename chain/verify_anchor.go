package chain

import (
	"crypto/x509"
	"fmt"
	"strings"

	"github.com/mtlsdoctor/mtlsdoctor/internal/plural"
	"github.com/mtlsdoctor/mtlsdoctor/report"
)

// suppliedIntermediateFinding flags a chain that verified only because the
// trusted CAs hold an intermediate the peer did not send. In that case
// every chain that crypto/x509 built passes through a certificate that is
// neither presented nor self-issued. The finding is an error, because a
// verifier whose trust store holds only roots, as the platform's does,
// rejects such a peer. An intermediate that the peer sent itself, or a
// leaf pinned as a trusted certificate, is not flagged.
func suppliedIntermediateFinding(chains [][]*x509.Certificate, presented []*x509.Certificate, opts VerifyOptions) (report.Finding, bool) {
	var supplied []*x509.Certificate
	for i, verified := range chains {
		missing := suppliedIntermediates(verified, presented)
		if len(missing) == 0 {
			return report.Finding{}, false
		}
		if i == 0 {
			supplied = missing
		}
	}
	if len(supplied) == 0 {
		return report.Finding{}, false
	}

	names := make([]string, len(supplied))
	details := make([]string, len(supplied))
	for i, c := range supplied {
		names[i] = describeName(c)
		details[i] = fmt.Sprintf("%s (issued by %s, SHA-256 %s)", c.Subject, c.Issuer, report.Fingerprint(c.Raw))
	}
	verifiers := "clients that trust only the root, Dialogflow among them,"
	where := "the server's certificate file (nginx ssl_certificate, Node cert, openssl s_server -cert_chain)"
	if opts.Usage == UsageClient {
		verifiers = "servers whose client CA list holds only the root"
		where = "the client certificate file (curl --cert, Node cert, mtlsdoctor probe --cert)"
	}
	detail := fmt.Sprintf("the chain has %s and verifies only because --ca holds %s, which is not self-signed, "+
		"so it is an intermediate that belongs in the chain; %s reject this chain",
		plural.Count(len(presented), "certificate"), strings.Join(details, ", "), verifiers)
	if anchor := chains[0][len(chains[0])-1]; len(opts.RootCerts) > 0 && !isSelfIssued(anchor) && !hasRootAbove(anchor, opts.RootCerts) {
		detail += fmt.Sprintf(". The trusted CAs hold no root above %s either, so OpenSSL-based verifiers, which build up to a self-signed root unless partial chains are allowed, fail it even with these CAs", describeName(anchor))
	}
	fix := fmt.Sprintf("Serve this intermediate after the leaf: %s. Append it to %s; the --ca file holds a copy.",
		strings.Join(names, ", "), where)
	if opts.ChainFile != "" {
		fix = fmt.Sprintf("Append this intermediate to %s after the leaf: %s; the --ca file holds a copy.",
			opts.ChainFile, strings.Join(names, ", "))
	}
	return report.New(report.CodeIncompleteChain,
		fmt.Sprintf("the chain verifies only with the intermediate %s from --ca", strings.Join(names, ", ")), detail).
		WithSeverity(report.SeverityError).
		WithFix(fix), true
}

// suppliedIntermediates returns the certificates of a verified chain,
// after its leaf, that the peer did not send and that are not self-issued.
func suppliedIntermediates(verified, presented []*x509.Certificate) []*x509.Certificate {
	var out []*x509.Certificate
	for _, c := range verified[min(1, len(verified)):] {
		if !isPresented(c, presented) && !isSelfIssued(c) {
			out = append(out, c)
		}
	}
	return out
}

// hasRootAbove reports whether a self-issued certificate of roots signed c.
func hasRootAbove(c *x509.Certificate, roots []*x509.Certificate) bool {
	for _, root := range roots {
		if isSelfIssued(root) && signedBy(c, root) {
			return true
		}
	}
	return false
}
