package probe

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mtlsdoctor/mtlsdoctor/report"
)

func TestParseTargets(t *testing.T) {
	base := Options{Edition: EditionES, Timeout: 3 * time.Second}
	file := strings.Join([]string{
		"# webhooks of the staging project",
		"",
		"https://a.example/df",
		"  https://b.example/cx --edition cx --project acme-stage   # the CX agent",
		"https://c.example:8443/#frag --server-name=c.internal --timeout 2s --deadline=10s",
		"https://d.example --session projects/acme/locations/global/agents/a1/sessions/s1 --edition cx",
	}, "\n")

	targets, err := ParseTargets(strings.NewReader(file), "targets.txt", base)
	if err != nil {
		t.Fatalf("ParseTargets: %v", err)
	}
	if len(targets) != 4 {
		t.Fatalf("got %d targets, want 4: %+v", len(targets), targets)
	}
	cases := []struct {
		name string
		got  any
		want any
	}{
		{"first line", targets[0].Line, 3},
		{"first URL", targets[0].Options.URL, "https://a.example/df"},
		{"first edition from base", targets[0].Options.Edition, EditionES},
		{"first timeout from base", targets[0].Options.Timeout, 3 * time.Second},
		{"second edition", targets[1].Options.Edition, EditionCX},
		{"second project", targets[1].Options.Project, "acme-stage"},
		{"third URL keeps fragment", targets[2].Options.URL, "https://c.example:8443/#frag"},
		{"third server name", targets[2].Options.ServerName, "c.internal"},
		{"third timeout", targets[2].Options.Timeout, 2 * time.Second},
		{"third deadline", targets[2].Options.Deadline, 10 * time.Second},
		{"fourth session", targets[3].Options.Session, "projects/acme/locations/global/agents/a1/sessions/s1"},
		{"fourth line", targets[3].Line, 6},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.got != tc.want {
				t.Errorf("got %v, want %v", tc.got, tc.want)
			}
		})
	}
	if base.Project != "" || base.URL != "" {
		t.Errorf("ParseTargets changed the base options: %+v", base)
	}
}

func TestParseTargetsErrors(t *testing.T) {
	cases := []struct {
		name     string
		file     string
		wantLine int
		wantText string
	}{
		{"unknown option", "https://a.example\nhttps://b.example --cert x.pem", 2, "unknown option --cert"},
		{"missing value", "https://a.example --edition", 1, "--edition needs a value"},
		{"unknown option last", "https://a.example --bogus", 1, "unknown option --bogus"},
		{"unknown option with value", "https://a.example --bogus=1", 1, "unknown option --bogus"},
		{"not a URL", "not a url", 1, `the line starts with "not", which is not an https:// URL`},
		{"host without scheme", "webhook.example:8443 --edition cx", 1, `the line starts with "webhook.example:8443", which is not an https:// URL`},
		{"bad edition", "https://a.example --edition v1", 1, `invalid --edition "v1"`},
		{"bad timeout", "https://a.example --timeout soon", 1, `invalid --timeout "soon"`},
		{"negative deadline", "https://a.example --deadline=-1s", 1, "positive duration"},
		{"option first", "--edition cx https://a.example", 1, "put the URL first"},
		{"two URLs", "https://a.example https://b.example", 1, "one URL a line"},
		{"repeated option", "https://a.example --project a --project b", 1, "given twice"},
		{"plain http", "# comment\n\nhttp://a.example", 3, "https://"},
		{"port out of range", "https://a.example:99999/df", 1, "port 99999 is not from 1 to 65535"},
		{"port zero", "https://a.example:0/", 1, "port 0 is not from 1 to 65535"},
		{"session of other edition", "https://a.example --session projects/p/agent/sessions/s --edition cx", 1, "ES session name"},
		{"no targets", "# nothing\n\n", 0, "no targets"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseTargets(strings.NewReader(tc.file), "targets.txt", Options{})
			var te *TargetsError
			if !errors.As(err, &te) {
				t.Fatalf("error %v is not a *TargetsError", err)
			}
			if te.Line != tc.wantLine {
				t.Errorf("line = %d, want %d (%v)", te.Line, tc.wantLine, err)
			}
			if !strings.Contains(err.Error(), tc.wantText) {
				t.Errorf("error %q does not contain %q", err, tc.wantText)
			}
			prefix := "targets.txt:"
			if tc.wantLine > 0 {
				prefix = fmt.Sprintf("targets.txt:%d: ", tc.wantLine)
			}
			if !strings.HasPrefix(err.Error(), prefix) {
				t.Errorf("error %q does not start with %q", err, prefix)
			}
		})
	}
}

