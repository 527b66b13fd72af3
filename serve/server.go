// Package serve is the verifying HTTPS test server behind
// "mtlsdoctor serve". It requires (or requests) a client certificate,
// logs every handshake with the client's identity or the precise reason
// it failed, and responds to Dialogflow ES and CX webhook requests with a
// valid WebhookResponse. Beyond 100 failed handshakes a second it counts
// the failures instead of logging each. It reloads its certificates on
// Reload, and bounds slow, idle and hostile clients with Limits.
package serve

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mtlsdoctor/mtlsdoctor/report"
)

// Server is a configured, not yet listening test server. Create it with
// New.
type Server struct {
	cfg     Config
	log     *slog.Logger
	subject *subjectPattern // nil when --client-subject is not set

	// state contains the certificates, and Reload swaps it.
	// handshakeConfig gives each handshake the state that is current when
	// its ClientHello arrives.
	state           atomic.Pointer[certState]
	reloadMu        sync.Mutex // serializes Reload
	handshakeConfig *tls.Config
	failureLog      *logLimiter

	mu    sync.Mutex
	bound net.Addr // set by Listen
}

// New loads the server certificate and key and the client CAs named in
// cfg and checks the rest of cfg. File problems return a *chain.FileError
// that names the file, and other problems a *ConfigError that names the
// flag. Both carry the fix.
func New(cfg Config) (*Server, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	state, err := loadCertState(cfg, time.Now())
	if err != nil {
		return nil, err
	}

	s := &Server{
		cfg:        cfg,
		log:        cfg.Logger,
		failureLog: &logLimiter{perSecond: failureLogsPerSecond},
	}
	if cfg.ClientSubject != "" {
		if s.subject, err = compileSubjectPattern(cfg.ClientSubject); err != nil {
			return nil, err
		}
	}
	s.state.Store(state)
	s.handshakeConfig = &tls.Config{
		GetConfigForClient: func(*tls.ClientHelloInfo) (*tls.Config, error) {
			return s.state.Load().tlsConfig, nil
		},
	}
	return s, nil
}

// Findings returns what New noticed about the configuration: a policy
// that lets unauthenticated or unpinned clients in, client CAs that are
// expired or not CAs, and a server certificate that is expired or not
// allowed for server authentication. The server runs regardless.
// After a successful Reload it returns the findings of the new files.
func (s *Server) Findings() []report.Finding {
	return slices.Clone(s.state.Load().findings)
}

// Listen binds the configured address. Addr then returns the bound
// address, which matters when the port is 0.
func (s *Server) Listen() (net.Listener, error) {
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return nil, newListenError(s.cfg.Addr, err)
	}
	s.mu.Lock()
	s.bound = ln.Addr()
	s.mu.Unlock()
	return ln, nil
}

// Addr returns the address Listen bound, or the configured address before
// Listen.
func (s *Server) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.bound != nil {
		return s.bound.String()
	}
	return s.cfg.Addr
}

// ListenAndServe binds the configured address and serves until ctx is
// cancelled.
func (s *Server) ListenAndServe(ctx context.Context) error {
	ln, err := s.Listen()
	if err != nil {
		return err
	}
	return s.Serve(ctx, ln)
}

