package serve

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"log/slog"
	"os"
	"os/signal"
	"time"

	"github.com/mtlsdoctor/mtlsdoctor/chain"
	"github.com/mtlsdoctor/mtlsdoctor/report"
)

// certState is the part of the configuration that comes from files and
// that Reload replaces as a whole: the server certificate, the client CAs
// and what the server derives from them.
type certState struct {
	tlsConfig  *tls.Config
	diagnoser  *diagnoser
	serverCert *x509.Certificate
	clientCAs  []*x509.Certificate
	// clientCAFiles names the --client-ca file of each of clientCAs.
	clientCAFiles []string
	checks        []startupCheck
	findings      []report.Finding
	// keySource names the file the server key came from, for the log.
	keySource string
}

// loadCertState reads the server certificate, its key and the client CAs
// that cfg names. File problems return a *chain.FileError.
func loadCertState(cfg Config, now time.Time) (*certState, error) {
	if !cfg.Read.Password.IsSet() {
		cfg.Read.Password = chain.PasswordFromEnv()
	}
	pair, err := chain.ReadKeyPair(chain.KeyPairFiles{Role: "server", CertFile: cfg.CertFile, KeyFile: cfg.KeyFile,
		FallbackKeyFile: DefaultKeyFile}, cfg.Read)
	if err != nil {
		return nil, err
	}
	serverCert := pair.Certificate

	var clientCAs []*x509.Certificate
	var clientCAFiles []string
	for _, path := range cfg.ClientCAFiles {
		certs, err := chain.ReadCertificatesFileWith(path, "client CA", cfg.Read)
		if err != nil {
			return nil, err
		}
		clientCAs = append(clientCAs, certs...)
		for range certs {
			clientCAFiles = append(clientCAFiles, path)
		}
	}

	tlsConfig := &tls.Config{
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
		tlsConfig.ClientCAs = pool
	}

	checks := startupChecks(cfg, serverCert.Leaf, clientCAs, now)
	if check, ok := serverFilesCheck(pair); ok {
		checks = append(checks, check)
	}
	return &certState{
		tlsConfig:     tlsConfig,
		diagnoser:     &diagnoser{clientCAs: clientCAs, clientAuth: cfg.ClientAuth, handshakeTimeout: cfg.Limits.HandshakeTimeout, now: time.Now},
		serverCert:    serverCert.Leaf,
		clientCAs:     clientCAs,
		clientCAFiles: clientCAFiles,
		checks:        checks,
		findings:      checkFindings(checks),
		keySource:     keySource(pair),
	}, nil
}

// Reload reads the --cert, --key and --client-ca files again. Handshakes
// that start afterwards use the new certificates, and open connections
// carry on. When a file is missing or invalid, or the key does not match
// the certificate, Reload logs the error, keeps the previous certificates
// and returns the error. The other options, such as the policy and the
// projects, do not change. Reload is safe to call at any time, also
// before Serve and from several goroutines.
func (s *Server) Reload() error {
	s.reloadMu.Lock()
	defer s.reloadMu.Unlock()

	next, err := loadCertState(s.cfg, time.Now())
	if err != nil {
		s.log.Error("reload failed, keeping the previous certificates",
			slog.String("error", err.Error()),
			slog.String("current_sha256", report.Fingerprint(s.state.Load().serverCert.Raw)))
		return err
	}
	previous := s.state.Swap(next)

	s.log.Info("reloaded certificates",
		slog.String("cert", s.cfg.CertFile),
		slog.String("subject", next.serverCert.Subject.String()),
		slog.String("not_after", next.serverCert.NotAfter.UTC().Format(time.RFC3339)),
		slog.String("sha256", report.Fingerprint(next.serverCert.Raw)),
		slog.String("previous_sha256", report.Fingerprint(previous.serverCert.Raw)),
		slog.Any("client_ca", s.cfg.ClientCAFiles),
		slog.Int("client_ca_certificates", len(next.clientCAs)))
	s.logFindings(next.findings)
	return nil
}

// LogFindings logs each finding of Findings with its code, severity,
// detail and fix, at the level of its severity: ERROR for an error, WARN
// for a warning and INFO for information.
func (s *Server) LogFindings() {
	s.logFindings(s.state.Load().findings)
}

func (s *Server) logFindings(findings []report.Finding) {
	for _, f := range findings {
		s.log.LogAttrs(context.Background(), findingLevel(f.Severity), f.Summary,
			slog.String("code", string(f.Code)),
			slog.String("severity", string(f.Severity)),
			slog.String("detail", f.Detail),
			slog.String("fix", f.Fix))
	}
}

// findingLevel returns the log level of a finding's severity. An unknown
// severity logs as a warning.
func findingLevel(severity report.Severity) slog.Level {
	switch severity {
	case report.SeverityError:
		return slog.LevelError
	case report.SeverityInfo:
		return slog.LevelInfo
	}
	return slog.LevelWarn
}

// ReloadOnSignal calls Reload each time the process receives one of
// sigs, until ctx is done. The command line passes SIGHUP. The signals
// are registered before ReloadOnSignal returns, so a signal sent after
// that never takes its default action, which for SIGHUP ends the process.
func (s *Server) ReloadOnSignal(ctx context.Context, sigs ...os.Signal) {
	received := make(chan os.Signal, 1)
	signal.Notify(received, sigs...)
	go func() {
		defer signal.Stop(received)
		for {
			select {
			case sig := <-received:
				s.log.Info("reloading certificates", slog.String("signal", sig.String()))
				_ = s.Reload() // Reload logs the outcome
			case <-ctx.Done():
				return
			}
		}
	}()
}
