package probe

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"reflect"
	"strings"
	"syscall"

	"github.com/mtlsdoctor/mtlsdoctor/internal/hostname"
	"github.com/mtlsdoctor/mtlsdoctor/report"
)

// TLS alert numbers (RFC 8446, section 6, and RFC 5246, section 7.2) that
// the classification looks at.
const (
	alertHandshakeFailure       = 40
	alertBadCertificate         = 42
	alertUnsupportedCertificate = 43
	alertCertificateRevoked     = 44
	alertCertificateExpired     = 45
	alertCertificateUnknown     = 46
	alertUnknownCA              = 48
	alertAccessDenied           = 49
	alertDecryptError           = 51
	alertProtocolVersion        = 70
	alertInsufficientSecurity   = 71
	alertInternalError          = 80
	alertUnrecognizedName       = 112
	alertCertificateRequired    = 116

	// noAlert stands for "no alert arrived" where an alert number is expected.
	noAlert = -1
)

// diagnosis is a classified failure and the check it belongs to.
type diagnosis struct {
	check   string
	finding report.Finding
}

// alertName returns crypto/tls's name for a TLS alert, such as
// "certificate required".
func alertName(alert int) string {
	return strings.TrimPrefix(tls.AlertError(alert).Error(), "tls: ")
}

func describeAlert(alert int) string {
	return fmt.Sprintf("alert %d (%s)", alert, alertName(alert))
}

// remoteAlert returns the alert the peer sent, if err carries one.
// crypto/tls reports it as a *net.OpError with Op "remote error" whose Err
// is the alert in crypto/tls's unexported uint8 type (Go 1.21 to 1.26), so
// errors.As cannot name it. remoteAlert tries tls.AlertError first, in case
// a later Go uses it there, then the uint8 value, then the text.
func remoteAlert(err error) (int, bool) {
	var opErr *net.OpError
	if !errors.As(err, &opErr) || opErr.Op != "remote error" || opErr.Err == nil {
		return 0, false
	}
	var alertErr tls.AlertError
	if errors.As(opErr.Err, &alertErr) {
		return int(alertErr), true
	}
	if v := reflect.ValueOf(opErr.Err); v.Kind() == reflect.Uint8 {
		return int(v.Uint()), true
	}
	text := opErr.Err.Error()
	for alert := range 256 {
		if tls.AlertError(alert).Error() == text {
			return alert, true
		}
	}
	return 0, false
}

// isClientCertAlert reports whether alert is one that servers send when a
// client certificate is missing or rejected. In TLS 1.2, OpenSSL 3.0 and
// Go 1.26 servers send handshake_failure when the certificate is missing.
func isClientCertAlert(alert int) bool {
	switch alert {
	case alertHandshakeFailure, alertBadCertificate, alertUnsupportedCertificate, alertCertificateRevoked,
		alertCertificateExpired, alertCertificateUnknown, alertUnknownCA, alertAccessDenied,
		alertDecryptError, alertCertificateRequired:
		return true
	}
	return false
}

// isClosed reports whether err means the peer closed or reset the
// connection.
func isClosed(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

// closeWord describes how the peer closed: "reset" or "closed".
func closeWord(err error) string {
	if errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) {
		return "reset"
	}
	return "closed"
}

// recordHandshakeFailure classifies a failed handshake and records it.
func (p *prober) recordHandshakeFailure(ctx context.Context, err error) {
	if p.canceled(ctx, checkHandshake) {
		return
	}
	d := p.diagnoseHandshake(err)
	if d.check == checkHandshake {
		p.record(checkHandshake, "", "", d.finding)
		return
	}
	p.record(checkHandshake, report.StatusFail, "the handshake failed: "+err.Error())
	p.record(d.check, "", "", d.finding)
}

// diagnoseHandshake classifies an error of the TLS handshake by what the
// server sent and how far the handshake got.
func (p *prober) diagnoseHandshake(err error) diagnosis {
	when := "during the handshake"
	if v := p.versionName(); v != "" {
		when = "during the " + v + " handshake"
	}
	if alert, ok := remoteAlert(err); ok {
		return p.diagnoseAlert(alert, when)
	}

	var recordErr tls.RecordHeaderError
	switch {
	case errors.As(err, &recordErr):
		return diagnosis{checkHandshake, p.notTLSFinding(recordErr)}
	case isTimeout(err):
		return diagnosis{checkHandshake, p.handshakeTimeoutFinding()}
	case isClosed(err):
		return p.diagnoseClose(err, when)
	}

	// crypto/tls returns these local failures as untyped errors, so the
	// probe matches their text.
	msg := err.Error()
	switch {
	case strings.Contains(msg, "unsupported protocol version"):
		return diagnosis{checkHandshake, report.Newf(report.CodeProtocolVersion, "",
			"the server chose a TLS version the client does not support (the client offers %s): %v", p.offeredVersions(), err)}
	case strings.Contains(msg, "unconfigured cipher suite"):
		return diagnosis{checkHandshake, report.Newf(report.CodeNoSharedCipher, "",
			"the server chose a cipher suite the client did not offer: %v", err)}
	case p.obs.certSent && (strings.Contains(msg, "signature algorithms") ||
		strings.Contains(msg, "failed to sign") || strings.Contains(msg, "client certificate private key")):
		return diagnosis{checkCertAccepted, report.Newf(report.CodeClientCertRejected,
			"the client could not use its certificate with this server",
			"the client failed to sign the handshake with the key of %s: %v; the server accepts the signature algorithms %s",
			p.clientLeafName(), err, schemeNames(p.obs.signatureSchemes)).
			WithFix("Use a client key whose signature algorithm the server accepts: ECDSA P-256 and RSA 2048 are the most widely accepted.")}
	}
	// No alert arrived, so the error comes from crypto/tls itself. Mostly
	// it rejected a message from the server, such as an unexpected
	// handshake message or a bad signature.
	return diagnosis{checkHandshake, p.unclassifiedFinding("the handshake failed",
		fmt.Sprintf("the client's crypto/tls failed %s, and no alert came from the server: %v", when, err)).
		WithFix("The error comes from the client's TLS library and names what it could not accept from the server: check the server's TLS library, and any proxy or load balancer on the way that terminates or inspects TLS.")}
}

