package report

import "sort"

// Code is a stable, kebab-case finding identifier. Codes are part of the
// command-line contract: scripts match on them, so they never change.
type Code string

// The finding codes, in the groups that init registers them under.
const (
	CodeUnknownAuthority   Code = "unknown-authority"
	CodeIncompleteChain    Code = "incomplete-chain"
	CodeExpired            Code = "expired"
	CodeNotYetValid        Code = "not-yet-valid"
	CodeHostnameMismatch   Code = "hostname-mismatch"
	CodeLegacyCommonName   Code = "legacy-common-name"
	CodeInsecureSignature  Code = "insecure-signature"
	CodeWeakKey            Code = "weak-key"
	CodeSelfSignedLeaf     Code = "self-signed-leaf"
	CodeWrongUsageServer   Code = "wrong-usage-server"
	CodeWrongUsageClient   Code = "wrong-usage-client"
	CodeNotACA             Code = "not-a-ca"
	CodeCAExpired          Code = "ca-expired"
	CodeKeyMismatch        Code = "key-mismatch"
	CodeNotPEM             Code = "not-pem"
	CodeEncryptedKey       Code = "encrypted-key"
	CodeUnreadableFile     Code = "unreadable-file"
	CodeClientCertNotReq   Code = "client-cert-not-requested"
	CodeClientCertRequired Code = "client-cert-required"
	CodeClientCertRejected Code = "client-cert-rejected"
	CodeClientCANotAccept  Code = "client-ca-not-accepted"
	CodeProtocolVersion    Code = "protocol-version"
	CodeNoSharedCipher     Code = "no-shared-cipher"
	CodePlainHTTP          Code = "plain-http"
	CodeNotTLS             Code = "not-tls"
	CodeSNIRequired        Code = "sni-required"
	CodeHandshakeTimeout   Code = "handshake-timeout"
	CodeConnectionRefused  Code = "connection-refused"
	CodeConnectionReset    Code = "connection-reset"
	CodeDNSFailure         Code = "dns-failure"
	CodeUnauthAccepted     Code = "unauthenticated-accepted"
	CodeUntrustedAccepted  Code = "untrusted-cert-accepted"
	CodeIdentityUnpinned   Code = "client-identity-unpinned"
	CodeHTTPStatus         Code = "http-status"
	CodeInvalidWebhookResp Code = "invalid-webhook-response"
	CodeResponseTooLarge   Code = "response-too-large"
	CodeSlowResponse       Code = "slow-response"
	CodeProjectMismatch    Code = "project-mismatch"
	CodePlatformCAOutdated Code = "platform-ca-outdated"
)

// Entry describes a code: its group, default severity, title and the usual
// fix. A finding may carry a more specific fix than the entry's.
type Entry struct {
	Code     Code     `json:"code"`
	Group    string   `json:"group"`
	Severity Severity `json:"severity"`
	Title    string   `json:"title"`
	Fix      string   `json:"fix"`
}

var catalog = map[Code]Entry{}

func register(group string, severity Severity, code Code, title, fix string) {
	catalog[code] = Entry{Code: code, Group: group, Severity: severity, Title: title, Fix: fix}
}

