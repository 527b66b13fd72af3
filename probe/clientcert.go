package probe

import (
	"bytes"
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/mtlsdoctor/mtlsdoctor/chain"
	"github.com/mtlsdoctor/mtlsdoctor/report"
)

// preflightClientCert checks the client certificate and key before
// dialling, so that a local fault is named even when the network fails
// later: the files can be read, the key matches the leaf, and the chain is
// fit for client authentication (chain.CheckPresented). A certificate that
// cannot be used at all is withheld, and the probe dials without one to
// show what the server does next.
func (p *prober) preflightClientCert() {
	var fileFindings []report.Finding
	if p.opts.Certificate == nil && p.opts.CertFile != "" {
		cert, findings := loadClientFiles(p.opts.CertFile, p.opts.KeyFile)
		if cert == nil {
			p.withhold("", findings...)
			return
		}
		p.opts.Certificate = cert
		p.opts.ClientChain = parseChain(cert)
		fileFindings = findings
	}
	if p.opts.Certificate == nil || len(p.opts.ClientChain) == 0 {
		return
	}
	certs := p.opts.ClientChain
	leaf := certs[0]

	if f, ok := keyMismatch(p.opts.Certificate, certs, "the client key"); ok {
		p.withhold(describeClientCert(leaf), append(fileFindings, f)...)
		return
	}
	findings := append(fileFindings, chain.CheckPresented(certs, chain.UsageClient, p.opts.Now)...)
	p.record(checkClientCert, "", describeClientCert(leaf), findings...)
}

// withhold records findings that make the client certificate unusable and
// stops the probe from sending it.
func (p *prober) withhold(detail string, findings ...report.Finding) {
	for _, f := range findings {
		if f.Severity == report.SeverityError {
			p.withheld = f.Code
			break
		}
	}
	p.opts.Certificate = nil
	if detail != "" {
		detail += "; "
	}
	detail += "the probe sends no client certificate, because this one cannot be used"
	p.record(checkClientCert, report.StatusFail, detail, findings...)
}

func describeClientCert(leaf *x509.Certificate) string {
	return fmt.Sprintf("%s, issued by %s, valid until %s", leaf.Subject, leaf.Issuer, leaf.NotAfter.UTC().Format(time.DateOnly))
}

// loadClientFiles reads the client chain from certPath and its key from
// keyPath, or from certPath when keyPath is empty, since some tools write
// both into one file. It returns nil and the findings when the files
// cannot be used. A chain with damaged blocks is still used when some of
// its certificates parse, with a warning.
func loadClientFiles(certPath, keyPath string) (*tls.Certificate, []report.Finding) {
	certs, err := chain.ReadCertificatesFile(certPath, "client certificate")
	if len(certs) == 0 {
		return nil, []report.Finding{fileFinding(err)}
	}
	var findings []report.Finding
	if err != nil {
		findings = append(findings, fileFinding(err).WithSeverity(report.SeverityWarning))
	}

	if keyPath == "" {
		keyPath = certPath
	}
	key, err := chain.ReadKeyFile(keyPath, "client key")
	if err != nil {
		return nil, append(findings, fileFinding(err))
	}

	cert := &tls.Certificate{PrivateKey: key, Leaf: certs[0]}
	for _, c := range certs {
		cert.Certificate = append(cert.Certificate, c.Raw)
	}
	if f, ok := keyMismatch(cert, certs, fmt.Sprintf("the key in %q", keyPath)); ok {
		f.Detail = fmt.Sprintf("read client certificate %q: %s", certPath, f.Detail)
		return nil, append(findings, f)
	}
	return cert, findings
}

// fileFinding converts an error of the chain package's file readers into
// a finding; other errors become unreadable-file.
func fileFinding(err error) report.Finding {
	var fe *chain.FileError
	if errors.As(err, &fe) {
		return fe.Finding()
	}
	return report.New(report.CodeUnreadableFile, "", err.Error())
}

// keyMismatch checks that the private key of cert belongs to the first
// certificate of certs. When another certificate of the chain matches it,
// the finding names that certificate, because blocks in the wrong order
// are a common mistake. key names the key in messages.
func keyMismatch(cert *tls.Certificate, certs []*x509.Certificate, key string) (report.Finding, bool) {
	signer, ok := cert.PrivateKey.(crypto.Signer)
	if !ok || chain.KeyMatches(certs[0], signer) {
		return report.Finding{}, false
	}
	detail := fmt.Sprintf("%s (%s) does not belong to the first certificate, %s (%s)",
		key, chain.KeyDescription(signer.Public()), certs[0].Subject, chain.KeyDescription(certs[0].PublicKey))
	fix := "Use the key that was generated with the client certificate, or the certificate issued for this key; compare them with mtlsdoctor inspect."
	for i, c := range certs[1:] {
		if chain.KeyMatches(c, signer) {
			detail += fmt.Sprintf("; it belongs to certificate %d of the chain, %s, so the blocks are out of order", i+2, c.Subject)
			fix = "Put the certificate that matches the key first in the file, followed by its intermediates."
			break
		}
	}
	return report.New(report.CodeKeyMismatch, "", detail).WithFix(fix), true
}

