package probe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"

	"github.com/mtlsdoctor/mtlsdoctor/fixtures"
	"github.com/mtlsdoctor/mtlsdoctor/report"
)

// The names of the checks that Audit adds to the report of the main
// probe. The TLS version checks are named by auditVersionCheck.
const (
	checkAuditNoCert    = "audit: no client certificate"
	checkAuditUnknownCA = "audit: unknown CA"
	checkAuditProject   = "audit: other project"
)

// auditVersions are the TLS versions Audit tries one at a time.
var auditVersions = []uint16{tls.VersionTLS10, tls.VersionTLS11, tls.VersionTLS12, tls.VersionTLS13}

func auditVersionCheck(version uint16) string {
	return "audit: " + tls.VersionName(version)
}

// auditConcurrency is the number of probes one Audit runs at a time, so a
// webhook gets at most this many concurrent connections from one Audit.
const auditConcurrency = 4

// throwawayCAName is the subject CN of the CA that Audit creates for the
// unknown-CA probe. No server can trust it, because its key exists only
// in the memory of one Audit call.
const throwawayCAName = "mtlsdoctor audit throwaway CA"

// otherProject is the project of the request that must be rejected.
const otherProject = "mtlsdoctor-audit-other-project"

// auditProbe is one extra probe of an audit: the options to run with and
// the judge that turns its report into a check of the main report.
type auditProbe struct {
	check string
	opts  Options
	// reuseMain means the main probe already is this probe, so it is not
	// run again and the judge gets the main report.
	reuseMain bool
	// run runs the probe; nil means runBounded.
	run   func(ctx context.Context, opts Options) *report.Report
	judge func(main, extra *report.Report) auditResult
}

// auditResult is the outcome of one audit check.
type auditResult struct {
	status   report.Status // empty: derived from the findings
	detail   string
	findings []report.Finding
	// seen are codes of findings that the main report already contains
	// for the same fact, listed by the check without adding them twice.
	seen []report.Code
}

// Audit runs the main probe of Run and, beside it, the probes that show
// whether the webhook rejects the callers it should. They are one without a
// client certificate, one with a certificate from a CA no server trusts, and
// one per TLS version from 1.0 to 1.3. When opts names a project, one more
// request names another project. It returns the main report with one "audit: ..." check per
// extra probe.
//
// A webhook that responds with 2xx to the request without a certificate gets
// unauthenticated-accepted, to the unknown CA untrusted-cert-accepted,
// and to the other project project-mismatch, all errors. Rejection counts
// whether it happens in the TLS handshake or as HTTP 400, 401 or 403.
// Accepting TLS 1.0 or 1.1 is a protocol-version warning, rejecting
// TLS 1.2 is a warning, and rejecting TLS 1.3 is an info finding.
//
// Audit runs at most auditConcurrency probes at a time, each bounded like
// Run, and is safe to call from several goroutines at once.
func Audit(ctx context.Context, opts Options) *report.Report {
	if err := opts.Validate(); err != nil {
		return Run(ctx, opts) // Run reports the invalid options
	}
	probes, skipped := auditProbes(opts)

	// Index 0 is the main probe; extra probes that reuse it are not run.
	reports := runPool(ctx, len(probes)+1, auditConcurrency, func(ctx context.Context, i int) *report.Report {
		if i > 0 && probes[i-1].reuseMain {
			return &report.Report{}
		}
		if i == 0 {
			return runBounded(ctx, opts)
		}
		if ap := probes[i-1]; ap.run != nil {
			return ap.run(ctx, ap.opts)
		}
		return runBounded(ctx, probes[i-1].opts)
	}, nil)

	main := reports[0]
	for i, ap := range probes {
		extra := reports[i+1]
		if ap.reuseMain {
			extra = main
		}
		result := ap.judge(main, extra)
		if ap.check == checkAuditUnknownCA {
			settleCAListVerdict(main, result)
		}
		addAuditCheck(main, ap.check, result)
	}
	for _, s := range skipped {
		main.AddCheck(s.check, report.StatusSkip, s.detail)
	}
	main.Kind = "audit"
	return main.Finish()
}

// skippedCheck is an audit check that could not run.
type skippedCheck struct {
	check  string
	detail string
}

