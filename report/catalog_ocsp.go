package report

// Revocation codes: the leaf's status as its OCSP responder reports it.
const (
	CodeRevoked         Code = "revoked"
	CodeOCSPUnavailable Code = "ocsp-unavailable"
)

func init() {
	register("trust", SeverityError, CodeRevoked,
		"the CA has revoked the certificate",
		"Replace the certificate with a newly issued one and deploy it; peers that check revocation reject the revoked one.")
	register("trust", SeverityWarning, CodeOCSPUnavailable,
		"the certificate's revocation status could not be confirmed",
		"Check that the OCSP responder named in the certificate is reachable and knows the certificate; peers that require a status reject the certificate until it does.")
}
