package peers

import (
	"crypto/tls"
	"errors"
	"log"
	"net"
	"net/http"
	"sync"
	"testing"
)

// WebhookResponse is the body the Go and nginx peers respond with: a
// minimal Dialogflow ES WebhookResponse.
const WebhookResponse = `{"fulfillmentText":"ok"}`

// WebhookHandler responds to every request with WebhookResponse.
var WebhookHandler = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(WebhookResponse))
})

// StartGo serves handler over TLS with cfg on 127.0.0.1. A nil handler
// means WebhookHandler. Unlike httptest, StartGo adds no certificate of its
// own, so a cfg whose GetCertificate rejects a missing server name really
// rejects it. Handshake errors go to the server's log.
func StartGo(t testing.TB, cfg *tls.Config, handler http.Handler) *Server {
	t.Helper()
	cfg = cfg.Clone()
	if cfg.NextProtos == nil {
		cfg.NextProtos = []string{"http/1.1"}
	}
	return startHTTP(t, cfg, handler)
}

// StartGoHTTP serves handler over plain HTTP on 127.0.0.1, for probes of
// a port without TLS. A nil handler means WebhookHandler.
func StartGoHTTP(t testing.TB, handler http.Handler) *Server {
	t.Helper()
	return startHTTP(t, nil, handler)
}

func startHTTP(t testing.TB, cfg *tls.Config, handler http.Handler) *Server {
	t.Helper()
	if handler == nil {
		handler = WebhookHandler
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen on 127.0.0.1:0: %v", err)
	}
	s := &Server{Stack: StackGo, Addr: ln.Addr().String(), log: &Log{}}
	srv := &http.Server{Handler: handler, ErrorLog: log.New(s.log, "", 0)}
	if cfg != nil {
		ln = tls.NewListener(ln, cfg)
	}

	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Write([]byte("serve: " + err.Error() + "\n"))
		}
	}()
	s.stop = func() {
		_ = srv.Close()
		<-done
	}

	t.Cleanup(func() {
		s.Stop()
		if t.Failed() {
			t.Logf("go %s log:\n%s", s.Addr, lastLines(s.Log(), 40))
		}
	})
	return s
}

// StartListener accepts TCP connections on 127.0.0.1 and hands each to
// handle in its own goroutine, for servers that misbehave below HTTP:
// silent, resetting or not speaking TLS. Stop closes the listener and
// waits for the handlers, so handle must return once its peer closes.
func StartListener(t testing.TB, handle func(net.Conn)) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen on 127.0.0.1:0: %v", err)
	}
	s := &Server{Stack: StackGo, Addr: ln.Addr().String(), log: &Log{}}

	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, conn)
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				handle(conn)
			}()
		}
	}()
	s.stop = func() {
		ln.Close()
		// Close the connections too, so a handler that waits for its peer
		// returns.
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	}
	t.Cleanup(s.Stop)
	return s
}
