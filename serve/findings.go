package serve

import (
	"crypto/x509"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/mtlsdoctor/mtlsdoctor/chain"
	"github.com/mtlsdoctor/mtlsdoctor/internal/plural"
	"github.com/mtlsdoctor/mtlsdoctor/report"
)

// systemCertPool returns the publicly trusted roots, which tell a public
// client CA from a private one. Tests replace it.
var systemCertPool = x509.SystemCertPool

// startupCheck is one check of the configuration, with the findings it
// produced. An empty status follows from the worst finding.
type startupCheck struct {
	name     string
	status   report.Status
	detail   string
	findings []report.Finding
}

// startupFindings checks the policy, the client CAs and the server
// certificate of a configuration.
func startupFindings(cfg Config, serverCert *x509.Certificate, clientCAs []*x509.Certificate, now time.Time) []report.Finding {
	return checkFindings(startupChecks(cfg, serverCert, clientCAs, now))
}

// checkFindings returns the findings of checks in order.
func checkFindings(checks []startupCheck) []report.Finding {
	var findings []report.Finding
	for _, c := range checks {
		findings = append(findings, c.findings...)
	}
	return findings
}

// startupChecks checks, in this order, the client certificate policy, the
// client CAs, the pinning of the client identity and the server
// certificate.
func startupChecks(cfg Config, serverCert *x509.Certificate, clientCAs []*x509.Certificate, now time.Time) []startupCheck {
	checks := []startupCheck{policyCheck(cfg.ClientAuth)}

	if cfg.ClientAuth == ClientAuthNone {
		skipped := "--client-auth none requests no client certificate"
		checks = append(checks,
			startupCheck{name: "client CAs", status: report.StatusSkip, detail: skipped},
			startupCheck{name: "client identity", status: report.StatusSkip, detail: skipped})
	} else {
		cas := startupCheck{
			name: "client CAs",
			detail: fmt.Sprintf("%s from --client-ca %s",
				plural.Count(len(clientCAs), "certificate"), strings.Join(cfg.ClientCAFiles, ", ")),
		}
		cas.findings = append(clientCAFindings(clientCAs, now), platformCAFindings(clientCAs, now)...)
		identity := startupCheck{name: "client identity", detail: identityDetail(cfg)}
		if cfg.ClientSubject == "" {
			identity.findings = unpinnedFindings(cfg, clientCAs, now)
		}
		checks = append(checks, cas, identity)
	}

	server := startupCheck{name: "server certificate", findings: serverCertFindings(cfg, serverCert, now)}
	if serverCert != nil {
		server.detail = fmt.Sprintf("%s from --cert %s, valid until %s",
			serverCert.Subject, cfg.CertFile, serverCert.NotAfter.UTC().Format(time.DateOnly))
	}
	return append(checks, server)
}

// policyCheck describes the client certificate policy, with a finding
// when the policy does not insist on a client certificate.
func policyCheck(auth ClientAuth) startupCheck {
	check := startupCheck{name: "client certificate policy"}
	switch auth {
	case ClientAuthNone:
		check.detail = "--client-auth none: the server requests no client certificate"
		check.findings = append(check.findings, report.New(report.CodeClientCertNotReq,
			"the server does not request a client certificate (--client-auth none)",
			"Any client can call the webhook. This mode only tests the server side of TLS.").
			WithFix("Use --client-auth require, the default, with --client-ca FILE."))
	case ClientAuthRequest:
		check.detail = "--client-auth request: a certificate that a client sends must chain to a --client-ca certificate, " +
			"but a client that sends none gets in"
		check.findings = append(check.findings, report.New(report.CodeUnauthAccepted,
			"the server also accepts clients without a certificate (--client-auth request)",
			"A certificate that a client sends is still verified, but a client that sends none gets in.").
			WithSeverity(report.SeverityWarning).
			WithFix("Use --client-auth require, the default, unless you are testing clients without a certificate."))
	default:
		check.detail = "--client-auth require: the handshake ends unless the client sends a certificate " +
			"that chains to a --client-ca certificate"
	}
	return check
}

// identityDetail describes which verified clients the server accepts.
func identityDetail(cfg Config) string {
	detail := "any subject (--client-subject is not set)"
	if cfg.ClientSubject != "" {
		detail = fmt.Sprintf("subjects that match --client-subject %q", cfg.ClientSubject)
	}
	if len(cfg.Projects) == 0 {
		return detail + ", any Google Cloud project (--project is not set)"
	}
	return detail + ", sessions of --project " + strings.Join(cfg.Projects, ", ")
}

