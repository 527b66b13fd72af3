package chain

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/mtlsdoctor/mtlsdoctor/internal/plural"
	"github.com/mtlsdoctor/mtlsdoctor/internal/redact"
	"github.com/mtlsdoctor/mtlsdoctor/report"
)

// InspectAddressOptions configure InspectAddress.
type InspectAddressOptions struct {
	// ServerName is the SNI to send; empty means the host of the target
	// when it is a name, and none for an IP address.
	ServerName string
	// Timeout bounds the download, or the connect and handshake together.
	// Zero means DefaultInspectTimeout.
	Timeout time.Duration
	// HTTPClient downloads certificate URLs; nil means a client with
	// Timeout.
	HTTPClient *http.Client
	// Read opens downloaded PKCS#12 files and encrypted keys.
	Read ReadOptions
}

// DefaultInspectTimeout bounds InspectAddress when no timeout is given.
const DefaultInspectTimeout = 5 * time.Second

// certificateFileExtensions are the URL path endings that InspectAddress
// downloads as a file instead of connecting to the server over TLS.
var certificateFileExtensions = []string{".crt", ".cer", ".der", ".pem", ".p7b", ".p7c", ".p12", ".pfx"}

// LooksLikeAddress reports whether s names a URL or HOST:PORT rather
// than a file. A file that exists wins over this guess.
func LooksLikeAddress(s string) bool {
	if strings.Contains(s, "://") {
		return true
	}
	if _, err := os.Stat(s); err == nil {
		return false
	}
	_, port, err := net.SplitHostPort(s)
	return err == nil && port != ""
}

// InspectAddress inspects a URL or HOST:PORT. An http URL, or an https URL
// whose path ends in a certificate file extension such as .crt or .p7c, is
// downloaded and inspected as a file. Anything else is a TLS server whose
// presented chain is inspected. A server that cannot be reached gives an
// inspection with a finding; only an invalid target is an error.
func InspectAddress(ctx context.Context, target string, opts InspectAddressOptions, now time.Time) (*Inspected, error) {
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultInspectTimeout
	}
	if u, err := url.Parse(target); err == nil && isDownload(u) {
		return inspectDownload(ctx, target, opts, now)
	}
	hostport, serverName, err := dialTarget(target, opts.ServerName)
	if err != nil {
		return nil, err
	}

	ctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()
	dialer := &tls.Dialer{Config: &tls.Config{
		ServerName: serverName,
		// inspect lists what the server presents; probe and verify judge
		// trust, so nothing is verified here.
		InsecureSkipVerify: true,
	}}
	conn, err := dialer.DialContext(ctx, "tcp", hostport)
	if err != nil {
		in := &report.Inspection{Target: redact.Source(target), Kind: "inspect", Encoding: "TLS"}
		in.Findings = append(in.Findings, dialFinding(hostport, serverName, opts.Timeout, err))
		return &Inspected{Inspection: in}, nil
	}
	defer conn.Close()

	state := conn.(*tls.Conn).ConnectionState()
	out := InspectContents(redact.Source(target), Contents{Encoding: "TLS", Certificates: state.PeerCertificates}, now)
	note := fmt.Sprintf("%s sent %s over %s with %s", hostport, plural.Count(len(state.PeerCertificates), "certificate"),
		tls.VersionName(state.Version), tls.CipherSuiteName(state.CipherSuite))
	if serverName != "" {
		note += ", server name " + serverName
	}
	out.Inspection.Notes = append([]string{note}, out.Inspection.Notes...)
	return out, nil
}

func isDownload(u *url.URL) bool {
	switch strings.ToLower(u.Scheme) {
	case "http":
		return true
	case "https":
		ext := strings.ToLower(path.Ext(u.Path))
		for _, e := range certificateFileExtensions {
			if ext == e {
				return true
			}
		}
	}
	return false
}

func inspectDownload(ctx context.Context, target string, opts InspectAddressOptions, now time.Time) (*Inspected, error) {
	client := opts.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: opts.Timeout}
	}
	data, err := FetchSource(ctx, client, target)
	if err != nil {
		return nil, err
	}
	read := opts.Read
	read.Untrusted = true
	c := DecodeWith(data, read)
	if len(c.Certificates) == 0 && len(c.Keys) == 0 {
		return nil, c.CertificatesError(redact.Source(target), "download")
	}
	return inspectContents(redact.Source(target), c, now, downloadConversionNote(c, target)), nil
}

// dialTarget returns the host:port to dial for an https URL or HOST:PORT,
// and the server name to send.
func dialTarget(target, serverName string) (string, string, error) {
	hostport := target
	if u, err := url.Parse(target); err == nil && u.Host != "" {
		if !strings.EqualFold(u.Scheme, "https") {
			return "", "", &TargetError{Target: redact.Source(target),
				Reason: fmt.Sprintf("the scheme %s is not supported", u.Scheme),
				Fix:    "Pass an https:// URL or HOST:PORT to connect to, or an http:// URL to download."}
		}
		hostport = u.Host
		if u.Port() == "" {
			hostport = net.JoinHostPort(u.Hostname(), "443")
		}
	}
	host, port, err := net.SplitHostPort(hostport)
	if err != nil {
		return "", "", &TargetError{Target: redact.Source(target), Reason: redact.URLSecrets(target).Replace(err.Error()),
			Fix: "Pass a file, https://HOST[:PORT] or HOST:PORT."}
	}
	if err := checkPort(port); err != nil {
		return "", "", &TargetError{Target: redact.Source(target), Reason: err.Error(),
			Fix: "Pass a port from 1 to 65535, such as " + net.JoinHostPort(host, "443") + "."}
	}
	if serverName == "" && net.ParseIP(host) == nil {
		serverName = host
	}
	return hostport, serverName, nil
}

