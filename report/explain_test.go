package report

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// Sources of the strings produced for these tests: each was printed by
// that exact program version, run against real peers on 127.0.0.1.
const (
	goLocal       = "Go 1.26.8 crypto/tls, net/http (local)"
	opensslLocal  = "OpenSSL 3.0.19 s_client/s_server (local)"
	curlLocal     = "curl 7.88.1 with OpenSSL 3.0.19 (local)"
	nodeLocal     = "Node 20.20.2 https/tls (local)"
	nginxLocal    = "nginx 1.22.1 with OpenSSL 3.0.19 (local)"
	pythonLocal   = "Python 3.11.7 ssl with OpenSSL 3.0.19 (local)"
	urllibLocal   = "Python 3.11.7 urllib.request with OpenSSL 3.0.19 (local)"
	requestsLocal = "Python 3.11.7 requests 2.34.2, urllib3 2.7.0, with OpenSSL 3.0.19 (local)"
)

// explainCase is one real error string, where it came from, and what
// Explain must make of it.
type explainCase struct {
	name   string
	source string // program and version that printed it, or where it was published
	input  string
	stack  string
	side   string
	codes  []Code
}

var explainCases = []explainCase{
	// A bare "certificate verify failed", and nginx verifying its upstream
	// (proxy_ssl_verify on) against a CA that did not issue it.
	{
		name: "s_client verify failed", source: opensslLocal,
		input: `40C7F5663A7F0000:error:0A000086:SSL routines:tls_post_process_server_certificate:certificate verify failed:../ssl/statem/statem_clnt.c:1889:`,
		stack: "openssl", side: sideClientRejectedServer, codes: []Code{CodeUnknownAuthority, CodeIncompleteChain},
	},
	{
		name: "nginx upstream verify error", source: nginxLocal,
		input: `2026/12/04 19:04:10 [error] 1222#1222: *1 upstream SSL certificate verify error: (21:unable to verify the first certificate) while SSL handshaking to upstream, client: 127.0.0.1, server: , request: "GET / HTTP/1.1", upstream: "https://127.0.0.1:53931/", host: "127.0.0.1:53932"`,
		stack: "nginx", side: sideClientRejectedServer, codes: []Code{CodeIncompleteChain, CodeUnknownAuthority},
	},
	// Python's ssl module, as a client against mtlsdoctor serve and as a
	// server with ssl.CERT_REQUIRED probed by mtlsdoctor probe.
	{
		name: "python client without a certificate", source: pythonLocal,
		input: `ssl.SSLError: [SSL: TLSV13_ALERT_CERTIFICATE_REQUIRED] tlsv13 alert certificate required (_ssl.c:2580)`,
		stack: "python", side: sideServerWantsCert, codes: []Code{CodeClientCertRequired},
	},
	{
		name: "python client with a foreign certificate", source: pythonLocal,
		input: `ssl.SSLError: [SSL: TLSV1_ALERT_UNKNOWN_CA] tlsv1 alert unknown ca (_ssl.c:2580)`,
		stack: "python", side: sideServerRejectedClient, codes: []Code{CodeClientCANotAccept, CodeClientCertRejected},
	},
	{
		name: "python verify failed", source: pythonLocal,
		input: `ssl.SSLCertVerificationError: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to get local issuer certificate (_ssl.c:1006)`,
		// A Python server that rejects a client prints the same line. Without
		// a transcript, Explain assumes a client printed it and notes that.
		stack: "python", side: sideClientRejectedServer, codes: []Code{CodeUnknownAuthority, CodeIncompleteChain},
	},
	{
		name: "python client to plain http", source: pythonLocal,
		input: `ssl.SSLError: [SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1006)`,
		stack: "python", side: sideServerNotTLS, codes: []Code{CodePlainHTTP, CodeNotTLS},
	},
	{
		name: "python server without a client certificate", source: pythonLocal,
		input: `ssl.SSLError: [SSL: PEER_DID_NOT_RETURN_A_CERTIFICATE] peer did not return a certificate (_ssl.c:1006)`,
		stack: "python", side: sideServerWantsCert, codes: []Code{CodeClientCertRequired},
	},
	{
		name: "python server got plain http", source: pythonLocal,
		input: `ssl.SSLError: [SSL: HTTP_REQUEST] http request (_ssl.c:1006)`,
		stack: "python", side: sideClientNotTLS, codes: []Code{CodePlainHTTP},
	},
	{
		name: "python hostname mismatch", source: pythonLocal + ", server_hostname other than the certificate's names",
		input: `ssl.SSLCertVerificationError: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: Hostname mismatch, ` +
			`certificate is not valid for 'other.example'. (_ssl.c:1006)`,
		stack: "python", side: sideClientRejectedServer, codes: []Code{CodeHostnameMismatch},
	},
	{
		name: "python IP address mismatch", source: pythonLocal + ", certificate for localhost only, dialled 127.0.0.1",
		input: `ssl.SSLCertVerificationError: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: IP address mismatch, ` +
			`certificate is not valid for '127.0.0.1'. (_ssl.c:1006)`,
		stack: "python", side: sideClientRejectedServer, codes: []Code{CodeHostnameMismatch},
	},
	{
		name: "urllib IP address mismatch", source: urllibLocal + ", certificate for localhost only",
		input: `urllib.error.URLError: <urlopen error [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: IP address ` +
			`mismatch, certificate is not valid for '127.0.0.1'. (_ssl.c:1006)>`,
		stack: "python", side: sideClientRejectedServer, codes: []Code{CodeHostnameMismatch},
	},
	{
		name: "requests IP address mismatch", source: requestsLocal + ", certificate for localhost only",
		input: `requests.exceptions.SSLError: HTTPSConnectionPool(host='127.0.0.1', port=45444): Max retries exceeded with url: / ` +
			`(Caused by SSLError(SSLCertVerificationError(1, "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: ` +
			`IP address mismatch, certificate is not valid for '127.0.0.1'. (_ssl.c:1006)")))`,
		stack: "python", side: sideClientRejectedServer, codes: []Code{CodeHostnameMismatch},
	},
	{
		name: "urllib protocol version", source: urllibLocal + " against s_server -tls1 -cipher DEFAULT@SECLEVEL=0",
		input: `urllib.error.URLError: <urlopen error [SSL: TLSV1_ALERT_PROTOCOL_VERSION] tlsv1 alert protocol version (_ssl.c:1006)>`,
		stack: "python", side: sideNoCommonParams, codes: []Code{CodeProtocolVersion},
	},
	{
		name:   "python server no signature algorithm",
		source: pythonLocal + " server with minimum_version TLSv1 and set_ciphers(\"DEFAULT\"), s_client -tls1; str() of the SSLError",
		input:  `[SSL: NO_SUITABLE_SIGNATURE_ALGORITHM] no suitable signature algorithm (_ssl.c:1006)`,
		stack:  "python", side: sideNoCommonParams, codes: []Code{CodeNoSharedCipher},
	},
	{
		name: "python key values mismatch", source: pythonLocal + ", load_cert_chain with another certificate's key",
		input: `ssl.SSLError: [X509: KEY_VALUES_MISMATCH] key values mismatch (_ssl.c:3926)`,
		stack: "python", side: sideLocalFiles, codes: []Code{CodeKeyMismatch},
	},
	{
		name: "python key of another type", source: pythonLocal + ", load_cert_chain with an ECDSA certificate and an RSA key",
		input: `ssl.SSLError: [SSL: NO_CERTIFICATE_ASSIGNED] no certificate assigned (_ssl.c:3934)`,
		stack: "python", side: sideLocalFiles, codes: []Code{CodeKeyMismatch},
	},
	{
		name: "python PEM lib", source: pythonLocal + ", load_cert_chain with a DER certificate",
		input: `ssl.SSLError: [SSL] PEM lib (_ssl.c:3905)`,
		stack: "python", side: sideLocalFiles, codes: []Code{CodeNotPEM, CodeEncryptedKey},
	},
	{
		name: "python X509 PEM lib", source: pythonLocal + ", load_verify_locations with bad base64 in a PEM block",
		input: `ssl.SSLError: [X509] PEM lib (_ssl.c:4154)`,
		stack: "python", side: sideLocalFiles, codes: []Code{CodeNotPEM, CodeEncryptedKey},
	},
	{
		name: "python no certificate in CA file", source: pythonLocal + ", load_verify_locations with a DER certificate",
		input: `ssl.SSLError: [X509: NO_CERTIFICATE_OR_CRL_FOUND] no certificate or crl found (_ssl.c:4154)`,
		stack: "python", side: sideLocalFiles, codes: []Code{CodeNotPEM},
	},
	{
		name: "python PEM no start line", source: pythonLocal + ", load_dh_params with a file of base64 noise",
		input: `ssl.SSLError: [PEM: NO_START_LINE] no start line (_ssl.c:4202)`,
		stack: "python", side: sideLocalFiles, codes: []Code{CodeNotPEM},
	},
	{
		name: "python cadata no start line", source: pythonLocal + ", load_verify_locations(cadata=...) without a PEM block",
		input: `ssl.SSLError: no start line: cadata does not contain a certificate (_ssl.c:4020)`,
		stack: "python", side: sideLocalFiles, codes: []Code{CodeNotPEM},
	},
	{
		name: "urllib refused", source: urllibLocal,
		input: `urllib.error.URLError: <urlopen error [Errno 111] Connection refused>`,
		stack: "python", side: sideNoConnection, codes: []Code{CodeConnectionRefused},
	},
	{
		name: "python refused", source: pythonLocal + ", socket.create_connection",
		input: `ConnectionRefusedError: [Errno 111] Connection refused`,
		stack: "python", side: sideNoConnection, codes: []Code{CodeConnectionRefused},
	},
	{
		name: "requests refused", source: requestsLocal,
		input: `requests.exceptions.ConnectionError: HTTPSConnectionPool(host='127.0.0.1', port=9): Max retries exceeded with url: / ` +
			`(Caused by NewConnectionError("HTTPSConnection(host='127.0.0.1', port=9): Failed to establish a new connection: ` +
			`[Errno 111] Connection refused"))`,
		stack: "python", side: sideNoConnection, codes: []Code{CodeConnectionRefused},
	},
	{
		name: "urllib name not known", source: urllibLocal + " with a resolver on 127.0.0.1 answering NXDOMAIN",
		input: `urllib.error.URLError: <urlopen error [Errno -2] Name or service not known>`,
		stack: "python", side: sideNoDNS, codes: []Code{CodeDNSFailure},
	},
	{
		name: "python name not known", source: pythonLocal + ", socket.create_connection, with a resolver on 127.0.0.1 answering NXDOMAIN",
		input: `socket.gaierror: [Errno -2] Name or service not known`,
		stack: "python", side: sideNoDNS, codes: []Code{CodeDNSFailure},
	},
	{
		name: "python resolver silent", source: pythonLocal + ", socket.create_connection, with nothing listening on the resolver address [::1]:53",
		input: `socket.gaierror: [Errno -3] Temporary failure in name resolution`,
		stack: "python", side: sideNoDNS, codes: []Code{CodeDNSFailure},
	},
	{
		name: "requests name not known", source: requestsLocal + " with a resolver on 127.0.0.1 answering NXDOMAIN",
		input: `requests.exceptions.ConnectionError: HTTPSConnectionPool(host='webhook.example.invalid', port=443): Max retries ` +
			`exceeded with url: / (Caused by NameResolutionError("HTTPSConnection(host='webhook.example.invalid', port=443): ` +
			`Failed to resolve 'webhook.example.invalid' ([Errno -2] Name or service not known)"))`,
		stack: "python", side: sideNoDNS, codes: []Code{CodeDNSFailure},
	},
	{
		name: "urllib reset", source: urllibLocal + " against a listener that resets after the ClientHello",
		input: `urllib.error.URLError: <urlopen error [Errno 104] Connection reset by peer>`,
		stack: "python", side: sideReset, codes: []Code{CodeConnectionReset},
	},
	{
		name: "python reset", source: pythonLocal + " against a listener that resets after the ClientHello",
		input: `ConnectionResetError: [Errno 104] Connection reset by peer`,
		stack: "python", side: sideReset, codes: []Code{CodeConnectionReset},
	},
	{
		name: "requests reset", source: requestsLocal + " against a listener that resets after the ClientHello",
		input: `requests.exceptions.ConnectionError: ('Connection aborted.', ConnectionResetError(104, 'Connection reset by peer'))`,
		stack: "python", side: sideReset, codes: []Code{CodeConnectionReset},
	},
	{
		name: "python handshake timeout", source: pythonLocal + " against a listener that never answers",
		input: `TimeoutError: _ssl.c:989: The handshake operation timed out`,
		stack: "python", side: sideTimeout, codes: []Code{CodeHandshakeTimeout},
	},
	{
		name: "urllib handshake timeout", source: urllibLocal + " against a listener that never answers",
		input: `urllib.error.URLError: <urlopen error _ssl.c:989: The handshake operation timed out>`,
		stack: "python", side: sideTimeout, codes: []Code{CodeHandshakeTimeout},
	},
	{
		name: "python connect timeout", source: pythonLocal + ", socket.create_connection to a listener whose backlog is full",
		input: `TimeoutError: timed out`,
		stack: "python", side: sideTimeout, codes: []Code{CodeHandshakeTimeout},
	},
	{
		name: "urllib connect timeout", source: urllibLocal + " to a listener whose backlog is full",
		input: `urllib.error.URLError: <urlopen error timed out>`,
		stack: "python", side: sideTimeout, codes: []Code{CodeHandshakeTimeout},
	},
	{
		name: "requests connect timeout", source: requestsLocal + " to a listener whose backlog is full",
		input: `requests.exceptions.ConnectTimeout: HTTPSConnectionPool(host='127.0.0.1', port=45492): Max retries exceeded with ` +
			`url: / (Caused by ConnectTimeoutError(<HTTPSConnection(host='127.0.0.1', port=45492) at 0x7fc07e704710>, ` +
			`'Connection to 127.0.0.1 timed out. (connect timeout=1)'))`,
		stack: "python", side: sideTimeout, codes: []Code{CodeHandshakeTimeout},
	},
	{
		name: "urllib read timeout", source: urllibLocal + " against a Python TLS server that never answers after the handshake",
		input: `TimeoutError: The read operation timed out`,
		stack: "python", side: sideTimeout, codes: []Code{CodeSlowResponse},
	},
	{
		name: "requests read timeout", source: requestsLocal + " against a listener that never answers",
		input: `requests.exceptions.ReadTimeout: HTTPSConnectionPool(host='127.0.0.1', port=45450): Read timed out. (read timeout=1)`,
		stack: "python", side: sideTimeout, codes: []Code{CodeHandshakeTimeout, CodeSlowResponse},
	},
	{
		name: "urllib remote disconnected", source: urllibLocal + " against openssl s_server without -www and with standard input closed",
		input: `http.client.RemoteDisconnected: Remote end closed connection without response`,
		stack: "python", side: sideReset, codes: []Code{CodeConnectionReset},
	},
	// Go clients.
	{
		name: "go unknown authority", source: goLocal,
		input: `Get "https://127.0.0.1:52841/": tls: failed to verify certificate: x509: certificate signed by unknown authority`,
		stack: "go", side: sideClientRejectedServer, codes: []Code{CodeUnknownAuthority, CodeIncompleteChain},
	},
	{
		name: "go expired", source: goLocal,
		input: "tls: failed to verify certificate: x509: certificate has expired or is not yet valid: " +
			"current time 2026-12-04T15:27:57Z is after 2026-12-03T15:27:30Z",
		stack: "go", side: sideClientRejectedServer, codes: []Code{CodeExpired},
	},
	{
		name: "go not yet valid", source: goLocal,
		input: "tls: failed to verify certificate: x509: certificate has expired or is not yet valid: " +
			"current time 2026-12-04T15:27:57Z is before 2026-12-05T15:27:30Z",
		stack: "go", side: sideClientRejectedServer, codes: []Code{CodeNotYetValid},
	},
	{
		name: "go valid for other names", source: goLocal,
		input: "tls: failed to verify certificate: x509: certificate is valid for a.example, b.example, not localhost",
		stack: "go", side: sideClientRejectedServer, codes: []Code{CodeHostnameMismatch},
	},
	{
		name: "go valid for other IPs", source: goLocal,
		input: "x509: certificate is valid for 127.0.0.1, ::1, not 10.1.2.3",
		stack: "go", side: sideClientRejectedServer, codes: []Code{CodeHostnameMismatch},
	},
	{
		name: "go no IP SANs", source: goLocal,
		input: "tls: failed to verify certificate: x509: cannot validate certificate for 127.0.0.1 because it doesn't contain any IP SANs",
		stack: "go", side: sideClientRejectedServer, codes: []Code{CodeHostnameMismatch},
	},
	{
		name: "go no names at all", source: goLocal,
		input: "x509: certificate is not valid for any names, but wanted to match webhook.example.com",
		stack: "go", side: sideClientRejectedServer, codes: []Code{CodeHostnameMismatch, CodeLegacyCommonName},
	},
	{
		name: "go legacy common name", source: goLocal,
		input: "tls: failed to verify certificate: x509: certificate relies on legacy Common Name field, use SANs instead",
		stack: "go", side: sideClientRejectedServer, codes: []Code{CodeLegacyCommonName},
	},
	{
		name:   "go 1.15 legacy common name",
		source: "Go 1.15-1.16 crypto/x509, quoted from docker pull output in public notes (exact-string search of the GitHub index)",
		input: `Error response from daemon: Get "https://harbor.gt.com:1443/v2/": x509: certificate relies on legacy ` +
			`Common Name field, use SANs or temporarily enable Common Name matching with GODEBUG=x509ignoreCN=0`,
		stack: "go", side: sideClientRejectedServer, codes: []Code{CodeLegacyCommonName},
	},
	{
		name: "go incompatible key usage bare", source: goLocal,
		input: "tls: failed to verify certificate: x509: certificate specifies an incompatible key usage",
		stack: "go", side: sideEitherRejected, codes: []Code{CodeWrongUsageServer, CodeWrongUsageClient},
	},
	{
		name: "go CA with same name other key", source: goLocal,
		input: `x509: certificate signed by unknown authority (possibly because of "crypto/rsa: verification error" ` +
			`while trying to verify candidate authority certificate "mtlsdoctor test CA")`,
		stack: "go", side: sideClientRejectedServer, codes: []Code{CodeUnknownAuthority},
	},
	{
		name: "go parent not a CA", source: goLocal,
		input: `Get "https://127.0.0.1:49833/": tls: failed to verify certificate: x509: certificate signed by unknown authority ` +
			`(possibly because of "x509: invalid signature: parent certificate cannot sign this kind of certificate" ` +
			`while trying to verify candidate authority certificate "not a CA")`,
		stack: "go", side: sideClientRejectedServer, codes: []Code{CodeNotACA},
	},
	{
		name: "go SHA-1 signature", source: goLocal,
		input: `tls: failed to verify certificate: x509: certificate signed by unknown authority (possibly because of ` +
			`"x509: cannot verify signature: insecure algorithm SHA1-RSA" while trying to verify candidate authority certificate "mtlsdoctor test CA")`,
		stack: "go", side: sideClientRejectedServer, codes: []Code{CodeInsecureSignature},
	},
	{
		name:   "go 1.19 server SHA-1 client chain",
		source: "Go 1.18-1.19 crypto/tls server log, quoted in public notes (exact-string search of the GitHub index)",
		input: `http: TLS handshake error from 127.0.0.1:61417: tls: failed to verify client certificate: x509: certificate ` +
			`signed by unknown authority (possibly because of "x509: cannot verify signature: insecure algorithm SHA1-RSA ` +
			`(temporarily override with GODEBUG=x509sha1=1)" while trying to verify candidate authority certificate "www.intermidateca.com")`,
		stack: "go", side: sideServerRejectedClient, codes: []Code{CodeInsecureSignature, CodeClientCertRejected},
	},
	{
		name: "go remote certificate required", source: goLocal,
		input: "remote error: tls: certificate required",
		stack: "go", side: sideServerWantsCert, codes: []Code{CodeClientCertRequired},
	},
	{
		name: "go bare certificate required", source: goLocal,
		input: "tls: certificate required",
		stack: "go", side: sideServerWantsCert, codes: []Code{CodeClientCertRequired},
	},
	{
		name: "go remote bad certificate", source: goLocal,
		input: `Get "https://127.0.0.1:33409/": remote error: tls: bad certificate`,
		stack: "go", side: sideServerRejectedClient, codes: []Code{CodeClientCertRejected},
	},
	{
		name: "go remote unknown CA", source: goLocal,
		input: "remote error: tls: unknown certificate authority",
		stack: "go", side: sideServerRejectedClient, codes: []Code{CodeClientCANotAccept, CodeClientCertRejected},
	},
	{
		name: "go remote expired certificate", source: goLocal,
		input: "remote error: tls: expired certificate",
		stack: "go", side: sideServerRejectedClient, codes: []Code{CodeExpired, CodeClientCertRejected},
	},
	{
		name: "go remote handshake failure", source: goLocal,
		input: "remote error: tls: handshake failure",
		stack: "go", side: sideServerEnded, codes: []Code{CodeClientCertRequired, CodeNoSharedCipher},
	},
	{
		name: "go remote protocol version", source: goLocal,
		input: "remote error: tls: protocol version not supported",
		stack: "go", side: sideNoCommonParams, codes: []Code{CodeProtocolVersion},
	},
	{
		name: "go remote unrecognized name", source: goLocal + " against nginx 1.22.1 ssl_reject_handshake",
		input: `Get "https://127.0.0.1:35707/": remote error: tls: unrecognized name`,
		stack: "go", side: sideServerEnded, codes: []Code{CodeSNIRequired},
	},
	{
		name: "go key mismatch", source: goLocal,
		input: "tls: private key does not match public key",
		stack: "go", side: sideLocalFiles, codes: []Code{CodeKeyMismatch},
	},
	{
		name: "go no PEM data", source: goLocal,
		input: "tls: failed to find any PEM data in certificate input",
		stack: "go", side: sideLocalFiles, codes: []Code{CodeNotPEM},
	},
	{
		name: "go encrypted key", source: goLocal,
		input: "tls: failed to parse private key",
		stack: "go", side: sideLocalFiles, codes: []Code{CodeEncryptedKey, CodeNotPEM},
	},
	{
		name: "go swapped files", source: goLocal,
		input: "tls: failed to find certificate PEM data in certificate input, but did find a private key; PEM inputs may have been switched",
		stack: "go", side: sideLocalFiles, codes: []Code{CodeNotPEM},
	},
	{
		name: "go missing file", source: goLocal,
		input: "open /tmp/lab/pki/missing.pem: no such file or directory",
		stack: "go", side: sideLocalFiles, codes: []Code{CodeUnreadableFile},
	},
	{
		name: "go plain HTTP server", source: goLocal,
		input: `Get "https://127.0.0.1:44031/": http: server gave HTTP response to HTTPS client`,
		stack: "go", side: sideServerNotTLS, codes: []Code{CodePlainHTTP},
	},
	{
		name: "go first record", source: goLocal,
		input: "tls: first record does not look like a TLS handshake",
		stack: "go", side: sideServerNotTLS, codes: []Code{CodeNotTLS, CodePlainHTTP},
	},
	{
		name: "go connection refused", source: goLocal,
		input: `Get "https://127.0.0.1:45595/": dial tcp 127.0.0.1:45595: connect: connection refused`,
		stack: "go", side: sideNoConnection, codes: []Code{CodeConnectionRefused},
	},
	{
		name: "go TLS handshake timeout", source: goLocal,
		input: `Get "https://127.0.0.1:41951/": net/http: TLS handshake timeout`,
		stack: "go", side: sideTimeout, codes: []Code{CodeHandshakeTimeout},
	},
	{
		name: "go client timeout", source: goLocal,
		input: `Get "https://127.0.0.1:41951/": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`,
		stack: "go", side: sideTimeout, codes: []Code{CodeHandshakeTimeout, CodeSlowResponse},
	},
	{
		name: "go i/o timeout", source: goLocal,
		input: "read tcp 127.0.0.1:49372->127.0.0.1:41951: i/o timeout",
		stack: "go", side: sideTimeout, codes: []Code{CodeHandshakeTimeout},
	},
	{
		name: "go no such host", source: goLocal + " with a resolver on 127.0.0.1 answering NXDOMAIN",
		input: `Get "https://webhook.example.invalid/": dial tcp: lookup webhook.example.invalid on 127.0.0.1:53: no such host`,
		stack: "go", side: sideNoDNS, codes: []Code{CodeDNSFailure},
	},
	{
		name: "go connection reset", source: goLocal,
		input: `Get "https://127.0.0.1:40839/": read tcp 127.0.0.1:43654->127.0.0.1:40839: read: connection reset by peer`,
		stack: "go", side: sideReset, codes: []Code{CodeConnectionReset},
	},
	{
		name: "go EOF", source: goLocal,
		input: `Get "https://127.0.0.1:34583/": EOF`,
		stack: "go", side: sideReset, codes: []Code{CodeConnectionReset},
	},

	{
		name: "go remote internal error", source: goLocal + " against a Go server whose GetCertificate returns an error",
		input: `Get "https://127.0.0.1:39181/": remote error: tls: internal error`,
		stack: "go", side: sideServerEnded, codes: []Code{CodeHandshakeFailure},
	},

	// Go servers.
	{
		name: "go server remote internal error", source: goLocal + " server; the Go client's GetClientCertificate returned an error over TLS 1.2",
		input: "2026/12/04 17:43:08 http: TLS handshake error from 127.0.0.1:37442: remote error: tls: internal error",
		stack: "go", side: sideClientEnded, codes: []Code{CodeHandshakeFailure},
	},
	{
		name: "go server no client certificate", source: goLocal,
		input: "2026/12/04 15:29:25 http: TLS handshake error from 127.0.0.1:52434: tls: client didn't provide a certificate",
		stack: "go", side: sideServerWantsCert, codes: []Code{CodeClientCertRequired},
	},
	{
		name: "go server unknown client CA", source: goLocal,
		input: "2026/12/04 15:29:25 http: TLS handshake error from 127.0.0.1:52426: tls: failed to verify certificate: " +
			"x509: certificate signed by unknown authority",
		stack: "go", side: sideServerRejectedClient,
		codes: []Code{CodeUnknownAuthority, CodeIncompleteChain, CodeClientCertRejected},
	},
	{
		name: "go server client usage", source: goLocal,
		input: "2026/12/04 15:29:25 http: TLS handshake error from 127.0.0.1:52414: tls: failed to verify certificate: " +
			"x509: certificate specifies an incompatible key usage",
		stack: "go", side: sideServerRejectedClient, codes: []Code{CodeWrongUsageClient, CodeClientCertRejected},
	},
	{
		name: "go server expired client", source: goLocal,
		input: "2026/12/04 15:29:25 http: TLS handshake error from 127.0.0.1:52448: tls: failed to verify certificate: " +
			"x509: certificate has expired or is not yet valid: current time 2026-12-04T15:29:25Z is after 2026-12-03T15:27:30Z",
		stack: "go", side: sideServerRejectedClient, codes: []Code{CodeExpired, CodeClientCertRejected},
	},
	{
		name: "go server versions", source: goLocal,
		input: "2026/12/04 15:29:26 http: TLS handshake error from 127.0.0.1:39866: tls: client offered only unsupported versions: [303 302 301]",
		stack: "go", side: sideNoCommonParams, codes: []Code{CodeProtocolVersion},
	},
	{
		name: "go server ciphers", source: goLocal,
		input: "2026/12/04 15:29:27 http: TLS handshake error from 127.0.0.1:43042: tls: no cipher suite supported by " +
			"both client and server; client offered: [3c ff]",
		stack: "go", side: sideNoCommonParams, codes: []Code{CodeNoSharedCipher},
	},
	{
		name: "go server plain HTTP client", source: goLocal,
		input: "2026/12/04 15:27:57 http: TLS handshake error from 127.0.0.1:50732: client sent an HTTP request to an HTTPS server",
		stack: "go", side: sideClientNotTLS, codes: []Code{CodePlainHTTP},
	},
	{
		name: "go server client reset", source: goLocal + " server; the client reset the connection after a partial ClientHello",
		input: "2026/12/04 18:33:14 http: TLS handshake error from 127.0.0.1:39566: read tcp 127.0.0.1:45491->127.0.0.1:39566: " +
			"read: connection reset by peer",
		stack: "go", side: sideClientReset, codes: []Code{CodeConnectionReset},
	},
	{
		name: "go server client rejected it", source: goLocal + " with a Go client",
		input: "2026/12/04 15:41:22 http: TLS handshake error from 127.0.0.1:49262: remote error: tls: bad certificate",
		stack: "go", side: sideClientRejectedServer,
		codes: []Code{CodeUnknownAuthority, CodeHostnameMismatch, CodeExpired},
	},

	// curl.
	{
		name: "curl unable to get local issuer", source: curlLocal,
		input: "curl: (60) SSL certificate problem: unable to get local issuer certificate",
		stack: "curl", side: sideClientRejectedServer, codes: []Code{CodeUnknownAuthority, CodeIncompleteChain},
	},
	{
		name: "curl self-signed in chain", source: curlLocal,
		input: "curl: (60) SSL certificate problem: self-signed certificate in certificate chain",
		stack: "curl", side: sideClientRejectedServer, codes: []Code{CodeUnknownAuthority},
	},
	{
		name: "curl self-signed", source: curlLocal,
		input: "curl: (60) SSL certificate problem: self-signed certificate",
		stack: "curl", side: sideClientRejectedServer, codes: []Code{CodeSelfSignedLeaf, CodeUnknownAuthority},
	},
	{
		name: "curl expired", source: curlLocal,
		input: "curl: (60) SSL certificate problem: certificate has expired",
		stack: "curl", side: sideClientRejectedServer, codes: []Code{CodeExpired},
	},
	{
		name: "curl not yet valid", source: curlLocal,
		input: "curl: (60) SSL certificate problem: certificate is not yet valid",
		stack: "curl", side: sideClientRejectedServer, codes: []Code{CodeNotYetValid},
	},
	{
		name: "curl unsuitable purpose", source: curlLocal,
		input: "curl: (60) SSL certificate problem: unsuitable certificate purpose",
		stack: "curl", side: sideClientRejectedServer, codes: []Code{CodeWrongUsageServer},
	},
	{
		name: "curl weak key", source: curlLocal,
		input: "curl: (60) SSL certificate problem: EE certificate key too weak",
		stack: "curl", side: sideClientRejectedServer, codes: []Code{CodeWeakKey},
	},
	{
		name: "curl invalid CA", source: curlLocal,
		input: "curl: (60) SSL certificate problem: invalid CA certificate",
		stack: "curl", side: sideClientRejectedServer, codes: []Code{CodeNotACA},
	},
	{
		name: "curl no alternative name", source: curlLocal,
		input: "curl: (60) SSL: no alternative certificate subject name matches target host name 'localhost'",
		stack: "curl", side: sideClientRejectedServer, codes: []Code{CodeHostnameMismatch},
	},
	{
		name: "curl common name mismatch", source: curlLocal,
		input: "curl: (60) SSL: certificate subject name 'localhost' does not match target host name '127.0.0.1'",
		stack: "curl", side: sideClientRejectedServer, codes: []Code{CodeHostnameMismatch, CodeLegacyCommonName},
	},
	{
		name: "curl verification failed without problem", source: curlLocal + " over TLS 1.2, server rejected an expired client certificate",
		input: "curl: (60) SSL certificate verification failed",
		stack: "curl", side: sideServerRejectedClient, codes: []Code{CodeExpired, CodeClientCertRejected},
	},
	{
		name: "curl 35 certificate required", source: curlLocal,
		input: "curl: (56) OpenSSL SSL_read: OpenSSL/3.0.19: error:0A00045C:SSL routines::tlsv13 alert certificate required, errno 0",
		stack: "curl", side: sideServerWantsCert, codes: []Code{CodeClientCertRequired},
	},
	{
		name: "curl 35 handshake failure", source: curlLocal + " over TLS 1.2 without a client certificate",
		input: "curl: (35) OpenSSL/3.0.19: error:0A000410:SSL routines::sslv3 alert handshake failure",
		stack: "curl", side: sideServerEnded, codes: []Code{CodeClientCertRequired, CodeNoSharedCipher},
	},
	{
		name: "curl 56 unknown ca", source: curlLocal,
		input: "curl: (56) OpenSSL SSL_read: OpenSSL/3.0.19: error:0A000418:SSL routines::tlsv1 alert unknown ca, errno 0",
		stack: "curl", side: sideServerRejectedClient, codes: []Code{CodeClientCANotAccept, CodeClientCertRejected},
	},
	{
		name: "curl 35 unknown ca", source: curlLocal,
		input: "curl: (35) OpenSSL/3.0.19: error:0A000418:SSL routines::tlsv1 alert unknown ca",
		stack: "curl", side: sideServerRejectedClient, codes: []Code{CodeClientCANotAccept, CodeClientCertRejected},
	},
	{
		name: "curl 56 bad certificate", source: curlLocal + " against a Go 1.26.8 server",
		input: "curl: (56) OpenSSL SSL_read: OpenSSL/3.0.19: error:0A000412:SSL routines::sslv3 alert bad certificate, errno 0",
		stack: "curl", side: sideServerRejectedClient, codes: []Code{CodeClientCertRejected},
	},
	{
		name: "curl 56 certificate expired", source: curlLocal,
		input: "curl: (56) OpenSSL SSL_read: OpenSSL/3.0.19: error:0A000415:SSL routines::sslv3 alert certificate expired, errno 0",
		stack: "curl", side: sideServerRejectedClient, codes: []Code{CodeExpired, CodeClientCertRejected},
	},
	{
		name: "curl 56 unsupported certificate", source: curlLocal,
		input: "curl: (56) OpenSSL SSL_read: OpenSSL/3.0.19: error:0A000413:SSL routines::sslv3 alert unsupported certificate, errno 0",
		stack: "curl", side: sideServerRejectedClient, codes: []Code{CodeWrongUsageClient, CodeClientCertRejected},
	},
	{
		name: "curl 35 protocol version", source: curlLocal,
		input: "curl: (35) OpenSSL/3.0.19: error:0A00042E:SSL routines::tlsv1 alert protocol version",
		stack: "curl", side: sideNoCommonParams, codes: []Code{CodeProtocolVersion},
	},
	{
		name: "curl 35 unrecognized name", source: curlLocal + " against nginx 1.22.1 ssl_reject_handshake",
		input: "curl: (35) OpenSSL/3.0.19: error:0A000458:SSL routines::tlsv1 unrecognized name",
		stack: "curl", side: sideServerEnded, codes: []Code{CodeSNIRequired},
	},
	{
		name: "curl 35 wrong version number", source: curlLocal,
		input: "curl: (35) OpenSSL/3.0.19: error:0A00010B:SSL routines::wrong version number",
		stack: "curl", side: sideServerNotTLS, codes: []Code{CodePlainHTTP, CodeNotTLS},
	},
	{
		name: "curl 35 legacy sigalg", source: curlLocal + " against s_server -tls1 -cipher DEFAULT@SECLEVEL=0 with an ECDSA certificate",
		input: "curl: (35) OpenSSL/3.0.19: error:0A00014D:SSL routines::legacy sigalg disallowed or unsupported",
		stack: "curl", side: sideNoCommonParams, codes: []Code{CodeProtocolVersion},
	},
	{
		name: "curl 58 private key", source: curlLocal,
		input: "curl: (58) unable to set private key file: '/tmp/lab/pki/server.key' type PEM",
		stack: "curl", side: sideLocalFiles, codes: []Code{CodeKeyMismatch, CodeEncryptedKey, CodeUnreadableFile},
	},
	{
		name: "curl 58 no start line", source: curlLocal,
		input: "curl: (58) could not load PEM client certificate from /tmp/lab/pki/client.der, OpenSSL error " +
			"error:0480006C:PEM routines::no start line, (no key found, wrong pass phrase, or wrong file format?)",
		stack: "curl", side: sideLocalFiles, codes: []Code{CodeNotPEM},
	},
	{
		name: "curl 58 missing certificate", source: curlLocal,
		input: "curl: (58) could not load PEM client certificate from /tmp/lab/pki/nope.pem, OpenSSL error " +
			"error:80000002:system library::No such file or directory, (no key found, wrong pass phrase, or wrong file format?)",
		stack: "curl", side: sideLocalFiles, codes: []Code{CodeUnreadableFile},
	},
	{
		name: "curl 58 key too small", source: curlLocal,
		input: "curl: (58) could not load PEM client certificate from /tmp/lab/pki/weak.pem, OpenSSL error " +
			"error:0A00018F:SSL routines::ee key too small, (no key found, wrong pass phrase, or wrong file format?)",
		stack: "curl", side: sideLocalFiles, codes: []Code{CodeWeakKey},
	},
	{
		name: "curl 77 CA file", source: curlLocal,
		input: "curl: (77) error setting certificate file: /tmp/lab/pki/nope.pem",
		stack: "curl", side: sideLocalFiles, codes: []Code{CodeUnreadableFile, CodeNotPEM},
	},
	{
		name: "curl 7 refused", source: curlLocal,
		input: "curl: (7) Failed to connect to 127.0.0.1 port 35977 after 0 ms: Couldn't connect to server",
		stack: "curl", side: sideNoConnection, codes: []Code{CodeConnectionRefused},
	},
	{
		name:   "curl 7 refused older wording",
		source: "curl before 7.83, quoted in public troubleshooting notes (exact-string search of the GitHub index)",
		input:  "curl: (7) Failed to connect to localhost port 443: Connection refused",
		stack:  "curl", side: sideNoConnection, codes: []Code{CodeConnectionRefused},
	},
	{
		name: "curl 28 connect timeout", source: curlLocal,
		input: "curl: (28) Failed to connect to 127.0.0.1 port 45173 after 1001 ms: Timeout was reached",
		stack: "curl", side: sideTimeout, codes: []Code{CodeHandshakeTimeout},
	},
	{
		name: "curl 28 connection timed out", source: curlLocal,
		input: "curl: (28) Connection timed out after 1001 milliseconds",
		stack: "curl", side: sideTimeout, codes: []Code{CodeHandshakeTimeout},
	},
	{
		name: "curl 28 SSL connection timeout", source: curlLocal,
		input: "curl: (28) SSL connection timeout",
		stack: "curl", side: sideTimeout, codes: []Code{CodeHandshakeTimeout},
	},
	{
		name: "curl 6 resolve", source: curlLocal + " with a resolver on 127.0.0.1 answering NXDOMAIN",
		input: "curl: (6) Could not resolve host: webhook.example.invalid",
		stack: "curl", side: sideNoDNS, codes: []Code{CodeDNSFailure},
	},
	{
		name: "curl 35 alert internal error", source: curlLocal + " against a Go server whose GetCertificate returns an error",
		input: "curl: (35) OpenSSL/3.0.19: error:0A000438:SSL routines::tlsv1 alert internal error",
		stack: "curl", side: sideServerEnded, codes: []Code{CodeHandshakeFailure},
	},
	{
		name: "curl verbose alert internal error", source: curlLocal + " -v against a Go server whose GetCertificate returns an error",
		input: "* TLSv1.3 (IN), TLS alert, internal error (592):",
		stack: "curl", side: sideServerEnded, codes: []Code{CodeHandshakeFailure},
	},
	{
		name: "curl 35 reset", source: curlLocal,
		input: "curl: (35) Recv failure: Connection reset by peer",
		stack: "curl", side: sideReset, codes: []Code{CodeConnectionReset},
	},
	{
		name: "curl 35 syscall", source: curlLocal,
		input: "curl: (35) OpenSSL SSL_connect: SSL_ERROR_SYSCALL in connection to 127.0.0.1:34583",
		stack: "curl", side: sideReset, codes: []Code{CodeConnectionReset},
	},
	{
		name: "curl 52 empty reply", source: curlLocal + " against a Node 20.20.2 server rejecting the client certificate",
		input: "curl: (52) Empty reply from server",
		stack: "curl", side: sideReset, codes: []Code{CodeConnectionReset},
	},

	// OpenSSL s_client and s_server.
	{
		name: "openssl alert 116", source: opensslLocal,
		input: "40E7B4B07C7F0000:error:0A00045C:SSL routines:ssl3_read_bytes:tlsv13 alert certificate required:" +
			"../ssl/record/rec_layer_s3.c:1601:SSL alert number 116",
		stack: "openssl", side: sideServerWantsCert, codes: []Code{CodeClientCertRequired},
	},
	{
		name: "openssl alert 42", source: opensslLocal + " against a Go 1.26.8 server",
		input: "40078FB4867F0000:error:0A000412:SSL routines:ssl3_read_bytes:sslv3 alert bad certificate:" +
			"../ssl/record/rec_layer_s3.c:1601:SSL alert number 42",
		stack: "openssl", side: sideServerRejectedClient, codes: []Code{CodeClientCertRejected},
	},
	{
		name: "openssl alert 48", source: opensslLocal,
		input: "40C7E9B7A47F0000:error:0A000418:SSL routines:ssl3_read_bytes:tlsv1 alert unknown ca:" +
			"../ssl/record/rec_layer_s3.c:1601:SSL alert number 48",
		stack: "openssl", side: sideServerRejectedClient, codes: []Code{CodeClientCANotAccept, CodeClientCertRejected},
	},
	{
		name: "openssl alert 45", source: opensslLocal,
		input: "40D7AA9B7C7F0000:error:0A000415:SSL routines:ssl3_read_bytes:sslv3 alert certificate expired:" +
			"../ssl/record/rec_layer_s3.c:1601:SSL alert number 45",
		stack: "openssl", side: sideServerRejectedClient, codes: []Code{CodeExpired, CodeClientCertRejected},
	},
	{
		name:   "openssl 3.0.5 alert 40",
		source: "OpenSSL 3.0.5 s_client, https://github.com/openssl/openssl/issues/19723",
		input: "0020010108000000:error:0A000410:SSL routines:ssl3_read_bytes:sslv3 alert handshake failure:" +
			"ssl/record/rec_layer_s3.c:1584:SSL alert number 40",
		stack: "openssl", side: sideServerEnded, codes: []Code{CodeClientCertRequired, CodeNoSharedCipher},
	},
	{
		name:   "openssl 1.1.1 bad certificate",
		source: "OpenSSL 1.1.1 through nassl, https://github.com/nabla-c0d3/sslyze/issues/532",
		input:  "nassl._nassl.OpenSSLError: error:14094412:SSL routines:ssl3_read_bytes:sslv3 alert bad certificate",
		stack:  "openssl", side: sideServerRejectedClient, codes: []Code{CodeClientCertRejected},
	},
	{
		name:   "openssl 1.1.1 wrong version number",
		source: "OpenSSL 1.1.1 through Nim, https://github.com/AmanoTeam/Unalix-nim/issues/4",
		input:  "Error: unhandled exception: error:1408F10B:SSL routines:ssl3_get_record:wrong version number [SslError]",
		stack:  "openssl", side: sideServerNotTLS, codes: []Code{CodePlainHTTP, CodeNotTLS},
	},
	{
		name: "openssl verify 20", source: opensslLocal,
		input: "verify error:num=20:unable to get local issuer certificate",
		stack: "openssl", side: sideClientRejectedServer, codes: []Code{CodeUnknownAuthority, CodeIncompleteChain},
	},
	{
		name: "openssl verify 2", source: opensslLocal,
		input: "verify error:num=2:unable to get issuer certificate",
		stack: "openssl", side: sideClientRejectedServer, codes: []Code{CodeUnknownAuthority, CodeIncompleteChain},
	},
	{
		name: "openssl verify 10", source: opensslLocal,
		input: "verify error:num=10:certificate has expired",
		stack: "openssl", side: sideClientRejectedServer, codes: []Code{CodeExpired},
	},
	{
		name: "openssl verify 18", source: opensslLocal,
		input: "verify error:num=18:self-signed certificate",
		stack: "openssl", side: sideClientRejectedServer, codes: []Code{CodeSelfSignedLeaf, CodeUnknownAuthority},
	},
	{
		name: "openssl verify 19", source: opensslLocal,
		input: "verify error:num=19:self-signed certificate in certificate chain",
		stack: "openssl", side: sideClientRejectedServer, codes: []Code{CodeUnknownAuthority},
	},
	{
		name: "openssl verify 21", source: opensslLocal,
		input: "verify error:num=21:unable to verify the first certificate",
		stack: "openssl", side: sideClientRejectedServer, codes: []Code{CodeIncompleteChain, CodeUnknownAuthority},
	},
	{
		name: "openssl verify 62", source: opensslLocal + " with -verify_hostname",
		input: "verify error:num=62:hostname mismatch",
		stack: "openssl", side: sideClientRejectedServer, codes: []Code{CodeHostnameMismatch},
	},
	{
		name: "openssl verify 64", source: opensslLocal + " with -verify_ip 127.0.0.1 and a certificate for localhost only",
		input: "verify error:num=64:IP address mismatch",
		stack: "openssl", side: sideClientRejectedServer, codes: []Code{CodeHostnameMismatch},
	},
	{
		name: "openssl verification error 64", source: opensslLocal + " with -verify_ip 127.0.0.1 and a certificate for localhost only",
		input: "Verification error: IP address mismatch",
		stack: "openssl", side: sideClientRejectedServer, codes: []Code{CodeHostnameMismatch},
	},
	{
		name: "openssl verify return code 64", source: opensslLocal + " with -verify_ip 127.0.0.1 and a certificate for localhost only",
		input: "Verify return code: 64 (IP address mismatch)",
		stack: "openssl", side: sideClientRejectedServer, codes: []Code{CodeHostnameMismatch},
	},
	{
		name: "openssl verify 7", source: opensslLocal,
		input: "verify error:num=7:certificate signature failure",
		stack: "openssl", side: sideClientRejectedServer, codes: []Code{CodeUnknownAuthority},
	},
	{
		name: "openssl verify 79", source: opensslLocal,
		input: "verify error:num=79:invalid CA certificate",
		stack: "openssl", side: sideClientRejectedServer, codes: []Code{CodeNotACA},
	},
	{
		name: "openssl verify 68", source: opensslLocal + ", server certificate signed with SHA-1",
		input: "verify error:num=68:CA signature digest algorithm too weak",
		stack: "openssl", side: sideClientRejectedServer, codes: []Code{CodeInsecureSignature},
	},
	{
		name: "curl digest too weak", source: curlLocal + ", server certificate signed with SHA-1",
		input: "curl: (60) SSL certificate problem: CA signature digest algorithm too weak",
		stack: "curl", side: sideClientRejectedServer, codes: []Code{CodeInsecureSignature},
	},
	{
		name: "openssl verify return code 21", source: opensslLocal,
		input: "Verify return code: 21 (unable to verify the first certificate)",
		stack: "openssl", side: sideClientRejectedServer, codes: []Code{CodeIncompleteChain, CodeUnknownAuthority},
	},
	{
		name: "openssl alert 80", source: opensslLocal + " against a Go server whose GetCertificate returns an error",
		input: "40A788E1547F0000:error:0A000438:SSL routines:ssl3_read_bytes:tlsv1 alert internal error:" +
			"../ssl/record/rec_layer_s3.c:1601:SSL alert number 80",
		stack: "openssl", side: sideServerEnded, codes: []Code{CodeHandshakeFailure},
	},
	{
		name: "openssl wrong version number", source: opensslLocal,
		input: "40F77AE8F97F0000:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:../ssl/record/ssl3_record.c:350:",
		stack: "openssl", side: sideServerNotTLS, codes: []Code{CodePlainHTTP, CodeNotTLS},
	},
	{
		name: "openssl no peer certificate", source: opensslLocal,
		input: "no peer certificate available",
		stack: "openssl", side: sideServerNotTLS, codes: []Code{CodeNotTLS, CodeConnectionReset},
	},
	{
		name: "openssl server peer did not return", source: opensslLocal,
		input: "4017CEBF5B7F0000:error:0A0000C7:SSL routines:tls_process_client_certificate:peer did not return a certificate:" +
			"../ssl/statem/statem_srvr.c:3517:",
		stack: "openssl", side: sideServerWantsCert, codes: []Code{CodeClientCertRequired},
	},
	{
		name: "openssl server no shared cipher", source: opensslLocal,
		input: "40277896157F0000:error:0A0000C1:SSL routines:tls_post_process_client_hello:no shared cipher:../ssl/statem/statem_srvr.c:2226:",
		stack: "openssl", side: sideNoCommonParams, codes: []Code{CodeNoSharedCipher},
	},
	{
		name: "openssl server no signature algorithm", source: opensslLocal + " s_server with an ECDSA certificate, s_client -tls1",
		input: "40C728CD167F0000:error:0A000076:SSL routines:tls_choose_sigalg:no suitable signature algorithm:../ssl/t1_lib.c:3353:",
		stack: "openssl", side: sideNoCommonParams, codes: []Code{CodeNoSharedCipher},
	},
	{
		name:   "openssl server TLS 1.3 no signature algorithm",
		source: opensslLocal + " s_server with an ECDSA certificate, s_client -tls1_3 -sigalgs rsa_pss_rsae_sha256",
		input:  "40C728CD167F0000:error:0A000076:SSL routines:tls_choose_sigalg:no suitable signature algorithm:../ssl/t1_lib.c:3242:",
		stack:  "openssl", side: sideNoCommonParams, codes: []Code{CodeNoSharedCipher},
	},
	{
		name: "openssl server unsupported protocol", source: opensslLocal,
		input: "408740ED317F0000:error:0A000102:SSL routines:tls_early_post_process_client_hello:unsupported protocol:" +
			"../ssl/statem/statem_srvr.c:1664:",
		stack: "openssl", side: sideNoCommonParams, codes: []Code{CodeProtocolVersion},
	},
	{
		name: "openssl server http request", source: opensslLocal,
		input: "408740ED317F0000:error:0A00009C:SSL routines:ssl3_get_record:http request:../ssl/record/ssl3_record.c:341:",
		stack: "openssl", side: sideClientNotTLS, codes: []Code{CodePlainHTTP},
	},
	{
		name: "openssl key values mismatch", source: opensslLocal,
		input: "40B7BBB3017F0000:error:05800074:x509 certificate routines:X509_check_private_key:key values mismatch:" +
			"../crypto/x509/x509_cmp.c:403:",
		stack: "openssl", side: sideLocalFiles, codes: []Code{CodeKeyMismatch},
	},
	{
		name: "openssl ca md too weak", source: opensslLocal,
		input: "40F78A51C77F0000:error:0A00018E:SSL routines:SSL_CTX_use_certificate:ca md too weak:../ssl/ssl_rsa.c:222:",
		stack: "openssl", side: sideLocalFiles, codes: []Code{CodeInsecureSignature},
	},
	{
		name: "openssl refused", source: opensslLocal,
		input: "40A7D9F5057F0000:error:8000006F:system library:BIO_connect:Connection refused:../crypto/bio/bio_sock2.c:117:calling connect()",
		stack: "openssl", side: sideNoConnection, codes: []Code{CodeConnectionRefused},
	},
	{
		name: "openssl reset", source: opensslLocal,
		input: "write:errno=104",
		stack: "openssl", side: sideReset, codes: []Code{CodeConnectionReset},
	},
	{
		name: "openssl lookup", source: opensslLocal + " with a resolver on 127.0.0.1 answering NXDOMAIN",
		input: "40D78B047C7F0000:error:10080002:BIO routines:BIO_lookup_ex:system lib:../crypto/bio/bio_addr.c:746:Name or service not known",
		stack: "openssl", side: sideNoDNS, codes: []Code{CodeDNSFailure},
	},
	{
		name: "openssl encrypted key", source: opensslLocal,
		input: "Could not read client certificate private key from /tmp/lab/pki/client-enc.key",
		stack: "openssl", side: sideLocalFiles, codes: []Code{CodeEncryptedKey, CodeNotPEM},
	},

	// Node.
	{
		name: "node certificate required", source: nodeLocal,
		input: "code: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED'",
		stack: "node", side: sideServerWantsCert, codes: []Code{CodeClientCertRequired},
	},
	{
		name: "node bad certificate", source: nodeLocal + " against a Go 1.26.8 server",
		input: "code: 'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE'",
		stack: "node", side: sideServerRejectedClient, codes: []Code{CodeClientCertRejected},
	},
	{
		name: "node unknown ca", source: nodeLocal,
		input: "code: 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA'",
		stack: "node", side: sideServerRejectedClient, codes: []Code{CodeClientCANotAccept, CodeClientCertRejected},
	},
	{
		name: "node alert in message", source: nodeLocal,
		input: "Error: 807C11429A7F0000:error:0A00045C:SSL routines:ssl3_read_bytes:tlsv13 alert certificate required:" +
			"../deps/openssl/openssl/ssl/record/rec_layer_s3.c:1601:SSL alert number 116",
		stack: "node", side: sideServerWantsCert, codes: []Code{CodeClientCertRequired},
	},
	{
		name: "node EPROTO protocol version", source: nodeLocal,
		input: "Error: write EPROTO 802C8821D57F0000:error:0A00042E:SSL routines:ssl3_read_bytes:tlsv1 alert protocol version:" +
			"../deps/openssl/openssl/ssl/record/rec_layer_s3.c:1601:SSL alert number 70",
		stack: "node", side: sideNoCommonParams, codes: []Code{CodeProtocolVersion},
	},
	{
		name: "node EPROTO internal error", source: nodeLocal + " client against a Go server whose GetCertificate returns an error",
		input: "Error: write EPROTO 809CC78D277F0000:error:0A000438:SSL routines:ssl3_read_bytes:tlsv1 alert internal error:" +
			"../deps/openssl/openssl/ssl/record/rec_layer_s3.c:1601:SSL alert number 80",
		stack: "node", side: sideServerEnded, codes: []Code{CodeHandshakeFailure},
	},
	{
		name:   "node 1.1.1 unsupported protocol",
		source: "Node with OpenSSL 1.1.1, https://github.com/disclose/diodb/issues/292",
		input: "HEAD: write EPROTO 140411183376256:error:1425F102:SSL routines:ssl_choose_client_version:unsupported protocol:" +
			"../deps/openssl/openssl/ssl/statem/statem_lib.c:1929:",
		stack: "node", side: sideNoCommonParams, codes: []Code{CodeProtocolVersion},
	},
	{
		name: "node server no certificate code", source: nodeLocal + " https server, code of the tlsClientError event",
		input: "code: 'ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE'",
		stack: "node", side: sideServerWantsCert, codes: []Code{CodeClientCertRequired},
	},
	{
		name: "node wrong version number", source: nodeLocal,
		input: "code: 'ERR_SSL_WRONG_VERSION_NUMBER'",
		stack: "node", side: sideServerNotTLS, codes: []Code{CodePlainHTTP, CodeNotTLS},
	},
	{
		name: "node leaf signature", source: nodeLocal,
		input: "code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'",
		stack: "node", side: sideClientRejectedServer, codes: []Code{CodeIncompleteChain, CodeUnknownAuthority},
	},
	{
		name: "node self-signed in chain", source: nodeLocal,
		input: "code: 'SELF_SIGNED_CERT_IN_CHAIN'",
		stack: "node", side: sideClientRejectedServer, codes: []Code{CodeUnknownAuthority},
	},
	{
		name: "node depth zero self-signed", source: nodeLocal,
		input: "code: 'DEPTH_ZERO_SELF_SIGNED_CERT'",
		stack: "node", side: sideClientRejectedServer, codes: []Code{CodeSelfSignedLeaf, CodeUnknownAuthority},
	},
	{
		name: "node cert has expired", source: nodeLocal,
		input: "code: 'CERT_HAS_EXPIRED'",
		stack: "node", side: sideClientRejectedServer, codes: []Code{CodeExpired},
	},
	{
		name: "node issuer locally", source: nodeLocal,
		input: "code: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY'",
		stack: "node", side: sideClientRejectedServer, codes: []Code{CodeUnknownAuthority, CodeIncompleteChain},
	},
	{
		name: "node altname", source: nodeLocal,
		input: "Error [ERR_TLS_CERT_ALTNAME_INVALID]: Hostname/IP does not match certificate's altnames: " +
			"Host: localhost. is not in the cert's altnames: DNS:a.example, DNS:b.example",
		stack: "node", side: sideClientRejectedServer, codes: []Code{CodeHostnameMismatch},
	},
	{
		name: "node key mismatch", source: nodeLocal,
		input: "code: 'ERR_OSSL_X509_KEY_VALUES_MISMATCH'",
		stack: "node", side: sideLocalFiles, codes: []Code{CodeKeyMismatch},
	},
	{
		name: "node server no certificate", source: nodeLocal + " https server, message of the tlsClientError event",
		input: "80ECEBBB157F0000:error:0A0000C7:SSL routines:tls_process_client_certificate:peer did not return a certificate:" +
			"../deps/openssl/openssl/ssl/statem/statem_srvr.c:3517:",
		stack: "node", side: sideServerWantsCert, codes: []Code{CodeClientCertRequired},
	},
	{
		name: "node refused", source: nodeLocal,
		input: "Error: connect ECONNREFUSED 127.0.0.1:55449",
		stack: "node", side: sideNoConnection, codes: []Code{CodeConnectionRefused},
	},
	{
		name: "node reset", source: nodeLocal,
		input: "Error: read ECONNRESET",
		stack: "node", side: sideReset, codes: []Code{CodeConnectionReset},
	},
	{
		name: "node disconnected", source: nodeLocal,
		input: "Error: Client network socket disconnected before secure TLS connection was established",
		stack: "node", side: sideReset, codes: []Code{CodeConnectionReset},
	},
	{
		name: "node not found", source: nodeLocal + " with a resolver on 127.0.0.1 answering NXDOMAIN",
		input: "Error: getaddrinfo ENOTFOUND webhook.example.invalid",
		stack: "node", side: sideNoDNS, codes: []Code{CodeDNSFailure},
	},
	{
		name:   "node connect timeout",
		source: "Node (version not stated), a stack trace in public code (exact-string search of the GitHub index)",
		input:  "parent: Error: connect ETIMEDOUT 93.184.216.34:5432",
		stack:  "node", side: sideTimeout, codes: []Code{CodeHandshakeTimeout},
	},

	// nginx.
	{
		name: "nginx no required certificate page", source: nginxLocal,
		input: "<head><title>400 No required SSL certificate was sent</title></head>",
		stack: "nginx", side: sideServerWantsCert, codes: []Code{CodeClientCertRequired},
	},
	{
		name: "nginx certificate error page", source: nginxLocal,
		input: "<head><title>400 The SSL certificate error</title></head>",
		stack: "nginx", side: sideServerRejectedClient, codes: []Code{CodeClientCertRejected},
	},
	{
		name: "nginx plain HTTP page", source: nginxLocal,
		input: "<head><title>400 The plain HTTP request was sent to HTTPS port</title></head>",
		stack: "nginx", side: sideClientNotTLS, codes: []Code{CodePlainHTTP},
	},
	{
		name: "nginx log no required certificate", source: nginxLocal,
		input: `2026/12/04 15:31:10 [info] 12644#12644: *1 client sent no required SSL certificate while reading client ` +
			`request headers, client: 127.0.0.1, server: , request: "GET / HTTP/1.1", host: "127.0.0.1:38749"`,
		stack: "nginx", side: sideServerWantsCert, codes: []Code{CodeClientCertRequired},
	},
	{
		name: "nginx log verify 20", source: nginxLocal,
		input: `2026/12/04 15:31:24 [info] 13189#13189: *1 client SSL certificate verify error: (20:unable to get local ` +
			`issuer certificate) while reading client request headers, client: 127.0.0.1, server: , request: "GET / HTTP/1.1", host: "127.0.0.1:35729"`,
		stack: "nginx", side: sideServerRejectedClient,
		codes: []Code{CodeUnknownAuthority, CodeIncompleteChain, CodeClientCertRejected},
	},
	{
		name: "nginx log verify 10", source: nginxLocal,
		input: `2026/12/04 15:31:10 [info] 12644#12644: *3 client SSL certificate verify error: (10:certificate has expired) ` +
			`while reading client request headers, client: 127.0.0.1, server: , request: "GET / HTTP/1.1", host: "127.0.0.1:38749"`,
		stack: "nginx", side: sideServerRejectedClient, codes: []Code{CodeExpired, CodeClientCertRejected},
	},
	{
		name: "nginx log verify 2", source: nginxLocal,
		input: `2026/12/04 15:31:10 [info] 12644#12644: *8 client SSL certificate verify error: (2:unable to get issuer ` +
			`certificate) while reading client request headers, client: 127.0.0.1, server: , request: "GET / HTTP/1.1", host: "127.0.0.1:35567"`,
		stack: "nginx", side: sideServerRejectedClient,
		codes: []Code{CodeUnknownAuthority, CodeIncompleteChain, CodeClientCertRejected},
	},
	{
		name: "nginx log verify 26", source: nginxLocal,
		input: `2026/12/04 15:31:10 [info] 12644#12644: *4 client SSL certificate verify error: (26:unsuitable certificate ` +
			`purpose) while reading client request headers, client: 127.0.0.1, server: , request: "GET / HTTP/1.1", host: "127.0.0.1:38749"`,
		stack: "nginx", side: sideServerRejectedClient, codes: []Code{CodeWrongUsageClient, CodeClientCertRejected},
	},
	{
		name: "nginx log client alert unknown ca", source: nginxLocal,
		input: "2026/12/04 15:41:16 [info] 434#434: *5 SSL_do_handshake() failed (SSL: error:0A000418:SSL routines::tlsv1 " +
			"alert unknown ca:SSL alert number 48) while SSL handshaking, client: 127.0.0.1, server: 127.0.0.1:38899",
		stack: "nginx", side: sideClientRejectedServer, codes: []Code{CodeUnknownAuthority, CodeIncompleteChain},
	},
	{
		name: "nginx log no signature algorithm", source: nginxLocal + ", ECDSA certificate, mtlsdoctor probe --audit's TLS 1.0 attempt",
		input: "2026/12/04 18:30:43 [info] 3815#3815: *4 SSL_do_handshake() failed (SSL: error:0A000076:SSL routines::no suitable " +
			"signature algorithm) while SSL handshaking, client: 127.0.0.1, server: 127.0.0.1:45470",
		stack: "nginx", side: sideNoCommonParams, codes: []Code{CodeNoSharedCipher},
	},
	{
		name: "nginx log RSA no signature algorithm", source: nginxLocal + ", RSA certificate, s_client -tls1 -cipher DEFAULT@SECLEVEL=0",
		input: "2026/12/04 18:31:16 [info] 4765#4765: *1 SSL_do_handshake() failed (SSL: error:0A000076:SSL routines::no suitable " +
			"signature algorithm) while SSL handshaking, client: 127.0.0.1, server: 127.0.0.1:45472",
		stack: "nginx", side: sideNoCommonParams, codes: []Code{CodeNoSharedCipher},
	},
	{
		name: "nginx log client reset", source: nginxLocal + ", the client reset the connection right after connecting",
		input: "2026/12/04 18:30:49 [info] 3815#3815: *8 recv() failed (104: Connection reset by peer) while SSL handshaking, " +
			"client: 127.0.0.1, server: 127.0.0.1:45470",
		stack: "nginx", side: sideClientReset, codes: []Code{CodeConnectionReset},
	},
	{
		name: "nginx log client reset in handshake", source: nginxLocal + ", the client reset the connection after a partial ClientHello",
		input: "2026/12/04 18:30:50 [info] 3815#3815: *9 peer closed connection in SSL handshake (104: Connection reset by peer) " +
			"while SSL handshaking, client: 127.0.0.1, server: 127.0.0.1:45470",
		stack: "nginx", side: sideClientReset, codes: []Code{CodeConnectionReset},
	},
	{
		name: "nginx log client closed in handshake", source: nginxLocal + ", the client closed the connection after a partial ClientHello",
		input: "2026/12/04 18:33:08 [info] 4765#4765: *6 peer closed connection in SSL handshake while SSL handshaking, " +
			"client: 127.0.0.1, server: 127.0.0.1:45470",
		stack: "nginx", side: sideClientReset, codes: []Code{CodeConnectionReset},
	},
	{
		name: "nginx log upstream reset", source: nginxLocal + ", proxy_pass to a listener that resets after the request",
		input: `2026/12/04 18:31:16 [error] 4765#4765: *2 recv() failed (104: Connection reset by peer) while reading response ` +
			`header from upstream, client: 127.0.0.1, server: , request: "GET /plain HTTP/1.1", upstream: ` +
			`"http://127.0.0.1:45451/plain", host: "127.0.0.1:45471"`,
		stack: "nginx", side: sideReset, codes: []Code{CodeConnectionReset},
	},
	{
		name: "nginx log upstream reset in handshake", source: nginxLocal + ", proxy_pass https:// to a listener that resets after the ClientHello",
		input: `2026/12/04 18:31:16 [error] 4765#4765: *4 peer closed connection in SSL handshake (104: Connection reset by peer) ` +
			`while SSL handshaking to upstream, client: 127.0.0.1, server: , request: "GET /tls HTTP/1.1", upstream: ` +
			`"https://127.0.0.1:45451/tls", host: "127.0.0.1:45471"`,
		stack: "nginx", side: sideReset, codes: []Code{CodeConnectionReset},
	},
	{
		name: "nginx log handshake rejected", source: nginxLocal,
		input: "2026/12/04 15:31:10 [info] 12644#12644: *10 handshake rejected while SSL handshaking, client: 127.0.0.1, server: 127.0.0.1:35707",
		stack: "nginx", side: sideServerEnded, codes: []Code{CodeSNIRequired},
	},
	{
		name: "nginx certificate by name missing", source: nginxLocal + " with ssl_certificate naming $ssl_server_name",
		input: `2026/12/04 17:38:40 [error] 28263#28263: *1 cannot load certificate "/tmp/hf/ngx/certs/missing.example.crt": ` +
			`BIO_new_file() failed (SSL: error:80000002:system library::No such file or directory:calling ` +
			`fopen(/tmp/hf/ngx/certs/missing.example.crt, r) error:10000080:BIO routines::no such file) while SSL handshaking, ` +
			`client: 127.0.0.1, server: 127.0.0.1:38443`,
		stack: "nginx", side: sideLocalFiles, codes: []Code{CodeUnreadableFile, CodeHandshakeFailure},
	},
	{
		name: "nginx cert cb error", source: nginxLocal + " with ssl_certificate naming $ssl_server_name",
		input: "2026/12/04 17:38:40 [info] 28263#28263: *1 SSL_do_handshake() failed (SSL: error:0A000179:SSL routines::cert cb error) " +
			"while SSL handshaking, client: 127.0.0.1, server: 127.0.0.1:38443",
		stack: "nginx", side: sideServerEnded, codes: []Code{CodeHandshakeFailure},
	},
	{
		name: "nginx key mismatch", source: nginxLocal,
		input: `2026/12/04 15:31:23 [emerg] 13170#13170: SSL_CTX_use_PrivateKey("/tmp/lab/pki/client.key") failed ` +
			`(SSL: error:05800074:x509 certificate routines::key values mismatch)`,
		stack: "nginx", side: sideLocalFiles, codes: []Code{CodeKeyMismatch},
	},
	{
		name: "nginx missing certificate", source: nginxLocal,
		input: `2026/12/04 15:31:23 [emerg] 13173#13173: cannot load certificate "/tmp/lab/pki/nope.pem": BIO_new_file() ` +
			`failed (SSL: error:80000002:system library::No such file or directory:calling fopen(/tmp/lab/pki/nope.pem, r) ` +
			`error:10000080:BIO routines::no such file)`,
		stack: "nginx", side: sideLocalFiles, codes: []Code{CodeUnreadableFile},
	},
	{
		name: "nginx not PEM", source: nginxLocal,
		input: `2026/12/04 15:31:23 [emerg] 13180#13180: cannot load certificate "/tmp/lab/pki/garbage.pem": ` +
			`PEM_read_bio_X509_AUX() failed (SSL: error:0480006C:PEM routines::no start line:Expecting: TRUSTED CERTIFICATE)`,
		stack: "nginx", side: sideLocalFiles, codes: []Code{CodeNotPEM},
	},
	{
		name: "nginx encrypted key", source: nginxLocal,
		input: `2026/12/04 15:31:23 [emerg] 13177#13177: cannot load certificate key "/tmp/lab/pki/server-enc.key": ` +
			`PEM_read_bio_PrivateKey() failed (SSL: error:0480006D:PEM routines::problems getting password ` +
			`error:04800068:PEM routines::bad password read)`,
		stack: "nginx", side: sideLocalFiles, codes: []Code{CodeEncryptedKey},
	},

	// Dialogflow.
	{
		name:   "dialogflow 5xx",
		source: "Dialogflow ES console, https://github.com/actions-on-google/codelabs-nodejs/issues/79 (2023)",
		input:  "Webhook call failed. Error: UNAVAILABLE, State: URL_UNREACHABLE, Reason: UNREACHABLE_5xx, HTTP status code: 500.",
		stack:  "dialogflow", side: sideWebhookAnswer, codes: []Code{CodeHTTPStatus},
	},
	{
		name:   "dialogflow timeout web",
		source: "Dialogflow ES webhookStatus, https://github.com/googleapis/nodejs-dialogflow/issues/886 (2021)",
		input:  "message: 'Webhook call failed. Error: DEADLINE_EXCEEDED, State: URL_TIMEOUT, Reason: TIMEOUT_WEB.'",
		stack:  "dialogflow", side: sideWebhookTimeout, codes: []Code{CodeSlowResponse, CodeHandshakeTimeout},
	},
	{
		name:   "dialogflow deadline exceeded",
		source: "Dialogflow ES webhookStatus, https://github.com/innFactory/react-native-dialogflow/issues/77 (2020)",
		input:  "Webhook call failed. Error: DEADLINE_EXCEEDED.",
		stack:  "dialogflow", side: sideWebhookTimeout, codes: []Code{CodeSlowResponse, CodeHandshakeTimeout},
	},
	{
		name:   "dialogflow parse field",
		source: "Dialogflow ES v2, https://github.com/SunilSyal/Webhook-and-API.AI-Echo-Sample/issues/7 (2018)",
		input:  "Webhook call failed. Error: Failed to parse webhook JSON response: Cannot find field: speech in message google.cloud.dialogflow.v2.WebhookResponse",
		stack:  "dialogflow", side: sideWebhookAnswer, codes: []Code{CodeInvalidWebhookResp},
	},
	{
		name:   "dialogflow parse html",
		source: "Dialogflow ES v2, https://github.com/eristemena/dialogflow-fulfillment-webhook-php/issues/45 (2020)",
		input:  `WebhookStatus: code: 3 message: "Webhook call failed. Error: Failed to parse webhook JSON response: Expect message object but got: \"<br\"."`,
		stack:  "dialogflow", side: sideWebhookAnswer, codes: []Code{CodeInvalidWebhookResp},
	},
	{
		name:   "dialogflow not found",
		source: "Dialogflow console message quoted on taourl.com/read-2280674.html (2025)",
		input:  "Webhook call failed. Error: NOT_FOUND, State: URL_ERROR, Reason: ERROR_NOT_FOUND, HTTP status code: 404.",
		stack:  "dialogflow", side: sideWebhookAnswer, codes: []Code{CodeHTTPStatus},
	},
	{
		name:   "dialogflow error other",
		source: "Dialogflow console message in a public GitHub text file (the index does not name its repository)",
		input:  "State: URL_ERROR, Reason: ERROR_OTHER, HTTP status code: 403",
		stack:  "dialogflow", side: sideWebhookAnswer, codes: []Code{CodeHTTPStatus},
	},
	{
		name:   "dialogflow ssl validation",
		source: "Dialogflow console message in a public GitHub text file (the index does not name its repository)",
		input:  "State: URL_UNREACHABLE, Reason: UNREACHABLE_SSL_VALIDATION_FAILED",
		stack:  "dialogflow", side: sideDialogflowRejected,
		codes: []Code{CodeUnknownAuthority, CodeIncompleteChain, CodeHostnameMismatch},
	},
	{
		name:   "dialogflow v1 status",
		source: "Dialogflow V1 fulfillment log, https://github.com/actions-on-google/actions-on-google-nodejs/issues/242 (2018)",
		input:  `"errorDetails": "Webhook call failed. Error: 404 Not Found"`,
		stack:  "dialogflow", side: sideWebhookAnswer, codes: []Code{CodeHTTPStatus},
	},
	{
		name:   "actions on google unreachable",
		source: "Actions on Google log, https://github.com/DeanCording/node-red-contrib-google-action/issues/21 (2019)",
		input:  `textPayload:  "App returned an HTTP error. State: URL_UNREACHABLE"`,
		stack:  "dialogflow", side: sideWebhookAnswer, codes: []Code{CodeHTTPStatus},
	},
}