// clientCAFindings reports client CAs that cannot verify any client.
func clientCAFindings(clientCAs []*x509.Certificate, now time.Time) []report.Finding {
	var findings []report.Finding
	for _, ca := range clientCAs {
		name := fmt.Sprintf("%q (SHA-256 %s)", ca.Subject, report.Fingerprint(ca.Raw))
		if !ca.IsCA {
			// crypto/x509 accepts a non-CA certificate in the roots only as
			// the client's own leaf, so it pins exactly one certificate.
			findings = append(findings, report.Newf(report.CodeNotACA,
				"a --client-ca certificate is not a CA",
				"%s is not a CA, so it admits only a client that presents exactly this certificate.", name).
				WithSeverity(report.SeverityWarning))
		}
		switch {
		case now.After(ca.NotAfter):
			findings = append(findings, report.Newf(report.CodeCAExpired,
				"a --client-ca certificate has expired",
				"%s expired on %s, so no client certificate verifies against it.", name, ca.NotAfter.UTC().Format(time.DateOnly)))
		case now.Before(ca.NotBefore):
			findings = append(findings, report.Newf(report.CodeNotYetValid,
				"a --client-ca certificate is not valid yet",
				"%s is valid from %s, so no client certificate verifies against it before then.", name, ca.NotBefore.UTC().Format(time.RFC3339)))
		}
	}
	return findings
}

// platformCAFindings reports platform-ca-outdated when the client CAs
// lack SSL.com Root Certification Authority RSA, the root of the client
// certificate that Dialogflow ES presents, and are meant for Dialogflow.
// They count as meant for it when they include a Google Trust Services or
// GlobalSign CA of the platform's present or past instructions. The
// finding is an error when no CA serves either edition, as with the legacy
// CAs that expired on 2021-12-15. It is a warning when a valid GTS root,
// which Dialogflow CX documents, is among them.
func platformCAFindings(clientCAs []*x509.Certificate, now time.Time) []report.Finding {
	return chain.PlatformBundleFindings(clientCAs, now)
}

// unpinnedFindings warns when a client CA is publicly trusted, because
// without --client-subject every certificate it ever issued gets in.
func unpinnedFindings(cfg Config, clientCAs []*x509.Certificate, now time.Time) []report.Finding {
	public := publicCAs(clientCAs, now)
	if len(public) == 0 {
		return nil
	}
	names := make([]string, len(public))
	for i, ca := range public {
		names[i] = fmt.Sprintf("%q", ca.Subject)
	}
	detail := fmt.Sprintf("The client CAs include publicly trusted CAs (%s), and --client-subject is not set, "+
		"so any certificate these CAs issued for client authentication is accepted.", strings.Join(names, ", "))
	if len(cfg.Projects) == 0 {
		detail += " --project is not set either, so requests for any Google Cloud project are answered."
	}
	return []report.Finding{report.New(report.CodeIdentityUnpinned, "", detail)}
}

// publicCAs returns the client CAs that chain to the system roots. It
// returns none when the system roots cannot be loaded.
func publicCAs(clientCAs []*x509.Certificate, now time.Time) []*x509.Certificate {
	roots, err := systemCertPool()
	if err != nil || roots == nil {
		return nil
	}
	intermediates := x509.NewCertPool()
	for _, ca := range clientCAs {
		intermediates.AddCert(ca)
	}
	var public []*x509.Certificate
	for _, ca := range clientCAs {
		_, err := ca.Verify(x509.VerifyOptions{
			Roots:         roots,
			Intermediates: intermediates,
			CurrentTime:   now,
			KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
		})
		if err == nil {
			public = append(public, ca)
		}
	}
	return public
}

// serverCertFindings reports a server certificate that clients will
// reject.
func serverCertFindings(cfg Config, cert *x509.Certificate, now time.Time) []report.Finding {
	if cert == nil {
		return nil
	}
	name := fmt.Sprintf("server certificate %q (--cert %s)", cert.Subject, cfg.CertFile)
	var findings []report.Finding
	switch {
	case now.After(cert.NotAfter):
		findings = append(findings, report.Newf(report.CodeExpired, "the server certificate has expired",
			"The %s expired on %s, so clients reject the server.", name, cert.NotAfter.UTC().Format(time.RFC3339)))
	case now.Before(cert.NotBefore):
		findings = append(findings, report.Newf(report.CodeNotYetValid, "the server certificate is not valid yet",
			"The %s is valid from %s, so clients reject the server before then.", name, cert.NotBefore.UTC().Format(time.RFC3339)))
	}
	// Without the extended key usage extension a certificate may serve any
	// purpose (RFC 5280 section 4.2.1.12).
	if len(cert.ExtKeyUsage) > 0 &&
		!slices.Contains(cert.ExtKeyUsage, x509.ExtKeyUsageServerAuth) &&
		!slices.Contains(cert.ExtKeyUsage, x509.ExtKeyUsageAny) {
		findings = append(findings, report.Newf(report.CodeWrongUsageServer, "",
			"The %s has extended key usage %s, without serverAuth, so clients reject the server.", name, extKeyUsageList(cert)))
	}
	return findings
}