// diagnoseAlert classifies an alert the server sent. when names the point
// at which it arrived, such as "during the TLS 1.2 handshake".
func (p *prober) diagnoseAlert(alert int, when string) diagnosis {
	evidence := fmt.Sprintf("the server sent %s %s", describeAlert(alert), when)
	switch {
	case alert == alertCertificateRequired || (p.obs.certRequested && isClientCertAlert(alert)):
		return diagnosis{checkCertAccepted, p.certVerdict(evidence, alert)}
	case alert == alertHandshakeFailure && p.obs.serverState == nil:
		return diagnosis{checkHandshake, report.Newf(report.CodeNoSharedCipher, "",
			"%s, in reply to the ClientHello: the server shares no cipher suite, key exchange group or signature algorithm with the client, which offers TLS 1.3 and, for TLS 1.2, %s",
			evidence, offeredSuites())}
	case alert == alertInsufficientSecurity:
		return diagnosis{checkHandshake, report.Newf(report.CodeNoSharedCipher, "",
			"%s: the server requires stronger parameters than the client offers (TLS 1.2 suites %s)", evidence, offeredSuites())}
	case alert == alertProtocolVersion:
		return diagnosis{checkHandshake, report.Newf(report.CodeProtocolVersion, "",
			"%s: the server supports none of the versions the client offers, %s", evidence, p.offeredVersions())}
	case alert == alertUnrecognizedName:
		return diagnosis{checkHandshake, p.sniRequiredFinding(evidence)}
	}
	return diagnosis{checkHandshake, p.unclassifiedFinding("the server ended the handshake with "+describeAlert(alert),
		evidence+p.alertContext(alert))}
}

// alertContext returns evidence to append to an alert that no other code
// explains. It notes an alert in reply to the ClientHello, with the server
// name that was sent, and a certificate alert although no certificate was
// requested.
func (p *prober) alertContext(alert int) string {
	var extra string
	if p.obs.serverState == nil {
		extra = ", in reply to the ClientHello; " + p.sniDescription()
		if alert == alertInternalError {
			// Both send internal_error from the certificate callback:
			// crypto/tls when GetCertificate returns an error, nginx when the
			// file that ssl_certificate names with $ssl_server_name is missing.
			extra += "; Go's crypto/tls (Go 1.26) and nginx (1.22) servers send internal_error here when they cannot load a certificate for the requested name"
		}
	}
	if isClientCertAlert(alert) && !p.obs.certRequested {
		extra += "; the server did not request a client certificate, so the client sent none"
	}
	return extra
}

// diagnoseClose explains a connection the server closed or reset during
// the handshake without a TLS alert.
func (p *prober) diagnoseClose(err error, when string) diagnosis {
	evidence := fmt.Sprintf("the server %s the connection %s without a TLS alert (%v)", closeWord(err), when, err)
	switch {
	case p.obs.certRequested:
		// Node's https server with rejectUnauthorized: true checks the
		// certificate in JavaScript and destroys the socket without an
		// alert: during a TLS 1.2 handshake, after a TLS 1.3 one (Node 20).
		return diagnosis{checkCertAccepted, p.certVerdict(evidence+" after it requested a client certificate, "+
			"as Node's https server with rejectUnauthorized: true does when the certificate fails its check (Node 20)", noAlert)}
	case p.obs.serverState == nil:
		return diagnosis{checkHandshake, report.Newf(report.CodeConnectionReset, "",
			"%s, in reply to the ClientHello; servers do this when they lack a shared version or cipher suite, need a server name or have no certificate for it (%s), or do not speak TLS, and Node's https server does it when its SNICallback returns an error (Node 20)",
			evidence, p.sniDescription())}
	}
	return diagnosis{checkHandshake, report.Newf(report.CodeConnectionReset, "", "%s, after it sent its certificate", evidence)}
}

