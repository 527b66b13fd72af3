package serve

import (
	"crypto/tls"
	"fmt"
	"log/slog"
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

// Limits of the HTTP server. The webhook answers at once, so they only
// bound slow or idle clients.
const (
	// HandshakeTimeout is the maximum time a TLS handshake may take.
	HandshakeTimeout = 10 * time.Second
	// ShutdownTimeout is the maximum time a graceful shutdown waits for
	// open requests before it closes the remaining connections.
	ShutdownTimeout = 5 * time.Second
	// MaxBodyBytes is the maximum request body. Dialogflow requests are a
	// few KiB. Larger bodies get 413.
	MaxBodyBytes = 1 << 20
	// MaxHeaderBytes is the maximum size of the request line and headers.
	MaxHeaderBytes = 64 << 10

	readHeaderTimeout = 10 * time.Second
	readTimeout       = 30 * time.Second
	// writeTimeout covers CX's maximum webhook timeout of 30 s.
	writeTimeout = 35 * time.Second
	idleTimeout  = 2 * time.Minute
)

// ClientAuth is the client certificate policy, the value of --client-auth.
type ClientAuth string

// The client certificate policies.
const (
	// ClientAuthRequire ends the handshake unless the client sends a
	// certificate that verifies against the client CAs. It is the default.
	ClientAuthRequire ClientAuth = "require"
	// ClientAuthRequest asks for a certificate and verifies it when one is
	// sent, but also accepts clients without one.
	ClientAuthRequest ClientAuth = "request"
	// ClientAuthNone does not ask for a client certificate.
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

// Config configures a Server. Each field is one flag of mtlsdoctor serve.
type Config struct {
	// Addr is the TCP address to listen on (--addr). Default DefaultAddr.
	Addr string
	// CertFile and KeyFile are the server certificate chain and its
	// private key, in PEM (--cert, --key). Default DefaultCertFile and
	// DefaultKeyFile.
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
	// Logger receives one record per connection and per request. Default
	// slog.Default().
	Logger *slog.Logger
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
	if c.KeyFile == "" {
		c.KeyFile = DefaultKeyFile
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}

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
