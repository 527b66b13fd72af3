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
	"strings"
	"syscall"
	"time"

	"github.com/mtlsdoctor/mtlsdoctor/internal/plural"
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
		in := &report.Inspection{Target: target, Kind: "inspect", Encoding: "TLS"}
		in.Findings = append(in.Findings, dialFinding(hostport, opts.Timeout, err))
		return &Inspected{Inspection: in}, nil
	}
	defer conn.Close()

	state := conn.(*tls.Conn).ConnectionState()
	out := InspectContents(target, Contents{Encoding: "TLS", Certificates: state.PeerCertificates}, now)
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
		return nil, c.CertificatesError(target, "download")
	}
	return InspectContents(target, c, now), nil
}

// dialTarget returns the host:port to dial for an https URL or HOST:PORT,
// and the server name to send.
func dialTarget(target, serverName string) (string, string, error) {
	hostport := target
	if u, err := url.Parse(target); err == nil && u.Host != "" {
		if !strings.EqualFold(u.Scheme, "https") {
			return "", "", fmt.Errorf("invalid target %q: inspect connects to https:// URLs and HOST:PORT, and downloads http:// URLs", target)
		}
		hostport = u.Host
		if u.Port() == "" {
			hostport = net.JoinHostPort(u.Hostname(), "443")
		}
	}
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		return "", "", fmt.Errorf("invalid target %q: pass a file, https://HOST[:PORT] or HOST:PORT: %v", target, err)
	}
	if serverName == "" && net.ParseIP(host) == nil {
		serverName = host
	}
	return hostport, serverName, nil
}

// dialFinding names the stage at which fetching the chain failed. Only
// mtlsdoctor probe diagnoses handshakes in depth.
func dialFinding(hostport string, timeout time.Duration, err error) report.Finding {
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
		f = report.New(report.CodePlainHTTP, summary, "the server answered the TLS ClientHello with plain HTTP: "+err.Error())
	case errors.As(err, &recordErr):
		f = report.New(report.CodeNotTLS, summary, err.Error())
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