// auditProbes returns the extra probes for opts and the checks that
// cannot run.
func auditProbes(opts Options) ([]auditProbe, []skippedCheck) {
	var probes []auditProbe
	var skipped []skippedCheck
	// The judges read only the handshake and the HTTP response of the
	// extra probes, and the main probe already made the AIA and OCSP
	// lookups for the same server certificate.
	opts.AIA, opts.OCSP = false, false

	noCert := opts
	noCert.Certificate, noCert.ClientChain = nil, nil
	probes = append(probes, auditProbe{
		check:     checkAuditNoCert,
		opts:      noCert,
		reuseMain: opts.Certificate == nil,
		judge:     judgeNoCert,
	})

	untrusted, err := throwawayClient(opts)
	if err != nil {
		skipped = append(skipped, skippedCheck{checkAuditUnknownCA, "could not create the throwaway client certificate: " + err.Error()})
	} else {
		probes = append(probes, auditProbe{check: checkAuditUnknownCA, opts: untrusted, judge: judgeUnknownCA})
	}

	for _, v := range auditVersions {
		pinned := opts
		pinned.MinVersion, pinned.MaxVersion = v, v
		vp := &versionProbe{version: v, alert: noAlert}
		probes = append(probes, auditProbe{check: auditVersionCheck(v), opts: pinned, run: vp.run, judge: vp.judge})
	}

	project := opts.effectiveProject()
	switch {
	case opts.Edition == EditionNone:
		skipped = append(skipped, skippedCheck{checkAuditProject,
			"--edition none sends no session name, so there is no project to change; use --edition es or cx"})
	case project == "":
		skipped = append(skipped, skippedCheck{checkAuditProject,
			"pass --project with your Google Cloud project to check that the webhook rejects requests for other projects"})
	default:
		probes = append(probes, auditProbe{
			check: checkAuditProject,
			opts:  withOtherProject(opts, project),
			judge: func(main, extra *report.Report) auditResult { return judgeProject(main, extra, project) },
		})
	}
	return probes, skipped
}

// throwawayClient returns opts with a client certificate from a new CA
// that no server trusts. The leaf copies the subject CN and organization
// of the real client certificate, so a server that checks only the
// subject, and not the chain, accepts it.
func throwawayClient(opts Options) (Options, error) {
	cn, org := "mtlsdoctor audit client", ""
	if chain := opts.withDefaults().ClientChain; len(chain) > 0 {
		cn = chain[0].Subject.CommonName
		if o := chain[0].Subject.Organization; len(o) > 0 {
			org = o[0]
		}
	}
	root, err := fixtures.NewRoot(fixtures.Spec{CommonName: throwawayCAName, Organization: "mtlsdoctor audit", Now: opts.Now})
	if err != nil {
		return opts, err
	}
	// NOTE: the throwaway key is ECDSA P-256 whatever the real key is. A
	// server that accepts only RSA client signatures rejects it for the key
	// type rather than the unknown CA, which still counts as a rejection.
	leaf, err := root.Issue(fixtures.Spec{
		CommonName:   cn,
		Organization: org,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		Now:          opts.Now,
	})
	if err != nil {
		return opts, err
	}
	cert := leaf.TLSCertificate()
	opts.Certificate = &cert
	opts.ClientChain = []*x509.Certificate{leaf.Cert}
	return opts, nil
}

// withOtherProject returns opts with the requests naming another project
// than project.
func withOtherProject(opts Options, project string) Options {
	other := otherProject
	if other == project {
		other += "-2"
	}
	opts.Project = other
	if fullSessionName(opts.Session) {
		opts.Session = withSessionProject(opts.Session, other)
	}
	return opts
}

// addAuditCheck records res as the check name of rep.
func addAuditCheck(rep *report.Report, name string, res auditResult) {
	rep.AddCheck(name, res.status, res.detail, res.findings...)
	if len(res.seen) > 0 {
		last := &rep.Checks[len(rep.Checks)-1]
		last.Codes = append(last.Codes, res.seen...)
		if res.status == "" {
			last.Status = report.StatusFail
		}
	}
}

// outcome is the webhook's verdict on one request.
type outcome int

const (
	outcomeUnknown      outcome = iota // no HTTP response and no sign of a rejection
	outcomeAccepted                    // a 2xx response
	outcomeRejectedTLS                 // the handshake or connection ended over the client certificate
	outcomeRejectedHTTP                // HTTP 400, 401 or 403
	outcomeOtherStatus                 // another HTTP status
)

