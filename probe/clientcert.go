package probe

import (
	"bytes"
	"crypto/x509"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/mtlsdoctor/mtlsdoctor/report"
)

// preflightClientCert checks the client leaf before dialling, so that a
// rejection can be explained by what is wrong with the certificate itself.
// Trust is not checked here, because the client CAs are configured on the
// server only.
func (p *prober) preflightClientCert() {
	if p.opts.Certificate == nil || len(p.opts.ClientChain) == 0 {
		return
	}
	leaf := p.opts.ClientChain[0]
	at := p.opts.Now
	var findings []report.Finding

	switch {
	case at.After(leaf.NotAfter):
		findings = append(findings, report.Newf(report.CodeExpired,
			fmt.Sprintf("the client certificate %s expired on %s", leaf.Subject, leaf.NotAfter.UTC().Format(time.DateOnly)),
			"valid from %s until %s; checked at %s", leaf.NotBefore.UTC().Format(time.RFC3339),
			leaf.NotAfter.UTC().Format(time.RFC3339), at.UTC().Format(time.RFC3339)).
			WithFix("Issue a new client certificate (mtlsdoctor gen) and probe with it."))
	case at.Before(leaf.NotBefore):
		findings = append(findings, report.Newf(report.CodeNotYetValid,
			fmt.Sprintf("the client certificate %s is valid only from %s", leaf.Subject, leaf.NotBefore.UTC().Format(time.RFC3339)),
			"valid from %s until %s; checked at %s", leaf.NotBefore.UTC().Format(time.RFC3339),
			leaf.NotAfter.UTC().Format(time.RFC3339), at.UTC().Format(time.RFC3339)))
	}
	if !allowsClientAuth(leaf) {
		findings = append(findings, report.Newf(report.CodeWrongUsageClient, "",
			"the client certificate %s has extended key usages that exclude clientAuth, so servers that check usage reject it", leaf.Subject))
	}

	detail := fmt.Sprintf("%s, issued by %s, valid until %s", leaf.Subject, leaf.Issuer, leaf.NotAfter.UTC().Format(time.DateOnly))
	p.record(checkClientCert, "", detail, findings...)
}

// allowsClientAuth reports whether leaf may be used for TLS client
// authentication. A certificate without the extension allows every usage
// (RFC 5280, section 4.2.1.12).
func allowsClientAuth(leaf *x509.Certificate) bool {
	if len(leaf.ExtKeyUsage) == 0 && len(leaf.UnknownExtKeyUsage) == 0 {
		return true
	}
	return slices.Contains(leaf.ExtKeyUsage, x509.ExtKeyUsageClientAuth) ||
		slices.Contains(leaf.ExtKeyUsage, x509.ExtKeyUsageAny)
}

// compareAcceptableCAs warns when the server named acceptable CAs and none
// of them issued a certificate of the client chain. Clients that hold
// several certificates choose one by this list, and servers usually list
// exactly the CAs they verify against.
func (p *prober) compareAcceptableCAs() []report.Finding {
	if !p.obs.certSent || len(p.obs.acceptableCAs) == 0 || len(p.opts.ClientChain) == 0 {
		return nil
	}
	for _, ca := range p.obs.acceptableCAs {
		for _, c := range p.opts.ClientChain {
			if bytes.Equal(ca, c.RawIssuer) || bytes.Equal(ca, c.RawSubject) {
				return nil
			}
			// Compare the text too: two encodings of one name (PrintableString
			// and UTF8String) differ in DER but print the same.
			if name := distinguishedName(ca); name == c.Issuer.String() || name == c.Subject.String() {
				return nil
			}
		}
	}

	var issuers []string
	for _, c := range p.opts.ClientChain {
		issuers = append(issuers, c.Issuer.String())
	}
	return []report.Finding{report.Newf(report.CodeClientCANotAccept,
		"the server's acceptable CA list does not name the client certificate's issuer",
		"the client chain is issued by %s; the server accepts %s",
		strings.Join(issuers, " and "), strings.Join(acceptableCANames(p.obs.acceptableCAs), "; ")).
		WithSeverity(report.SeverityWarning)}
}

