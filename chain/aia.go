package chain

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/mtlsdoctor/mtlsdoctor/internal/plural"
	"github.com/mtlsdoctor/mtlsdoctor/internal/shellquote"
	"github.com/mtlsdoctor/mtlsdoctor/report"
)

// DefaultAIATimeout bounds one caIssuers download when the caller passes
// no HTTP client.
const DefaultAIATimeout = 10 * time.Second

// MaxAIADepth is the most issuers CompleteChain downloads for one chain.
// Public chains have one or two intermediates below the root.
const MaxAIADepth = 3

// ErrNoIssuerURL is returned by FetchIssuer for a certificate without an
// http or https caIssuers URL.
var ErrNoIssuerURL = errors.New("the certificate names no http or https caIssuers URL in its Authority Information Access extension")

// AIAFetch is an issuer downloaded through a caIssuers URL.
type AIAFetch struct {
	Certificate *x509.Certificate // the issuer
	URL         string            // the caIssuers URL it was downloaded from
	Subject     *x509.Certificate // the certificate it issued
}

// FetchIssuer downloads the certificate that issued cert from cert's
// caIssuers URLs (RFC 5280, 4.2.2.1), trying each http or https URL in
// turn; LDAP URLs are skipped. The response may be a DER certificate or a
// PKCS#7 bundle, as the RFC allows, or PEM. At most MaxSourceSize bytes
// are read, and a nil client means one with DefaultAIATimeout. It returns
// the certificate whose key signed cert and the URL it came from.
func FetchIssuer(ctx context.Context, client *http.Client, cert *x509.Certificate) (*x509.Certificate, string, error) {
	if client == nil {
		client = &http.Client{Timeout: DefaultAIATimeout}
	}
	var errs []error
	for _, u := range cert.IssuingCertificateURL {
		if !isHTTPSource(u) {
			continue // only http and https: a URL from a certificate must never read local files
		}
		issuer, err := fetchIssuerFrom(ctx, client, u, cert)
		if err == nil {
			return issuer, u, nil
		}
		errs = append(errs, err)
	}
	if len(errs) == 0 {
		return nil, "", ErrNoIssuerURL
	}
	return nil, "", errors.Join(errs...)
}

func fetchIssuerFrom(ctx context.Context, client *http.Client, u string, cert *x509.Certificate) (*x509.Certificate, error) {
	data, err := fetchHTTP(ctx, client, u)
	if err != nil {
		return nil, err
	}
	c := Decode(data)
	if len(c.Certificates) == 0 {
		return nil, fmt.Errorf("fetch %q: %w", u, c.noCertificatesError())
	}
	for _, candidate := range c.Certificates {
		if signedBy(cert, candidate) {
			return candidate, nil
		}
	}
	return nil, fmt.Errorf("fetch %q: none of its %s signed %s", u, plural.Count(len(c.Certificates), "certificate"), describeName(cert))
}

// CompleteChain follows caIssuers URLs up from the last certificate of
// presented until it reaches a certificate that is self-signed or that
// verifies against roots (nil means the system roots), or has made
// MaxAIADepth downloads. It returns the issuers it fetched, in order,
// and the error that stopped it early, if any.
func CompleteChain(ctx context.Context, client *http.Client, presented []*x509.Certificate, roots *x509.CertPool) ([]AIAFetch, error) {
	if len(presented) == 0 {
		return nil, nil
	}
	var fetched []AIAFetch
	last := presented[len(presented)-1]
	for len(fetched) < MaxAIADepth && !isSelfSigned(last) && !anchoredIn(last, roots) {
		issuer, u, err := FetchIssuer(ctx, client, last)
		if err != nil {
			return fetched, err
		}
		fetched = append(fetched, AIAFetch{Certificate: issuer, URL: u, Subject: last})
		last = issuer
	}
	return fetched, nil
}

// anchoredIn reports whether c is signed by a CA in roots, checked at a
// moment inside c's validity so that an expired c still counts.
func anchoredIn(c *x509.Certificate, roots *x509.CertPool) bool {
	_, err := c.Verify(x509.VerifyOptions{
		Roots:       roots,
		CurrentTime: c.NotBefore.Add(c.NotAfter.Sub(c.NotBefore) / 2),
		KeyUsages:   []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	})
	return err == nil
}

