package probe

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mtlsdoctor/mtlsdoctor/report"
)

// userAgent identifies the probe to the webhook's logs.
const userAgent = "mtlsdoctor-probe"

// maxExcerpt is the most body bytes the report shows.
const maxExcerpt = 512

// httpResult is the outcome of the HTTP request.
type httpResult struct {
	resp      *http.Response
	body      []byte
	truncated bool  // the body is longer than MaxResponseBytes
	headErr   error // set when no response head arrived: the read error, or the write error
	bodyErr   error // the head arrived but the body did not finish
}

// exchange sends the request over the handshaken connection, reads the
// response within the deadline and records the checks that depend on it.
func (p *prober) exchange(ctx context.Context, conn *tls.Conn) {
	deadline := p.times.connectStart.Add(p.opts.Deadline)
	_ = conn.SetDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	req := p.newRequest()
	result := p.roundTrip(conn, req)
	p.times.responseDone = now()

	if p.canceled(ctx, checkHTTP) {
		return
	}
	if result.resp == nil {
		p.recordNoResponse(req, result.headErr)
		return
	}

	info, omitted := httpInfo(result)
	p.http = info
	if omitted != "" {
		p.rep.Notes = append(p.rep.Notes, omitted)
	}
	nginxPage := p.judgeClientCert(result.resp, result.body)
	p.checkStatus(req, result, nginxPage)
	p.checkWebhookResponse(result)
	p.checkDeadline(result)
}

// roundTrip writes req and reads the response. A write error does not stop
// the read: a server that rejected the client certificate after a TLS 1.3
// handshake may already have closed, and its alert can still be waiting in
// the receive buffer.
func (p *prober) roundTrip(conn *tls.Conn, req *http.Request) httpResult {
	p.times.requestStart = now()
	writeErr := req.Write(conn)

	head := &headLimitReader{r: firstByteReader{r: conn, at: &p.times.firstByte}, left: maxResponseHead}
	reader := bufio.NewReader(head)
	var resp *http.Response
	for {
		var err error
		resp, err = http.ReadResponse(reader, req)
		if err != nil {
			if writeErr != nil && !isInformative(err) {
				err = writeErr
			}
			return httpResult{headErr: err}
		}
		// Skip interim responses such as 100 Continue.
		if resp.StatusCode >= 200 || resp.StatusCode == http.StatusSwitchingProtocols {
			break
		}
		resp.Body.Close()
	}
	head.done = true
	// resp.Body stays open: closing a chunked body reads it to the end,
	// which an endless body never reaches before the deadline. The
	// caller closes the connection.

	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxResponseBytes+1))
	result := httpResult{resp: resp, body: body, bodyErr: err}
	if len(body) > MaxResponseBytes {
		result.truncated, result.bodyErr = true, nil
	}
	return result
}

// maxResponseHead bounds the bytes read before the end of the response
// head. http.ReadResponse has no limit of its own, so a head that never
// ends would otherwise grow in memory until the deadline.
const maxResponseHead = 4 << 20

// headLimitReader fails with errResponseHeadTooLarge once more than left
// bytes arrived before done is set.
type headLimitReader struct {
	r    io.Reader
	left int
	done bool
}

var errResponseHeadTooLarge = fmt.Errorf("the response head is longer than %d bytes", maxResponseHead)

func (h *headLimitReader) Read(b []byte) (int, error) {
	if h.done {
		return h.r.Read(b)
	}
	if h.left <= 0 {
		return 0, errResponseHeadTooLarge
	}
	n, err := h.r.Read(b[:min(len(b), h.left)])
	h.left -= n
	return n, err
}

// isInformative reports whether a read error explains more than a write
// error would, because it carries an alert or a timeout.
func isInformative(err error) bool {
	_, ok := remoteAlert(err)
	return ok || isTimeout(err)
}

// recordNoResponse classifies a request that received no HTTP response
// that net/http could parse.
func (p *prober) recordNoResponse(req *http.Request, err error) {
	request := fmt.Sprintf("%s %s", req.Method, redactRequestURI(p.url))
	if isTimeout(err) {
		p.record(checkHTTP, report.StatusFail, request+" received no response within the deadline")
		p.recordCertUnknown()
		p.record(checkDeadline, "", "", p.missedDeadlineFinding())
		return
	}
	if f, ok := malformedHeaderFinding(err); ok {
		p.recordCertUnknown()
		p.record(checkHTTP, "", request+" received a response that net/http could not parse", f)
		return
	}
	d := p.diagnoseExchange(err)
	if d.check == checkCertAccepted {
		p.record(checkCertAccepted, "", "", d.finding)
		p.record(checkHTTP, report.StatusFail, request+" received no response: "+err.Error())
		return
	}
	p.recordCertUnknown()
	p.record(checkHTTP, "", request+" received no response", d.finding)
}