// checkPort accepts a port number from 1 to 65535, or a service name that
// net.LookupPort resolves, such as https.
func checkPort(port string) error {
	n, err := strconv.Atoi(port)
	if err != nil {
		if _, lookupErr := net.LookupPort("tcp", port); lookupErr != nil {
			return fmt.Errorf("the port %q is neither a number from 1 to 65535 nor a known service name", port)
		}
		return nil
	}
	if n < 1 || n > 65535 {
		return fmt.Errorf("the port %d is not from 1 to 65535", n)
	}
	return nil
}

// dialFinding names the stage at which fetching the chain failed.
// serverName is the SNI that was sent, empty for none. Only mtlsdoctor
// probe diagnoses handshakes in depth.
func dialFinding(hostport, serverName string, timeout time.Duration, err error) report.Finding {
	var dnsErr *net.DNSError
	var recordErr tls.RecordHeaderError
	summary := "could not fetch the certificates from " + hostport
	var f report.Finding
	switch {
	case errors.As(err, &dnsErr):
		f = report.New(report.CodeDNSFailure, summary, err.Error())
	case errors.Is(err, syscall.ECONNREFUSED):
		f = report.New(report.CodeConnectionRefused, summary, err.Error())
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded):
		f = report.Newf(report.CodeHandshakeTimeout, summary, "no complete handshake within --timeout %s: %v", timeout, err)
	case errors.As(err, &recordErr) && bytes.HasPrefix(recordErr.RecordHeader[:], []byte("HTTP/")):
		f = report.New(report.CodePlainHTTP, summary, "the server responded to the TLS ClientHello with plain HTTP: "+err.Error())
	case errors.As(err, &recordErr):
		f = report.New(report.CodeNotTLS, summary, err.Error())
	case isRemoteAlert(err, alertUnrecognizedName):
		f = sniRequiredFinding(hostport, serverName, err)
	case errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		f = report.New(report.CodeConnectionReset, summary, err.Error()).
			WithFix("Run mtlsdoctor probe against the server: it diagnoses handshake failures in detail.")
	default:
		// An alert, or an error of the client's crypto/tls: the handshake
		// ended for a reason this fetch does not classify further.
		f = report.New(report.CodeHandshakeFailure, summary, err.Error()).
			WithFix("Run mtlsdoctor probe against the server: it diagnoses handshake failures in detail.")
	}
	return f
}

// alertUnrecognizedName is the TLS alert unrecognized_name (RFC 6066,
// section 3), which a server sends when it needs a server name it was
// not sent, or has no certificate for the one it was sent. nginx with
// ssl_reject_handshake on sends it (nginx 1.19.4 and later).
const alertUnrecognizedName = 112

// isRemoteAlert reports whether err is the TLS alert that the peer sent.
// crypto/tls reports one as a *net.OpError with Op "remote error" whose
// Err has an unexported type (Go 1.26), so its text is compared with that
// of the same alert as a tls.AlertError.
func isRemoteAlert(err error, alert uint8) bool {
	var opErr *net.OpError
	return errors.As(err, &opErr) && opErr.Op == "remote error" && opErr.Err != nil &&
		opErr.Err.Error() == tls.AlertError(alert).Error()
}

// sniRequiredFinding explains an unrecognized_name alert. A server that
// was sent no server name needs one to choose its certificate. A server
// that was sent one has no certificate for that name.
func sniRequiredFinding(hostport, serverName string, err error) report.Finding {
	summary := "the server at " + hostport + " requires a server name (SNI)"
	switch {
	case serverName == "":
		return report.Newf(report.CodeSNIRequired, summary,
			"no server name was sent, because the target is an IP address, and the server ended the handshake: %v", err).
			WithFix("Pass --server-name with the host name the server has a certificate for, or inspect HOST:PORT with that host name.")
	case net.ParseIP(serverName) != nil:
		return report.Newf(report.CodeSNIRequired, summary,
			"no server name was sent, because --server-name %s is an IP address and TLS sends only host names (RFC 6066, section 3), and the server ended the handshake: %v",
			serverName, err).
			WithFix("Pass the host name the server has a certificate for to --server-name, not an IP address.")
	}
	return report.Newf(report.CodeSNIRequired, fmt.Sprintf("the server at %s has no certificate for the server name %q", hostport, serverName),
		"the server name %q was sent, and the server ended the handshake: %v", serverName, err).
		WithFix(fmt.Sprintf("Check that %q is the name the server is reached by; if it is, configure the server for it, such as with nginx server_name.", serverName))
}
