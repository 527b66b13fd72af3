package chain

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/mtlsdoctor/mtlsdoctor/internal/redact"
)

// MaxSourceSize is the largest source FetchSource reads, in bytes. A CA
// certificate is a few KiB, so a larger response is a wrong URL or file.
const MaxSourceSize = 1 << 20

// DefaultFetchTimeout bounds one download when BundleOptions.HTTPClient
// is nil.
const DefaultFetchTimeout = 30 * time.Second

// FetchReason classifies a FetchError.
type FetchReason string

// The reasons a source cannot be fetched.
const (
	// FetchInvalidSource: the source is neither a path nor an http,
	// https or file URL.
	FetchInvalidSource FetchReason = "invalid source"
	// FetchReadFile: a local file or file URL cannot be read.
	FetchReadFile FetchReason = "cannot read file"
	// FetchNetwork: the request failed before an HTTP status arrived
	// (DNS, connection, TLS, timeout).
	FetchNetwork FetchReason = "download failed"
	// FetchHTTPStatus: the server responded with a status other than 200.
	FetchHTTPStatus FetchReason = "unexpected HTTP status"
	// FetchTooLarge: the source is larger than MaxSourceSize.
	FetchTooLarge FetchReason = "too large"
)

// FetchError is a source that could not be fetched. A URL's password
// and secret query values are redacted in Source and in the text of Err
// (see redact.URL), because the error reaches reports and the terminal.
type FetchError struct {
	Source     string // as the caller gave it, with a URL's secrets redacted
	Reason     FetchReason
	StatusCode int // for FetchHTTPStatus
	Err        error
}

// newFetchError returns a FetchError for src. net/http's errors may
// repeat the URL, so err's text goes through the same redaction.
func newFetchError(src string, reason FetchReason, err error) *FetchError {
	return &FetchError{Source: redact.Source(src), Reason: reason, Err: redactedError(src, err)}
}

// redactedError returns err with the secrets of the URL src replaced in
// its text, or err itself when its text has none. The original stays
// reachable through errors.Unwrap.
func redactedError(src string, err error) error {
	if err == nil {
		return nil
	}
	text := redact.URLSecrets(src).Replace(err.Error())
	if text == err.Error() {
		return err
	}
	return &redactedTextError{text: text, err: err}
}

// redactedTextError is an error whose text has a URL's secrets replaced.
type redactedTextError struct {
	text string
	err  error
}

func (e *redactedTextError) Error() string { return e.text }
func (e *redactedTextError) Unwrap() error { return e.err }

