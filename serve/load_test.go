package serve

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mtlsdoctor/mtlsdoctor/probe"
	"github.com/mtlsdoctor/mtlsdoctor/report"
)

// The size of the hostile load.
const (
	garbageConns   = 2000
	garbageWorkers = 32
)

// slowClients are the kinds of slow client the load test keeps open, and
// how many of each. They add up to 200.
var slowClients = []struct {
	name  string
	count int
	// run connects, calls ready once the client is in place, and keeps
	// the connection until ctx is done.
	run func(ctx context.Context, t *testing.T, ts *testServer, ready func())
}{
	{"silent", 50, runSilentClient},
	{"unfinished ClientHello record", 50, runPartialRecordClient},
	{"ClientHello one byte at a time", 40, runDripHelloClient},
	{"idle after the handshake", 20, runIdleClient},
	{"headers one byte at a time", 20, runDripHeadersClient},
	{"body one byte at a time", 20, runDripBodyClient},
}

// countingHandler counts log records by message, and sums the count
// attribute of the record that stands for suppressed failures.
type countingHandler struct {
	mu         sync.Mutex
	messages   map[string]int
	suppressed int
}

func (h *countingHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *countingHandler) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *countingHandler) WithGroup(string) slog.Handler            { return h }

func (h *countingHandler) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.messages[r.Message]++
	r.Attrs(func(a slog.Attr) bool {
		if r.Message == "TLS handshake failures not logged individually" && a.Key == "count" {
			h.suppressed += int(a.Value.Int64())
		}
		return true
	})
	return nil
}

// failedHandshakes returns the failed handshakes logged or counted.
func (h *countingHandler) failedHandshakes() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.messages["TLS handshake failed"] + h.suppressed
}

func (h *countingHandler) String() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	lines := make([]string, 0, len(h.messages))
	for msg, n := range h.messages {
		lines = append(lines, fmt.Sprintf("%6d %s", n, msg))
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n") + fmt.Sprintf("\nsuppressed failures: %d", h.suppressed)
}

func TestServerHoldsUnderHostileLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("the load test opens about 2,300 connections; run it without -short")
	}
	goroutinesBefore := runtime.NumGoroutine()
	counter := &countingHandler{messages: map[string]int{}}
	ts := startServer(t, func(c *Config) {
		c.Logger = slog.New(counter)
		// Two slots make a leaked slot show at once: the probes would wait
		// for it until the handshake timeout.
		c.Limits.MaxHandshakes = 2
	})
	defer func() {
		if t.Failed() {
			t.Logf("server log records by message:\n%s", counter)
		}
	}()

	// 1. The slow clients connect and stay until the load ends.
	slowCtx, stopSlow := context.WithCancel(context.Background())
	var slow, inPlace sync.WaitGroup
	for _, kind := range slowClients {
		for range kind.count {
			slow.Add(1)
			inPlace.Add(1)
			go func() {
				defer slow.Done()
				kind.run(slowCtx, t, ts, sync.OnceFunc(inPlace.Done))
			}()
		}
	}
	defer func() {
		stopSlow()
		slow.Wait()
	}()
	inPlace.Wait()

	// 2. Garbage connections, while probes run and the server reloads.
	var garbageSent atomic.Int64
	garbageDone := make(chan struct{})
	go func() {
		defer close(garbageDone)
		sendGarbage(t, ts, &garbageSent)
	}()

	probes := make(chan *report.Report, 10000)
	var probing sync.WaitGroup
	var duringLoad atomic.Int64
	for range 2 {
		probing.Add(1)
		go func() {
			defer probing.Done()
			for {
				rep := runLoadProbe(ts)
				probes <- rep
				select {
				case <-garbageDone:
					return
				default:
					duringLoad.Add(1)
				}
			}
		}()
	}
	reloads := 0
	for done := false; !done; {
		select {
		case <-garbageDone:
			done = true
		case <-time.After(50 * time.Millisecond):
			next, err := ts.pki.IssueServer(nil)
			if err != nil {
				t.Fatal(err)
			}
			ts.writeCert(t, "server", next)
			if err := ts.srv.Reload(); err != nil {
				t.Errorf("Reload under load: %v", err)
			}
			reloads++
		}
	}
	probing.Wait()
	probes <- runLoadProbe(ts) // and one after the load
	close(probes)

	// 3. Every probe passed, next to the slow clients.
	count := 0
	for rep := range probes {
		count++
		if !rep.OK {
			t.Errorf("probe %d failed under load: %v", count, errorSummaries(rep))
		}
	}
	t.Logf("%d probes (%d finished during the load), %d reloads, %d garbage connections",
		count, duringLoad.Load(), reloads, garbageSent.Load())
	if duringLoad.Load() == 0 {
		t.Error("no probe finished while the garbage connections were sent")
	}
	if garbageSent.Load() != garbageConns {
		t.Errorf("%d garbage connections sent, want %d", garbageSent.Load(), garbageConns)
	}

	// 4. Every garbage connection was handshaken and logged, or counted
	// by the log limiter.
	deadline := time.Now().Add(waitLimit)
	for counter.failedHandshakes() < garbageConns && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if got := counter.failedHandshakes(); got < garbageConns {
		t.Errorf("%d failed handshakes logged or counted, want at least %d", got, garbageConns)
	}

	// 5. Once the clients are gone, the server's goroutines end too.
	stopSlow()
	slow.Wait()
	if err := ts.stop(); err != nil {
		t.Fatal(err)
	}
	deadline = time.Now().Add(waitLimit)
	for runtime.NumGoroutine() > goroutinesBefore+5 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > goroutinesBefore+5 {
		buf := make([]byte, 1<<20)
		t.Errorf("%d goroutines after the load, %d before:\n%s", n, goroutinesBefore, buf[:runtime.Stack(buf, true)])
	}
}

