package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// sourceSecrets are the password and token that secretSourceURL puts in
// a download URL.
var sourceSecrets = []string{"PASSW0RDx", "T0KENv4lue"}

// secretSourceServer serves der at /root.der and 404 for any other path.
// It records the password and token of each request, so a test can check
// that the download used the real URL.
type secretSourceServer struct {
	*httptest.Server
	mu       sync.Mutex
	received []string // "password token" of each request
}

func startSecretSourceServer(t *testing.T, der []byte) *secretSourceServer {
	t.Helper()
	s := &secretSourceServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, password, _ := r.BasicAuth()
		s.mu.Lock()
		s.received = append(s.received, password+" "+r.URL.Query().Get("token"))
		s.mu.Unlock()
		if r.URL.Path != "/root.der" {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write(der)
	}))
	t.Cleanup(s.Close)
	return s
}

// secretSourceURL returns the URL of name on s with a password and a
// token in it.
func (s *secretSourceServer) secretSourceURL(name string) string {
	return strings.Replace(s.URL, "http://", "http://user:"+sourceSecrets[0]+"@", 1) + "/" + name + "?token=" + sourceSecrets[1]
}

// wantRealURLUsed fails unless every request carried the real password
// and token.
func (s *secretSourceServer) wantRealURLUsed(t *testing.T) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.received) == 0 {
		t.Fatal("the server received no request")
	}
	for _, got := range s.received {
		if want := sourceSecrets[0] + " " + sourceSecrets[1]; got != want {
			t.Errorf("the server received password and token %q, want %q", got, want)
		}
	}
}

func wantNoSourceSecrets(t *testing.T, stdout, stderr string) {
	t.Helper()
	for _, secret := range sourceSecrets {
		if strings.Contains(stdout, secret) {
			t.Errorf("stdout shows %q:\n%s", secret, stdout)
		}
		if strings.Contains(stderr, secret) {
			t.Errorf("stderr shows %q:\n%s", secret, stderr)
		}
	}
}

func TestInspectDownloadRedactsURLSecrets(t *testing.T) {
	_, pki := writePKI(t)
	srv := startSecretSourceServer(t, pki.CA.Cert.Raw)
	raw := srv.secretSourceURL("root.der")
	redacted := strings.NewReplacer(sourceSecrets[0], "xxxxx", sourceSecrets[1], "xxxxx").Replace(raw)

	tests := []struct {
		name string
		args []string
		want []string // each in stdout
	}{
		{"text", []string{"inspect", raw}, []string{
			"inspect " + redacted,
			"the download is DER",
			"mtlsdoctor inspect '" + redacted + "' --pem > root.pem",
		}},
		{"json", []string{"inspect", raw, "--output", "json"}, []string{
			`"target": "` + redacted + `"`,
			`--pem \u003e root.pem`, // encoding/json escapes ">"
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, tt.args...)
			if code != 0 {
				t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
			}
			wantNoSourceSecrets(t, stdout, stderr)
			for _, want := range tt.want {
				if !strings.Contains(stdout, want) {
					t.Errorf("stdout lacks %q:\n%s", want, stdout)
				}
			}
			if strings.Contains(stdout, "openssl x509") {
				t.Errorf("stdout suggests openssl, which cannot read a URL:\n%s", stdout)
			}
		})
	}
	t.Run("404", func(t *testing.T) {
		code, stdout, stderr := runCLI(t, "inspect", srv.secretSourceURL("missing.der"))
		if code != exitUsage {
			t.Errorf("exit %d, want %d", code, exitUsage)
		}
		wantNoSourceSecrets(t, stdout, stderr)
		if !strings.Contains(stderr, "404") {
			t.Errorf("stderr lacks the status:\n%s", stderr)
		}
	})
	srv.wantRealURLUsed(t)
}

func TestBundleSourceRedactsURLSecrets(t *testing.T) {
	_, pki := writePKI(t)
	srv := startSecretSourceServer(t, pki.CA.Cert.Raw)
	raw := srv.secretSourceURL("root.der")
	redacted := strings.NewReplacer(sourceSecrets[0], "xxxxx", sourceSecrets[1], "xxxxx").Replace(raw)

	t.Run("success", func(t *testing.T) {
		for _, format := range []string{"text", "json", "junit"} {
			// The same source twice gives a duplicate note that names it.
			code, stdout, stderr := runCLI(t, "bundle", "--source", raw, "--source", raw+"&page=2", "--out", "-", "--output", format)
			if code != 0 {
				t.Fatalf("%s: exit %d\nstderr: %s", format, code, stderr)
			}
			wantNoSourceSecrets(t, stdout, stderr)
			if !strings.Contains(stdout, "BEGIN CERTIFICATE") {
				t.Errorf("%s: stdout lacks the bundle:\n%s", format, stdout)
			}
			if format != "junit" && !strings.Contains(stderr, redacted) {
				t.Errorf("%s: stderr lacks the redacted source %q:\n%s", format, redacted, stderr)
			}
			if format == "json" && !strings.Contains(stderr, "duplicate removed (same as the one from "+redacted+")") {
				t.Errorf("json: the duplicate note does not name the redacted source:\n%s", stderr)
			}
		}
	})
	t.Run("404", func(t *testing.T) {
		missing := srv.secretSourceURL("missing.der")
		for _, format := range []string{"text", "json", "junit"} {
			code, stdout, stderr := runCLI(t, "bundle", "--source", missing, "--out", "-", "--output", format)
			if code != 1 {
				t.Errorf("%s: exit %d, want 1\nstderr: %s", format, code, stderr)
			}
			wantNoSourceSecrets(t, stdout, stderr)
			if !strings.Contains(stderr, "unreadable-file") || !strings.Contains(stderr, "404") {
				t.Errorf("%s: stderr lacks the unreadable-file finding with the status:\n%s", format, stderr)
			}
		}
	})
	srv.wantRealURLUsed(t)
}
