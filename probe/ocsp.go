package probe

import (
	"context"
	"crypto/x509"

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

	var result chain.OCSPResult
	if len(state.OCSPResponse) > 0 && issuer != nil {
		result = chain.CheckOCSPResponse(state.OCSPResponse, chain.OCSPStapled, leaf, issuer, p.opts.Now)
	} else {
		result = chain.CheckOCSP(ctx, p.httpClient(), leaf, issuer, p.opts.Now)
	}
	status := report.Status("")
	if result.Status == chain.OCSPNotChecked {
		status = report.StatusSkip
	}
	p.record(checkRevocation, status, result.Detail, result.Findings...)
}