// classifyOutcome returns the webhook's verdict on the request of rep,
// with the evidence for it.
func classifyOutcome(rep *report.Report) (outcome, string) {
	certFinding, certRejected := rep.Finding(report.CodeClientCertRequired)
	if !certRejected {
		certFinding, certRejected = rep.Finding(report.CodeClientCertRejected)
	}

	if rep.HTTP != nil && rep.HTTP.Status != 0 {
		status := fmt.Sprintf("HTTP %d %s", rep.HTTP.Status, http.StatusText(rep.HTTP.Status))
		switch code := rep.HTTP.Status; {
		case code >= 200 && code < 300:
			return outcomeAccepted, status
		case code == http.StatusBadRequest || code == http.StatusUnauthorized || code == http.StatusForbidden:
			if certRejected {
				status += " (" + certFinding.Summary + ")"
			}
			return outcomeRejectedHTTP, status
		}
		return outcomeOtherStatus, status
	}
	if certRejected {
		return outcomeRejectedTLS, certFinding.Detail
	}
	for _, f := range rep.Findings {
		if f.Severity == report.SeverityError {
			return outcomeUnknown, fmt.Sprintf("%s: %s", f.Code, f.Summary)
		}
	}
	return outcomeUnknown, "no HTTP response arrived"
}

// requested describes whether the server requested a client certificate
// in the probe of rep.
func requested(rep *report.Report) string {
	if rep.TLS != nil && rep.TLS.ClientCertRequested {
		return fmt.Sprintf("the server requested a client certificate and completed the %s handshake without one", rep.TLS.Version)
	}
	return "the server did not even request a client certificate"
}

func judgeNoCert(main, extra *report.Report) auditResult {
	result, evidence := classifyOutcome(extra)
	switch result {
	case outcomeAccepted:
		if extra == main && main.Has(report.CodeUnauthAccepted) {
			return auditResult{detail: "the main probe sent no client certificate and was accepted", seen: []report.Code{report.CodeUnauthAccepted}}
		}
		f := report.Newf(report.CodeUnauthAccepted, "",
			"a request without a client certificate got %s; %s", evidence, requested(extra)).
			WithFix("Require a verified client certificate: Node requestCert: true with rejectUnauthorized: true, " +
				"nginx ssl_verify_client on, Go tls.RequireAndVerifyClientCert; or answer 401 when the request has no verified certificate.")
		return auditResult{findings: []report.Finding{f}}
	case outcomeRejectedTLS:
		return auditResult{status: report.StatusPass, detail: "rejected in the TLS handshake: " + evidence}
	case outcomeRejectedHTTP:
		return auditResult{status: report.StatusPass, detail: "rejected with " + evidence}
	}
	return inconclusive(result, evidence, "a request without a client certificate")
}

func judgeUnknownCA(main, extra *report.Report) auditResult {
	result, evidence := classifyOutcome(extra)
	switch result {
	case outcomeAccepted:
		if extra.TLS != nil && !extra.TLS.ClientCertRequested {
			return auditResult{status: report.StatusSkip,
				detail: "the server did not request a client certificate, so the untrusted one was never sent; " + checkAuditNoCert + " covers this"}
		}
		f := report.Newf(report.CodeUntrustedAccepted, "",
			"a client certificate issued by %q, a CA created for this audit that no server trusts, got %s",
			throwawayCAName, evidence).
			WithFix("Verify client certificates against the platform's CA bundle and reject the rest: " +
				"Node rejectUnauthorized: true with ca set to the bundle, nginx ssl_verify_client on with ssl_client_certificate, " +
				"Go tls.RequireAndVerifyClientCert with ClientCAs.")
		return auditResult{findings: []report.Finding{f}}
	case outcomeRejectedTLS:
		return auditResult{status: report.StatusPass, detail: "rejected in the TLS handshake: " + evidence}
	case outcomeRejectedHTTP:
		return auditResult{status: report.StatusPass, detail: "rejected with " + evidence}
	}
	return inconclusive(result, evidence, "a request with a certificate from an unknown CA")
}

