package serve

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mtlsdoctor/mtlsdoctor/report"
)

// shortLimit is the limit the timeout tests set. The tests only check
// that the server ends the connection, never how fast.
const shortLimit = 200 * time.Millisecond

// waitClosed reads conn until the server closes it and returns what
// arrived. It fails the test when the connection is still open after
// waitLimit.
func waitClosed(t *testing.T, conn net.Conn) string {
	t.Helper()
	_ = conn.SetReadDeadline(time.Now().Add(waitLimit))
	data, err := io.ReadAll(conn)
	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() {
		t.Fatalf("the server did not close the connection within %s; read %q", waitLimit, data)
	}
	return string(data)
}

func TestTimeoutsCloseSlowClients(t *testing.T) {
	tests := []struct {
		name   string
		limits Limits
		// client acts on a raw TCP connection or, when handshake is set,
		// on a TLS connection with a valid client certificate.
		handshake bool
		client    func(t *testing.T, conn net.Conn)
		// wantResponse is in what the client reads before the close; empty
		// means no HTTP response at all.
		wantResponse string
	}{
		{
			name:   "silent before the handshake",
			limits: Limits{HandshakeTimeout: shortLimit},
			client: func(*testing.T, net.Conn) {},
		},
		{
			name:   "ClientHello never finishes",
			limits: Limits{HandshakeTimeout: shortLimit},
			client: func(t *testing.T, conn net.Conn) {
				// A handshake record header that announces 512 bytes, then 3.
				write(t, conn, "\x16\x03\x01\x02\x00\x01\x00\x01")
			},
		},
		{
			name:      "headers never finish",
			limits:    Limits{ReadHeaderTimeout: shortLimit},
			handshake: true,
			client: func(t *testing.T, conn net.Conn) {
				write(t, conn, "GET / HTTP/1.1\r\nHost: localhost\r\nX-Slow: ")
			},
		},
		{
			name:      "body never finishes",
			limits:    Limits{ReadTimeout: shortLimit},
			handshake: true,
			client: func(t *testing.T, conn net.Conn) {
				write(t, conn, "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"session\":")
			},
			wantResponse: "HTTP/1.1 400 Bad Request",
		},
		{
			name:      "response later than the write timeout",
			limits:    Limits{WriteTimeout: shortLimit},
			handshake: true,
			client: func(t *testing.T, conn net.Conn) {
				write(t, conn, "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{")
				time.Sleep(2 * shortLimit)
				write(t, conn, "}")
			},
		},
		{
			name:      "idle keep-alive connection",
			limits:    Limits{IdleTimeout: shortLimit},
			handshake: true,
			client: func(t *testing.T, conn net.Conn) {
				write(t, conn, "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
			},
			wantResponse: "HTTP/1.1 200 OK",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := startServer(t, func(c *Config) { c.Limits = tt.limits })
			var conn net.Conn = dialTCP(t, ts)
			if tt.handshake {
				conn = ts.dialTLS(t, ts.pki.Client, ts.pki.CA)
			}
			tt.client(t, conn)

			got := waitClosed(t, conn)
			if tt.wantResponse == "" && got != "" {
				t.Errorf("client read %q, want no response", got)
			}
			if !strings.Contains(got, tt.wantResponse) {
				t.Errorf("client read %q, want it to contain %q", got, tt.wantResponse)
			}
		})
	}
}

func dialTCP(t *testing.T, ts *testServer) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", "127.0.0.1:"+ts.port)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

func write(t *testing.T, conn net.Conn, s string) {
	t.Helper()
	if _, err := io.WriteString(conn, s); err != nil {
		t.Fatalf("write %q: %v", s, err)
	}
}

func TestHandshakeTimeoutDiagnosis(t *testing.T) {
	ts := startServer(t, func(c *Config) { c.Limits.HandshakeTimeout = shortLimit })
	waitClosed(t, dialTCP(t, ts))
	ts.logs.waitRecord(t, "TLS handshake failed", map[string]string{
		"code":   string(report.CodeHandshakeTimeout),
		"reason": "did not finish within 200ms",
	})
}

func TestBodyLimitConfigured(t *testing.T) {
	ts := startServer(t, func(c *Config) { c.Limits.MaxBodyBytes = 100 })
	status, body := post(t, ts.client(ts.pki.Client), ts.url(), `{"session": "`+strings.Repeat("x", 200)+`"}`)
	if status != http.StatusRequestEntityTooLarge {
		t.Errorf("status %d, want 413; body: %s", status, body)
	}
	if !strings.Contains(string(body), "larger than 100 bytes") {
		t.Errorf("body %s does not name the limit", body)
	}
}

// stallingConn passes the first write through and blocks every later one
// until release is closed. A TLS client on it sends its ClientHello and
// then stalls before its second flight (Certificate, Finished).
type stallingConn struct {
	net.Conn
	release <-chan struct{}
	mu      sync.Mutex
	writes  int
}

func (c *stallingConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	c.writes++
	first := c.writes == 1
	c.mu.Unlock()
	if !first {
		<-c.release
	}
	return c.Conn.Write(p)
}

