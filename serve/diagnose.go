package serve

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/mtlsdoctor/mtlsdoctor/internal/plural"
	"github.com/mtlsdoctor/mtlsdoctor/report"
)

// failure is a failed handshake in plain words. Code is empty when no
// finding code fits, for example when the client gave up.
type failure struct {
	Code   report.Code
	Reason string
	// Cert is the first certificate the client sent, when it sent one.
	Cert *x509.Certificate
}

// diagnoser explains handshake errors. It keeps the client CAs, so it can
// distinguish a foreign CA from a CA regenerated under the same name.
type diagnoser struct {
	clientCAs        []*x509.Certificate
	clientAuth       ClientAuth
	handshakeTimeout time.Duration
	now              func() time.Time
}

// diagnose returns the reason a server-side handshake failed.
func (d *diagnoser) diagnose(err error) failure {
	var verifyErr *tls.CertificateVerificationError
	if errors.As(err, &verifyErr) {
		f := d.diagnoseVerification(verifyErr.Err)
		if len(verifyErr.UnverifiedCertificates) > 0 {
			f.Cert = verifyErr.UnverifiedCertificates[0]
			if f.Code == report.CodeUnknownAuthority {
				f.Reason += sentIntermediatesNote(len(verifyErr.UnverifiedCertificates) - 1)
			}
		}
		return f
	}

	// crypto/tls has no error type for a missing client certificate, so
	// this matches its message (Go 1.26 handshake_server.go). The tests
	// catch a change of wording.
	if strings.Contains(err.Error(), "didn't provide a certificate") {
		return failure{
			Code:   report.CodeClientCertRequired,
			Reason: fmt.Sprintf("no client certificate: the client sent none, and --client-auth %s needs one", d.clientAuth),
		}
	}

	var recErr tls.RecordHeaderError
	if errors.As(err, &recErr) {
		if looksLikeHTTP(recErr.RecordHeader) {
			return failure{Code: report.CodePlainHTTP, Reason: "plain HTTP: the client sent an HTTP request to the HTTPS port (use https://)"}
		}
		return failure{Code: report.CodeNotTLS, Reason: fmt.Sprintf("not TLS: the client's first bytes %q are not a TLS record", recErr.RecordHeader[:])}
	}

	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Op == "remote error" {
		return diagnoseClientAlert(opErr.Err.Error())
	}
	var plainAlert *plaintextAlertError
	if errors.As(err, &plainAlert) {
		return diagnoseClientAlert(plainAlert.Alert.Error())
	}

	var busy *busyError
	if errors.As(err, &busy) {
		return failure{Code: report.CodeHandshakeTimeout, Reason: fmt.Sprintf(
			"server busy: the handshake waited for one of the %d handshake slots until the %s timeout, because other handshakes kept all of them computing",
			busy.slots, d.handshakeTimeout)}
	}

	msg := err.Error()
	switch {
	case strings.Contains(msg, "offered only unsupported versions"):
		return failure{Code: report.CodeProtocolVersion, Reason: "protocol version: the client offered only TLS versions below 1.2, which the server does not accept"}
	case strings.Contains(msg, "no cipher suite supported by both"):
		return failure{Code: report.CodeNoSharedCipher, Reason: "no shared cipher suite: the client offered none of the suites the server supports"}
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		return failure{Code: report.CodeHandshakeTimeout, Reason: fmt.Sprintf("timeout: the handshake did not finish within %s", d.handshakeTimeout)}
	case errors.Is(err, context.Canceled) || errors.Is(err, net.ErrClosed):
		return failure{Reason: "the server is shutting down"}
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return failure{Reason: "the client closed the connection during the handshake without a TLS alert " +
			"(a port check, or a client that rejected the server certificate)"}
	case errors.Is(err, syscall.ECONNRESET):
		return failure{Code: report.CodeConnectionReset, Reason: "the client reset the connection during the handshake"}
	}
	return failure{Reason: msg}
}

func isTimeout(err error) bool {
	var netErr net.Error
	return errors.Is(err, os.ErrDeadlineExceeded) || errors.As(err, &netErr) && netErr.Timeout()
}

func sentIntermediatesNote(n int) string {
	if n == 0 {
		return " (the client sent no intermediate certificates)"
	}
	return fmt.Sprintf(" (the client sent %s)", plural.Count(n, "intermediate certificate"))
}

