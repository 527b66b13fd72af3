package probe

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/mtlsdoctor/mtlsdoctor/report"
)

// summaryOutsideCAList is the summary of the client-ca-not-accepted
// finding for a server that responded with 2xx to a client certificate whose
// issuers are not on its acceptable CA list. Audit looks for it to add the
// verdict of its throwaway CA.
const summaryOutsideCAList = "the server accepted a client certificate from a CA it does not announce"

// compareAcceptableCAs compares the CA names of the server's
// CertificateRequest with the issuers of the client chain, by the rule of
// Go's client (tls.CertificateRequestInfo.SupportsCertificate, Go 1.14 to
// 1.26). By that rule a chain qualifies when the list is empty or names,
// byte for byte, the issuer of one of its certificates. A client that picks
// its certificate by this rule sends none when no name matches, and the
// server then reports a missing certificate, not an untrusted one.
func (p *prober) compareAcceptableCAs() []report.Finding {
	evidence, mismatch := p.caListMismatch()
	if !mismatch {
		return nil
	}
	p.outsideCAList = true
	certs := p.opts.ClientChain
	detail := evidence + ". Clients that choose their certificate by this list, Go's crypto/tls among them, then send no certificate at all"
	if p.obs.certSent {
		detail += "; the probe sent it anyway, to show the server's verdict"
	}

	fix := "Either send the intermediate that links the client certificate to a CA on the server's list, after the leaf in the client certificate file, " +
		"or add the CA that issued the client chain to the server's list (nginx ssl_client_certificate, openssl s_server -CAfile, Node ca, Go ClientCAs)."
	if len(certs) == 1 {
		fix = fmt.Sprintf("Either send the intermediate %q after the client certificate, if a CA on the server's list issued it, "+
			"or add %q to the server's client CA list (nginx ssl_client_certificate, openssl s_server -CAfile, Node ca, Go ClientCAs).",
			certs[0].Issuer.String(), certs[0].Issuer.String())
	}
	return []report.Finding{report.New(report.CodeClientCANotAccept,
		"the server's acceptable CA list names no issuer of the client chain", detail).
		WithFix(fix).WithSeverity(report.SeverityWarning)}
}

// caListMismatch reports whether the server's CertificateRequest names CAs
// and none of them issued a certificate of the client chain. The evidence
// lists both sides.
func (p *prober) caListMismatch() (evidence string, mismatch bool) {
	certs := p.opts.ClientChain
	if len(p.obs.acceptableCAs) == 0 || len(certs) == 0 {
		return "", false
	}
	textOnly := ""
	for _, ca := range p.obs.acceptableCAs {
		for _, c := range certs {
			if bytes.Equal(ca, c.RawIssuer) {
				return "", false
			}
			if distinguishedName(ca) == c.Issuer.String() {
				textOnly = c.Issuer.String()
			}
		}
	}

	issuers := make([]string, 0, len(certs))
	for _, c := range certs {
		if name := c.Issuer.String(); !slices.Contains(issuers, name) {
			issuers = append(issuers, name)
		}
	}
	evidence = fmt.Sprintf("the server's CertificateRequest names %s; the client chain's issuers are %s",
		strings.Join(acceptableCANames(p.obs.acceptableCAs), "; "), strings.Join(issuers, "; "))
	if textOnly != "" {
		evidence += fmt.Sprintf("; %q matches as text but is encoded differently (PrintableString and UTF8String, for example), and clients compare the bytes", textOnly)
	}
	return evidence, true
}

// auditAdvice starts the fix of the finding that recordAcceptedOutsideCAList
// makes, and the remedy for a server that trusts a CA it does not announce
// follows it. settleCAListVerdict replaces it with the audit's verdict.
const auditAdvice = "Run mtlsdoctor probe --audit, which also sends a certificate from a throwaway CA that no server trusts. " +
	"If the server accepts that one too, it does not verify client certificates, and untrusted-cert-accepted says how to make it. " +
	"If it rejects it, "

// recordAcceptedOutsideCAList records the server's 2xx response to a
// client certificate whose issuers are not on its acceptable CA list. The
// client-ca-not-accepted finding moves from the CertificateRequest check
// to this verdict, because the advice to add the CA to the list is wrong
// for a server that took the certificate all the same. Without the audit's
// throwaway CA the response cannot tell a server that does not verify
// client certificates from one that trusts CAs it does not announce, so
// the finding stays a warning.
func (p *prober) recordAcceptedOutsideCAList(status int) {
	requested := p.stages[checkCertRequested]
	requested.findings = slices.DeleteFunc(slices.Clone(requested.findings), func(f report.Finding) bool {
		return f.Code == report.CodeClientCANotAccept
	})
	p.stages[checkCertRequested] = requested

	evidence, _ := p.caListMismatch()
	remedy := "announce the CA that issued the client chain. Put it in nginx ssl_client_certificate, not only ssl_trusted_certificate, " +
		"or in openssl s_server -CAfile, not only -verifyCAfile."
	if last := p.opts.ClientChain[len(p.opts.ClientChain)-1]; !bytes.Equal(last.RawSubject, last.RawIssuer) {
		remedy = fmt.Sprintf("send the intermediate %q after the client certificate if a CA on the list issued it, and otherwise %s", last.Issuer.String(), remedy)
	}
	f := report.Newf(report.CodeClientCANotAccept, summaryOutsideCAList,
		"%s, and none of them is on the list, yet the server responded with HTTP %d to the client certificate %s. "+
			"So the server either does not verify client certificates "+
			"(openssl s_server -Verify without -verify_return_error, nginx ssl_verify_client optional_no_ca without a check of $ssl_client_verify, Node rejectUnauthorized: false), "+
			"or it verifies them against CAs it does not announce (nginx ssl_trusted_certificate, openssl s_server -verifyCAfile). "+
			"Clients that choose their certificate by the list, Go's crypto/tls among them, send this server no certificate",
		evidence, status, p.clientLeafName()).
		WithSeverity(report.SeverityWarning).
		WithFix(auditAdvice + remedy)
	p.record(checkCertAccepted, "", "", f)
}

// settleCAListVerdict completes the finding of recordAcceptedOutsideCAList
// in rep with the verdict of the audit's throwaway CA. An acceptance
// proves that the server does not verify client certificates, and a
// rejection that it trusts a CA it does not announce. Any other outcome
// leaves the finding as it is.
func settleCAListVerdict(rep *report.Report, unknownCA auditResult) {
	i := slices.IndexFunc(rep.Findings, func(f report.Finding) bool {
		return f.Code == report.CodeClientCANotAccept && f.Summary == summaryOutsideCAList
	})
	if i < 0 {
		return
	}
	f := &rep.Findings[i]
	remedy, ok := strings.CutPrefix(f.Fix, auditAdvice)
	if !ok {
		return
	}
	switch {
	case slices.ContainsFunc(unknownCA.findings, func(f report.Finding) bool { return f.Code == report.CodeUntrustedAccepted }):
		f.Detail += ". The audit settled it: the server also accepted a certificate from the throwaway CA, so it does not verify client certificates"
		f.Fix = "Make the server verify client certificates first, as untrusted-cert-accepted says. Then " + remedy
	case unknownCA.status == report.StatusPass:
		f.Detail += ". The audit settled it: the server rejected a certificate from the throwaway CA, so it verifies client certificates against a CA it does not announce"
		f.Fix = strings.ToUpper(remedy[:1]) + remedy[1:]
	}
}