func TestWaitingClientsHoldNoHandshakeSlot(t *testing.T) {
	ts := startServer(t, func(c *Config) { c.Limits.MaxHandshakes = 1 })
	release := make(chan struct{})
	var stalled sync.WaitGroup
	t.Cleanup(func() {
		close(release)
		stalled.Wait()
	})

	for range 5 {
		dialTCP(t, ts) // silent
		write(t, dialTCP(t, ts), "\x16\x03\x01\x02\x00\x01\x00\x01")
	}
	for range 3 {
		stall := &stallingConn{Conn: dialTCP(t, ts), release: release}
		client := tls.Client(stall, &tls.Config{
			RootCAs:      ts.pki.CA.Pool(),
			ServerName:   "localhost",
			Certificates: []tls.Certificate{ts.pki.Client.TLSCertificate()},
		})
		stalled.Add(1)
		go func() {
			defer stalled.Done()
			_ = client.Handshake()
		}()
	}

	conn := ts.dialTLS(t, ts.pki.Client, ts.pki.CA)
	status, err := getOn(conn, bufio.NewReader(conn))
	if err != nil || status != http.StatusOK {
		t.Errorf("request next to 13 waiting clients and 1 handshake slot: status %d, error %v", status, err)
	}
}

func TestBusySlotsDiagnosis(t *testing.T) {
	tcp, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	results := make(chan error, 1)
	ln := newHandshakeListener(tcp, listenerConfig{
		tls:           &tls.Config{},
		timeout:       shortLimit,
		maxHandshakes: 1,
		onHandshake:   func(_ *tls.Conn, err error) { results <- err },
		log:           slog.New(slog.DiscardHandler),
	})
	defer ln.Close()
	ln.slots <- struct{}{} // another handshake holds the only slot
	defer func() { <-ln.slots }()

	conn, err := net.Dial("tcp", tcp.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	go func() { _ = tls.Client(conn, &tls.Config{InsecureSkipVerify: true}).Handshake() }()

	select {
	case err := <-results:
		d := &diagnoser{handshakeTimeout: shortLimit, now: time.Now}
		got := d.diagnose(err)
		if got.Code != report.CodeHandshakeTimeout {
			t.Errorf("code %q for %v, want %s", got.Code, err, report.CodeHandshakeTimeout)
		}
		if !strings.Contains(got.Reason, "server busy: the handshake waited for one of the 1 handshake slots") {
			t.Errorf("reason %q does not say the server was busy", got.Reason)
		}
	case <-time.After(waitLimit):
		t.Fatal("the handshake did not end")
	}
}

func TestLogLimiter(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := &logLimiter{perSecond: 3}
	steps := []struct {
		name string
		at   time.Duration
		want bool
	}{
		{"first", 0, true},
		{"second", 100 * time.Millisecond, true},
		{"third", 200 * time.Millisecond, true},
		{"fourth in the same second", 300 * time.Millisecond, false},
		{"fifth in the same second", 900 * time.Millisecond, false},
		{"next second", 1100 * time.Millisecond, true},
	}
	for _, step := range steps {
		if got := l.allow(start.Add(step.at)); got != step.want {
			t.Errorf("%s: allow = %v, want %v", step.name, got, step.want)
		}
	}
	if got := l.takeSuppressed(); got != 2 {
		t.Errorf("takeSuppressed = %d, want 2", got)
	}
	if got := l.takeSuppressed(); got != 0 {
		t.Errorf("second takeSuppressed = %d, want 0", got)
	}
}

func TestReportSuppressed(t *testing.T) {
	var buf bytes.Buffer
	l := &logLimiter{perSecond: 1}
	now := time.Now()
	for range 4 {
		l.allow(now)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // report once and return
	reportSuppressed(ctx, slog.New(slog.NewJSONHandler(&buf, nil)), l, time.Hour)

	var rec map[string]any
	if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
		t.Fatalf("log %q: %v", buf.String(), err)
	}
	if rec["msg"] != "TLS handshake failures not logged individually" || rec["count"] != float64(3) {
		t.Errorf("record %v, want the count of 3 suppressed failures", rec)
	}
}

func TestParseLogFormat(t *testing.T) {
	tests := []struct {
		in      string
		want    LogFormat
		wantErr bool
	}{
		{in: "", want: LogFormatText},
		{in: "text", want: LogFormatText},
		{in: "json", want: LogFormatJSON},
		{in: "JSON", wantErr: true},
		{in: "logfmt", wantErr: true},
	}
	for _, tt := range tests {
		t.Run("value "+tt.in, func(t *testing.T) {
			got, err := ParseLogFormat(tt.in)
			if tt.wantErr {
				var ce *ConfigError
				if !errors.As(err, &ce) || ce.Flag != "--log-format" {
					t.Fatalf("ParseLogFormat(%q) = %q, %v, want a *ConfigError for --log-format", tt.in, got, err)
				}
				if !strings.Contains(err.Error(), "use text or json") {
					t.Errorf("error %q does not list the values", err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("ParseLogFormat(%q) = %q, %v, want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestNewLoggerFormats(t *testing.T) {
	tests := []struct {
		format LogFormat
		want   string
	}{
		{format: LogFormatText, want: `level=INFO msg="TLS handshake ok" cn="Google LLC"`},
		{format: LogFormatJSON, want: `"level":"INFO","msg":"TLS handshake ok","cn":"Google LLC"}`},
	}
	for _, tt := range tests {
		t.Run(string(tt.format), func(t *testing.T) {
			var buf bytes.Buffer
			NewLogger(&buf, tt.format).Info("TLS handshake ok", slog.String("cn", "Google LLC"))
			if !strings.Contains(buf.String(), tt.want) {
				t.Errorf("log line %q does not contain %q", buf.String(), tt.want)
			}
		})
	}
}