func TestExplainTable(t *testing.T) {
	seen := map[string]bool{}
	for _, tc := range explainCases {
		t.Run(tc.name, func(t *testing.T) {
			if seen[tc.input] {
				t.Fatalf("input repeats an earlier case")
			}
			seen[tc.input] = true
			if tc.source == "" {
				t.Fatalf("case has no source")
			}

			got := Explain(tc.input)
			if len(got) != 1 {
				t.Fatalf("Explain returned %d explanations, want 1: %+v", len(got), got)
			}
			e := got[0]
			if e.Stack != tc.stack {
				t.Errorf("Stack = %q, want %q", e.Stack, tc.stack)
			}
			if e.Side == "" {
				t.Errorf("Side is empty")
			}
			if e.Side != tc.side {
				t.Errorf("Side = %q, want %q", e.Side, tc.side)
			}
			if e.Meaning == "" {
				t.Errorf("Meaning is empty")
			}
			if !reflect.DeepEqual(codesOf(e), tc.codes) {
				t.Errorf("codes = %v, want %v", codesOf(e), tc.codes)
			}
			for _, f := range e.Findings {
				if f.Detail == "" {
					t.Errorf("finding %s has no evidence in Detail", f.Code)
				}
				if f.Fix == "" {
					t.Errorf("finding %s has no fix", f.Code)
				}
			}
			if !strings.Contains(tc.input, e.Input) {
				t.Errorf("Input %q is not taken from the line", e.Input)
			}
		})
	}
	if len(explainCases) < 40 {
		t.Errorf("table holds %d cases, want at least 40", len(explainCases))
	}
}

