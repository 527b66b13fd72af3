package report

// Codes added after the command-line contract's first list: each names a
// failure that the nearest contract code would misdescribe.
const (
	// CodeHandshakeFailure is a handshake the server ended for a reason
	// that no other handshake code names, such as an internal_error alert.
	CodeHandshakeFailure Code = "handshake-failure"
	// CodePinMismatch is a downloaded CA certificate whose SHA-256
	// fingerprint differs from its pin, or one that matches no --pin.
	CodePinMismatch Code = "pin-mismatch"
)

func init() {
	register("handshake", SeverityError, CodeHandshakeFailure,
		"the server ended the handshake for a reason no other code names",
		"Read the server's TLS error log at the time of the probe: the alert says only that the server gave up, and its log says why.")
	register("platform", SeverityError, CodePinMismatch,
		"a downloaded CA certificate does not match its pinned fingerprint",
		"Check whether a proxy rewrites the download or the publisher replaced the certificate; until that is settled, build the bundle with --offline.")
}