// Serve runs HTTPS on the TCP listener ln until ctx is cancelled, then
// shuts down gracefully: it stops accepting, waits up to ShutdownTimeout
// for open requests and closes what remains. It returns nil after a
// shutdown and an error when ln fails. Serve closes ln.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	limits := s.cfg.Limits
	tlsListener := newHandshakeListener(ln, listenerConfig{
		tls:           s.handshakeConfig,
		timeout:       limits.HandshakeTimeout,
		maxHandshakes: limits.MaxHandshakes,
		onHandshake:   s.logHandshake,
		log:           s.log,
	})
	httpServer := &http.Server{
		Handler:           http.HandlerFunc(s.handle),
		ReadHeaderTimeout: limits.ReadHeaderTimeout,
		ReadTimeout:       limits.ReadTimeout,
		WriteTimeout:      limits.WriteTimeout,
		IdleTimeout:       limits.IdleTimeout,
		MaxHeaderBytes:    MaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	reportCtx, stopReports := context.WithCancel(context.Background())
	reported := make(chan struct{})
	go func() {
		defer close(reported)
		reportSuppressed(reportCtx, s.log, s.failureLog, time.Second)
	}()
	// The last count of suppressed failures comes before "stopped".
	stopReporting := sync.OnceFunc(func() {
		stopReports()
		<-reported
	})
	defer stopReporting()

	s.log.Info("serving HTTPS",
		slog.String("addr", ln.Addr().String()),
		slog.String("key", s.state.Load().keySource),
		slog.String("client_auth", string(s.cfg.ClientAuth)),
		slog.Any("client_ca", s.cfg.ClientCAFiles),
		slog.Any("projects", s.cfg.Projects),
		slog.String("client_subject", s.cfg.ClientSubject),
		slog.Int("max_handshakes", limits.MaxHandshakes),
		slog.String("handshake_timeout", limits.HandshakeTimeout.String()))

	served := make(chan error, 1)
	go func() { served <- httpServer.Serve(tlsListener) }()

	select {
	case err := <-served:
		tlsListener.Close()
		return fmt.Errorf("serve HTTPS on %s: %w", ln.Addr(), err)
	case <-ctx.Done():
	}

	s.log.Info("shutting down", slog.String("cause", context.Cause(ctx).Error()))
	shutdownCtx, cancel := context.WithTimeout(context.Background(), ShutdownTimeout)
	defer cancel()
	if err := httpServer.Shutdown(shutdownCtx); err != nil {
		s.log.Warn("requests still open after the shutdown timeout, closing their connections",
			slog.Duration("timeout", ShutdownTimeout), slog.String("error", err.Error()))
		httpServer.Close()
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		s.log.Warn("server stopped with an error", slog.String("error", err.Error()))
	}
	tlsListener.Close()
	stopReporting()
	s.log.Info("stopped")
	return nil
}

// logHandshake writes one record per TLS handshake.
func (s *Server) logHandshake(conn *tls.Conn, err error) {
	remote := slog.String("remote", conn.RemoteAddr().String())
	ctx := context.Background()

	if err != nil {
		if !s.failureLog.allow(time.Now()) {
			return
		}
		// NOTE: a Reload between the handshake and this line makes the
		// diagnosis use the new client CAs, but the window is microseconds.
		f := s.state.Load().diagnoser.diagnose(err)
		attrs := []slog.Attr{remote, slog.String("reason", f.Reason)}
		if f.Code != "" {
			attrs = append(attrs, slog.String("code", string(f.Code)))
		}
		if f.Cert != nil {
			attrs = append(attrs, certAttrs(f.Cert)...)
		}
		attrs = append(attrs, slog.String("error", err.Error()))
		s.log.LogAttrs(ctx, slog.LevelWarn, "TLS handshake failed", attrs...)
		return
	}

	state := conn.ConnectionState()
	attrs := append([]slog.Attr{remote}, connAttrs(state)...)
	if leaf := verifiedClientCert(&state); leaf != nil {
		attrs = append(attrs, slog.String("client_cert", "verified"))
		attrs = append(attrs, certAttrs(leaf)...)
	} else {
		attrs = append(attrs, slog.String("client_cert", "none"))
	}
	s.log.LogAttrs(ctx, slog.LevelInfo, "TLS handshake ok", attrs...)
}

// verifiedClientCert returns the client's leaf certificate when it
// verified against the client CAs, and nil otherwise.
func verifiedClientCert(state *tls.ConnectionState) *x509.Certificate {
	if state == nil || len(state.VerifiedChains) == 0 || len(state.VerifiedChains[0]) == 0 {
		return nil
	}
	return state.VerifiedChains[0][0]
}
