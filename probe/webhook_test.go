package probe

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mtlsdoctor/mtlsdoctor/report"
)

// recordedRequest is what a test webhook saw of the probe's request.
type recordedRequest struct {
	method      string
	contentType string
	body        map[string]any
}

// webhookHandler responds with status and body after waiting delay, or
// until the client goes away, and records the request on seen.
func webhookHandler(status int, body string, delay time.Duration, seen chan<- recordedRequest) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		data, _ := io.ReadAll(r.Body)
		rec := recordedRequest{method: r.Method, contentType: r.Header.Get("Content-Type")}
		_ = json.Unmarshal(data, &rec.body)
		if seen != nil {
			seen <- rec
		}
		if delay > 0 {
			select {
			case <-r.Context().Done():
				return
			case <-time.After(delay):
			}
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	})
}

func TestProbeWebhook(t *testing.T) {
	pki := newTestPKI(t)
	cxAnswer := `{"fulfillmentResponse":{"messages":[{"text":{"text":["ok"]}}],"mergeBehavior":"REPLACE"}}`
	cases := []struct {
		name     string
		edition  Edition
		status   int
		body     string
		delay    time.Duration
		deadline time.Duration
		wantCode report.Code // empty: no error finding
		check    string
	}{
		{name: "ES answer", edition: EditionES, status: 200, body: `{"fulfillmentText":"ok","source":"test"}`},
		{name: "CX answer", edition: EditionCX, status: 200, body: cxAnswer},
		{name: "server error", edition: EditionES, status: 500, body: "internal error",
			wantCode: report.CodeHTTPStatus, check: checkHTTP},
		{name: "v1 answer", edition: EditionES, status: 200, body: `{"speech":"hi","displayText":"hi"}`,
			wantCode: report.CodeInvalidWebhookResp, check: checkWebhook},
		{name: "CX answer to ES request", edition: EditionES, status: 200, body: cxAnswer,
			wantCode: report.CodeInvalidWebhookResp, check: checkWebhook},
		{name: "empty body", edition: EditionCX, status: 200, body: "",
			wantCode: report.CodeInvalidWebhookResp, check: checkWebhook},
		{name: "too large", edition: EditionES, status: 200,
			body:     `{"fulfillmentText":"` + strings.Repeat("x", MaxResponseBytes) + `"}`,
			wantCode: report.CodeResponseTooLarge, check: checkWebhook},
		{name: "after deadline", edition: EditionES, status: 200, body: `{"fulfillmentText":"late"}`,
			delay: 5 * time.Second, deadline: 200 * time.Millisecond,
			wantCode: report.CodeSlowResponse, check: checkDeadline},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			seen := make(chan recordedRequest, 1)
			url := startGoServer(t, serverConfig(pki.Server.TLSCertificate()), webhookHandler(tc.status, tc.body, tc.delay, seen))
			rep := runProbe(t, Options{URL: url, Roots: pki.CA.Pool(), Edition: tc.edition, Deadline: tc.deadline, Project: "my-project"})

			req := <-seen
			if req.method != http.MethodPost || !strings.HasPrefix(req.contentType, "application/json") {
				t.Errorf("request was %s with Content-Type %q, want a JSON POST", req.method, req.contentType)
			}
			if got := sessionOf(tc.edition, req.body); !strings.HasPrefix(got, "projects/my-project/") {
				t.Errorf("request session = %q, want one in projects/my-project", got)
			}

			if tc.wantCode == "" {
				wantNoErrors(t, rep)
				wantCheck(t, rep, checkWebhook, report.StatusPass)
				wantCheck(t, rep, checkDeadline, report.StatusPass)
			} else {
				wantCode(t, rep, tc.wantCode, report.SeverityError)
				wantCheck(t, rep, tc.check, report.StatusFail)
			}
			if tc.delay == 0 && (rep.HTTP == nil || rep.HTTP.Status != tc.status) {
				dumpReport(t, rep)
				t.Fatalf("report does not carry HTTP status %d", tc.status)
			}
			if rep.HTTP != nil && len(rep.HTTP.BodyExcerpt) > maxExcerpt {
				t.Errorf("body excerpt has %d bytes, more than %d", len(rep.HTTP.BodyExcerpt), maxExcerpt)
			}
		})
	}
}

func sessionOf(edition Edition, body map[string]any) string {
	if edition == EditionES {
		s, _ := body["session"].(string)
		return s
	}
	info, _ := body["sessionInfo"].(map[string]any)
	s, _ := info["session"].(string)
	return s
}

func TestProbeReportFacts(t *testing.T) {
	pki := newTestPKI(t)
	url := startGoServer(t, serverConfig(pki.Server.TLSCertificate()), webhookHandler(200, `{"fulfillmentText":"ok"}`, 0, nil))

	rep := runProbe(t, Options{URL: url, Roots: pki.CA.Pool()})

	wantNoErrors(t, rep)
	if rep.Kind != "probe" || rep.Target != url {
		t.Errorf("kind %q and target %q, want probe and %s", rep.Kind, rep.Target, url)
	}
	if rep.TLS == nil || rep.TLS.Version != "TLS 1.3" || rep.TLS.CipherSuite == "" || !rep.TLS.HandshakeComplete {
		t.Errorf("TLS facts incomplete: %+v", rep.TLS)
	}
	if rep.TLS != nil && rep.TLS.ALPN != "http/1.1" {
		t.Errorf("ALPN = %q, want http/1.1", rep.TLS.ALPN)
	}
	if rep.HTTP == nil || rep.HTTP.Headers["Content-Type"] != "application/json" || rep.HTTP.BodyExcerpt != `{"fulfillmentText":"ok"}` {
		t.Errorf("HTTP facts incomplete: %+v", rep.HTTP)
	}
	// Durations vary; only check that the phases were measured.
	if rep.Timings == nil || rep.Timings.TLS <= 0 || rep.Timings.Total <= 0 {
		t.Errorf("timings missing: %+v", rep.Timings)
	}
	wantCode(t, rep, report.CodeClientCertNotReq, report.SeverityWarning)
	want := []string{checkDNS, checkConnect, checkHandshake, checkServerCert, checkCertRequested,
		checkCertAccepted, checkHTTP, checkWebhook, checkDeadline}
	var got []string
	for _, c := range rep.Checks {
		got = append(got, c.Name)
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("checks = %q, want %q", got, want)
	}
}

func TestDeadlineFinding(t *testing.T) {
	cases := []struct {
		name     string
		elapsed  time.Duration
		want     bool
		severity report.Severity
	}{
		{"well within", 1 * time.Second, false, ""},
		{"at 80 percent", 4 * time.Second, false, ""},
		{"above 80 percent", 4100 * time.Millisecond, true, report.SeverityWarning},
		{"after deadline", 6 * time.Second, true, report.SeverityError},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, ok := deadlineFinding(tc.elapsed, 5*time.Second)
			if ok != tc.want {
				t.Fatalf("finding = %v, want %v", ok, tc.want)
			}
			if ok && (f.Code != report.CodeSlowResponse || f.Severity != tc.severity) {
				t.Errorf("finding %s with severity %s, want slow-response with %s", f.Code, f.Severity, tc.severity)
			}
		})
	}
}