func codesOf(e Explanation) []Code {
	var codes []Code
	for _, f := range e.Findings {
		codes = append(codes, f.Code)
	}
	return codes
}

// TestExplainEvidence checks that the values in a line reach the findings.
func TestExplainEvidence(t *testing.T) {
	tests := []struct {
		name  string
		input string
		want  []string
	}{
		{
			name:  "go host names",
			input: "x509: certificate is valid for a.example, b.example, not webhook.example.com",
			want:  []string{"a.example, b.example", "webhook.example.com"},
		},
		{
			name: "go expiry times",
			input: "x509: certificate has expired or is not yet valid: current time 2026-12-04T15:27:57Z " +
				"is after 2026-12-03T15:27:30Z",
			want: []string{"expired at 2026-12-03T15:27:30Z", "checked at 2026-12-04T15:27:57Z"},
		},
		{
			name: "go candidate CA",
			input: `x509: certificate signed by unknown authority (possibly because of "crypto/rsa: verification error" ` +
				`while trying to verify candidate authority certificate "Example Root")`,
			want: []string{`"Example Root"`, "crypto/rsa: verification error"},
		},
		{
			name:  "openssl verify number",
			input: "verify error:num=20:unable to get local issuer certificate",
			want:  []string{"verify error 20", "unable to get local issuer certificate"},
		},
		{
			name:  "nginx verify number",
			input: "[info] 1#1: *2 client SSL certificate verify error: (21:unable to verify the first certificate) while reading client request headers",
			want:  []string{"verify error 21"},
		},
		{
			name:  "curl host",
			input: "curl: (60) SSL: no alternative certificate subject name matches target host name 'webhook.example.com'",
			want:  []string{"webhook.example.com"},
		},
		{
			name:  "curl alert number",
			input: "curl: (56) OpenSSL SSL_read: OpenSSL/3.0.19: error:0A000418:SSL routines::tlsv1 alert unknown ca, errno 0",
			want:  []string{"alert 48", "unknown_ca", "sent by the server"},
		},
		{
			name:  "dialogflow status",
			input: "Webhook call failed. Error: UNAVAILABLE, State: URL_UNREACHABLE, Reason: UNREACHABLE_5xx, HTTP status code: 503.",
			want:  []string{"HTTP status 503", "UNREACHABLE_5xx"},
		},
		{
			name:  "node address",
			input: "Error: connect ECONNREFUSED 127.0.0.1:8443",
			want:  []string{"127.0.0.1:8443"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Explain(tt.input)
			if len(got) != 1 {
				t.Fatalf("Explain returned %d explanations, want 1", len(got))
			}
			detail := got[0].Findings[0].Detail
			for _, w := range tt.want {
				if !strings.Contains(detail, w) {
					t.Errorf("Detail %q does not contain %q", detail, w)
				}
			}
		})
	}
}

