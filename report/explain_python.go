package report

import (
	"regexp"
	"strings"
)

// pythonSSLError matches what Python's ssl module prints for an OpenSSL
// error: "[LIB: REASON_CODE] reason text (_ssl.c:LINE)", optionally after
// the exception's name. LIB is the OpenSSL library that raised the error,
// such as SSL, X509 or PEM. requests and urllib3 wrap the same text.
var pythonSSLError = regexp.MustCompile(`\[([A-Z][A-Z0-9]*): ([A-Z0-9_]+)\] ([^()\[\]]+?) \(_ssl\.c:\d+\)`)

// pythonOSError matches Python's text for an OSError: "[Errno N] message",
// as socket, urllib ("<urlopen error [Errno 111] Connection refused>") and
// requests print it, or the repr "ConnectionResetError(104, 'Connection
// reset by peer')" that requests prints. requests puts "Failed to resolve
// 'HOST' (" before a DNS error. The message is the C library's strerror or
// gai_strerror text. The rules go by it, not by the number, because errno
// values differ between operating systems.
var pythonOSError = regexp.MustCompile(`(?:Failed to resolve '([^']+)' \()?\[Errno -?\d+\] ([A-Za-z][^\]>)'"]*)|` +
	`\b[A-Za-z]+Error\(-?\d+, '([^']+)'\)`)

// pythonRules explain the errors of Python's ssl, socket and urllib modules
// and of requests, which a Flask or FastAPI webhook and its clients print.
// An ssl error carries OpenSSL's reason code, so its explanation is
// OpenSSL's and only the framing is Python's.
func pythonRules() []rule {
	return []rule{
		{
			stack:   "python",
			pattern: pythonSSLError,
			explain: explainPythonSSL,
		},
		{
			// load_cert_chain and load_verify_locations print this when
			// OpenSSL gives no reason code.
			stack:   "python",
			pattern: regexp.MustCompile(`\[(?:SSL|X509)\] PEM lib \(_ssl\.c:\d+\)`),
			explain: fixed(sideLocalFiles,
				"Python's ssl module could not read a certificate or key file: the file is DER, empty or not a "+
					"certificate or key, or the key is encrypted and the password is wrong.",
				"", CodeNotPEM, CodeEncryptedKey),
		},
		{
			stack:   "python",
			pattern: regexp.MustCompile(`EOF occurred in violation of protocol`),
			explain: resetBy("The server closed the connection without a TLS close_notify or alert; " +
				"Python's ssl module reports that as a protocol violation."),
		},
		{
			stack:   "python",
			pattern: pythonOSError,
			explain: explainPythonOSError,
		},
		{
			stack:   "python",
			pattern: regexp.MustCompile(`The handshake operation timed out`),
			explain: fixed(sideTimeout,
				"The TCP connection opened, but the TLS handshake did not finish within the socket's timeout.",
				"", CodeHandshakeTimeout),
		},
		{
			stack:   "python",
			pattern: regexp.MustCompile(`<urlopen error timed out>|Connection to \S+ timed out\. \(connect timeout=`),
			explain: fixed(sideTimeout, "The TCP connection was not established within the timeout.", "", CodeHandshakeTimeout),
		},
		{
			stack:   "python",
			pattern: regexp.MustCompile(`\bTimeoutError: timed out$`),
			explain: fixed(sideTimeout,
				"A Python socket passed its timeout while connecting, or while reading a connection without TLS. "+
					"Python words TLS timeouts differently: \"The handshake operation timed out\" and \"The read "+
					"operation timed out\".",
				"", CodeHandshakeTimeout),
		},
		{
			stack:   "python",
			pattern: regexp.MustCompile(`The read operation timed out`),
			explain: fixed(sideTimeout, "The TLS handshake finished, but the server sent no answer before the client's read timeout.",
				"", CodeSlowResponse),
		},
		{
			stack:   "python",
			pattern: regexp.MustCompile(`Read timed out\. \(read timeout=[^)]*\)`),
			explain: fixed(sideTimeout,
				"requests (urllib3) passed its read timeout: the server did not finish the TLS handshake or did "+
					"not answer in time. urllib3 reports both as a read timeout.",
				"", CodeHandshakeTimeout, CodeSlowResponse),
		},
		{
			stack:   "python",
			pattern: regexp.MustCompile(`Remote end closed connection without response`),
			explain: fixed(sideReset, "The server closed the connection without an HTTP answer and without a TLS alert.",
				"", CodeConnectionReset),
		},
	}
}

