package serve

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/mtlsdoctor/mtlsdoctor/report"
)

// oidEmailAddress is the PKCS #9 emailAddress attribute that older CAs
// put in the subject (RFC 2985 section 5.2.1).
var oidEmailAddress = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}

// certAttrs returns the log attributes that identify a client certificate:
// subject CN, O, L, email, SANs, issuer, expiry and SHA-256 fingerprint.
// O, L, email and SANs are left out when the certificate has none.
func certAttrs(cert *x509.Certificate) []slog.Attr {
	info := report.Describe(cert)
	attrs := []slog.Attr{slog.String("cn", cert.Subject.CommonName)}
	optional := []struct{ key, value string }{
		{"o", strings.Join(cert.Subject.Organization, ", ")},
		{"l", strings.Join(cert.Subject.Locality, ", ")},
		{"email", strings.Join(certEmails(cert), ", ")},
		{"sans", strings.Join(info.SANs, ", ")},
	}
	for _, attr := range optional {
		if attr.value != "" {
			attrs = append(attrs, slog.String(attr.key, attr.value))
		}
	}
	return append(attrs,
		slog.String("subject", info.Subject),
		slog.String("issuer", info.Issuer),
		slog.String("not_after", info.NotAfter.Format(time.RFC3339)),
		slog.String("sha256", info.SHA256),
	)
}

// certEmails returns the subject emailAddress attributes followed by the
// email SANs.
func certEmails(cert *x509.Certificate) []string {
	var emails []string
	for _, atv := range cert.Subject.Names {
		if atv.Type.Equal(oidEmailAddress) {
			emails = append(emails, fmt.Sprint(atv.Value))
		}
	}
	return append(emails, cert.EmailAddresses...)
}

// connAttrs returns the log attributes of a completed handshake.
func connAttrs(state tls.ConnectionState) []slog.Attr {
	return []slog.Attr{
		slog.String("tls_version", tls.VersionName(state.Version)),
		slog.String("cipher", tls.CipherSuiteName(state.CipherSuite)),
		slog.String("alpn", state.NegotiatedProtocol),
		slog.String("sni", state.ServerName),
	}
}