func TestExplainSpecificFix(t *testing.T) {
	got := Explain("x509: certificate is valid for a.example, not b.example")
	if len(got) != 1 {
		t.Fatalf("Explain returned %d explanations, want 1", len(got))
	}
	fix := got[0].Findings[0].Fix
	entry, _ := Lookup(CodeHostnameMismatch)
	if fix == entry.Fix {
		t.Errorf("Fix is the catalog's, want one naming the hosts")
	}
	if !strings.Contains(fix, "b.example") {
		t.Errorf("Fix %q does not name the dialled host", fix)
	}
}

// TestExplainTranscripts runs Explain on whole transcripts captured from
// real programs (see testdata/explain/README.md).
func TestExplainTranscripts(t *testing.T) {
	tests := []struct {
		file  string
		want  [][]Code // codes of each explanation, in order
		sides []string
	}{
		{
			file:  "curl-v-certificate-required.txt",
			want:  [][]Code{{CodeClientCertRequired}},
			sides: []string{sideServerWantsCert},
		},
		{
			file:  "s_client-expired-ca.txt",
			want:  [][]Code{{CodeCAExpired}},
			sides: []string{sideClientRejectedServer},
		},
		{
			file: "s_server-client-errors.txt",
			want: [][]Code{
				{CodeClientCertRequired},
				{CodeUnknownAuthority, CodeIncompleteChain, CodeClientCertRejected},
				{CodeExpired, CodeClientCertRejected},
			},
			sides: []string{sideServerWantsCert, sideServerRejectedClient, sideServerRejectedClient},
		},
		{
			file: "go-server.log",
			want: [][]Code{
				{CodeClientCertRequired},
				{CodeUnknownAuthority, CodeIncompleteChain, CodeClientCertRejected},
				{CodeExpired, CodeClientCertRejected},
				{CodeWrongUsageClient, CodeClientCertRejected},
				{CodePlainHTTP},
			},
			sides: []string{sideServerWantsCert, sideServerRejectedClient, sideServerRejectedClient,
				sideServerRejectedClient, sideClientNotTLS},
		},
		{
			file: "nginx-error.log",
			want: [][]Code{
				{CodeClientCertRequired},
				{CodeExpired, CodeClientCertRejected},
				{CodeIncompleteChain, CodeUnknownAuthority, CodeClientCertRejected},
				{CodeUnknownAuthority, CodeIncompleteChain},
			},
			sides: []string{sideServerWantsCert, sideServerRejectedClient, sideServerRejectedClient, sideClientRejectedServer},
		},
		{
			file:  "node-cert-has-expired.txt",
			want:  [][]Code{{CodeExpired}},
			sides: []string{sideClientRejectedServer},
		},
		{
			// Three lines about clients that reset or closed the connection
			// give one explanation, and two about the upstream another.
			file:  "nginx-reset-sigalg.log",
			want:  [][]Code{{CodeNoSharedCipher}, {CodeConnectionReset}, {CodeConnectionReset}},
			sides: []string{sideNoCommonParams, sideClientReset, sideReset},
		},
		{
			file:  "python-urllib-ip-mismatch.txt",
			want:  [][]Code{{CodeHostnameMismatch}},
			sides: []string{sideClientRejectedServer},
		},
		{
			file:  "python-urllib-refused.txt",
			want:  [][]Code{{CodeConnectionRefused}},
			sides: []string{sideNoConnection},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", "explain", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			got := Explain(string(data))
			if len(got) != len(tt.want) {
				t.Fatalf("Explain returned %d explanations, want %d: %+v", len(got), len(tt.want), got)
			}
			for i, e := range got {
				if !reflect.DeepEqual(codesOf(e), tt.want[i]) {
					t.Errorf("explanation %d codes = %v, want %v", i, codesOf(e), tt.want[i])
				}
				if e.Side != tt.sides[i] {
					t.Errorf("explanation %d Side = %q, want %q", i, e.Side, tt.sides[i])
				}
			}
		})
	}
}

