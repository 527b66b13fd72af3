package probe

import (
	"io"
	"time"

	"github.com/mtlsdoctor/mtlsdoctor/report"
)

// now is the clock of the timings; certificates are checked at Options.Now.
func now() time.Time { return time.Now() }

// timeline holds the instants each phase started and ended. A zero instant
// means the phase did not happen. A phase that failed ends when it failed.
type timeline struct {
	start        time.Time
	dnsStart     time.Time
	dnsDone      time.Time
	connectStart time.Time
	connectDone  time.Time
	tlsStart     time.Time
	tlsDone      time.Time
	requestStart time.Time // the request's first byte went to the conn
	firstByte    time.Time // the response's first byte arrived
	responseDone time.Time // the response body was read
	// done is when the connection closed, or when the probe stopped
	// before it had one. The AIA and OCSP lookups come after it and are
	// timed in their own checks.
	done time.Time
}

// span returns end-start, or zero when either instant is missing.
func span(start, end time.Time) time.Duration {
	if start.IsZero() || end.IsZero() {
		return 0
	}
	return end.Sub(start)
}

// report converts the timeline to the report's milliseconds. FirstByte is
// the time from sending the request to the first byte of the response, so
// it excludes the connection setup.
func (t *timeline) report() *report.Timings {
	return &report.Timings{
		DNS:       report.Milliseconds(span(t.dnsStart, t.dnsDone)),
		Connect:   report.Milliseconds(span(t.connectStart, t.connectDone)),
		TLS:       report.Milliseconds(span(t.tlsStart, t.tlsDone)),
		FirstByte: report.Milliseconds(span(t.requestStart, t.firstByte)),
		Total:     report.Milliseconds(span(t.start, t.done)),
	}
}

// firstByteReader notes when the first byte of the response arrives.
type firstByteReader struct {
	r  io.Reader
	at *time.Time
}

func (f firstByteReader) Read(b []byte) (int, error) {
	n, err := f.r.Read(b)
	if n > 0 && f.at.IsZero() {
		*f.at = now()
	}
	return n, err
}
