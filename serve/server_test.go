package serve

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptrace"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mtlsdoctor/mtlsdoctor/fixtures"
)

func TestGracefulShutdownFinishesOpenRequest(t *testing.T) {
	ts := startServer(t, nil)

	// The request body arrives only after the shutdown began. The server
	// sends "100 Continue" when the handler starts reading the body, so the
	// client sees that the request is in progress.
	bodyReader, bodyWriter := io.Pipe()
	inHandler := make(chan struct{})
	trace := &httptrace.ClientTrace{Got100Continue: func() { close(inHandler) }}
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace),
		http.MethodPost, ts.url(), bodyReader)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Expect", "100-continue")

	type answer struct {
		status int
		body   string
		err    error
	}
	answered := make(chan answer, 1)
	go func() {
		resp, err := ts.client(ts.pki.Client).Do(req)
		if err != nil {
			answered <- answer{err: err}
			return
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		answered <- answer{status: resp.StatusCode, body: string(body), err: err}
	}()

	select {
	case <-inHandler:
	case a := <-answered:
		t.Fatalf("request ended before the handler read the body: %+v", a)
	case <-time.After(waitLimit):
		t.Fatal("no 100 Continue from the server")
	}
	ts.cancel()
	ts.logs.waitRecord(t, "shutting down", nil)

	if _, err := io.WriteString(bodyWriter, esRequest); err != nil {
		t.Fatalf("write body: %v", err)
	}
	bodyWriter.Close()

	a := <-answered
	if a.err != nil {
		t.Fatalf("open request failed during shutdown: %v", a.err)
	}
	if a.status != http.StatusOK {
		t.Errorf("open request got status %d during shutdown, want 200; body: %s", a.status, a.body)
	}
	if err := ts.stop(); err != nil {
		t.Errorf("Serve returned %v after shutdown, want nil", err)
	}
	ts.logs.waitRecord(t, "stopped", nil)

	conn, err := net.Dial("tcp", "127.0.0.1:"+ts.port)
	if err == nil {
		conn.Close()
		t.Errorf("the port still accepts connections after shutdown")
	}
}

func TestListenAndServeStopsOnCancel(t *testing.T) {
	_, dir := newTestPKI(t)
	logs := &logBuffer{}
	srv, err := New(Config{
		Addr:          "127.0.0.1:0",
		CertFile:      filepath.Join(dir, fixtures.ServerCertFile),
		KeyFile:       filepath.Join(dir, fixtures.ServerKeyFile),
		ClientCAFiles: []string{filepath.Join(dir, fixtures.CAFile)},
		Logger:        slog.New(slog.NewJSONHandler(logs, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := srv.Addr(); got != "127.0.0.1:0" {
		t.Errorf("Addr before Listen = %q, want the configured address", got)
	}

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.ListenAndServe(ctx) }()
	logs.waitRecord(t, "serving HTTPS", nil)
	if got := srv.Addr(); strings.HasSuffix(got, ":0") {
		t.Errorf("Addr after Listen = %q, want the bound port", got)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("ListenAndServe returned %v after cancel, want nil", err)
		}
	case <-time.After(waitLimit):
		t.Fatal("ListenAndServe did not return after cancel")
	}
}

func TestListenPortInUse(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()

	_, dir := newTestPKI(t)
	srv, err := New(Config{
		Addr:          busy.Addr().String(),
		CertFile:      filepath.Join(dir, fixtures.ServerCertFile),
		KeyFile:       filepath.Join(dir, fixtures.ServerKeyFile),
		ClientCAFiles: []string{filepath.Join(dir, fixtures.CAFile)},
		Logger:        slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = srv.Listen()
	if err == nil {
		t.Fatal("Listen on a busy port succeeded")
	}
	if !strings.Contains(err.Error(), "listen on "+busy.Addr().String()) {
		t.Errorf("error %q does not name the address", err)
	}
	var le *ListenError
	if !errors.As(err, &le) {
		t.Fatalf("error %v is not a *ListenError", err)
	}
	if !strings.Contains(le.Fix, "Choose another --addr") {
		t.Errorf("fix %q does not say to choose another address", le.Fix)
	}
	if strings.Contains(err.Error(), "--addr") {
		t.Errorf("error %q repeats the fix, which belongs in Fix", err)
	}
}

func TestServeReturnsListenerError(t *testing.T) {
	_, dir := newTestPKI(t)
	srv, err := New(Config{
		CertFile:      filepath.Join(dir, fixtures.ServerCertFile),
		KeyFile:       filepath.Join(dir, fixtures.ServerKeyFile),
		ClientCAFiles: []string{filepath.Join(dir, fixtures.CAFile)},
		Logger:        slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln.Close() // Accept now fails at once

	err = srv.Serve(context.Background(), ln)
	if err == nil || !errors.Is(err, net.ErrClosed) {
		t.Errorf("Serve on a closed listener returned %v, want an error wrapping net.ErrClosed", err)
	}
}