func init() {
	register("trust", SeverityError, CodeUnknownAuthority,
		"certificate signed by an unknown authority",
		"Trust the CA that issued the chain (--ca or --client-ca), or have the peer send a chain that ends at a CA you trust.")
	register("trust", SeverityError, CodeIncompleteChain,
		"the peer did not send the intermediate certificate its chain needs",
		"Serve the intermediate after the leaf: put it in the certificate file (nginx ssl_certificate, Node cert, openssl -cert_chain).")
	register("trust", SeverityError, CodeExpired,
		"a certificate in the chain has expired",
		"Renew the certificate and deploy the new one; check the clock of both machines.")
	register("trust", SeverityError, CodeNotYetValid,
		"a certificate in the chain is not valid yet",
		"Check the clock of both machines, or reissue the certificate with a NotBefore in the past.")
	register("trust", SeverityError, CodeHostnameMismatch,
		"the certificate does not cover the name that was dialled",
		"Reissue the certificate with the host name in its subject alternative names (mtlsdoctor gen --host NAME), or dial the name it has.")
	register("trust", SeverityError, CodeLegacyCommonName,
		"the certificate names its host only in the common name",
		"Reissue the certificate with a subject alternative name; Go, Chrome and recent OpenSSL clients ignore the common name.")
	register("trust", SeverityError, CodeInsecureSignature,
		"a certificate is signed with an insecure algorithm",
		"Reissue the certificate with a SHA-256 (or stronger) signature.")
	register("trust", SeverityWarning, CodeWeakKey,
		"a certificate has a weak key",
		"Reissue with RSA of at least 2048 bits or ECDSA P-256 or stronger.")
	register("trust", SeverityWarning, CodeSelfSignedLeaf,
		"the leaf certificate is self-signed",
		"Issue the leaf from a CA (mtlsdoctor gen makes one) and trust that CA, so the leaf can be replaced without redeploying trust.")

	register("usage", SeverityError, CodeWrongUsageServer,
		"the certificate is not allowed for TLS server authentication",
		"Reissue it with extended key usage serverAuth (and key usage digitalSignature).")
	register("usage", SeverityError, CodeWrongUsageClient,
		"the certificate is not allowed for TLS client authentication",
		"Reissue it with extended key usage clientAuth (and key usage digitalSignature).")
	register("usage", SeverityError, CodeNotACA,
		"a certificate used as a CA is not a CA",
		"Put only CA certificates (basic constraints CA:TRUE) in the CA bundle; leaf certificates cannot sign others.")
	register("usage", SeverityError, CodeCAExpired,
		"a CA certificate has expired",
		"Replace the CA certificate with its current successor from the issuer's repository (mtlsdoctor bundle --profile).")

	register("files", SeverityError, CodeKeyMismatch,
		"the private key does not belong to the certificate",
		"Use the key that was generated with the certificate's request; compare with mtlsdoctor inspect.")
	register("files", SeverityError, CodeNotPEM,
		"the file is not in the expected PEM form",
		"Convert it: openssl x509 -inform der -in FILE -out FILE.pem, or point the tool at the right file.")
	register("files", SeverityError, CodeEncryptedKey,
		"the private key is encrypted",
		"Give the password, or decrypt the key: (umask 077; openssl pkey -in KEY -out KEY.plain), which keeps the plain key private.")
	register("files", SeverityError, CodeUnreadableFile,
		"the file cannot be read",
		"Check the path and the file's permissions.")

	register("handshake", SeverityWarning, CodeClientCertNotReq,
		"the server did not ask for a client certificate",
		"Enable client certificate verification on the server: nginx ssl_verify_client on, Node requestCert: true with rejectUnauthorized: true.")
	register("handshake", SeverityError, CodeClientCertRequired,
		"the server requires a client certificate and none was sent",
		"Send a client certificate (--cert and --key) issued by a CA the server trusts.")
	register("handshake", SeverityError, CodeClientCertRejected,
		"the server rejected the client certificate",
		"Issue the client certificate from a CA in the server's client CA list, with clientAuth usage, or add its CA to the server's list.")
	register("handshake", SeverityError, CodeClientCANotAccept,
		"the client certificate's issuer is not among the CAs the server accepts",
		"Send the intermediate along with the client certificate, or add the client's CA to the server's client CA list.")
	register("handshake", SeverityError, CodeProtocolVersion,
		"client and server share no TLS version",
		"Enable TLS 1.2 and TLS 1.3 on the server; TLS 1.0 and 1.1 are obsolete.")
	register("handshake", SeverityError, CodeNoSharedCipher,
		"client and server share no cipher suite",
		"Enable the ECDHE AES-GCM and ChaCha20-Poly1305 suites on the server.")
	register("handshake", SeverityError, CodePlainHTTP,
		"the server speaks plain HTTP on this port",
		"Use http:// for this port, or enable TLS on the server (nginx listen ... ssl).")
	register("handshake", SeverityError, CodeNotTLS,
		"the server does not speak TLS",
		"Check the port: the service there answers with something other than TLS.")
	register("handshake", SeverityError, CodeSNIRequired,
		"the server has no certificate for the server name (SNI) it got, or got none",
		"Send a name the server has a certificate for: dial the host name rather than an IP address, or pass --server-name NAME; if a name was sent, check the server's server_name (nginx) or SNI callback.")
	register("handshake", SeverityError, CodeHandshakeTimeout,
		"the connection or handshake timed out",
		"Check that the server is up and reachable and that no firewall drops the traffic; raise --timeout for slow links.")
	register("handshake", SeverityError, CodeConnectionRefused,
		"the connection was refused",
		"Start the server, or check the host and port.")
	register("handshake", SeverityError, CodeConnectionReset,
		"the connection was reset",
		"Check the server's logs: it closed the connection without a TLS alert.")
	register("handshake", SeverityError, CodeDNSFailure,
		"the host name does not resolve",
		"Check the spelling of the host and the DNS records.")

	register("enforcement", SeverityError, CodeUnauthAccepted,
		"the webhook accepted a request without a client certificate",
		"Reject connections without a client certificate: nginx ssl_verify_client on, Node rejectUnauthorized: true.")
	register("enforcement", SeverityError, CodeUntrustedAccepted,
		"the webhook accepted a client certificate from an unknown CA",
		"Verify client certificates against the platform's CA bundle and reject the rest.")
	register("enforcement", SeverityWarning, CodeIdentityUnpinned,
		"the server trusts a public CA without checking the client's identity",
		"Check the client certificate's subject (--client-subject) and the project in the session name (--project).")

	register("webhook", SeverityError, CodeHTTPStatus,
		"the webhook answered with an error status",
		"Answer the platform's POST with status 200 and a WebhookResponse.")
	register("webhook", SeverityError, CodeInvalidWebhookResp,
		"the webhook's response is not a valid WebhookResponse",
		"Answer with a JSON WebhookResponse of the edition in use (fulfillmentText for ES, fulfillmentResponse for CX).")
	register("webhook", SeverityError, CodeResponseTooLarge,
		"the webhook's response is larger than 64 KiB",
		"Keep the response under 64 KiB; move large payloads elsewhere.")
	register("webhook", SeverityError, CodeSlowResponse,
		"the webhook answered after the platform's deadline",
		"Answer within the deadline (5 s by default); do slow work asynchronously.")
	register("webhook", SeverityError, CodeProjectMismatch,
		"the webhook accepted a request for another project",
		"Compare the project in the session name with your own and answer 403 otherwise (mtlsdoctor serve --project).")

	register("platform", SeverityError, CodePlatformCAOutdated,
		"the CA bundle does not hold the CA the platform uses today",
		"Rebuild the bundle: mtlsdoctor bundle --profile dialogflow-es.")
}

// Lookup returns the catalog entry for code.
func Lookup(code Code) (Entry, bool) {
	entry, ok := catalog[code]
	return entry, ok
}

// Catalog returns every entry sorted by group order and then by code.
func Catalog() []Entry {
	order := map[string]int{"trust": 0, "usage": 1, "files": 2, "handshake": 3, "enforcement": 4, "webhook": 5, "platform": 6}
	entries := make([]Entry, 0, len(catalog))
	for _, entry := range catalog {
		entries = append(entries, entry)
	}
	sort.Slice(entries, func(i, j int) bool {
		if order[entries[i].Group] != order[entries[j].Group] {
			return order[entries[i].Group] < order[entries[j].Group]
		}
		return entries[i].Code < entries[j].Code
	})
	return entries
}
