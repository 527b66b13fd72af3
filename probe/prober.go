package probe

import (
	"context"
	"errors"
	"net/url"

	"github.com/mtlsdoctor/mtlsdoctor/chain"
	"github.com/mtlsdoctor/mtlsdoctor/internal/hostname"
	"github.com/mtlsdoctor/mtlsdoctor/report"
)

// The names of the checks Run records, in the order reports list them.
const (
	checkURL           = "url"
	checkClientCert    = "client certificate"
	checkDNS           = "dns"
	checkConnect       = "connect"
	checkHandshake     = "tls handshake"
	checkServerCert    = "server certificate"
	checkCertRequested = "client certificate requested"
	checkCertAccepted  = "client certificate accepted"
	checkHTTP          = "http request"
	checkWebhook       = "webhook response"
	checkDeadline      = "deadline"
)

var checkOrder = []string{
	checkClientCert, checkDNS, checkConnect, checkHandshake, checkServerCert, checkIssuerDownload, checkRevocation,
	checkCertRequested, checkCertAccepted, checkHTTP, checkWebhook, checkDeadline,
}

// stageResult is the outcome of one check before it goes into the report.
type stageResult struct {
	status   report.Status // empty: derived from the findings
	detail   string
	findings []report.Finding
}

// prober carries the state of one Run. The stages record their checks out
// of order, because the verdict on the client certificate may come only
// with the HTTP response, and finish writes them in checkOrder.
type prober struct {
	opts       Options
	rep        *report.Report
	url        *url.URL
	address    string // host:port to dial
	serverName string // SNI and the name the server certificate must cover, in A-label form

	stages  map[string]stageResult
	times   timeline
	obs     observation
	head    *headRecorder
	tlsInfo *report.TLSInfo
	fetched []chain.AIAFetch // intermediates fetched through AIA
	http    *report.HTTPInfo

	// withheld names the preflight finding that kept the client
	// certificate from being sent, such as key-mismatch; empty otherwise.
	withheld report.Code
	// outsideCAList means that the server's CertificateRequest names CAs
	// and none of them issued a certificate of the client chain.
	outsideCAList bool
}

func newProber(opts Options, rep *report.Report) *prober {
	// Run validated the URL and the server name, and parseTarget returns
	// the URL with its host in A-label form.
	u, address, _ := parseTarget(opts.URL)
	serverName, _ := hostname.ToASCII(opts.ServerName)
	if serverName == "" {
		serverName = u.Hostname()
	}
	return &prober{
		opts:       opts,
		rep:        rep,
		url:        u,
		address:    address,
		serverName: serverName,
		stages:     map[string]stageResult{},
	}
}

// record stores the outcome of a check, replacing an earlier one.
func (p *prober) record(check string, status report.Status, detail string, findings ...report.Finding) {
	p.stages[check] = stageResult{status: status, detail: detail, findings: findings}
}

// run performs the stages in order and stops at the first one that leaves
// nothing to continue with. A server certificate that fails verification
// does not stop it, so the report also shows what the server does next.
// The timings end when the connection closes, before the lookups.
func (p *prober) run(ctx context.Context) {
	p.times.start = now()
	p.preflightClientCert()

	// DNS, connect and handshake share one Timeout.
	dialCtx, cancel := context.WithTimeout(ctx, p.opts.Timeout)
	defer cancel()

	addrs, ok := p.resolve(dialCtx)
	if !ok {
		return
	}
	conn, ok := p.connect(dialCtx, addrs)
	if !ok {
		return
	}

	tlsConn, handshakeErr := p.handshake(dialCtx, conn)
	p.checkCertificateRequest(handshakeErr == nil)
	if handshakeErr != nil {
		p.recordHandshakeFailure(ctx, handshakeErr)
	} else {
		p.exchange(ctx, tlsConn)
	}
	conn.Close()
	p.times.done = now()

	// The server certificate is checked after the connection is closed,
	// because its AIA and OCSP lookups may take up to Timeout each. Run
	// before the request, they would count against the webhook's deadline
	// and keep the connection idle.
	p.checkServerCertificate(ctx)
	p.checkRevocation(ctx)
}

// finish writes the recorded checks and the connection facts into the
// report and finishes it.
func (p *prober) finish() *report.Report {
	for _, name := range checkOrder {
		if st, ok := p.stages[name]; ok {
			p.rep.AddCheck(name, st.status, st.detail, st.findings...)
		}
	}
	p.rep.TLS = p.tlsInfo
	p.rep.HTTP = p.http
	if p.times.done.IsZero() {
		p.times.done = now()
	}
	p.rep.Timings = p.times.report()
	return p.rep.Finish()
}

// canceled reports whether the caller canceled ctx, as opposed to a
// timeout, and notes it in the report.
func (p *prober) canceled(ctx context.Context, check string) bool {
	if !errors.Is(ctx.Err(), context.Canceled) {
		return false
	}
	p.record(check, report.StatusSkip, "the probe was canceled")
	p.rep.Notes = append(p.rep.Notes, "the probe was canceled during the "+check+" step, so the report is incomplete")
	return true
}
