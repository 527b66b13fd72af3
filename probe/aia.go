package probe

import (
	"context"
	"crypto/x509"
	"net/http"

	"github.com/mtlsdoctor/mtlsdoctor/chain"
	"github.com/mtlsdoctor/mtlsdoctor/report"
)

// verifyServerChain verifies the server's chain. With Options.AIA it
// fetches the intermediates the server did not send, verifies again with
// them and keeps them for the OCSP check.
func (p *prober) verifyServerChain(ctx context.Context, presented []*x509.Certificate, opts chain.VerifyOptions) []report.Finding {
	if !p.opts.AIA {
		return chain.VerifyChain(presented, opts)
	}
	// Timeout bounds all downloads together: the client's timeout only
	// bounds each one, and a certificate may name many caIssuers URLs.
	ctx, cancel := context.WithTimeout(ctx, p.opts.Timeout)
	defer cancel()
	findings, fetched := chain.VerifyChainAIA(ctx, p.httpClient(), presented, opts)
	p.fetched = fetched
	return findings
}

// httpClient returns the client for AIA and OCSP requests.
func (p *prober) httpClient() *http.Client {
	if p.opts.HTTPClient != nil {
		return p.opts.HTTPClient
	}
	return &http.Client{Timeout: p.opts.Timeout}
}