// runLoadProbe probes the server as the platform would, with the
// platform's default timeout and deadline.
func runLoadProbe(ts *testServer) *report.Report {
	cert := ts.pki.Client.TLSCertificate()
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	return probe.Run(ctx, probe.Options{
		URL:         "https://127.0.0.1:" + ts.port + "/",
		ServerName:  "localhost",
		Certificate: &cert,
		Roots:       ts.pki.CA.Pool(),
	})
}

func errorSummaries(rep *report.Report) []string {
	var out []string
	for _, f := range rep.Findings {
		if f.Severity == report.SeverityError {
			out = append(out, fmt.Sprintf("%s: %s: %s", f.Code, f.Summary, f.Detail))
		}
	}
	return out
}

// sendGarbage opens garbageConns connections from garbageWorkers
// goroutines. Each sends 1 to 4 KiB of random bytes, half of them behind
// a valid TLS handshake record header so that the ClientHello parser reads
// them, then half-closes and reads until the server closes.
func sendGarbage(t *testing.T, ts *testServer, sent *atomic.Int64) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range garbageWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := next.Add(1); i <= garbageConns; i = next.Add(1) {
				if err := sendGarbageOnce(ts, i%2 == 0); err != nil {
					t.Errorf("garbage connection %d: %v", i, err)
					return
				}
				sent.Add(1)
			}
		}()
	}
	wg.Wait()
}

func sendGarbageOnce(ts *testServer, framed bool) error {
	conn, err := net.Dial("tcp", "127.0.0.1:"+ts.port)
	if err != nil {
		return err
	}
	defer conn.Close()

	var size [2]byte
	_, _ = rand.Read(size[:])
	payload := make([]byte, 1024+int(binary.BigEndian.Uint16(size[:]))%3072)
	_, _ = rand.Read(payload)
	if framed {
		// Record type handshake, TLS 1.0 record version, the length, then
		// a ClientHello message header over random bytes.
		header := []byte{0x16, 0x03, 0x01, 0, 0, 0x01, 0, 0, 0}
		binary.BigEndian.PutUint16(header[3:5], uint16(len(payload)+4))
		header[6], header[7], header[8] = 0, byte(len(payload)>>8), byte(len(payload))
		payload = append(header, payload...)
	}

	_ = conn.SetDeadline(time.Now().Add(waitLimit))
	// The server may close as soon as it has seen enough, so a failed
	// write is expected.
	_, _ = conn.Write(payload)
	_ = conn.(*net.TCPConn).CloseWrite()
	_, err = io.Copy(io.Discard, conn)
	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() {
		return fmt.Errorf("the server kept the connection open for %s after the garbage", waitLimit)
	}
	return nil
}

