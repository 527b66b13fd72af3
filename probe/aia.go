package probe

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/mtlsdoctor/mtlsdoctor/chain"
	"github.com/mtlsdoctor/mtlsdoctor/report"
)

// checkIssuerDownload is the check that records the AIA downloads of the
// issuers the server did not send. It appears only when a download was
// tried.
const checkIssuerDownload = "issuer download (AIA)"

// verifyServerChain verifies the server's chain. With Options.AIA and a
// chain that does not reach a trusted CA, it downloads the missing issuers
// through their caIssuers URLs, records the downloads in their own check,
// verifies again with the issuers and keeps them for the OCSP check.
func (p *prober) verifyServerChain(ctx context.Context, presented []*x509.Certificate, opts chain.VerifyOptions) []report.Finding {
	findings := chain.VerifyChain(presented, opts)
	if !p.opts.AIA || !lacksIssuer(findings) {
		return findings
	}
	if errors.Is(ctx.Err(), context.Canceled) {
		p.record(checkIssuerDownload, report.StatusSkip, "the probe was canceled, so no issuer was downloaded")
		return findings
	}

	// Timeout bounds all downloads together: the client's timeout only
	// bounds each one, and a certificate may name many caIssuers URLs.
	ctx, cancel := context.WithTimeout(ctx, p.opts.Timeout)
	defer cancel()
	start := now()
	fetched, err := chain.CompleteChain(ctx, p.httpClient(), presented, opts.Roots)
	elapsed := now().Sub(start)

	p.fetched = fetched
	p.recordIssuerDownload(presented, fetched, err, elapsed)
	if len(fetched) == 0 {
		return findings
	}
	return chain.VerifyChainFetched(presented, fetched, opts)
}

// lacksIssuer reports whether findings show a chain that does not reach a
// trusted CA, which an issuer downloaded through AIA may mend.
func lacksIssuer(findings []report.Finding) bool {
	for _, f := range findings {
		if f.Severity == report.SeverityError && (f.Code == report.CodeIncompleteChain || f.Code == report.CodeUnknownAuthority) {
			return true
		}
	}
	return false
}

// recordIssuerDownload records the outcome of the AIA downloads. Nothing
// is recorded when no download was tried, because the last certificate
// names no caIssuers URL or is a root. A failed download is a warning of
// its own, because the missing intermediate is already an error of the
// server certificate check and the download concerns only this machine and
// the CA's repository.
func (p *prober) recordIssuerDownload(presented []*x509.Certificate, fetched []chain.AIAFetch, err error, elapsed time.Duration) {
	if len(fetched) == 0 && (err == nil || errors.Is(err, chain.ErrNoIssuerURL)) {
		return
	}

	var done []string
	for _, f := range fetched {
		done = append(done, fmt.Sprintf("%s from %s", f.Certificate.Subject, f.URL))
	}
	if err == nil || errors.Is(err, chain.ErrNoIssuerURL) {
		p.record(checkIssuerDownload, report.StatusPass, fmt.Sprintf("downloaded %s in %s, after the webhook's exchange",
			strings.Join(done, ", "), roundDuration(elapsed)))
		return
	}

	last := presented[len(presented)-1]
	if len(fetched) > 0 {
		last = fetched[len(fetched)-1].Certificate
	}
	outcome := "failed"
	if isTimeout(err) {
		outcome = "timed out"
	}
	detail := fmt.Sprintf("downloading the issuer of %s through its caIssuers URL %s after %s: %s. "+
		"--timeout %s bounds the downloads, which ran after the webhook's exchange and do not count against its deadline",
		last.Subject, outcome, roundDuration(elapsed), excerpt([]byte(err.Error()), 600), p.opts.Timeout)
	if len(done) > 0 {
		detail = "downloaded " + strings.Join(done, ", ") + "; then " + detail
	}
	f := report.New(report.CodeIncompleteChain, "the missing issuer could not be downloaded", detail).
		WithSeverity(report.SeverityWarning).
		WithFix("The server must send its intermediates itself, because the platform does not download them; the server certificate check names the missing one. " +
			"To let mtlsdoctor download it, make the caIssuers URL reachable from this machine, or pass --aia=false to skip the download.")
	p.record(checkIssuerDownload, "", "", f)
}

// httpClient returns the client for AIA and OCSP requests.
func (p *prober) httpClient() *http.Client {
	if p.opts.HTTPClient != nil {
		return p.opts.HTTPClient
	}
	return &http.Client{Timeout: p.opts.Timeout}
}
