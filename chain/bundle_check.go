package chain

import (
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/mtlsdoctor/mtlsdoctor/internal/plural"
	"github.com/mtlsdoctor/mtlsdoctor/report"
)

// ExpiryWarning is the time before a CA certificate's NotAfter from which
// it draws a ca-expired warning.
const ExpiryWarning = 30 * 24 * time.Hour

// ParsePin returns a SHA-256 fingerprint in the form report.Fingerprint
// returns. It accepts colon-separated or plain hex in any case, and the
// "sha256 Fingerprint=" prefix that openssl x509 -fingerprint prints.
func ParsePin(s string) (string, error) {
	pin := strings.TrimSpace(s)
	if i := strings.LastIndexByte(pin, '='); i >= 0 {
		pin = pin[i+1:]
	}
	if len(pin) > 7 && strings.EqualFold(pin[:7], "sha256:") {
		pin = pin[7:]
	}
	pin = strings.NewReplacer(":", "", " ", "").Replace(pin)
	raw, err := hex.DecodeString(pin)
	if err != nil || len(raw) != 32 {
		return "", fmt.Errorf("invalid --pin %q: expected a SHA-256 fingerprint of 64 hex digits, with or without colons, as openssl x509 -noout -fingerprint -sha256 prints it", s)
	}
	return report.ColonHex(raw), nil
}

// ParsePins applies ParsePin to each of pins.
func ParsePins(pins []string) ([]string, error) {
	out := make([]string, 0, len(pins))
	for _, p := range pins {
		pin, err := ParsePin(p)
		if err != nil {
			return nil, err
		}
		out = append(out, pin)
	}
	return out, nil
}

// certificateLabel names cert in a report or a PEM comment.
func certificateLabel(cert *x509.Certificate) string {
	if cert.Subject.CommonName != "" {
		return cert.Subject.CommonName
	}
	if s := cert.Subject.String(); s != "" {
		return s
	}
	return "certificate with serial " + report.ColonHex(cert.SerialNumber.Bytes())
}

// CheckCACertificates checks that each of certs can serve as a CA at now:
// basic constraints CA:TRUE (not-a-ca) and valid at now (ca-expired,
// not-yet-valid), with a ca-expired warning within ExpiryWarning of its
// end. An X.509 v1 self-signed root has no basic constraints and passes,
// because OpenSSL and Go accept it as a trust anchor.
func CheckCACertificates(certs []*x509.Certificate, now time.Time) []report.Finding {
	var findings []report.Finding
	for _, c := range certs {
		label := certificateLabel(c)
		if f, _, ok := checkCAConstraint(c, label); ok {
			findings = append(findings, f...)
		}
		if f, _, ok := checkCAValidity(c, label, now); ok {
			findings = append(findings, f...)
		}
	}
	return findings
}

// checkCAConstraint returns the findings and a note for the report's
// certificate table, or ok false when there is nothing to report.
func checkCAConstraint(cert *x509.Certificate, label string) ([]report.Finding, string, bool) {
	if cert.BasicConstraintsValid && cert.IsCA {
		return nil, "", false
	}
	if !cert.BasicConstraintsValid && cert.Version < 3 && isSelfIssued(cert) {
		return nil, fmt.Sprintf("X.509 v%d root without basic constraints, accepted as a CA", cert.Version), true
	}
	why := "its basic constraints say CA:FALSE"
	if !cert.BasicConstraintsValid {
		why = "it has no basic constraints extension"
	}
	f := report.Newf(report.CodeNotACA, label+" is not a CA certificate",
		"%s (issued by %s, SHA-256 %s) looks like a leaf certificate: %s, so it cannot sign client certificates.",
		cert.Subject, cert.Issuer, report.Fingerprint(cert.Raw), why)
	return []report.Finding{f}, "not a CA", true
}

func isSelfIssued(cert *x509.Certificate) bool {
	return string(cert.RawSubject) == string(cert.RawIssuer)
}

func checkCAValidity(cert *x509.Certificate, label string, now time.Time) ([]report.Finding, string, bool) {
	notAfter := cert.NotAfter.UTC().Format(time.DateOnly)
	switch {
	case now.After(cert.NotAfter):
		f := report.Newf(report.CodeCAExpired, fmt.Sprintf("%s expired on %s", label, notAfter),
			"%s (SHA-256 %s) was valid until %s", cert.Subject, report.Fingerprint(cert.Raw), cert.NotAfter.UTC().Format(time.RFC3339))
		if isLegacyGoogleCA(cert) {
			f = f.WithFix(legacyFix)
		}
		return []report.Finding{f}, "expired " + notAfter, true
	case now.Before(cert.NotBefore):
		notBefore := cert.NotBefore.UTC().Format(time.RFC3339)
		f := report.Newf(report.CodeNotYetValid, fmt.Sprintf("%s is not valid until %s", label, notBefore),
			"%s (SHA-256 %s) is valid from %s", cert.Subject, report.Fingerprint(cert.Raw), notBefore).
			WithFix("Check this machine's clock; if it is right, use the CA's current certificate instead.")
		return []report.Finding{f}, "not valid yet", true
	case cert.NotAfter.Sub(now) < ExpiryWarning:
		days := int(cert.NotAfter.Sub(now).Hours() / 24)
		f := report.Newf(report.CodeCAExpired, fmt.Sprintf("%s expires in %s, on %s", label, plural.Count(days, "day"), notAfter),
			"%s (SHA-256 %s) is valid until %s", cert.Subject, report.Fingerprint(cert.Raw), cert.NotAfter.UTC().Format(time.RFC3339)).
			WithSeverity(report.SeverityWarning).
			WithFix("Add the CA's successor to the bundle before this one expires, then rebuild the bundle.")
		return []report.Finding{f}, "expires in " + plural.Count(days, "day"), true
	}
	return nil, "", false
}