// sniDescription describes the server name the client sent.
func (p *prober) sniDescription() string {
	switch {
	case net.ParseIP(p.serverName) == nil:
		return fmt.Sprintf("the client sent the server name %s", hostname.Quote(p.serverName))
	case p.opts.ServerName != "":
		return fmt.Sprintf("no server name was sent, because --server-name %s is an IP address; pass a host name", p.serverName)
	}
	return fmt.Sprintf("no server name was sent, because %s is an IP address; pass --server-name", p.serverName)
}

// sniRequiredFinding explains an unrecognized_name alert (RFC 6066,
// section 3). Without a server name in the ClientHello the server needs
// one to choose its certificate. With a name, it has no certificate for
// that name, and --server-name is not the fix.
func (p *prober) sniRequiredFinding(evidence string) report.Finding {
	if net.ParseIP(p.serverName) != nil {
		if p.opts.ServerName != "" {
			return report.Newf(report.CodeSNIRequired, "",
				"%s: no server name was sent, because --server-name %s is an IP address, and TLS sends only host names (RFC 6066, section 3)",
				evidence, p.serverName).
				WithFix("Pass the host name the server has a certificate for to --server-name, not an IP address.")
		}
		return report.Newf(report.CodeSNIRequired, "",
			"%s: no server name was sent, because %s is an IP address", evidence, p.serverName).
			WithFix("Pass --server-name with the host name the server has a certificate for, or dial that host name instead of the IP address.")
	}

	source := "the URL's host"
	if p.opts.ServerName != "" {
		source = "--server-name"
	}
	name := hostname.Quote(p.serverName)
	summary := fmt.Sprintf("the server has no certificate for the server name %s", name)
	return report.Newf(report.CodeSNIRequired, summary,
		"%s: the client sent the server name %s from %s, and the server does not recognize it", evidence, name, source).
		WithFix(fmt.Sprintf("Check that %s is the name the webhook is reached by (%s); if it is, configure the server for it: nginx server_name, or the names the server's SNI callback accepts.",
			name, source))
}

func schemeNames(schemes []tls.SignatureScheme) string {
	names := make([]string, len(schemes))
	for i, scheme := range schemes {
		names[i] = scheme.String()
	}
	return strings.Join(names, ", ")
}

func offeredSuites() string {
	names := make([]string, len(cipherSuites))
	for i, id := range cipherSuites {
		names[i] = tls.CipherSuiteName(id)
	}
	return strings.Join(names, ", ")
}

// unclassifiedFinding reports, as handshake-failure, an alert or handshake
// error that no other handshake code fits. A close or reset without an
// alert is connection-reset instead (see diagnoseClose).
func (p *prober) unclassifiedFinding(summary, evidence string) report.Finding {
	return report.New(report.CodeHandshakeFailure, summary, evidence)
}

func (p *prober) handshakeTimeoutFinding() report.Finding {
	if received := len(p.head.bytes()); p.obs.serverState == nil && received > 0 {
		return report.Newf(report.CodeHandshakeTimeout, "",
			"the server started the TLS handshake (%d bytes arrived) but did not complete it within --timeout %s; it may be overloaded, or something on the path holds back its packets",
			received, p.opts.Timeout)
	}
	if p.obs.serverState == nil {
		return report.Newf(report.CodeHandshakeTimeout, "",
			"the server accepted the TCP connection but sent no ServerHello within --timeout %s; it may not speak TLS on this port, or it is overloaded",
			p.opts.Timeout)
	}
	return report.Newf(report.CodeHandshakeTimeout, "",
		"the server sent its certificate but did not complete the handshake within --timeout %s", p.opts.Timeout)
}

// notTLSFinding explains a first record that is not TLS: plain HTTP when
// it starts with "HTTP/", something else otherwise. The evidence quotes the
// first bytes the server sent.
func (p *prober) notTLSFinding(recordErr tls.RecordHeaderError) report.Finding {
	head := p.head.bytes()
	if len(head) == 0 {
		head = recordErr.RecordHeader[:]
	}
	if bytes.HasPrefix(head, []byte("HTTP/")) {
		line, _, _ := bytes.Cut(head, []byte("\r\n"))
		return report.Newf(report.CodePlainHTTP, "",
			"the server answered the TLS ClientHello with plain HTTP: %q", line)
	}
	if looksLikeHTML(head) {
		// An HTTP server that cannot parse the ClientHello as a request line
		// may respond as HTTP/0.9 would, with a page and no status line.
		// Python's http.server does.
		return report.Newf(report.CodePlainHTTP, "",
			"the server answered the TLS ClientHello with an HTML page without an HTTP status line, as an HTTP server does for a request it cannot parse (Python's http.server, for one): %q", head)
	}
	return report.Newf(report.CodeNotTLS, "",
		"the server answered the TLS ClientHello with bytes that are not a TLS record: %q", head)
}

// looksLikeHTML reports whether b starts, after white space, with an HTML
// doctype or html tag, in any case.
func looksLikeHTML(b []byte) bool {
	b = bytes.ToLower(bytes.TrimLeft(b, " \t\r\n"))
	return bytes.HasPrefix(b, []byte("<!doctype html")) || bytes.HasPrefix(b, []byte("<html"))
}