func (e *FetchError) Error() string {
	msg := fmt.Sprintf("fetch %q: %s", e.Source, e.Reason)
	if e.Reason == FetchHTTPStatus {
		msg += fmt.Sprintf(" %d %s", e.StatusCode, http.StatusText(e.StatusCode))
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg + ": " + e.Fix()
}

func (e *FetchError) Unwrap() error { return e.Err }

// Local reports whether the source is a file on this machine, as opposed
// to a download. A local source that fails is a usage error, while a
// download that fails may be the network's fault.
func (e *FetchError) Local() bool {
	return e.Reason == FetchReadFile || e.Reason == FetchInvalidSource || (e.Reason == FetchTooLarge && !isHTTPSource(e.Source))
}

// Fix returns the next step for the user.
func (e *FetchError) Fix() string {
	switch e.Reason {
	case FetchInvalidSource:
		return "give a file path or an http, https or file URL"
	case FetchReadFile:
		return "check the path and the file's permissions"
	case FetchNetwork:
		return "check the URL, that the server answers, and the network"
	case FetchHTTPStatus:
		return "check the URL; the server has no certificate there"
	case FetchTooLarge:
		return fmt.Sprintf("a CA certificate is a few KiB and the limit is %d bytes: check that the source is a certificate", MaxSourceSize)
	}
	return "check the source"
}

// fetchCause describes err without the fix, for a note that goes on to
// say what was done instead.
func fetchCause(err error) string {
	var fetchErr *FetchError
	if !errors.As(err, &fetchErr) {
		return err.Error()
	}
	msg := fmt.Sprintf("fetch %s: %s", fetchErr.Source, fetchErr.Reason)
	if fetchErr.Reason == FetchHTTPStatus {
		msg += fmt.Sprintf(" (%d %s)", fetchErr.StatusCode, http.StatusText(fetchErr.StatusCode))
	}
	if fetchErr.Err != nil {
		msg += ": " + fetchErr.Err.Error()
	}
	return msg
}

func isHTTPSource(src string) bool {
	lower := strings.ToLower(src)
	return strings.HasPrefix(lower, "http://") || strings.HasPrefix(lower, "https://")
}

// newHTTPClient returns the client BuildBundle uses when none is given.
func newHTTPClient() *http.Client {
	return &http.Client{Timeout: DefaultFetchTimeout}
}

// FetchSource reads src, which is an http or https URL, a file URL or a
// file path, and returns at most MaxSourceSize bytes. A nil client uses
// one with DefaultFetchTimeout. Errors are *FetchError.
func FetchSource(ctx context.Context, client *http.Client, src string) ([]byte, error) {
	if client == nil {
		client = newHTTPClient()
	}
	if isHTTPSource(src) {
		return fetchHTTP(ctx, client, src)
	}
	path, err := sourcePath(src)
	if err != nil {
		return nil, newFetchError(src, FetchInvalidSource, err)
	}
	return readLocal(src, path)
}

// sourcePath returns the file path of a file URL or plain path.
func sourcePath(src string) (string, error) {
	if src == "" {
		return "", errors.New("the source is empty")
	}
	scheme, _, found := strings.Cut(src, "://")
	if !found {
		return src, nil
	}
	if !strings.EqualFold(scheme, "file") {
		return "", fmt.Errorf("unsupported scheme %q", scheme)
	}
	u, err := url.Parse(src)
	if err != nil {
		return "", err
	}
	if u.Host != "" && u.Host != "localhost" {
		return "", fmt.Errorf("a file URL must name a local file (file:///path), not host %q", u.Host)
	}
	if u.Path == "" {
		return "", errors.New("the file URL has no path")
	}
	return u.Path, nil
}

func readLocal(src, path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, newFetchError(src, FetchReadFile, unwrapPathError(err))
	}
	defer f.Close()

	info, err := f.Stat()
	if err != nil {
		return nil, newFetchError(src, FetchReadFile, unwrapPathError(err))
	}
	if info.IsDir() {
		return nil, newFetchError(src, FetchReadFile, errors.New("it is a directory"))
	}
	return readLimited(src, f)
}

func fetchHTTP(ctx context.Context, client *http.Client, src string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, src, nil)
	if err != nil {
		return nil, newFetchError(src, FetchInvalidSource, err)
	}
	req.Header.Set("User-Agent", "mtlsdoctor")
	req.Header.Set("Accept", "application/pkix-cert, application/x-x509-ca-cert, application/x-pem-file, */*")

	resp, err := client.Do(req)
	if err != nil {
		return nil, newFetchError(src, FetchNetwork, unwrapURLError(err))
	}
	defer resp.Body.Close()

	if resp.StatusCode != http.StatusOK {
		fetchErr := newFetchError(src, FetchHTTPStatus, nil)
		fetchErr.StatusCode = resp.StatusCode
		return nil, fetchErr
	}
	return readLimited(src, resp.Body)
}

func readLimited(src string, r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxSourceSize+1))
	if err != nil {
		reason := FetchNetwork
		if !isHTTPSource(src) {
			reason = FetchReadFile
		}
		return nil, newFetchError(src, reason, err)
	}
	if len(data) > MaxSourceSize {
		return nil, newFetchError(src, FetchTooLarge, nil)
	}
	return data, nil
}

// unwrapURLError drops the *url.Error wrapper, whose text repeats the
// method and URL that FetchError already names.
func unwrapURLError(err error) error {
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		return urlErr.Err
	}
	return err
}

// sentence makes a fix phrase, written to follow a colon in an error
// message, stand alone: a capital first letter and a full stop.
func sentence(s string) string {
	if s == "" {
		return s
	}
	r, size := utf8.DecodeRuneInString(s)
	s = string(unicode.ToUpper(r)) + s[size:]
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}

// localFetchCause describes a local source's failure for a FileError,
// which names the file itself.
func localFetchCause(e *FetchError) string {
	if e.Err == nil {
		return string(e.Reason)
	}
	return string(e.Reason) + ": " + e.Err.Error()
}
