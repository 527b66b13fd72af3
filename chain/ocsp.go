package chain

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"golang.org/x/crypto/ocsp"

	"github.com/mtlsdoctor/mtlsdoctor/report"
)

// OCSPStatus is the outcome of an OCSP check.
type OCSPStatus string

// The outcomes of CheckOCSP.
const (
	// OCSPGood: the responder vouches for the certificate.
	OCSPGood OCSPStatus = "good"
	// OCSPRevoked: the responder reports the certificate revoked.
	OCSPRevoked OCSPStatus = "revoked"
	// OCSPUnknown: the responder has no status for the certificate,
	// which usually means it serves another CA.
	OCSPUnknown OCSPStatus = "unknown"
	// OCSPUnavailable: no valid response arrived, because the responder
	// was unreachable, failed, or sent a response that does not verify.
	OCSPUnavailable OCSPStatus = "unavailable"
	// OCSPNotChecked: the certificate names no responder, or its issuer
	// is not at hand to build the request.
	OCSPNotChecked OCSPStatus = "not checked"
)

// OCSPResult is the revocation status of one certificate.
type OCSPResult struct {
	Status    OCSPStatus
	Responder string // the URL asked, or "stapled" for a stapled response
	// Detail describes the outcome for a report check.
	Detail string
	// Findings hold revoked (error) or ocsp-unavailable (warning), and
	// nothing when the status is good or was not checked.
	Findings []report.Finding
}

// OCSPStapled is the responder name CheckOCSPResponse takes for a
// response that the server stapled to the handshake.
const OCSPStapled = "stapled"

// MaxOCSPClockSkew is how far in the future a response's thisUpdate may
// lie before the response is refused, to allow for clock differences.
const MaxOCSPClockSkew = 5 * time.Minute

// CheckOCSP requests the status of cert (RFC 6960) from the first http
// OCSP responder that cert names, in an unsigned POST request. issuer is
// the CA that issued cert, needed to identify it and to verify the
// response. A nil client means one with DefaultAIATimeout; at most
// MaxSourceSize bytes are read. now is the time the response must be
// current at.
func CheckOCSP(ctx context.Context, client *http.Client, cert, issuer *x509.Certificate, now time.Time) OCSPResult {
	responder := ""
	for _, u := range cert.OCSPServer {
		if isHTTPSource(u) {
			responder = u
			break
		}
	}
	if responder == "" {
		return OCSPResult{Status: OCSPNotChecked, Detail: fmt.Sprintf("%s names no http OCSP responder", describeName(cert))}
	}
	if issuer == nil {
		return OCSPResult{Status: OCSPNotChecked, Responder: responder,
			Detail: fmt.Sprintf("the issuer of %s, %s, is in neither the chain nor the --ca file, so no OCSP request can identify it; "+
				"add that intermediate to the certificate file after the leaf, or give --ca a file that holds it", describeName(cert), cert.Issuer)}
	}
	if client == nil {
		client = &http.Client{Timeout: DefaultAIATimeout}
	}

	der, err := postOCSP(ctx, client, responder, cert, issuer)
	if err != nil {
		return unavailable(responder, cert, fmt.Sprintf("the OCSP responder %s did not answer: %v", responder, err),
			"Check that the responder is running and reachable from here; peers that require a revocation status reject the certificate meanwhile.")
	}
	return CheckOCSPResponse(der, responder, cert, issuer, now)
}

