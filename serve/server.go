// Package serve is the verifying HTTPS test server behind
// "mtlsdoctor serve". It requires (or requests) a client certificate,
// logs every handshake with the client's identity or the precise reason
// it failed, and answers Dialogflow ES and CX webhook requests with a
// valid WebhookResponse.
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
	"time"

	"github.com/mtlsdoctor/mtlsdoctor/chain"
	"github.com/mtlsdoctor/mtlsdoctor/report"
)

// Server is a configured, not yet listening test server. Create it with
// New.
type Server struct {
	cfg       Config
	log       *slog.Logger
	tlsConfig *tls.Config
	clientCAs []*x509.Certificate
	subject   *subjectPattern // nil when --client-subject is not set
	diagnoser *diagnoser
	findings  []report.Finding

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

	serverCert, err := chain.LoadKeyPair(cfg.CertFile, cfg.KeyFile, "server")
	if err != nil {
		return nil, err
	}

	var clientCAs []*x509.Certificate
	for _, path := range cfg.ClientCAFiles {
		certs, err := chain.ReadCertificatesFile(path, "client CA")
		if err != nil {
			return nil, err
		}
		clientCAs = append(clientCAs, certs...)
	}

	s := &Server{
		cfg:       cfg,
		log:       cfg.Logger,
		clientCAs: clientCAs,
		diagnoser: &diagnoser{clientCAs: clientCAs, clientAuth: cfg.ClientAuth, now: time.Now},
	}
	if cfg.ClientSubject != "" {
		if s.subject, err = compileSubjectPattern(cfg.ClientSubject); err != nil {
			return nil, err
		}
	}

	s.tlsConfig = &tls.Config{
		MinVersion:   tls.VersionTLS12,
		Certificates: []tls.Certificate{serverCert},
		ClientAuth:   cfg.ClientAuth.tlsClientAuth(),
		NextProtos:   []string{"h2", "http/1.1"},
	}
	if cfg.ClientAuth != ClientAuthNone {
		// crypto/tls also sends the subjects of this pool as the acceptable
		// CA names in its CertificateRequest, which openssl s_client prints.
		pool := x509.NewCertPool()
		for _, ca := range clientCAs {
			pool.AddCert(ca)
		}
		s.tlsConfig.ClientCAs = pool
	}

	s.findings = startupFindings(cfg, serverCert.Leaf, clientCAs, time.Now())
	return s, nil
}

// Findings returns what New noticed about the configuration: a policy
// that lets unauthenticated or unpinned clients in, client CAs that are
// expired or not CAs, and a server certificate that is expired or not
// allowed for server authentication. The server runs regardless.
func (s *Server) Findings() []report.Finding {
	return slices.Clone(s.findings)
}

// Listen binds the configured address. Addr then returns the bound
// address, which matters when the port is 0.
func (s *Server) Listen() (net.Listener, error) {
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w: choose another --addr or stop the program that uses the port", s.cfg.Addr, err)
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
	tlsListener := newHandshakeListener(ln, s.tlsConfig, HandshakeTimeout, s.logHandshake)
	httpServer := &http.Server{
		Handler:           http.HandlerFunc(s.handle),
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    MaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}

	s.log.Info("serving HTTPS",
		slog.String("addr", ln.Addr().String()),
		slog.String("client_auth", string(s.cfg.ClientAuth)),
		slog.Any("client_ca", s.cfg.ClientCAFiles),
		slog.Any("projects", s.cfg.Projects),
		slog.String("client_subject", s.cfg.ClientSubject))

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
	s.log.Info("stopped")
	return nil
}

// logHandshake writes one record per TLS handshake.
func (s *Server) logHandshake(conn *tls.Conn, err error) {
	remote := slog.String("remote", conn.RemoteAddr().String())
	ctx := context.Background()

	if err != nil {
		f := s.diagnoser.diagnose(err)
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
