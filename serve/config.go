package serve

import (
	"crypto/tls"
	"fmt"
	"github.com/mtlsdoctor/mtlsdoctor/chain"
	"log/slog"
	"runtime"
	"strings"
	"time"
)

// Defaults that match the platform's documentation, so that its curl and
// openssl s_client commands work unchanged against the server.
const (
	DefaultAddr     = "127.0.0.1:4433"
	DefaultCertFile = "server-crt.pem"
	DefaultKeyFile  = "server-key.pem"
)

// Defaults of Limits. The webhook handler responds at once, so the
// timeouts only bound slow or idle clients.
const (
	// DefaultHandshakeTimeout is the default maximum time of a TLS
	// handshake, from accepting the connection to the client's Finished.
	DefaultHandshakeTimeout = 10 * time.Second
	// DefaultReadHeaderTimeout is the default maximum time to read the
	// request line and headers after the handshake.
	DefaultReadHeaderTimeout = 10 * time.Second
	// DefaultReadTimeout is the default maximum time to read a whole
	// request, body included.
	DefaultReadTimeout = 30 * time.Second
	// DefaultWriteTimeout is the default maximum time from the end of the
	// request headers to the end of the response. It covers CX's maximum
	// webhook timeout of 30 s.
	DefaultWriteTimeout = 35 * time.Second
	// DefaultIdleTimeout is the default maximum time a keep-alive
	// connection waits for its next request.
	DefaultIdleTimeout = 2 * time.Minute
	// DefaultMaxBodyBytes is the default maximum request body. Dialogflow
	// requests are a few KiB. Larger bodies get 413.
	DefaultMaxBodyBytes = 1 << 20

	// ShutdownTimeout is the maximum time a graceful shutdown waits for
	// open requests before it closes the remaining connections.
	ShutdownTimeout = 5 * time.Second
	// MaxHeaderBytes is the maximum size of the request line and headers.
	// Larger headers get 431.
	MaxHeaderBytes = 64 << 10
)

// handshakesPerCPU sizes the default of Limits.MaxHandshakes. A handshake
// holds its slot only while it computes (see handshakeConn), so a few
// slots per CPU keep every core busy while the scheduler parks some
// holders. More slots would not raise the throughput. Under a burst they
// would share the CPU among so many handshakes that all of them could run
// into the handshake timeout, whereas queued ClientHellos wait their turn
// and the admitted handshakes finish at full speed.
const handshakesPerCPU = 4

// Limits bound what one client can make the server wait for or hold.
// Zero fields take the defaults above.
type Limits struct {
	// HandshakeTimeout bounds each TLS handshake, from accepting the TCP
	// connection to the client's Finished. It also ends connections that
	// send nothing. Default DefaultHandshakeTimeout.
	HandshakeTimeout time.Duration
	// ReadHeaderTimeout bounds reading the request line and headers.
	// Default DefaultReadHeaderTimeout.
	ReadHeaderTimeout time.Duration
	// ReadTimeout bounds reading a whole request, body included. Default
	// DefaultReadTimeout.
	ReadTimeout time.Duration
	// WriteTimeout bounds the time from the end of the request headers to
	// the end of the response. Default DefaultWriteTimeout.
	WriteTimeout time.Duration
	// IdleTimeout bounds the wait for the next request on a keep-alive
	// connection. Default DefaultIdleTimeout.
	IdleTimeout time.Duration
	// MaxBodyBytes is the largest request body the server reads. Larger
	// bodies get 413. Default DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// MaxHandshakes is the number of TLS handshakes that may compute (key
	// exchange, signature, client chain verification) at the same time.
	// A handshake that waits for the client holds no slot, so half-open
	// connections and slow clients do not use any up. Default 4 per CPU
	// (runtime.GOMAXPROCS).
	MaxHandshakes int
}