// VerifyChainAIA is VerifyChain that, when the chain does not reach a
// trusted CA, fetches the missing issuers through their caIssuers URLs
// and verifies again with them. A chain that lacks an intermediate still
// gets an incomplete-chain error, whether a peer sent it or it was read
// from opts.ChainFile. The error names the fetched certificate with the
// fix to serve it, because TLS clients other than browsers do not fetch it. It returns the findings and the fetched issuers.
func VerifyChainAIA(ctx context.Context, client *http.Client, presented []*x509.Certificate, opts VerifyOptions) ([]report.Finding, []AIAFetch) {
	findings := VerifyChain(presented, opts)
	if !hasCode(findings, report.CodeIncompleteChain) && !hasCode(findings, report.CodeUnknownAuthority) {
		return findings, nil
	}
	fetched, err := CompleteChain(ctx, client, presented, opts.Roots)
	if len(fetched) == 0 {
		if err != nil && !errors.Is(err, ErrNoIssuerURL) {
			findings = appendDetail(findings, report.CodeIncompleteChain,
				"fetching the issuer through its caIssuers URL failed: "+shorten(err.Error(), 600))
		}
		return findings, nil
	}

	// Verify the chain as if the peer had sent the fetched issuers too, so
	// the findings describe the rest of the chain rather than the gap.
	completed := append([]*x509.Certificate{}, presented...)
	for _, f := range fetched {
		completed = append(completed, f.Certificate)
	}
	findings = VerifyChain(completed, opts)
	return append([]report.Finding{missingIntermediateFinding(presented, fetched, findings, opts)}, findings...), fetched
}

// missingIntermediateFinding names the issuers the peer should have sent,
// or that opts.ChainFile should contain.
func missingIntermediateFinding(presented []*x509.Certificate, fetched []AIAFetch, after []report.Finding, opts VerifyOptions) report.Finding {
	var names, sources []string
	for _, f := range fetched {
		if isSelfSigned(f.Certificate) {
			continue // a root is trusted by the client, never served
		}
		names = append(names, describeName(f.Certificate))
		sources = append(sources, fmt.Sprintf("%s (SHA-256 %s) from %s", f.Certificate.Subject, report.Fingerprint(f.Certificate.Raw), f.URL))
	}
	if len(names) == 0 { // only a root was fetched: the peer's chain lacks nothing it can send
		names = append(names, describeName(fetched[0].Certificate))
		sources = append(sources, fmt.Sprintf("%s from %s", fetched[0].Certificate.Subject, fetched[0].URL))
	}
	outcome := "with it the chain verifies"
	for _, f := range after {
		if f.Severity == report.SeverityError {
			outcome = "the chain still fails with it, as the other findings say"
			break
		}
	}
	if opts.ChainFile != "" {
		return report.Newf(report.CodeIncompleteChain,
			fmt.Sprintf("the file does not contain the intermediate %s", strings.Join(names, ", ")),
			"%s contains %s; mtlsdoctor fetched %s through the caIssuers URL, and %s; the platform and most TLS clients do not fetch it",
			opts.ChainFile, plural.Count(len(presented), "certificate"), strings.Join(sources, ", "), outcome).
			WithFix(fmt.Sprintf("Add this intermediate to %s after the leaf: %s; mtlsdoctor inspect %s --pem prints it.",
				opts.ChainFile, strings.Join(names, ", "), shellquote.Quote(fetched[0].URL)))
	}
	return report.Newf(report.CodeIncompleteChain,
		fmt.Sprintf("the peer did not send the intermediate %s", strings.Join(names, ", ")),
		"the chain has %s; mtlsdoctor fetched %s through the caIssuers URL, and %s; the platform and most TLS clients do not fetch it",
		plural.Count(len(presented), "certificate"), strings.Join(sources, ", "), outcome).
		WithFix(fmt.Sprintf("Serve this intermediate after the leaf: %s. Put it in the certificate file (nginx ssl_certificate, Node cert, openssl s_server -cert_chain); mtlsdoctor inspect %s --pem prints it.",
			strings.Join(names, ", "), shellquote.Quote(fetched[0].URL)))
}

// appendDetail adds text to the detail of the first finding with code.
func appendDetail(findings []report.Finding, code report.Code, text string) []report.Finding {
	for i, f := range findings {
		if f.Code == code {
			findings[i].Detail += "; " + text
			return findings
		}
	}
	return findings
}

// shorten cuts s to at most n bytes, marking the cut, because the joined
// errors of many caIssuers URLs can run to kilobytes.
func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + fmt.Sprintf(" … (%d more bytes)", len(s)-n)
}