func TestExplainTranscriptEvidence(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "explain", "s_client-expired-ca.txt"))
	if err != nil {
		t.Fatal(err)
	}
	got := Explain(string(data))
	if len(got) != 1 {
		t.Fatalf("Explain returned %d explanations, want 1", len(got))
	}
	detail := got[0].Findings[0].Detail
	for _, want := range []string{"depth 1", "notAfter=Dec  2 14:27:29 2026 GMT"} {
		if !strings.Contains(detail, want) {
			t.Errorf("Detail %q does not contain %q", detail, want)
		}
	}
	// The leaf's own notAfter, printed later under depth=0, is not evidence.
	if strings.Contains(detail, "2027") {
		t.Errorf("Detail %q holds the leaf's validity", detail)
	}
}

// TestExplainNginxWithoutPrefix checks that an nginx error log message
// keeps its side and stack when the date, level and process id before it
// were cut off. The lines are from the nginx cases in explainCases.
func TestExplainNginxWithoutPrefix(t *testing.T) {
	tests := []struct {
		name  string
		input string
		side  string
	}{
		{
			name:  "client reset",
			input: "recv() failed (104: Connection reset by peer) while SSL handshaking, client: 127.0.0.1, server: 127.0.0.1:45470",
			side:  sideClientReset,
		},
		{
			name:  "client closed",
			input: "peer closed connection in SSL handshake while SSL handshaking, client: 127.0.0.1, server: 127.0.0.1:45470",
			side:  sideClientReset,
		},
		{
			name: "upstream reset",
			input: `recv() failed (104: Connection reset by peer) while reading response header from upstream, client: 127.0.0.1, ` +
				`server: , request: "GET /plain HTTP/1.1", upstream: "http://127.0.0.1:45451/plain", host: "127.0.0.1:45471"`,
			side: sideReset,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Explain(tt.input)
			if len(got) != 1 {
				t.Fatalf("Explain returned %d explanations, want 1", len(got))
			}
			if got[0].Side != tt.side {
				t.Errorf("Side = %q, want %q", got[0].Side, tt.side)
			}
			if got[0].Stack != "nginx" {
				t.Errorf("Stack = %q, want nginx", got[0].Stack)
			}
		})
	}
}