func judgeProject(main, extra *report.Report, project string) auditResult {
	if mainResult, _ := classifyOutcome(main); mainResult != outcomeAccepted {
		return auditResult{status: report.StatusSkip,
			detail: "the main probe was not accepted, so a rejection of another project would prove nothing"}
	}
	result, evidence := classifyOutcome(extra)
	switch result {
	case outcomeAccepted:
		f := report.Newf(report.CodeProjectMismatch, "",
			"a request whose session name names project %q, not %q, got %s", otherProjectOf(project), project, evidence)
		return auditResult{findings: []report.Finding{f}}
	case outcomeRejectedHTTP:
		return auditResult{status: report.StatusPass, detail: fmt.Sprintf("a request for project %q was rejected with %s", otherProjectOf(project), evidence)}
	}
	return inconclusive(result, evidence, "the request for another project")
}

func otherProjectOf(project string) string {
	return withOtherProject(Options{}, project).Project
}

// inconclusive records an outcome that is neither an acceptance nor a
// rejection.
func inconclusive(result outcome, evidence, request string) auditResult {
	if result == outcomeOtherStatus {
		return auditResult{status: report.StatusWarn,
			detail: fmt.Sprintf("%s got %s, which is neither a success nor a rejection (400, 401 or 403); compare with the main probe", request, evidence)}
	}
	return auditResult{status: report.StatusSkip, detail: "inconclusive, because " + request + " failed for another reason: " + evidence}
}

// judge judges the probe pinned to vp.version.
func (vp *versionProbe) judge(main, extra *report.Report) auditResult {
	version, name := vp.version, tls.VersionName(vp.version)
	accepted := extra.TLS != nil && extra.TLS.Version == name
	switch {
	case accepted && version < tls.VersionTLS12:
		f := report.Newf(report.CodeProtocolVersion, fmt.Sprintf("the server accepts %s", name),
			"a client limited to %s completed the handshake with %s; TLS 1.0 and 1.1 are deprecated (RFC 8996), and the platform does not need them",
			name, extra.TLS.CipherSuite).
			WithSeverity(report.SeverityWarning).
			WithFix("Disable TLS 1.0 and 1.1: nginx ssl_protocols TLSv1.2 TLSv1.3; Node minVersion: 'TLSv1.2'; Go tls.Config MinVersion: tls.VersionTLS12.")
		return auditResult{findings: []report.Finding{f}}
	case accepted:
		return auditResult{status: report.StatusPass, detail: "accepted with " + extra.TLS.CipherSuite}
	}

	evidence, rejected := vp.rejection(extra)
	switch {
	case !rejected:
		return auditResult{status: report.StatusSkip, detail: "inconclusive, because the probe failed for another reason: " + evidence}
	case version < tls.VersionTLS12:
		return auditResult{status: report.StatusPass, detail: "rejected: " + evidence}
	case version == tls.VersionTLS12:
		f := report.Newf(report.CodeProtocolVersion, "the server rejects TLS 1.2",
			"a client limited to TLS 1.2 could not connect: %s", evidence).
			WithSeverity(report.SeverityWarning).
			WithFix("Enable TLS 1.2 beside TLS 1.3, so that clients without TLS 1.3 can connect.")
		return auditResult{findings: []report.Finding{f}}
	}
	f := report.Newf(report.CodeProtocolVersion, "the server rejects TLS 1.3",
		"a client limited to TLS 1.3 could not connect: %s", evidence).
		WithSeverity(report.SeverityInfo).
		WithFix("Enable TLS 1.3 beside TLS 1.2: it saves a round trip on every new connection.")
	return auditResult{findings: []report.Finding{f}}
}

// rejection reports whether the server ended the handshake of rep before
// it chose a version, which is how servers reject one, with the evidence.
// An alert in reply to the ClientHello is worded as a rejection of the
// version. The main probe's guesses about the alert's cause, such as a
// certificate missing for the server name, do not fit a probe that
// changed only the version.
func (vp *versionProbe) rejection(rep *report.Report) (string, bool) {
	for _, c := range rep.Checks {
		if c.Name != checkHandshake || c.Status != report.StatusFail || len(c.Codes) == 0 {
			continue
		}
		f, _ := rep.Finding(c.Codes[0])
		evidence := fmt.Sprintf("%s: %s", f.Code, f.Detail)
		if f.Code == report.CodeHandshakeTimeout || (rep.TLS != nil && rep.TLS.Version != "") {
			return evidence, false
		}
		if vp.alert != noAlert {
			name := tls.VersionName(vp.version)
			evidence = fmt.Sprintf("the server answered a ClientHello that offered only %s with %s, rejecting that version", name, describeAlert(vp.alert))
		}
		return evidence, true
	}
	_, evidence := classifyOutcome(rep)
	return evidence, false
}