func (l Limits) withDefaults() Limits {
	defaults := []struct {
		value *time.Duration
		def   time.Duration
	}{
		{&l.HandshakeTimeout, DefaultHandshakeTimeout},
		{&l.ReadHeaderTimeout, DefaultReadHeaderTimeout},
		{&l.ReadTimeout, DefaultReadTimeout},
		{&l.WriteTimeout, DefaultWriteTimeout},
		{&l.IdleTimeout, DefaultIdleTimeout},
	}
	for _, d := range defaults {
		if *d.value <= 0 {
			*d.value = d.def
		}
	}
	if l.MaxBodyBytes <= 0 {
		l.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if l.MaxHandshakes <= 0 {
		l.MaxHandshakes = handshakesPerCPU * runtime.GOMAXPROCS(0)
	}
	return l
}

// ClientAuth is the client certificate policy, the value of --client-auth.
type ClientAuth string

// The client certificate policies.
const (
	// ClientAuthRequire ends the handshake unless the client sends a
	// certificate that verifies against the client CAs. It is the default.
	ClientAuthRequire ClientAuth = "require"
	// ClientAuthRequest requests a certificate and verifies it when one is
	// sent, but also accepts clients without one.
	ClientAuthRequest ClientAuth = "request"
	// ClientAuthNone does not request a client certificate.
	ClientAuthNone ClientAuth = "none"
)

// ParseClientAuth validates a --client-auth value. An empty value is
// ClientAuthRequire.
func ParseClientAuth(s string) (ClientAuth, error) {
	switch ClientAuth(s) {
	case "", ClientAuthRequire:
		return ClientAuthRequire, nil
	case ClientAuthRequest, ClientAuthNone:
		return ClientAuth(s), nil
	}
	return "", &ConfigError{Flag: "--client-auth", Value: s, Reason: "unknown policy", Fix: "use require, request or none"}
}

// tlsClientAuth maps the policy to crypto/tls. Both require and request
// verify a certificate the client sends against the client CAs.
func (a ClientAuth) tlsClientAuth() tls.ClientAuthType {
	switch a {
	case ClientAuthRequest:
		return tls.VerifyClientCertIfGiven
	case ClientAuthNone:
		return tls.NoClientCert
	}
	return tls.RequireAndVerifyClientCert
}

// Config configures a Server. Each field but Logger and Limits is one flag
// of mtlsdoctor serve.
type Config struct {
	// Addr is the TCP address to listen on (--addr). Default DefaultAddr.
	Addr string
	// Read opens PKCS#12 files and encrypted keys (--password-file). The
	// zero value takes the password from MTLSDOCTOR_PASSWORD.
	Read chain.ReadOptions
	// CertFile and KeyFile are the server certificate chain and its
	// private key, in PEM (--cert, --key). CertFile defaults to
	// DefaultCertFile. An empty KeyFile means the key in CertFile when it
	// holds one, and else DefaultKeyFile.
	CertFile string
	KeyFile  string
	// ClientCAFiles are the CA certificates that client certificates must
	// chain to (--client-ca, repeatable). Required unless ClientAuth is
	// ClientAuthNone.
	ClientCAFiles []string
	// ClientAuth is the client certificate policy (--client-auth).
	// Default ClientAuthRequire.
	ClientAuth ClientAuth
	// Projects, when not empty, limits webhook POSTs to sessions of these
	// Google Cloud projects (--project, repeatable). Other sessions get 403.
	Projects []string
	// ClientSubject, when set, pins the client identity (--client-subject).
	// It is a Go regular expression (RE2 syntax) that must match the whole
	// subject common name or the whole subject in RFC 2253 form, as the log
	// prints it ("CN=Google LLC,O=Google LLC,L=Mountain View,ST=California,C=US").
	// Requests without a matching verified certificate get 403.
	ClientSubject string
	// Logger receives one record per TLS handshake and per request, and
	// records when the server starts, reloads and stops. Failed
	// handshakes beyond 100 a second are counted in one record a second
	// instead. Default slog.Default().
	Logger *slog.Logger
	// Limits bound slow, idle and hostile clients.
	Limits Limits
}

// ConfigError reports an invalid Config value. Flag names the option as
// the command line spells it.
type ConfigError struct {
	Flag   string
	Value  string
	Reason string
	Err    error
	Fix    string
}

// Error returns the flag, the value, the reason and the fix.
func (e *ConfigError) Error() string {
	msg := fmt.Sprintf("invalid %s %q: %s", e.Flag, e.Value, e.Reason)
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	if e.Fix != "" {
		msg += ": " + e.Fix
	}
	return msg
}

// Unwrap returns the underlying error, if any.
func (e *ConfigError) Unwrap() error {
	return e.Err
}

// withDefaults fills empty fields and validates the ones that need no file.
func (c Config) withDefaults() (Config, error) {
	if c.Addr == "" {
		c.Addr = DefaultAddr
	}
	if c.CertFile == "" {
		c.CertFile = DefaultCertFile
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	c.Limits = c.Limits.withDefaults()

	auth, err := ParseClientAuth(string(c.ClientAuth))
	if err != nil {
		return c, err
	}
	c.ClientAuth = auth

	if c.ClientAuth != ClientAuthNone && len(c.ClientCAFiles) == 0 {
		return c, &ConfigError{
			Flag: "--client-ca", Value: "",
			Reason: fmt.Sprintf("--client-auth %s needs the CA that issues client certificates", c.ClientAuth),
			Fix:    "pass --client-ca FILE (test-ca-crt.pem from mtlsdoctor gen, or ca-crt.pem from mtlsdoctor bundle), or use --client-auth none",
		}
	}
	if c.ClientAuth == ClientAuthNone && c.ClientSubject != "" {
		return c, &ConfigError{
			Flag: "--client-subject", Value: c.ClientSubject,
			Reason: "--client-auth none never receives a client certificate, so no request could match",
			Fix:    "use --client-auth require, or drop --client-subject",
		}
	}
	for _, p := range c.Projects {
		if p == "" || strings.Contains(p, "/") {
			return c, &ConfigError{
				Flag: "--project", Value: p,
				Reason: "not a project ID",
				Fix:    `give the ID that follows "projects/" in the session name, such as my-project-123`,
			}
		}
	}
	return c, nil
}
