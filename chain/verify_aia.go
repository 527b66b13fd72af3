package chain

import (
	"crypto/x509"

	"github.com/mtlsdoctor/mtlsdoctor/report"
)

// VerifyChainFetched verifies presented as if the peer had also sent the
// issuers in fetched, which CompleteChain downloaded for it. An
// incomplete-chain finding that names them comes first, so callers that
// run the downloads themselves, to time them or to bound them on their
// own, report what VerifyChainAIA reports. With nothing fetched it is
// VerifyChain.
func VerifyChainFetched(presented []*x509.Certificate, fetched []AIAFetch, opts VerifyOptions) []report.Finding {
	if len(fetched) == 0 {
		return VerifyChain(presented, opts)
	}
	completed := append([]*x509.Certificate{}, presented...)
	for _, f := range fetched {
		completed = append(completed, f.Certificate)
	}
	findings := VerifyChain(completed, opts)
	return append([]report.Finding{missingIntermediateFinding(presented, fetched, findings, opts)}, findings...)
}