// recordCertUnknown notes that the server's verdict on a requested client
// certificate is unknown because no response arrived.
func (p *prober) recordCertUnknown() {
	if p.obs.certRequested {
		p.record(checkCertAccepted, report.StatusSkip, "no HTTP response arrived, so the server's verdict on the client certificate is unknown")
	}
}

// diagnoseExchange classifies an error after the handshake, before any
// response. This is where TLS 1.3 servers reject the client certificate: the
// client's handshake is complete before the server has checked it, so the
// alert arrives on the first read.
func (p *prober) diagnoseExchange(err error) diagnosis {
	version := p.versionName()
	when := fmt.Sprintf("after the %s handshake, on the first read", version)
	if alert, ok := remoteAlert(err); ok {
		if alert == alertCertificateRequired || (p.obs.certRequested && isClientCertAlert(alert)) {
			return diagnosis{checkCertAccepted, p.certVerdict(fmt.Sprintf("the server sent %s %s", describeAlert(alert), when), alert)}
		}
		return diagnosis{checkHTTP, p.unclassifiedFinding("the server ended the connection with "+describeAlert(alert),
			fmt.Sprintf("the server sent %s %s instead of an HTTP response%s", describeAlert(alert), when, p.alertContext(alert)))}
	}

	if isClosed(err) {
		evidence := fmt.Sprintf("the server %s the connection right after the %s handshake without an HTTP response (%v)", closeWord(err), version, err)
		if p.obs.certRequested && p.obs.finalState != nil && p.obs.finalState.Version == tls.VersionTLS13 {
			// A TLS 1.3 server that rejects the certificate sends an alert and
			// closes the socket. The client's request then draws a reset, which
			// can overtake the alert.
			return diagnosis{checkCertAccepted, p.certVerdict(evidence+"; no alert could be read, but this is how a TLS 1.3 server that rejects the client certificate ends the connection, "+
				"and Node's https server with rejectUnauthorized: true sends no alert at all (Node 20)", noAlert)}
		}
		return diagnosis{checkHTTP, report.New(report.CodeConnectionReset, "", evidence).
			WithFix("Check the server's logs: it closed the connection instead of responding to the request.")}
	}

	summary := "the server's response is not HTTP"
	if errors.Is(err, errResponseHeadTooLarge) {
		summary = "the server's response head is too large"
	}
	return diagnosis{checkHTTP, report.Newf(report.CodeInvalidWebhookResp, summary,
		"reading the response failed: %v", err).
		WithFix("Serve HTTP/1.1 on this port behind TLS, as the platform expects.")}
}

// checkStatus records the HTTP status. nginxPage means judgeClientCert has
// already explained a 400 as nginx's client certificate page.
func (p *prober) checkStatus(req *http.Request, result httpResult, nginxPage bool) {
	resp := result.resp
	detail := fmt.Sprintf("%s %s returned %s, %s", req.Method, redactRequestURI(p.url), resp.Status, byteCount(result))
	if ct := resp.Header.Get("Content-Type"); ct != "" {
		detail += ", " + ct
	}
	if result.bodyErr != nil {
		detail += "; the body did not finish: " + result.bodyErr.Error()
	}
	switch {
	case nginxPage:
		p.record(checkHTTP, report.StatusFail, detail+" (nginx's client certificate error page)")
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		p.record(checkHTTP, report.StatusPass, detail)
	default:
		f := report.Newf(report.CodeHTTPStatus, fmt.Sprintf("the webhook returned %s", resp.Status),
			"%s; the platform counts every status other than 2xx as a failed webhook call, and it does not follow redirects; body: %q",
			detail, excerpt(result.body, 200))
		if p.opts.Edition == EditionNone {
			f = f.WithSeverity(report.SeverityWarning).WithFix("Probe with --edition es or cx: the platform sends POST requests, and a webhook may reject GET.")
		}
		p.record(checkHTTP, "", "", f)
	}
}

