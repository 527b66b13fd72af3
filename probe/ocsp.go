package probe

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"fmt"

	"github.com/mtlsdoctor/mtlsdoctor/chain"
	"github.com/mtlsdoctor/mtlsdoctor/report"
)

// checkRevocation is the check that Options.OCSP adds.
const checkRevocation = chain.CheckRevocation

// checkRevocation records the server leaf's OCSP status when Options.OCSP
// is set: the response the server stapled to the handshake if it sent one
// for this leaf, or else the response of the leaf's OCSP responder.
func (p *prober) checkRevocation(ctx context.Context) {
	if !p.opts.OCSP {
		return
	}
	state := p.obs.state()
	if state == nil || len(state.PeerCertificates) == 0 {
		p.record(checkRevocation, report.StatusSkip, "the handshake ended before the server sent its certificate")
		return
	}
	leaf := state.PeerCertificates[0]
	candidates := append([]*x509.Certificate{}, state.PeerCertificates[1:]...)
	for _, f := range p.fetched {
		candidates = append(candidates, f.Certificate)
	}
	issuer := chain.FindIssuer(leaf, candidates, p.opts.Roots)

	if len(state.OCSPResponse) > 0 && issuer != nil {
		result := chain.CheckOCSPResponse(state.OCSPResponse, chain.OCSPStapled, leaf, issuer, p.opts.Now)
		p.recordRevocation(result)
		return
	}
	if errors.Is(ctx.Err(), context.Canceled) {
		p.record(checkRevocation, report.StatusSkip, "the probe was canceled, so the OCSP responder was not asked")
		return
	}

	// The request has a Timeout of its own. It runs after the webhook's
	// exchange, so a slow responder does not count against the deadline.
	ctx, cancel := context.WithTimeout(ctx, p.opts.Timeout)
	defer cancel()
	start := now()
	result := chain.CheckOCSP(ctx, p.httpClient(), leaf, issuer, p.opts.Now)
	if issuer == nil && result.Status == chain.OCSPNotChecked && result.Responder != "" && !bytes.Equal(leaf.RawIssuer, leaf.RawSubject) {
		// CheckOCSP's detail requests a CA file, but the probe has seen
		// more: a leaf with an OCSP responder and no issuer at hand
		// means that the server left out its intermediate.
		result.Detail = p.missingIssuerDetail(leaf, len(state.PeerCertificates))
	}
	if result.Status != chain.OCSPNotChecked {
		took := fmt.Sprintf("the request took %s of its --timeout %s, after the webhook's exchange", roundDuration(now().Sub(start)), p.opts.Timeout)
		result.Detail += "; " + took
		for i := range result.Findings {
			result.Findings[i].Detail += "; " + took
		}
	}
	p.recordRevocation(result)
}

func (p *prober) recordRevocation(result chain.OCSPResult) {
	status := report.Status("")
	if result.Status == chain.OCSPNotChecked {
		status = report.StatusSkip
	}
	p.record(checkRevocation, status, result.Detail, result.Findings...)
}

// missingIssuerDetail explains an OCSP request that could not be made
// because the issuer of leaf is in neither the certificates the server
// sent nor the trusted CAs. The leaf alone cannot tell an intermediate
// from a root, but a server that sends only its leaf most often left out
// the intermediate.
func (p *prober) missingIssuerDetail(leaf *x509.Certificate, sent int) string {
	sentText := fmt.Sprintf("none of the %d certificates the server sent is the issuer", sent)
	if sent == 1 {
		sentText = "the server sent only its leaf"
	}
	roots, addRoot := "the system roots do", ""
	if p.opts.Roots != nil || len(p.opts.RootCerts) > 0 {
		roots, addRoot = "--ca does", "; if the issuer is a root rather than an intermediate, add it to --ca"
	}
	download := ""
	if !p.opts.AIA && len(leaf.IssuingCertificateURL) > 0 {
		download = " (--aia downloads it through the leaf's caIssuers URL)"
	}
	return fmt.Sprintf("the issuer of the leaf, %s, is missing, so no OCSP request can identify the leaf: %s, and %s not hold the issuer either. "+
		"The server should send this intermediate after its leaf%s%s", leaf.Issuer, sentText, roots, download, addRoot)
}