func explainPythonSSL(m []string, c *lineContext) (explained, bool) {
	reason, text := m[2], strings.TrimSpace(m[3])
	switch {
	case strings.Contains(reason, "_ALERT_"):
		// "tlsv13 alert certificate required": an alert the peer sent.
		_, name, found := strings.Cut(text, " alert ")
		if !found {
			return explained{}, false
		}
		number, ok := opensslAlertNumbers[name]
		if !ok {
			return explained{}, false
		}
		return explainAlert(number, true, c, "Python ssl "+m[0])
	case reason == "CERTIFICATE_VERIFY_FAILED":
		// "certificate verify failed: unable to get local issuer certificate",
		// or "... Hostname mismatch, certificate is not valid for 'HOST'."
		_, detail, _ := strings.Cut(text, ": ")
		v, ok := lookupVerifyText(detail)
		if !ok {
			return explained{}, false
		}
		return explainVerify(v, m[0], c), true
	case reason == "PEER_DID_NOT_RETURN_A_CERTIFICATE":
		return fixed(sideServerWantsCert, "The Python server (ssl.CERT_REQUIRED) requires a client certificate and got none.",
			"", CodeClientCertRequired)(m, c)
	case reason == "WRONG_VERSION_NUMBER":
		return wrongVersionNumber(m, c)
	case reason == "HTTP_REQUEST":
		return plainHTTPToTLS(m, c)
	case reason == "NO_SHARED_CIPHER":
		return fixed(sideNoCommonParams, "The server shares no cipher suite with the client.", "", CodeNoSharedCipher)(m, c)
	case reason == "NO_SUITABLE_SIGNATURE_ALGORITHM":
		return noSignatureAlgorithm(m, c)
	case reason == "UNSUPPORTED_PROTOCOL" || reason == "NO_PROTOCOLS_AVAILABLE" || reason == "TLSV1_ALERT_PROTOCOL_VERSION":
		return fixed(sideNoCommonParams, "Client and server have no TLS version in common.", "", CodeProtocolVersion)(m, c)
	case reason == "KEY_VALUES_MISMATCH":
		return fixed(sideLocalFiles, "The private key does not belong to the certificate.", "", CodeKeyMismatch)(m, c)
	case reason == "NO_CERTIFICATE_ASSIGNED":
		// OpenSSL keeps one certificate per key type, so a key of another
		// type than the certificate's finds no certificate to pair with.
		return fixed(sideLocalFiles,
			"The private key is of another type (RSA or ECDSA) than the certificate's key, so it does not belong to the certificate.",
			"", CodeKeyMismatch)(m, c)
	case reason == "NO_CERTIFICATE_OR_CRL_FOUND":
		return fixed(sideLocalFiles,
			"load_verify_locations found no PEM certificate in the CA file: it is DER, empty, or holds only a key.",
			"", CodeNotPEM)(m, c)
	case reason == "NO_START_LINE":
		return fixed(sideLocalFiles, "The file has no PEM block of the expected kind: it is DER, empty, or the wrong file.",
			"", CodeNotPEM)(m, c)
	}
	return explained{}, false
}

// explainPythonOSError words the socket errors that Python prints as
// "[Errno N] message", by the message.
func explainPythonOSError(m []string, c *lineContext) (explained, bool) {
	message := strings.TrimSpace(m[2] + m[3])
	dnsDetail := m[0]
	if m[1] != "" {
		dnsDetail = "host " + m[1]
	}
	switch message {
	case "Connection refused":
		return explained{side: sideNoConnection, meaning: "Nothing listens on that address and port.",
			findings: findings(m[0], "", CodeConnectionRefused)}, true
	case "Connection reset by peer":
		return resetBy("The server reset the TCP connection instead of answering or sending a TLS alert.")(m, c)
	case "Name or service not known", "No address associated with hostname":
		return explained{side: sideNoDNS, meaning: "The host name does not exist in DNS.",
			findings: findings(dnsDetail, "", CodeDNSFailure)}, true
	case "Temporary failure in name resolution":
		return explained{side: sideNoDNS, meaning: "The DNS lookup failed for now: the resolver did not answer.",
			findings: findings(dnsDetail, "", CodeDNSFailure)}, true
	}
	return explained{}, false
}
