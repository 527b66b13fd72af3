package probe

import (
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/mtlsdoctor/mtlsdoctor/report"
)

// TestProbeBoundsResponseHeaders responds with 300 headers of 4,000 bytes
// each, 1.2 MB in all. The report must keep maxReportHeaders of them, cut
// each value to maxHeaderValueBytes, keep Content-Type and note how many
// it left out.
func TestProbeBoundsResponseHeaders(t *testing.T) {
	pki := newTestPKI(t)
	const count, size = 300, 4000
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for i := range count {
			w.Header().Set(fmt.Sprintf("A-Filler-%03d", i), strings.Repeat("v", size))
		}
		w.Header().Add("X-Repeated", strings.Repeat("r", 600))
		w.Header().Add("X-Repeated", strings.Repeat("r", 600))
		esReply(w)
	})
	url := startGoServer(t, serverConfig(pki.Server.TLSCertificate()), handler)

	rep := runProbe(t, Options{URL: url, Roots: pki.CA.Pool()})

	if rep.HTTP == nil {
		dumpReport(t, rep)
		t.Fatal("the report has no HTTP response")
	}
	headers := rep.HTTP.Headers
	if len(headers) != maxReportHeaders {
		t.Errorf("the report keeps %d headers, want %d", len(headers), maxReportHeaders)
	}
	if got := headers["Content-Type"]; got != "application/json" {
		t.Errorf("Content-Type = %q, want it kept ahead of the filler headers", got)
	}
	longest := ""
	for name, value := range headers {
		if len(value) > len(headers[longest]) {
			longest = name
		}
	}
	if n := len(headers[longest]); n > maxHeaderValueBytes+len(" [99999 more bytes left out]") {
		t.Errorf("header %s keeps %d bytes, want at most %d and the note of the rest", longest, n, maxHeaderValueBytes)
	}
	if got := headers["A-Filler-000"]; !strings.HasSuffix(got, fmt.Sprintf("v [%d more bytes left out]", size-maxHeaderValueBytes)) {
		t.Errorf("cut value ends with %q, want the number of bytes left out", got[max(0, len(got)-40):])
	}
	if got := headers["X-Repeated"]; got != "" {
		t.Errorf("X-Repeated, sorted after the kept filler headers, is in the report: %d bytes", len(got))
	}

	// Go's server adds Content-Length and Date. They and Content-Type
	// come first, and their values are short.
	total := count + 4
	wantNote := fmt.Sprintf("the response has %d headers; the report keeps %d, left out %d and cut %d values to %d bytes",
		total, maxReportHeaders, total-maxReportHeaders, maxReportHeaders-3, maxHeaderValueBytes)
	if !hasNote(rep, wantNote) {
		t.Errorf("no note %q in %q", wantNote, rep.Notes)
	}
	data, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	if len(data) > 128<<10 {
		t.Errorf("the JSON report has %d bytes, want at most 128 KiB", len(data))
	}
}

func TestProbeKeepsShortHeaders(t *testing.T) {
	pki := newTestPKI(t)
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("X-Trace", "a")
		w.Header().Add("X-Trace", "b")
		esReply(w)
	})
	url := startGoServer(t, serverConfig(pki.Server.TLSCertificate()), handler)

	rep := runProbe(t, Options{URL: url, Roots: pki.CA.Pool()})

	if rep.HTTP == nil || rep.HTTP.Headers["X-Trace"] != "a, b" {
		t.Errorf("headers = %v, want X-Trace: a, b", rep.HTTP)
	}
	for _, note := range rep.Notes {
		if strings.Contains(note, "headers") {
			t.Errorf("note %q about headers for a response the report keeps whole", note)
		}
	}
}

// TestProbeRedactsURLHeaders redirects with credentials and a token in
// Location, Content-Location and Link. The report keeps the URLs with
// the secrets replaced.
func TestProbeRedactsURLHeaders(t *testing.T) {
	pki := newTestPKI(t)
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", "https://robot:hunter2@other.example/next?token=tok-in-location&page=2")
		w.Header().Set("Content-Location", "https://robot:hunter3@other.example/here")
		w.Header().Add("Link", `<https://robot:hunter4@other.example/a>; rel="next"`)
		w.Header().Add("Link", `</relative?api_key=key-in-link>; rel="prev", <https://cdn.example/x.css>; rel=preload`)
		w.Header().Set("X-Other", "https://robot:kept@other.example/")
		w.WriteHeader(http.StatusFound)
	})
	url := startGoServer(t, serverConfig(pki.Server.TLSCertificate()), handler)

	rep := runProbe(t, Options{URL: url, Roots: pki.CA.Pool(), Edition: EditionNone})

	if rep.HTTP == nil {
		dumpReport(t, rep)
		t.Fatal("the report has no HTTP response")
	}
	headers := rep.HTTP.Headers
	tests := []struct {
		name, want string
	}{
		{"Location", "https://robot:xxxxx@other.example/next?token=xxxxx&page=2"},
		{"Content-Location", "https://robot:xxxxx@other.example/here"},
		{"Link", `<https://robot:xxxxx@other.example/a>; rel="next", </relative?api_key=xxxxx>; rel="prev", <https://cdn.example/x.css>; rel=preload`},
		// Other headers are not URLs by definition, so they stay as sent.
		{"X-Other", "https://robot:kept@other.example/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := headers[tt.name]; got != tt.want {
				t.Errorf("%s = %q, want %q", tt.name, got, tt.want)
			}
		})
	}
	data, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"hunter2", "hunter3", "hunter4", "tok-in-location", "key-in-link"} {
		if strings.Contains(string(data), secret) {
			t.Errorf("the JSON report contains %q", secret)
		}
	}
}