func TestParseTargetsReportsEveryBadLine(t *testing.T) {
	file := strings.Join([]string{
		"https://a.example",
		"not a url",
		"https://b.example --bogus",
		"# a comment",
		"https://c.example --edition v1",
	}, "\n")
	_, err := ParseTargets(strings.NewReader(file), "targets.txt", Options{})
	if err == nil {
		t.Fatal("no error for three bad lines")
	}
	want := []string{
		`targets.txt:2: the line starts with "not", which is not an https:// URL`,
		"targets.txt:3: unknown option --bogus",
		`targets.txt:5: invalid --edition "v1"`,
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != len(want) {
		t.Fatalf("error has %d lines, want %d:\n%v", len(lines), len(want), err)
	}
	for i, prefix := range want {
		if !strings.HasPrefix(lines[i], prefix) {
			t.Errorf("line %d of the error is %q, want it to start with %q", i+1, lines[i], prefix)
		}
	}
	var te *TargetsError
	if !errors.As(err, &te) || te.Line != 2 {
		t.Errorf("errors.As finds %+v, want the error of line 2", te)
	}
}

func TestParseTargetsLimitsErrors(t *testing.T) {
	const bad = maxTargetsErrors + 7
	file := strings.Repeat("https://a.example --bogus\n", bad)
	_, err := ParseTargets(strings.NewReader(file), "targets.txt", Options{})
	if err == nil {
		t.Fatal("no error for a file of bad lines")
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != maxTargetsErrors+1 {
		t.Fatalf("error has %d lines, want %d", len(lines), maxTargetsErrors+1)
	}
	if want := fmt.Sprintf("targets.txt:%d: unknown option --bogus", maxTargetsErrors); !strings.HasPrefix(lines[maxTargetsErrors-1], want) {
		t.Errorf("last listed line %q does not start with %q", lines[maxTargetsErrors-1], want)
	}
	if want := fmt.Sprintf("targets.txt: 7 more invalid lines, from line %d on", maxTargetsErrors+1); lines[maxTargetsErrors] != want {
		t.Errorf("last line of the error is %q, want %q", lines[maxTargetsErrors], want)
	}
}

// inFlightCounter counts the requests its handlers are serving at once.
// Each handler holds its request for a while, so that requests of
// concurrent probes overlap and any excess over the pool's width shows.
type inFlightCounter struct {
	hold    time.Duration
	current atomic.Int64
	max     atomic.Int64
}

func (c *inFlightCounter) handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := c.current.Add(1)
		for {
			seen := c.max.Load()
			if n <= seen || c.max.CompareAndSwap(seen, n) {
				break
			}
		}
		time.Sleep(c.hold)
		c.current.Add(-1)
		esReply(w)
	})
}

