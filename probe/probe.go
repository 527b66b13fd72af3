// Package probe connects to a webhook URL the way Dialogflow does. It
// presents an optional client certificate, watches the TLS handshake, sends
// a realistic WebhookRequest and reads the response. Reading the response
// catches a rejection that TLS 1.3 delivers only after the handshake. Every failure
// becomes a finding with its evidence and fix.
package probe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/mtlsdoctor/mtlsdoctor/internal/hostname"
	"github.com/mtlsdoctor/mtlsdoctor/report"
)

// Edition selects the request body that Run sends.
type Edition string

// The editions Run can imitate.
const (
	// EditionES sends a Dialogflow ES v2 WebhookRequest as a POST.
	EditionES Edition = "es"
	// EditionCX sends a Dialogflow CX v3 WebhookRequest as a POST.
	EditionCX Edition = "cx"
	// EditionNone sends a plain GET and does not validate the body, for
	// servers that only test TLS, such as openssl s_server -www.
	EditionNone Edition = "none"
)

// ParseEdition validates an --edition value.
func ParseEdition(s string) (Edition, error) {
	switch Edition(s) {
	case EditionES, EditionCX, EditionNone:
		return Edition(s), nil
	}
	return "", fmt.Errorf("invalid --edition %q: use es, cx or none", s)
}

// Defaults that Run applies to zero fields of Options.
const (
	// DefaultTimeout bounds DNS, connect and the TLS handshake together.
	DefaultTimeout = 5 * time.Second
	// DefaultDeadline is Dialogflow's default webhook deadline. CX lets
	// agents raise it to 30 s.
	DefaultDeadline = 5 * time.Second
	// DefaultProject is the Google Cloud project in the session name of
	// the requests Run sends.
	DefaultProject = "mtlsdoctor-probe"
	// MaxResponseBytes is the largest webhook response body Dialogflow
	// accepts (64 KiB).
	MaxResponseBytes = 64 << 10
)

// Options configure Run.
type Options struct {
	// URL is the webhook to probe; it must be an https:// URL.
	URL string
	// Certificate is the client certificate to present when the server
	// requests one; nil sends none.
	Certificate *tls.Certificate
	// ClientChain is the parsed client chain, leaf first. Run compares it
	// with the CA names the server accepts and checks the leaf's validity
	// before dialling. When empty, Run parses Certificate instead.
	ClientChain []*x509.Certificate
	// CertFile and KeyFile name the client certificate chain and key
	// files, used when Certificate is nil. Run reads and checks them
	// before dialling; a file it cannot use becomes a finding, and the
	// probe then dials without a client certificate.
	CertFile string
	KeyFile  string
	// Roots verify the server's chain; nil means the system roots.
	Roots *x509.CertPool
	// RootCerts lists the certificates in Roots when the caller has them,
	// so that a trusted CA with the server's issuer name but another key
	// can be named.
	RootCerts []*x509.Certificate
	// ServerName overrides the URL's host for SNI, the name check and the
	// HTTP Host header. An internationalized name, here or in the URL, is
	// sent and checked in its A-label form (hostname.ToASCII).
	ServerName string
	// Edition selects the request body; empty means EditionES.
	Edition Edition
	// Project is the Google Cloud project in the session name; empty means
	// DefaultProject.
	Project string
	// Timeout bounds DNS, connect and TLS handshake together, and on its
	// own each of the AIA and OCSP lookups; zero means DefaultTimeout.
	Timeout time.Duration
	// Deadline is the time the webhook has to respond, counted from the
	// start of the TCP connection to the last byte of the response. The
	// count includes the TLS handshake, which makes it stricter than the
	// platform may be on a reused connection. Run stops waiting when it
	// passes. Zero means DefaultDeadline.
	Deadline time.Duration
	// Now is the time certificates are checked at; zero means time.Now().
	Now time.Time
	// Resolver looks up the URL's host; nil means net.DefaultResolver.
	Resolver *net.Resolver
	// AIA fetches the intermediates the server did not send through
	// their caIssuers URLs; the incomplete-chain finding then names them.
	// The downloads run after the webhook's exchange, within Timeout.
	AIA bool
	// OCSP checks the server leaf's revocation status: the response the
	// server stapled, or else the leaf's OCSP responder, asked after the
	// webhook's exchange within Timeout.
	OCSP bool
	// HTTPClient makes the AIA and OCSP requests; nil means a client
	// with Timeout.
	HTTPClient *http.Client

	// MinVersion and MaxVersion limit the TLS versions the client offers,
	// as tls.VersionTLS10 to tls.VersionTLS13. Zero means TLS 1.2 and
	// TLS 1.3, the versions the platform uses. Audit pins each version in
	// turn.
	MinVersion uint16
	MaxVersion uint16

	// Session is the session ID in the request's session name, or a whole
	// session name that starts with "projects/". Empty means a random ID.
	Session string
	// Text is the end user's query: ES queryResult.queryText and CX text.
	// Empty means "mtlsdoctor probe".
	Text string
	// Tag is the CX fulfillmentInfo.tag. Empty means "mtlsdoctor-probe".
	Tag string
	// Parameters go into ES queryResult.parameters and CX
	// sessionInfo.parameters.
	Parameters map[string]any
	// Header holds extra request headers, such as Authorization. They
	// replace the probe's own headers of the same name. Validate rejects
	// the headers that frame the message, such as Host and Content-Length.
	Header http.Header
}