// TestExplainClientResetFix checks that a reset seen by the server points
// at the client's log, not at the server's own.
func TestExplainClientResetFix(t *testing.T) {
	got := Explain("2026/12/04 18:30:49 [info] 3815#3815: *8 recv() failed (104: Connection reset by peer) while SSL " +
		"handshaking, client: 127.0.0.1, server: 127.0.0.1:45470")
	if len(got) != 1 || len(got[0].Findings) != 1 {
		t.Fatalf("Explain returned %+v, want one explanation with one finding", got)
	}
	if fix := got[0].Findings[0].Fix; !strings.Contains(fix, "client's log") {
		t.Errorf("Fix = %q, want it to point at the client's log", fix)
	}
	if strings.Contains(got[0].Meaning, "server reset") {
		t.Errorf("Meaning = %q, want the client named as the peer that reset", got[0].Meaning)
	}
}

// TestExplainNoSignatureAlgorithm checks that "no suitable signature
// algorithm" is worded as such, not as a missing cipher suite.
func TestExplainNoSignatureAlgorithm(t *testing.T) {
	got := Explain("2026/12/04 18:30:43 [info] 3815#3815: *4 SSL_do_handshake() failed (SSL: error:0A000076:SSL " +
		"routines::no suitable signature algorithm) while SSL handshaking, client: 127.0.0.1, server: 127.0.0.1:45470")
	if len(got) != 1 || len(got[0].Findings) != 1 {
		t.Fatalf("Explain returned %+v, want one explanation with one finding", got)
	}
	e := got[0]
	if !strings.Contains(e.Meaning, "signature algorithm") {
		t.Errorf("Meaning = %q, want it to name the signature algorithm", e.Meaning)
	}
	if !strings.Contains(e.Meaning, "TLS 1.0 or 1.1") {
		t.Errorf("Meaning = %q, want it to name TLS 1.0 and 1.1", e.Meaning)
	}
	if summary := e.Findings[0].Summary; !strings.Contains(summary, "signature algorithm") {
		t.Errorf("Summary = %q, want it to name the signature algorithm", summary)
	}
}

