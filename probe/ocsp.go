package probe

import (
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