func TestRunTargetsConcurrency(t *testing.T) {
	const targetCount, concurrency = 52, 4
	pki := newTestPKI(t)
	counter := &inFlightCounter{hold: 50 * time.Millisecond}

	var lines []string
	for range targetCount {
		cfg := serverConfig(pki.Server.TLSCertificate())
		cfg.ClientAuth, cfg.ClientCAs = tls.RequireAndVerifyClientCert, pki.CA.Pool()
		lines = append(lines, startGoServer(t, cfg, counter.handler()))
	}
	lines = append(lines, "https://127.0.0.1:1/refused # nothing listens on port 1")

	cert, chain := clientOptions(pki.Client)
	base := Options{Certificate: cert, ClientChain: chain, Roots: pki.CA.Pool(), Timeout: 5 * time.Second}
	targets, err := ParseTargets(strings.NewReader(strings.Join(lines, "\n")), "targets.txt", base)
	if err != nil {
		t.Fatal(err)
	}

	var order []int
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	reports := RunTargets(ctx, targets, TargetsOptions{
		Concurrency: concurrency,
		Done:        func(target Target, rep *report.Report) { order = append(order, target.Line) },
	})

	// The servers count requests, so the count cannot exceed the number
	// of probes running. A count of 1 would mean the pool ran serially.
	if got := counter.max.Load(); got > concurrency || got < 2 {
		t.Errorf("max requests in flight = %d, want 2 to %d", got, concurrency)
	}
	if len(reports) != len(targets) {
		t.Fatalf("got %d reports for %d targets", len(reports), len(targets))
	}
	for i, rep := range reports {
		if rep.Target != targets[i].Options.URL {
			t.Errorf("report %d is for %s, want %s", i, rep.Target, targets[i].Options.URL)
		}
		if i < targetCount && !rep.OK {
			dumpReport(t, rep)
			t.Errorf("report %d failed", i)
		}
	}
	if last := reports[len(reports)-1]; !last.Has(report.CodeConnectionRefused) {
		dumpReport(t, last)
		t.Errorf("the target without a server has no connection-refused finding")
	}
	for i, line := range order {
		if line != i+1 {
			t.Fatalf("Done received line %d as report %d: reports arrived out of order: %v", line, i, order)
		}
	}
	if len(order) != len(targets) {
		t.Errorf("Done was called %d times for %d targets", len(order), len(targets))
	}
}

func TestRunTargetsAudit(t *testing.T) {
	pki := newTestPKI(t)
	cfg := serverConfig(pki.Server.TLSCertificate())
	cfg.ClientAuth, cfg.ClientCAs = tls.VerifyClientCertIfGiven, pki.CA.Pool()
	url := startGoServer(t, cfg, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { esReply(w) }))

	cert, chain := clientOptions(pki.Client)
	base := Options{Certificate: cert, ClientChain: chain, Roots: pki.CA.Pool()}
	targets, err := ParseTargets(strings.NewReader(url+"\n"+url+" --edition cx"), "targets.txt", base)
	if err != nil {
		t.Fatal(err)
	}
	reports := RunTargets(context.Background(), targets, TargetsOptions{Audit: true})
	for i, rep := range reports {
		if rep.Kind != "audit" {
			t.Errorf("report %d has kind %q, want audit", i, rep.Kind)
		}
		wantCode(t, rep, report.CodeUnauthAccepted, report.SeverityError)
	}
}

func TestWriteSummary(t *testing.T) {
	ok := (&report.Report{Target: "https://a.example", Timings: &report.Timings{Total: 12.5}}).Finish()
	bad := &report.Report{Target: "https://b.example"}
	bad.AddCheck("connect", "", "", report.New(report.CodeConnectionRefused, "", "refused"))
	bad.AddCheck("dns", "", "", report.New(report.CodeWeakKey, "", "weak"))

	rows := Summarize([]*report.Report{ok, bad})
	want := []SummaryRow{
		{Target: "https://a.example", OK: true, TotalMS: 12.5},
		{Target: "https://b.example", OK: false, Errors: 1, Warnings: 1},
	}
	for i := range want {
		if rows[i] != want[i] {
			t.Errorf("row %d = %+v, want %+v", i, rows[i], want[i])
		}
	}

	var out bytes.Buffer
	if err := WriteSummary(&out, rows); err != nil {
		t.Fatal(err)
	}
	for _, part := range []string{"target", "total ms", "https://b.example", "NO", "12.5", "2 targets: 1 ok, 1 failed"} {
		if !strings.Contains(out.String(), part) {
			t.Errorf("summary does not contain %q:\n%s", part, out.String())
		}
	}
}

func TestWriteSummaryCounts(t *testing.T) {
	ok := SummaryRow{Target: "https://a.example", OK: true}
	bad := SummaryRow{Target: "https://b.example"}
	tests := []struct {
		name string
		rows []SummaryRow
		want string
	}{
		{"one target", []SummaryRow{ok}, "\n1 target: 1 ok, 0 failed\n"},
		{"two targets", []SummaryRow{ok, bad}, "\n2 targets: 1 ok, 1 failed\n"},
		{"three targets", []SummaryRow{bad, bad, bad}, "\n3 targets: 0 ok, 3 failed\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			if err := WriteSummary(&out, tt.rows); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(out.String(), tt.want) {
				t.Errorf("summary does not contain %q:\n%s", tt.want, out.String())
			}
		})
	}
}