// Validate checks opts for values Run cannot use. The error names the
// option and the fix, so the CLI can print it and exit with status 2.
func (opts Options) Validate() error {
	if _, _, err := parseTarget(opts.URL); err != nil {
		return err
	}
	if _, err := hostname.ToASCII(opts.ServerName); err != nil {
		return fmt.Errorf("invalid --server-name %q: IDNA rejects it (%v), so use a host name such as webhook.example.com or bücher.example", opts.ServerName, err)
	}
	if opts.Edition != "" {
		if _, err := ParseEdition(string(opts.Edition)); err != nil {
			return err
		}
	}
	if opts.Timeout < 0 {
		return fmt.Errorf("invalid --timeout %s: use a positive duration such as 5s", opts.Timeout)
	}
	if opts.Deadline < 0 {
		return fmt.Errorf("invalid --deadline %s: use a positive duration such as 5s", opts.Deadline)
	}
	if err := opts.validateVersions(); err != nil {
		return err
	}
	return opts.validateRequest()
}

// parseTarget splits an https URL into the parsed URL and the host:port to
// dial, with port 443 when the URL names none. An internationalized host
// name is converted to its A-label form in both, because DNS and SNI
// carry that form.
func parseTarget(raw string) (*url.URL, string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, "", fmt.Errorf("invalid webhook URL %q: %v", RedactURL(raw), errors.Unwrap(err))
	}
	if u.Scheme != "https" {
		return nil, "", fmt.Errorf("invalid webhook URL %q: expected an https:// URL, because the platform calls webhooks only over TLS", RedactURL(raw))
	}
	if u.Hostname() == "" {
		return nil, "", fmt.Errorf("invalid webhook URL %q: the host is missing", RedactURL(raw))
	}
	host, err := hostname.ToASCII(u.Hostname())
	if err != nil {
		return nil, "", fmt.Errorf("invalid webhook URL %q: IDNA rejects the host %q: %v", RedactURL(raw), u.Hostname(), err)
	}
	port := u.Port()
	if host != u.Hostname() {
		u.Host = host
		if port != "" {
			u.Host = net.JoinHostPort(host, port)
		}
	}
	if port == "" {
		port = "443"
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return nil, "", fmt.Errorf("invalid webhook URL %q: port %s is not from 1 to 65535", RedactURL(raw), port)
	}
	return u, net.JoinHostPort(host, port), nil
}

func (opts Options) withDefaults() Options {
	if opts.Edition == "" {
		opts.Edition = EditionES
	}
	if opts.Project == "" {
		opts.Project = DefaultProject
	}
	if opts.Timeout == 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.Deadline == 0 {
		opts.Deadline = DefaultDeadline
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	if opts.Resolver == nil {
		opts.Resolver = net.DefaultResolver
	}
	if len(opts.ClientChain) == 0 && opts.Certificate != nil {
		opts.ClientChain = parseChain(opts.Certificate)
	}
	return opts
}

// parseChain parses the DER certificates of cert, skipping any that do not
// parse: the handshake sends them as they are either way.
func parseChain(cert *tls.Certificate) []*x509.Certificate {
	var chain []*x509.Certificate
	for i, der := range cert.Certificate {
		if i == 0 && cert.Leaf != nil {
			chain = append(chain, cert.Leaf)
			continue
		}
		if c, err := x509.ParseCertificate(der); err == nil {
			chain = append(chain, c)
		}
	}
	return chain
}

// Run probes opts.URL and returns the finished report, in which the URL's
// password and secret query values are redacted (RedactURL). DNS, connect and
// handshake share Timeout, and the response must arrive within Deadline of
// the start of the TCP connection. The AIA downloads and the OCSP request
// follow once the connection is closed, each bounded by Timeout, so Run
// returns within about Timeout plus Deadline plus Timeout for each lookup,
// or earlier when ctx is done. Run is safe to call from several goroutines
// at once.
func Run(ctx context.Context, opts Options) *report.Report {
	rep := &report.Report{Target: RedactURL(opts.URL), Kind: "probe"}
	if err := opts.Validate(); err != nil {
		rep.AddCheck(checkURL, report.StatusFail, err.Error())
		rep.Notes = append(rep.Notes, "the probe did not start: "+err.Error())
		return rep.Finish()
	}
	rep, _ = runValid(ctx, opts)
	return rep
}

// runValid runs a probe with options that passed Validate and returns its
// report and the prober, for callers that read what the prober observed.
func runValid(ctx context.Context, opts Options) (*report.Report, *prober) {
	rep := &report.Report{Target: RedactURL(opts.URL), Kind: "probe"}
	p := newProber(opts.withDefaults(), rep)
	p.run(ctx)
	rep = p.finish()
	redactURLSecrets(rep, opts.URL)
	return rep, p
}