// diagnoseVerification explains why crypto/x509 rejected the client's
// chain.
func (d *diagnoser) diagnoseVerification(err error) failure {
	var unknown x509.UnknownAuthorityError
	if errors.As(err, &unknown) && unknown.Cert != nil {
		return d.diagnoseUnknownAuthority(unknown.Cert)
	}

	var insecure x509.InsecureAlgorithmError
	if errors.As(err, &insecure) {
		return failure{Code: report.CodeInsecureSignature,
			Reason: fmt.Sprintf("insecure signature: the client's chain is signed with %s, which Go rejects", x509.SignatureAlgorithm(insecure))}
	}

	var invalid x509.CertificateInvalidError
	if !errors.As(err, &invalid) {
		return failure{Code: report.CodeClientCertRejected, Reason: "client certificate rejected: " + err.Error()}
	}
	subject := "certificate"
	if invalid.Cert != nil {
		subject = fmt.Sprintf("%s %q", d.role(invalid.Cert), invalid.Cert.Subject)
	}
	switch invalid.Reason {
	case x509.Expired:
		if invalid.Cert != nil && d.now().Before(invalid.Cert.NotBefore) {
			return failure{Code: report.CodeNotYetValid,
				Reason: fmt.Sprintf("not yet valid: %s is valid from %s", subject, invalid.Cert.NotBefore.UTC().Format(time.RFC3339))}
		}
		if invalid.Cert != nil && invalid.Cert.IsCA {
			return failure{Code: report.CodeCAExpired,
				Reason: fmt.Sprintf("CA expired: %s expired on %s, so every client certificate under it fails; %s",
					subject, invalid.Cert.NotAfter.UTC().Format(time.RFC3339), d.expiredCAFix(invalid.Cert))}
		}
		when := ""
		if invalid.Cert != nil {
			when = " on " + invalid.Cert.NotAfter.UTC().Format(time.RFC3339)
		}
		return failure{Code: report.CodeExpired, Reason: fmt.Sprintf("expired: %s expired%s, so issue the client a new one", subject, when)}
	case x509.IncompatibleUsage:
		return failure{Code: report.CodeWrongUsageClient,
			Reason: fmt.Sprintf("wrong usage: %s is not allowed for TLS client authentication (extended key usage: %s)",
				subject, extKeyUsageList(invalid.Cert))}
	case x509.NotAuthorizedToSign:
		return failure{Code: report.CodeNotACA,
			Reason: fmt.Sprintf("not a CA: %s signs another certificate in the chain but is not a CA", subject)}
	}
	return failure{Code: report.CodeClientCertRejected, Reason: "client certificate rejected: " + invalid.Error()}
}

// role names what cert is in the client's chain: the client certificate,
// an intermediate CA the client sent, or a --client-ca certificate.
func (d *diagnoser) role(cert *x509.Certificate) string {
	if !cert.IsCA {
		return "the client certificate"
	}
	for _, ca := range d.clientCAs {
		if ca.Equal(cert) {
			return "the --client-ca certificate"
		}
	}
	return "the intermediate CA"
}

// expiredCAFix returns where the successor of an expired CA belongs.
func (d *diagnoser) expiredCAFix(cert *x509.Certificate) string {
	for _, ca := range d.clientCAs {
		if ca.Equal(cert) {
			return "replace it in --client-ca with its successor from the issuer"
		}
	}
	return "the client must send the CA's current successor with its certificate"
}

// diagnoseUnknownAuthority names the missing issuer of cert, the last
// certificate of the client's chain that x509 could place.
func (d *diagnoser) diagnoseUnknownAuthority(cert *x509.Certificate) failure {
	f := failure{Code: report.CodeUnknownAuthority}
	if bytes.Equal(cert.RawIssuer, cert.RawSubject) {
		f.Reason = fmt.Sprintf("unknown CA: the client certificate %q is self-signed and not among the --client-ca certificates", cert.Subject)
		return f
	}
	if namesakes := d.clientCAsNamed(cert.RawIssuer); len(namesakes) > 0 {
		f.Reason = fmt.Sprintf("unknown CA: %q names issuer %q, and a --client-ca certificate has that name, "+
			"but its key did not sign it (SHA-256 %s): the CA was probably regenerated, so issue the client certificate again",
			cert.Subject, cert.Issuer, report.Fingerprint(namesakes[0].Raw))
		return f
	}
	f.Reason = fmt.Sprintf("unknown CA: %q was issued by %q, which is not among the --client-ca certificates", cert.Subject, cert.Issuer)
	return f
}

// clientCAsNamed returns the client CAs whose subject is rawName.
func (d *diagnoser) clientCAsNamed(rawName []byte) []*x509.Certificate {
	var out []*x509.Certificate
	for _, ca := range d.clientCAs {
		if bytes.Equal(ca.RawSubject, rawName) {
			out = append(out, ca)
		}
	}
	return out
}

// diagnoseClientAlert explains an alert the client sent, which means the
// client rejected the server or the handshake.
func diagnoseClientAlert(alert string) failure {
	alert = strings.TrimPrefix(alert, "tls: ")
	f := failure{Reason: fmt.Sprintf("the client ended the handshake with alert %q", alert)}
	switch alert {
	case "unknown certificate authority":
		f.Code = report.CodeUnknownAuthority
		f.Reason += ": the client does not trust the server certificate, so give the client the CA " +
			"that issued it (curl --cacert test-ca-crt.pem, openssl s_client -CAfile test-ca-crt.pem) or use curl -k"
	case "bad certificate", "certificate unknown":
		f.Reason += ": the client rejected the server certificate, so check that the client trusts its CA " +
			"and that the certificate covers the host name the client dialled"
	case "certificate expired":
		f.Code = report.CodeExpired
		f.Reason += ": the server certificate has expired, so issue a new one (mtlsdoctor gen)"
	case "protocol version not supported":
		f.Code = report.CodeProtocolVersion
	}
	return f
}

func extKeyUsageList(cert *x509.Certificate) string {
	if cert == nil {
		return "unknown"
	}
	if len(cert.ExtKeyUsage) == 0 && len(cert.UnknownExtKeyUsage) == 0 {
		return "none"
	}
	names := make([]string, 0, len(cert.ExtKeyUsage))
	for _, u := range cert.ExtKeyUsage {
		names = append(names, report.ExtKeyUsageName(u))
	}
	for _, oid := range cert.UnknownExtKeyUsage {
		names = append(names, oid.String())
	}
	return strings.Join(names, ", ")
}