// holdUntil keeps conn open until ctx is done, then closes it.
func holdUntil(ctx context.Context, conn net.Conn) {
	<-ctx.Done()
	conn.Close()
}

func runSilentClient(ctx context.Context, t *testing.T, ts *testServer, ready func()) {
	defer ready()
	conn, err := net.Dial("tcp", "127.0.0.1:"+ts.port)
	if err != nil {
		t.Errorf("silent client: %v", err)
		return
	}
	ready()
	holdUntil(ctx, conn)
}

func runPartialRecordClient(ctx context.Context, t *testing.T, ts *testServer, ready func()) {
	defer ready()
	conn, err := net.Dial("tcp", "127.0.0.1:"+ts.port)
	if err != nil {
		t.Errorf("partial record client: %v", err)
		return
	}
	_, _ = io.WriteString(conn, "\x16\x03\x01\x02\x00\x01\x00\x01")
	ready()
	holdUntil(ctx, conn)
}

// dripConn writes one byte per interval.
type dripConn struct {
	net.Conn
	ctx      context.Context
	interval time.Duration
}

func (c *dripConn) Write(p []byte) (int, error) {
	for i := range p {
		select {
		case <-c.ctx.Done():
			return i, c.ctx.Err()
		case <-time.After(c.interval):
		}
		if _, err := c.Conn.Write(p[i : i+1]); err != nil {
			return i, err
		}
	}
	return len(p), nil
}

func runDripHelloClient(ctx context.Context, t *testing.T, ts *testServer, ready func()) {
	defer ready()
	conn, err := net.Dial("tcp", "127.0.0.1:"+ts.port)
	if err != nil {
		t.Errorf("drip ClientHello client: %v", err)
		return
	}
	defer conn.Close()
	ready()
	client := tls.Client(&dripConn{Conn: conn, ctx: ctx, interval: 20 * time.Millisecond}, loadClientConfig(ts))
	// The server's handshake timeout ends this handshake, or the end of
	// the load does.
	_ = client.HandshakeContext(ctx)
}

// handshakeClient completes a handshake with a valid client certificate.
func handshakeClient(t *testing.T, ts *testServer, kind string) *tls.Conn {
	conn, err := tls.Dial("tcp", "127.0.0.1:"+ts.port, loadClientConfig(ts))
	if err != nil {
		t.Errorf("%s client: handshake: %v", kind, err)
		return nil
	}
	return conn
}

func loadClientConfig(ts *testServer) *tls.Config {
	return &tls.Config{
		RootCAs:      ts.pki.CA.Pool(),
		ServerName:   "localhost",
		Certificates: []tls.Certificate{ts.pki.Client.TLSCertificate()},
		NextProtos:   []string{"http/1.1"},
	}
}

func runIdleClient(ctx context.Context, t *testing.T, ts *testServer, ready func()) {
	defer ready()
	if conn := handshakeClient(t, ts, "idle"); conn != nil {
		ready()
		holdUntil(ctx, conn)
	}
}

func runDripHeadersClient(ctx context.Context, t *testing.T, ts *testServer, ready func()) {
	defer ready()
	conn := handshakeClient(t, ts, "drip headers")
	if conn == nil {
		return
	}
	defer conn.Close()
	ready()
	request := "GET / HTTP/1.1\r\nHost: localhost\r\n" + strings.Repeat("X-Slow: 1\r\n", 100) + "\r\n"
	_, _ = (&dripConn{Conn: conn, ctx: ctx, interval: 50 * time.Millisecond}).Write([]byte(request))
	<-ctx.Done()
}

func runDripBodyClient(ctx context.Context, t *testing.T, ts *testServer, ready func()) {
	defer ready()
	conn := handshakeClient(t, ts, "drip body")
	if conn == nil {
		return
	}
	defer conn.Close()
	ready()
	_, _ = io.WriteString(conn, "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n")
	_, _ = (&dripConn{Conn: conn, ctx: ctx, interval: 50 * time.Millisecond}).Write([]byte(strings.Repeat(" ", 100000)))
	<-ctx.Done()
}