func TestLookupVerifyTextDetail(t *testing.T) {
	tests := []struct {
		text string
		num  int // first number of the verify error expected, or 0 for none
	}{
		{text: "hostname mismatch", num: 62},
		{text: "Hostname mismatch, certificate is not valid for 'other.example'.", num: 62},
		{text: "IP address mismatch, certificate is not valid for '127.0.0.1'.", num: 64},
		{text: "certificate has expired (at depth 0)", num: 10},
		{text: "self-signed certificate in certificate chain", num: 19},
		{text: "self-signed certificate", num: 18},
		{text: "self-signed certificates are fine", num: 0},
		{text: "hostname mismatched", num: 0},
		{text: "host", num: 0},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			v, ok := lookupVerifyText(tt.text)
			if tt.num == 0 {
				if ok {
					t.Errorf("lookupVerifyText found verify error %v, want none", v.nums)
				}
				return
			}
			if !ok {
				t.Fatalf("lookupVerifyText found nothing, want verify error %d", tt.num)
			}
			if v.nums[0] != tt.num {
				t.Errorf("lookupVerifyText found verify error %v, want %d", v.nums, tt.num)
			}
		})
	}
}

func TestExplainMultipleLines(t *testing.T) {
	text := "curl: (60) SSL certificate problem: certificate has expired\n" +
		"curl: (6) Could not resolve host: webhook.example.invalid\r\n" +
		"\n" +
		"curl: (60) SSL certificate problem: certificate has expired\n"
	got := Explain(text)
	want := [][]Code{{CodeExpired}, {CodeDNSFailure}}
	if len(got) != len(want) {
		t.Fatalf("Explain returned %d explanations, want %d", len(got), len(want))
	}
	for i := range want {
		if !reflect.DeepEqual(codesOf(got[i]), want[i]) {
			t.Errorf("explanation %d codes = %v, want %v", i, codesOf(got[i]), want[i])
		}
	}
}

