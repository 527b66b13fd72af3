package chain

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/mtlsdoctor/mtlsdoctor/report"
)

// redactTestSecrets are the password and token the tests below put in
// source URLs.
var redactTestSecrets = []string{"s3cretPW", "t0kenVAL"}

func withSecrets(base string) string {
	return strings.Replace(base, "http://", "http://user:"+redactTestSecrets[0]+"@", 1) + "?token=" + redactTestSecrets[1]
}

func wantNoSecretIn(t *testing.T, label, text string) {
	t.Helper()
	for _, secret := range redactTestSecrets {
		if strings.Contains(text, secret) {
			t.Errorf("%s shows %q: %s", label, secret, text)
		}
	}
}

func TestFetchErrorRedactsURL(t *testing.T) {
	srv := serveFiles(t, nil)
	tests := []struct {
		name   string
		src    string
		reason FetchReason
	}{
		{"HTTP 404", withSecrets(srv.URL + "/missing.der"), FetchHTTPStatus},
		{"closed port", withSecrets(closedPortURL(t, "/root.der")), FetchNetwork},
		// url.Parse's error, which net/http returns, quotes the whole URL.
		{"invalid escape", withSecrets("http://127.0.0.1:1/root%zz.der"), FetchInvalidSource},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := FetchSource(context.Background(), srv.Client(), tt.src)
			var fetchErr *FetchError
			if !errors.As(err, &fetchErr) {
				t.Fatalf("error %v is not a *FetchError", err)
			}
			if fetchErr.Reason != tt.reason {
				t.Errorf("reason = %q, want %q", fetchErr.Reason, tt.reason)
			}
			wantNoSecretIn(t, "Error()", err.Error())
			wantNoSecretIn(t, "Source", fetchErr.Source)
			wantNoSecretIn(t, "fetchCause", fetchCause(err))
			if !strings.Contains(err.Error(), "user:xxxxx@") {
				t.Errorf("Error() %q lacks the redacted user info", err)
			}
		})
	}
}

func TestBundleRedactsSourceURL(t *testing.T) {
	now := time.Now()
	root := newTestRoot(t, "redact test root", now, nil)
	srv := serveFiles(t, map[string][]byte{"root.der": root.Raw})
	good := withSecrets(srv.URL + "/root.der")
	missing := withSecrets(srv.URL + "/missing.der")

	result, err := BuildBundle(context.Background(), BundleOptions{
		Sources:    []string{good, good + "&page=2", missing},
		Now:        now,
		HTTPClient: srv.Client(),
	})
	if err != nil {
		t.Fatal(err)
	}
	rep := result.Report
	js, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	wantNoSecretIn(t, "the JSON report", string(js))
	if !rep.Has(report.CodeUnreadableFile) {
		t.Errorf("no unreadable-file finding for the 404 in %s", js)
	}
	if len(rep.Certificates) != 2 || !strings.Contains(rep.Certificates[1].Note, "duplicate removed") {
		t.Errorf("certificates = %+v, want the download and its duplicate", rep.Certificates)
	}

	_, err = BuildBundle(context.Background(), BundleOptions{Sources: []string{good}, Offline: true})
	if err == nil {
		t.Fatal("BuildBundle accepted a URL with Offline")
	}
	wantNoSecretIn(t, "offline error", err.Error())
}

func TestInspectDownloadRedactsURL(t *testing.T) {
	now := time.Now()
	root := newTestRoot(t, "redact test root", now, nil)
	srv := serveFiles(t, map[string][]byte{"certs/root.der": root.Raw, "empty.der": {}})
	opts := InspectAddressOptions{HTTPClient: srv.Client()}

	out, err := InspectAddress(context.Background(), withSecrets(srv.URL+"/certs/root.der"), opts, now)
	if err != nil {
		t.Fatal(err)
	}
	in := out.Inspection
	wantNoSecretIn(t, "target", in.Target)
	if len(in.Notes) != 1 {
		t.Fatalf("notes = %q, want one conversion note", in.Notes)
	}
	wantNoSecretIn(t, "note", in.Notes[0])
	if want := "--pem > root.pem"; !strings.Contains(in.Notes[0], want) {
		t.Errorf("note %q lacks %q", in.Notes[0], want)
	}

	for _, name := range []string{"/missing.der", "/empty.der"} {
		_, err := InspectAddress(context.Background(), withSecrets(srv.URL+name), opts, now)
		if err == nil {
			t.Fatalf("%s: no error", name)
		}
		wantNoSecretIn(t, name+" error", err.Error())
	}
}

func TestDownloadConversionNote(t *testing.T) {
	cert := []*x509.Certificate{{}}
	tests := []struct {
		name     string
		contents Contents
		url      string
		want     string // "" means no note
	}{
		{"DER", Contents{Encoding: EncodingDER, Certificates: cert}, "http://ca.example/certs/root.der",
			"mtlsdoctor inspect http://ca.example/certs/root.der --pem > root.pem"},
		{"PKCS#7", Contents{Encoding: EncodingPKCS7, Certificates: cert}, "https://ca.example/chain.p7c",
			"mtlsdoctor inspect https://ca.example/chain.p7c --pem > chain.pem"},
		{"secrets", Contents{Encoding: EncodingDER, Certificates: cert}, "http://u:pw@ca.example/root.der?token=abc",
			"mtlsdoctor inspect 'http://u:xxxxx@ca.example/root.der?token=xxxxx' --pem > root.pem, with the URL's password and secret values in place of xxxxx"},
		{"no file name", Contents{Encoding: EncodingDER, Certificates: cert}, "http://ca.example/",
			"--pem > certificate.pem"},
		{"odd file name", Contents{Encoding: EncodingDER, Certificates: cert}, "http://ca.example/a%20b;rm.der",
			"--pem > certificate.pem"},
		{"PEM already", Contents{Encoding: EncodingPEM, Certificates: cert}, "http://ca.example/root.pem", ""},
		{"key only", Contents{Encoding: EncodingDER}, "http://ca.example/key.der", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			note := downloadConversionNote(tt.contents, tt.url)
			if tt.want == "" {
				if note != "" {
					t.Errorf("note = %q, want none", note)
				}
				return
			}
			if !strings.HasSuffix(note, tt.want) {
				t.Errorf("note %q does not end with %q", note, tt.want)
			}
			if strings.Contains(note, "openssl x509") {
				t.Errorf("note %q suggests openssl, which cannot read a URL", note)
			}
		})
	}
}