// certVerdict builds the finding for a server that ended the connection
// after it requested a client certificate. evidence describes what the server
// did, such as "the server sent alert 116 (certificate required) after the
// TLS 1.3 handshake".
func (p *prober) certVerdict(evidence string, alert int) report.Finding {
	if !p.obs.certSent {
		return p.missingCertFinding(evidence)
	}
	leaf := p.clientLeafName()
	f := report.Newf(report.CodeClientCertRejected, "", "%s; the client certificate %s was sent", evidence, leaf)
	if len(p.opts.ClientChain) == 0 {
		return f
	}
	if faults := p.clientCertFaults(); len(faults) > 0 {
		return f.WithFix(fmt.Sprintf("The client certificate failed the check before dialling (%s): fix that first, then probe again.", strings.Join(faults, ", ")))
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

// missingCertFinding builds client-cert-required for a server that
// wanted a client certificate and got none.
func (p *prober) missingCertFinding(evidence string) report.Finding {
	f := report.Newf(report.CodeClientCertRequired, "", "%s; no client certificate was sent", evidence)
	if p.withheld != "" {
		f.Detail += fmt.Sprintf(", because the configured one failed the check before dialling (%s)", p.withheld)
		f = f.WithFix("Fix the client certificate first (see the " + string(p.withheld) + " finding); the server requires one.")
	}
	return f
}

// clientCertFaults returns the codes of the error and warning findings of
// the preflight check, which explain a rejection better than the server's
// alert can.
func (p *prober) clientCertFaults() []string {
	var codes []string
	for _, f := range p.stages[checkClientCert].findings {
		// Warnings count too: a weak key or a self-signed leaf is a
		// warning, yet servers reject certificates for them.
		if f.Severity != report.SeverityInfo && !slices.Contains(codes, string(f.Code)) {
			codes = append(codes, string(f.Code))
		}
	}
	return codes
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
		return p.missingCertFinding(evidence), true
	case bytes.Contains(body, nginxBadCertPage):
		return p.nginxBadCertFinding(), true
	}
	return report.Finding{}, false
}

// nginxBadCertFinding explains nginx's page for a client certificate that
// failed verification. nginx's ssl_verify_depth defaults to 1, and OpenSSL
// counts the depth in intermediates, so depth 1 allows the leaf, one
// intermediate and the trusted CA (checked with nginx 1.22 and OpenSSL
// 3.0). A chain with two intermediates fails there although its root is
// trusted.
func (p *prober) nginxBadCertFinding() report.Finding {
	detail := fmt.Sprintf("the server completed the %s handshake and responded with HTTP 400 %q, nginx's page for a client certificate that failed verification; the client certificate %s was sent",
		p.versionName(), nginxBadCertPage, p.clientLeafName())
	fix := "Look in the nginx error log for \"client SSL certificate verify error\", which gives the reason; " +
		"then add the client's CA to ssl_client_certificate, or raise ssl_verify_depth if the chain is longer."
	if faults := p.clientCertFaults(); len(faults) > 0 {
		fix = fmt.Sprintf("The client certificate failed the check before dialling (%s): fix that first. ", strings.Join(faults, ", ")) + fix
	} else if n := countIntermediates(p.opts.ClientChain); n > 1 {
		detail += fmt.Sprintf("; the client sent %d intermediates, and nginx's default ssl_verify_depth 1 allows only one between the leaf and the trusted CA", n)
		fix = fmt.Sprintf("Set ssl_verify_depth %d or more, and check the nginx error log for \"client SSL certificate verify error\".", n)
	}
	return report.New(report.CodeClientCertRejected, "", detail).WithFix(fix)
}

// countIntermediates counts the CAs after the leaf of chain that are not
// self-issued roots.
func countIntermediates(chain []*x509.Certificate) int {
	n := 0
	for _, c := range chain[min(1, len(chain)):] {
		if c.IsCA && !bytes.Equal(c.RawSubject, c.RawIssuer) {
			n++
		}
	}
	return n
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
		if p.outsideCAList && resp.StatusCode >= 200 && resp.StatusCode < 300 {
			p.recordAcceptedOutsideCAList(resp.StatusCode)
			return false
		}
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