func TestExplainUnrecognised(t *testing.T) {
	tests := []struct {
		name  string
		input string
	}{
		{name: "empty", input: ""},
		{name: "blank lines", input: "\n\n  \r\n"},
		{name: "prose", input: "hello world"},
		{name: "successful handshake", input: "* SSL certificate verify ok."},
		{name: "curl SAN match", input: `*  subjectAltName: host "127.0.0.1" matched cert's IP address!`},
		{name: "verify ok", input: "Verify return code: 0 (ok)"},
		{name: "http status line", input: "HTTP/1.1 200 OK"},
		{name: "webhook success", input: `"webhookStatus": {"message": "Webhook execution successful"}`},
		{name: "unknown alert", input: "remote error: tls: bad record MAC"},
		{name: "depth line alone", input: "depth=0 CN = localhost"},
		{name: "nginx keepalive close", input: "2026/12/04 18:35:58 [info] 15487#15487: *5 client 127.0.0.1 closed keepalive connection"},
		{name: "python alert code without alert text", input: "[SSL: TLSV1_ALERT_X] abc (_ssl.c:1)"},
		{name: "python other errno", input: "FileNotFoundError: [Errno 2] No such file or directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Explain(tt.input); len(got) != 0 {
				t.Errorf("Explain(%q) = %+v, want nothing", tt.input, got)
			}
		})
	}
}

func TestExplainRoleFromTranscript(t *testing.T) {
	// The same OpenSSL alert line means the opposite side in a server's
	// transcript: s_server prints ACCEPT before handling clients.
	line := "40A720353F7F0000:error:0A000412:SSL routines:ssl3_read_bytes:sslv3 alert bad certificate:" +
		"../ssl/record/rec_layer_s3.c:1601:SSL alert number 42"
	tests := []struct {
		name string
		text string
		side string
	}{
		{name: "alone", text: line, side: sideServerRejectedClient},
		{name: "s_server", text: "Using default temp DH parameters\nACCEPT\n" + line, side: sideClientRejectedServer},
		{name: "s_client", text: "CONNECTED(00000003)\n" + line, side: sideServerRejectedClient},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Explain(tt.text)
			if len(got) != 1 {
				t.Fatalf("Explain returned %d explanations, want 1", len(got))
			}
			if got[0].Side != tt.side {
				t.Errorf("Side = %q, want %q", got[0].Side, tt.side)
			}
		})
	}
}

func TestExplainCurlVerboseAlertDirection(t *testing.T) {
	tests := []struct {
		name  string
		line  string
		side  string
		codes []Code
	}{
		{
			name: "received unknown CA", line: "* TLSv1.3 (IN), TLS alert, unknown CA (560):",
			side: sideServerRejectedClient, codes: []Code{CodeClientCANotAccept, CodeClientCertRejected},
		},
		{
			name: "sent certificate expired", line: "* TLSv1.3 (OUT), TLS alert, certificate expired (557):",
			side: sideClientRejectedServer, codes: []Code{CodeExpired},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Explain(tt.line)
			if len(got) != 1 {
				t.Fatalf("Explain returned %d explanations, want 1", len(got))
			}
			if got[0].Side != tt.side {
				t.Errorf("Side = %q, want %q", got[0].Side, tt.side)
			}
			if !reflect.DeepEqual(codesOf(got[0]), tt.codes) {
				t.Errorf("codes = %v, want %v", codesOf(got[0]), tt.codes)
			}
		})
	}
}

// TestExplainInternalErrorSummary checks that the summary of an
// internal_error alert names the side that sent it.
func TestExplainInternalErrorSummary(t *testing.T) {
	tests := []struct {
		name string
		line string
		want string
	}{
		{name: "sent by server", line: "remote error: tls: internal error", want: "the server ended the handshake"},
		{
			name: "sent by client",
			line: "http: TLS handshake error from 127.0.0.1:37442: remote error: tls: internal error",
			want: "the client ended the handshake",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Explain(tt.line)
			if len(got) != 1 || len(got[0].Findings) != 1 {
				t.Fatalf("Explain returned %+v, want one explanation with one finding", got)
			}
			if summary := got[0].Findings[0].Summary; !strings.HasPrefix(summary, tt.want) {
				t.Errorf("Summary = %q, want it to start with %q", summary, tt.want)
			}
		})
	}
}

func TestExplainInputIsShortened(t *testing.T) {
	line := strings.Repeat("x", 2000) + " x509: certificate signed by unknown authority"
	got := Explain(line)
	if len(got) != 1 {
		t.Fatalf("Explain returned %d explanations, want 1", len(got))
	}
	if len(got[0].Input) > maxInputLen {
		t.Errorf("Input has %d bytes, want at most %d", len(got[0].Input), maxInputLen)
	}
}

func TestExplainReport(t *testing.T) {
	r := ExplainReport("curl: (56) OpenSSL SSL_read: OpenSSL/3.0.19: error:0A00045C:SSL routines::tlsv13 alert certificate required, errno 0")
	if r.Target != "explain" {
		t.Errorf("Target = %q, want explain", r.Target)
	}
	if !r.Has(CodeClientCertRequired) {
		t.Errorf("report lacks %s: %+v", CodeClientCertRequired, r.Findings)
	}
	if r.OK {
		t.Errorf("OK = true, want false for an error finding")
	}
	if len(r.Checks) != 1 {
		t.Errorf("report has %d checks, want 1", len(r.Checks))
	}
	if len(r.Notes) != 1 || !strings.Contains(r.Notes[0], sideServerWantsCert) {
		t.Errorf("Notes = %q, want one note with the side", r.Notes)
	}

	var buf bytes.Buffer
	if err := Render(&buf, FormatJSON, Options{}, r); err != nil {
		t.Fatalf("render JSON: %v", err)
	}
	var decoded map[string]any
	if err := json.Unmarshal(buf.Bytes(), &decoded); err != nil {
		t.Fatalf("rendered JSON does not parse: %v\n%s", err, buf.String())
	}
	for _, format := range []Format{FormatText, FormatJUnit} {
		buf.Reset()
		if err := Render(&buf, format, Options{Suite: "mtlsdoctor explain"}, r); err != nil {
			t.Errorf("render %s: %v", format, err)
		}
		if !strings.Contains(buf.String(), string(CodeClientCertRequired)) {
			t.Errorf("%s output lacks the code:\n%s", format, buf.String())
		}
	}
}

func TestExplainReportNothingFound(t *testing.T) {
	r := ExplainReport("all good")
	if !r.OK {
		t.Errorf("OK = false, want true when nothing is recognised")
	}
	if len(r.Findings) != 0 {
		t.Errorf("Findings = %+v, want none", r.Findings)
	}
	if len(r.Notes) != 1 {
		t.Errorf("Notes = %q, want one note saying nothing was recognised", r.Notes)
	}
}

// TestExplainCatalogCodes checks that every code a rule can produce is in
// the catalog; New panics otherwise, so running each case proves it.
func TestExplainCatalogCodes(t *testing.T) {
	for _, v := range verifyErrors {
		for _, code := range v.codes {
			if _, ok := Lookup(code); !ok {
				t.Errorf("verify error %v uses unknown code %s", v.nums, code)
			}
		}
	}
	for number, a := range alerts {
		for _, code := range append(append([]Code(nil), a.sentByServer.codes...), a.sentByClient.codes...) {
			if _, ok := Lookup(code); !ok {
				t.Errorf("alert %d uses unknown code %s", number, code)
			}
		}
	}
}

func FuzzExplain(f *testing.F) {
	for _, tc := range explainCases {
		f.Add(tc.input)
	}
	f.Add("depth=1 CN = x\nverify error:num=10:certificate has expired\nnotAfter=x")
	f.Add("notAfter=Dec  2 14:27:29 2026 GMT")
	f.Add("* TLSv1.3 (IN), TLS alert, unknown (99999999999999999999):")
	f.Fuzz(func(t *testing.T, text string) {
		for _, e := range Explain(text) {
			if e.Side == "" || e.Stack == "" || e.Meaning == "" {
				t.Errorf("explanation with empty fields: %+v", e)
			}
			if len(e.Findings) == 0 {
				t.Errorf("explanation without findings: %+v", e)
			}
			if len(e.Input) > maxInputLen {
				t.Errorf("Input has %d bytes", len(e.Input))
			}
		}
		ExplainReport(text)
	})
}