func TestRedactLinkHeader(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"one link", `<https://u:p@a.example/>; rel="next"`, `<https://u:xxxxx@a.example/>; rel="next"`},
		{"no brackets", `https://u:p@a.example/`, `https://u:xxxxx@a.example/`},
		{"unclosed bracket", `<https://u:p@a.example/`, `<https://u:xxxxx@a.example/`},
		{"two links", `<https://a.example/?token=t>; rel=a, <https://u:p@b.example/>`, `<https://a.example/?token=xxxxx>; rel=a, <https://u:xxxxx@b.example/>`},
		{"escaped quote", `<https://a.example/>; title="say \"<hi>\""`, `<https://a.example/>; title="say \"<hi>\""`},
		{"title with bracket", `<https://a.example/?token=t>; title="a<b"`, `<https://a.example/?token=xxxxx>; title="a<b"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := redactLinkHeader(tt.in); got != tt.want {
				t.Errorf("redactLinkHeader(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestHeadersNote(t *testing.T) {
	tests := []struct {
		name             string
		total, kept, cut int
		want             string
	}{
		{"all kept", 3, 3, 0, ""},
		{"left out", 70, 64, 0, "the response has 70 headers; the report keeps 64 and left out 6"},
		{"one cut", 3, 3, 1, "the report cut 1 header value to 1024 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := headersNote(tt.total, tt.kept, tt.cut); got != tt.want {
				t.Errorf("headersNote(%d, %d, %d) = %q, want %q", tt.total, tt.kept, tt.cut, got, tt.want)
			}
		})
	}
}

// TestProbeMissedDeadlineSummary checks that the slow-response summary
// states whether any byte of the response arrived within the deadline.
func TestProbeMissedDeadlineSummary(t *testing.T) {
	pki := newTestPKI(t)
	serverCert := pki.Server.TLSCertificate()
	tests := []struct {
		name    string
		handle  func(*tls.Conn)
		summary string
	}{
		{"no byte", func(conn *tls.Conn) {
			readRequestHead(conn)
			waitClosed(conn)
		}, "the webhook did not answer within the deadline"},
		{"head without body", func(conn *tls.Conn) {
			readRequestHead(conn)
			_, _ = io.WriteString(conn, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
			waitClosed(conn)
		}, "the webhook's response did not finish within the deadline"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url := "https://" + hostileTLSListener(t, serverCert, tt.handle) + "/"
			rep := runHostile(t, Options{URL: url, ServerName: "localhost", Roots: pki.CA.Pool()})

			wantCode(t, rep, report.CodeSlowResponse, report.SeverityError)
			if f, _ := rep.Finding(report.CodeSlowResponse); f.Summary != tt.summary {
				t.Errorf("summary = %q, want %q", f.Summary, tt.summary)
			}
		})
	}
}

func hasNote(rep *report.Report, part string) bool {
	for _, note := range rep.Notes {
		if strings.Contains(note, part) {
			return true
		}
	}
	return false
}

// TestProbeMalformedResponseHeader responds with a valid status line and
// header lines that net/http rejects. The finding must call the headers
// malformed, quote the line with its bytes escaped, and not claim that the
// server does not speak HTTP.
func TestProbeMalformedResponseHeader(t *testing.T) {
	pki := newTestPKI(t)
	serverCert := pki.Server.TLSCertificate()
	tests := []struct {
		name   string
		header string
		quoted string
	}{
		{"escape in value", "X-Note: red\x1b[31mtext", `"X-Note: red\x1b[31mtext"`},
		{"brace in name", "X{Note}: text", `"X{Note}: text"`},
		{"missing colon", "X-Note text", `"X-Note text"`},
		{"password in location", "Location: https://robot:hunter2@other.example/\x00", `"Location: https://robot:xxxxx@other.example/\x00"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url := "https://" + hostileTLSListener(t, serverCert, func(conn *tls.Conn) {
				readRequestHead(conn)
				_, _ = io.WriteString(conn, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"+tt.header+"\r\nContent-Length: 2\r\n\r\n{}")
				waitClosed(conn)
			}) + "/"
			rep := runHostile(t, Options{URL: url, ServerName: "localhost", Roots: pki.CA.Pool()})

			wantCode(t, rep, report.CodeInvalidWebhookResp, report.SeverityError)
			f, _ := rep.Finding(report.CodeInvalidWebhookResp)
			if want := "the server's response headers are malformed"; f.Summary != want {
				t.Errorf("summary = %q, want %q", f.Summary, want)
			}
			if !strings.Contains(f.Detail, tt.quoted) {
				t.Errorf("detail = %q, want it to quote %s", f.Detail, tt.quoted)
			}
			if strings.Contains(f.Fix, "Serve HTTP/1.1") {
				t.Errorf("fix = %q, want a fix for the header", f.Fix)
			}
			if !strings.Contains(f.Fix, "header") {
				t.Errorf("fix = %q, want it to name the header", f.Fix)
			}
			if strings.Contains(f.Detail, "hunter2") {
				t.Errorf("detail = %q shows the password", f.Detail)
			}
		})
	}
}

func TestMalformedHeaderFindingIgnoresOtherErrors(t *testing.T) {
	for _, err := range []error{
		io.ErrUnexpectedEOF,
		fmt.Errorf("malformed HTTP response %q", "SSH-2.0-OpenSSH_9.6"),
		errResponseHeadTooLarge,
	} {
		if f, ok := malformedHeaderFinding(err); ok {
			t.Errorf("malformedHeaderFinding(%v) = %+v, want no finding", err, f)
		}
	}
}