// checkWebhookResponse validates a 2xx body as the edition's
// WebhookResponse.
func (p *prober) checkWebhookResponse(result httpResult) {
	resp := result.resp
	switch {
	case p.opts.Edition == EditionNone:
		p.record(checkWebhook, report.StatusSkip, "--edition none sends a plain GET, so the body is not a WebhookResponse")
		return
	case resp.StatusCode < 200 || resp.StatusCode >= 300:
		p.record(checkWebhook, report.StatusSkip, fmt.Sprintf("HTTP %d is not a success, so the body was not validated", resp.StatusCode))
		return
	case result.truncated:
		detail := fmt.Sprintf("the body has more than %d bytes", MaxResponseBytes)
		if resp.ContentLength > 0 {
			detail = fmt.Sprintf("the body has %d bytes (Content-Length)", resp.ContentLength)
		}
		p.record(checkWebhook, "", "", report.Newf(report.CodeResponseTooLarge, "",
			"%s; the platform accepts at most %d bytes, so the probe read no further and did not validate it", detail, MaxResponseBytes))
		return
	case result.bodyErr != nil:
		p.record(checkWebhook, report.StatusSkip, "the body did not finish, so it was not validated")
		return
	}

	findings := ValidateResponse(p.opts.Edition, result.body)
	detail := fmt.Sprintf("a %s WebhookResponse", editionTitle(p.opts.Edition))
	if fields := topLevelFields(result.body); len(fields) > 0 {
		detail += " with " + strings.Join(fields, ", ")
	}
	p.record(checkWebhook, "", detail, findings...)
}

// checkDeadline compares the response time, counted from the start of the
// TCP connection, with the deadline.
func (p *prober) checkDeadline(result httpResult) {
	elapsed := span(p.times.connectStart, p.times.responseDone)
	if result.bodyErr != nil && isTimeout(result.bodyErr) {
		p.record(checkDeadline, "", "", p.missedDeadlineFinding())
		return
	}
	if f, ok := deadlineFinding(elapsed, p.opts.Deadline); ok {
		p.record(checkDeadline, "", "", f)
		return
	}
	p.record(checkDeadline, report.StatusPass, fmt.Sprintf("responded in %s of the %s deadline", roundDuration(elapsed), p.opts.Deadline))
}

// deadlineFinding flags a response later than deadline (error) or later
// than 80% of it (warning).
func deadlineFinding(elapsed, deadline time.Duration) (report.Finding, bool) {
	share := float64(elapsed) / float64(deadline) * 100
	switch {
	case elapsed > deadline:
		return report.Newf(report.CodeSlowResponse, "",
			"responded in %s, after the %s deadline; the platform stops waiting at the deadline", roundDuration(elapsed), deadline), true
	case elapsed*5 > deadline*4:
		return report.Newf(report.CodeSlowResponse, "the webhook responded close to the platform's deadline",
			"responded in %s, %.0f%% of the %s deadline; a slightly slower response will be dropped", roundDuration(elapsed), share, deadline).
			WithSeverity(report.SeverityWarning), true
	}
	return report.Finding{}, false
}

// missedDeadlineFinding flags a response that did not arrive in full
// within the deadline. The catalog's summary, that the webhook responded
// late, would be wrong here, so the summary states how far it got.
func (p *prober) missedDeadlineFinding() report.Finding {
	summary := "the webhook did not answer within the deadline"
	progress := "no byte of the response arrived"
	if !p.times.firstByte.IsZero() {
		summary = "the webhook's response did not finish within the deadline"
		progress = fmt.Sprintf("the response began after %s but did not finish", roundDuration(span(p.times.requestStart, p.times.firstByte)))
	}
	return report.Newf(report.CodeSlowResponse, summary,
		"%s within the %s deadline, counted from the start of the TCP connection; the platform gives up at this point and continues without the webhook",
		progress, p.opts.Deadline)
}

func roundDuration(d time.Duration) time.Duration {
	return d.Round(time.Millisecond)
}

// httpInfo summarizes the response for the report, with the headers
// bounded by reportHeaders. The note states what the report left out of
// the headers, and it is empty when the report kept them all.
func httpInfo(result httpResult) (*report.HTTPInfo, string) {
	info := &report.HTTPInfo{
		Status:      result.resp.StatusCode,
		BodyExcerpt: excerpt(result.body, maxExcerpt),
		BodyBytes:   int64(len(result.body)),
	}
	var note string
	info.Headers, note = reportHeaders(result.resp.Header)
	return info, note
}

func byteCount(result httpResult) string {
	if result.truncated {
		return fmt.Sprintf("more than %d bytes", MaxResponseBytes)
	}
	return fmt.Sprintf("%d bytes", len(result.body))
}

// excerpt returns at most n bytes of body as valid UTF-8, cut at a rune
// boundary.
func excerpt(body []byte, n int) string {
	if len(body) > n {
		body = body[:n]
		for len(body) > 0 && !utf8.Valid(body) && len(body) > n-utf8.UTFMax {
			body = body[:len(body)-1]
		}
	}
	return strings.ToValidUTF8(string(body), "\uFFFD")
}