func postOCSP(ctx context.Context, client *http.Client, responder string, cert, issuer *x509.Certificate) ([]byte, error) {
	request, err := ocsp.CreateRequest(cert, issuer, nil)
	if err != nil {
		return nil, fmt.Errorf("build the request: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, responder, bytes.NewReader(request))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/ocsp-request")
	req.Header.Set("Accept", "application/ocsp-response")
	req.Header.Set("User-Agent", "mtlsdoctor")
	resp, err := client.Do(req)
	if err != nil {
		return nil, unwrapURLError(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("HTTP status %d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
	}
	return readLimited(responder, resp.Body)
}

// CheckOCSPResponse checks an OCSP response for cert, fetched from
// responder or stapled to a handshake (responder OCSPStapled). The response
// must be signed by issuer or by a responder certificate that issuer
// issued for OCSP signing, and be current at now.
func CheckOCSPResponse(der []byte, responder string, cert, issuer *x509.Certificate, now time.Time) OCSPResult {
	from := "the OCSP responder " + responder
	if responder == OCSPStapled {
		from = "the OCSP response the server stapled"
	}
	resp, err := ocsp.ParseResponseForCert(der, cert, issuer)
	if err != nil {
		var respErr ocsp.ResponseError
		if errors.As(err, &respErr) {
			return unavailable(responder, cert, fmt.Sprintf("%s answered %q instead of a status", from, respErr.Status),
				"Check the responder's log; it may not serve this CA, or it expects another request form.")
		}
		return unavailable(responder, cert, fmt.Sprintf("%s is invalid: %v", from, err),
			"Check that the responder signs with the CA's key or with a certificate the CA issued for OCSP signing.")
	}
	if delegated := resp.Certificate; delegated != nil && !delegated.Equal(issuer) &&
		!slices.Contains(delegated.ExtKeyUsage, x509.ExtKeyUsageOCSPSigning) {
		return unavailable(responder, cert, fmt.Sprintf("%s is signed by %s, which the CA did not authorize for OCSP signing", from, describeName(delegated)),
			"Issue the responder certificate with extended key usage OCSPSigning (RFC 6960, 4.2.2.2).")
	}
	window := fmt.Sprintf("this update %s", resp.ThisUpdate.UTC().Format(time.RFC3339))
	if !resp.NextUpdate.IsZero() {
		window += ", next update " + resp.NextUpdate.UTC().Format(time.RFC3339)
	}
	switch {
	case resp.ThisUpdate.After(now.Add(MaxOCSPClockSkew)):
		return unavailable(responder, cert, fmt.Sprintf("%s is not valid yet (%s)", from, window),
			"Check the clocks of this machine and of the responder.")
	case !resp.NextUpdate.IsZero() && now.After(resp.NextUpdate):
		return unavailable(responder, cert, fmt.Sprintf("%s is stale (%s)", from, window),
			"Have the responder produce fresh responses; a stapling server must refresh its stapled response before next update.")
	}

	switch resp.Status {
	case ocsp.Good:
		return OCSPResult{Status: OCSPGood, Responder: responder,
			Detail: fmt.Sprintf("%s is good according to %s (%s)", describeName(cert), from, window)}
	case ocsp.Revoked:
		f := report.Newf(report.CodeRevoked,
			fmt.Sprintf("%s was revoked on %s", describeName(cert), resp.RevokedAt.UTC().Format(time.DateOnly)),
			"%s reports serial %s revoked at %s, reason %s (%s)",
			from, report.ColonHex(cert.SerialNumber.Bytes()), resp.RevokedAt.UTC().Format(time.RFC3339), revocationReason(resp.RevocationReason), window)
		return OCSPResult{Status: OCSPRevoked, Responder: responder, Detail: f.Detail, Findings: []report.Finding{f}}
	}
	result := unavailable(responder, cert, fmt.Sprintf("%s does not know %s, serial %s (%s)",
		from, describeName(cert), report.ColonHex(cert.SerialNumber.Bytes()), window),
		"Check that the certificate names the responder of the CA that issued it, and that the responder knows every certificate the CA issued.")
	result.Status = OCSPUnknown
	return result
}

func unavailable(responder string, cert *x509.Certificate, detail, fix string) OCSPResult {
	f := report.New(report.CodeOCSPUnavailable,
		fmt.Sprintf("the revocation status of %s could not be confirmed", describeName(cert)), detail).WithFix(fix)
	return OCSPResult{Status: OCSPUnavailable, Responder: responder, Detail: detail, Findings: []report.Finding{f}}
}

// revocationReason names a CRLReason code (RFC 5280, 5.3.1).
func revocationReason(code int) string {
	names := map[int]string{
		ocsp.Unspecified:          "unspecified",
		ocsp.KeyCompromise:        "keyCompromise",
		ocsp.CACompromise:         "cACompromise",
		ocsp.AffiliationChanged:   "affiliationChanged",
		ocsp.Superseded:           "superseded",
		ocsp.CessationOfOperation: "cessationOfOperation",
		ocsp.CertificateHold:      "certificateHold",
		ocsp.RemoveFromCRL:        "removeFromCRL",
		ocsp.PrivilegeWithdrawn:   "privilegeWithdrawn",
		ocsp.AACompromise:         "aACompromise",
	}
	if name, ok := names[code]; ok {
		return name
	}
	return fmt.Sprintf("code %d", code)
}

// FindIssuer returns the certificate that signed cert: one of candidates,
// or else the CA that cert chains to in roots (nil means the system
// roots), or nil when none is found.
func FindIssuer(cert *x509.Certificate, candidates []*x509.Certificate, roots *x509.CertPool) *x509.Certificate {
	for _, c := range candidates {
		if c != nil && !c.Equal(cert) && signedBy(cert, c) {
			return c
		}
	}
	intermediates := x509.NewCertPool()
	for _, c := range candidates {
		if c != nil {
			intermediates.AddCert(c)
		}
	}
	chains, err := cert.Verify(x509.VerifyOptions{
		Roots:         roots,
		Intermediates: intermediates,
		CurrentTime:   cert.NotBefore.Add(cert.NotAfter.Sub(cert.NotBefore) / 2),
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	})
	if err != nil || len(chains) == 0 || len(chains[0]) < 2 {
		return nil
	}
	return chains[0][1]
}