// certVerdict builds the finding for a server that ended the connection
// after it requested a client certificate. evidence describes what the server
// did, such as "the server sent alert 116 (certificate required) after the
// TLS 1.3 handshake".
func (p *prober) certVerdict(evidence string, alert int) report.Finding {
	if !p.obs.certSent {
		return report.Newf(report.CodeClientCertRequired, "", "%s; no client certificate was sent", evidence)
	}
	leaf := p.clientLeafName()
	f := report.Newf(report.CodeClientCertRejected, "", "%s; the client certificate %s was sent", evidence, leaf)
	if len(p.opts.ClientChain) == 0 {
		return f
	}
	issuer := p.opts.ClientChain[len(p.opts.ClientChain)-1].Issuer.String()
	switch alert {
	case alertUnknownCA:
		return f.WithFix(fmt.Sprintf("The server does not trust %s: add that CA to the server's client CA list "+
			"(nginx ssl_client_certificate, openssl s_server -CAfile, Node ca), or send a certificate issued by a CA in it.", issuer))
	case alertCertificateExpired:
		return f.WithFix("The server considers the client certificate or its CA expired: renew it, and check the clock of both machines.")
	case alertCertificateRevoked:
		return f.WithFix("The server considers the client certificate revoked: issue a new one.")
	case alertDecryptError:
		return f.WithFix("The server could not verify the client's signature: check that the client key belongs to the certificate.")
	}
	return f
}

func (p *prober) clientLeafName() string {
	if len(p.opts.ClientChain) == 0 {
		return "(unparsed)"
	}
	leaf := p.opts.ClientChain[0]
	return fmt.Sprintf("%s (issued by %s)", leaf.Subject, leaf.Issuer)
}

// nginx with ssl_verify_client on completes the handshake whatever the
// client sends and responds with HTTP 400 and one of these texts in its
// built-in error page (checked with nginx 1.22).
var (
	nginxNoCertPage  = []byte("No required SSL certificate was sent")
	nginxBadCertPage = []byte("The SSL certificate error")
)

// nginxCertFinding recognizes nginx's error pages for a missing or failed
// client certificate.
func (p *prober) nginxCertFinding(resp *http.Response, body []byte) (report.Finding, bool) {
	if resp.StatusCode != http.StatusBadRequest {
		return report.Finding{}, false
	}
	switch {
	case bytes.Contains(body, nginxNoCertPage):
		evidence := fmt.Sprintf("the server completed the %s handshake and responded with HTTP 400 %q, nginx's page for ssl_verify_client on without a client certificate",
			p.versionName(), nginxNoCertPage)
		if p.obs.certSent {
			return report.Newf(report.CodeClientCertRejected, "", "%s, although the client certificate %s was sent", evidence, p.clientLeafName()), true
		}
		return report.Newf(report.CodeClientCertRequired, "", "%s; no client certificate was sent", evidence), true
	case bytes.Contains(body, nginxBadCertPage):
		f := report.Newf(report.CodeClientCertRejected, "",
			"the server completed the %s handshake and responded with HTTP 400 %q, nginx's page for a client certificate that failed verification; the client certificate %s was sent",
			p.versionName(), nginxBadCertPage, p.clientLeafName())
		return f.WithFix("Look in the nginx error log for \"client SSL certificate verify error\", which gives the reason; " +
			"then add the client's CA to ssl_client_certificate, or raise ssl_verify_depth if the chain is longer."), true
	}
	return report.Finding{}, false
}

// judgeClientCert records the server's verdict on the client certificate
// once it has sent an HTTP response. A TLS 1.3 server gives that verdict
// only after the client's handshake has completed, so an HTTP response is
// the first sure sign of acceptance.
func (p *prober) judgeClientCert(resp *http.Response, body []byte) (nginxPage bool) {
	if f, ok := p.nginxCertFinding(resp, body); ok {
		p.record(checkCertAccepted, "", "", f)
		return true
	}
	if !p.obs.certRequested {
		p.record(checkCertAccepted, report.StatusSkip, "the server did not request a client certificate")
		return false
	}
	if p.obs.certSent {
		p.record(checkCertAccepted, report.StatusPass,
			fmt.Sprintf("the server responded with HTTP %d after the client certificate %s was sent", resp.StatusCode, p.clientLeafName()))
		return false
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		p.record(checkCertAccepted, "", "", report.Newf(report.CodeUnauthAccepted, "",
			"the server requested a client certificate, none was sent, and it responded with HTTP %d, so it treats the certificate as optional", resp.StatusCode))
		return false
	}
	p.record(checkCertAccepted, report.StatusInfo,
		fmt.Sprintf("no client certificate was sent; the server completed the handshake anyway and responded with HTTP %d", resp.StatusCode))
	return false
}
