package chain

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestFetchSource(t *testing.T) {
	now := time.Now()
	root := newTestRoot(t, "fetch test root", now, nil)
	dir := t.TempDir()
	path := writeTestFile(t, dir, "root.der", root.Raw)
	srv := serveFiles(t, map[string][]byte{
		"root.der": root.Raw,
		"big.pem":  bytes.Repeat([]byte("A"), MaxSourceSize+1),
		"max.pem":  bytes.Repeat([]byte("A"), MaxSourceSize),
	})

	tests := []struct {
		name    string
		src     string
		want    []byte
		wantLen int
		reason  FetchReason
		status  int
		local   bool
	}{
		{name: "http URL", src: srv.URL + "/root.der", want: root.Raw},
		{name: "file path", src: path, want: root.Raw},
		{name: "file URL", src: "file://" + path, want: root.Raw},
		{name: "file URL with localhost", src: "file://localhost" + path, want: root.Raw},
		{name: "exactly the size limit", src: srv.URL + "/max.pem", wantLen: MaxSourceSize},
		{name: "HTTP 404", src: srv.URL + "/missing.der", reason: FetchHTTPStatus, status: http.StatusNotFound},
		{name: "over the size limit", src: srv.URL + "/big.pem", reason: FetchTooLarge},
		{name: "closed port", src: closedPortURL(t, "/root.der"), reason: FetchNetwork},
		{name: "missing file", src: dir + "/missing.pem", reason: FetchReadFile, local: true},
		{name: "directory", src: dir, reason: FetchReadFile, local: true},
		{name: "file URL with remote host", src: "file://example.invalid/etc/ssl/certs/x.pem", reason: FetchInvalidSource, local: true},
		{name: "unsupported scheme", src: "ftp://127.0.0.1/root.der", reason: FetchInvalidSource, local: true},
		{name: "empty source", src: "", reason: FetchInvalidSource, local: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := FetchSource(context.Background(), srv.Client(), tt.src)
			if tt.reason == "" {
				if err != nil {
					t.Fatalf("FetchSource: %v", err)
				}
				if tt.want != nil && !bytes.Equal(data, tt.want) {
					t.Errorf("got %d bytes, want the %d bytes served", len(data), len(tt.want))
				}
				if tt.wantLen != 0 && len(data) != tt.wantLen {
					t.Errorf("got %d bytes, want %d", len(data), tt.wantLen)
				}
				return
			}
			var fetchErr *FetchError
			if !errors.As(err, &fetchErr) {
				t.Fatalf("error %v (%T) is not a *FetchError", err, err)
			}
			if fetchErr.Reason != tt.reason {
				t.Errorf("reason = %q, want %q (error %v)", fetchErr.Reason, tt.reason, err)
			}
			if fetchErr.StatusCode != tt.status {
				t.Errorf("status = %d, want %d", fetchErr.StatusCode, tt.status)
			}
			if fetchErr.Local() != tt.local {
				t.Errorf("Local() = %v, want %v", fetchErr.Local(), tt.local)
			}
			if !strings.Contains(err.Error(), tt.src) {
				t.Errorf("error %q does not name the source %q", err, tt.src)
			}
			if fetchErr.Fix() == "" {
				t.Error("the error has no fix")
			}
		})
	}
}

func TestFetchSourceCanceled(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := FetchSource(ctx, srv.Client(), srv.URL+"/slow.der")
	var fetchErr *FetchError
	if !errors.As(err, &fetchErr) || fetchErr.Reason != FetchNetwork {
		t.Fatalf("error = %v, want a FetchNetwork *FetchError", err)
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error %v does not wrap context.Canceled", err)
	}
}

func TestFetchSourceSendsUserAgent(t *testing.T) {
	var agent string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		agent = r.UserAgent()
	}))
	t.Cleanup(srv.Close)
	if _, err := FetchSource(context.Background(), nil, srv.URL+"/x.der"); err != nil {
		t.Fatalf("FetchSource with a nil client: %v", err)
	}
	if agent != "mtlsdoctor" {
		t.Errorf("User-Agent = %q, want mtlsdoctor", agent)
	}
}
