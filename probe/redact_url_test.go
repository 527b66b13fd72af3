package probe

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mtlsdoctor/mtlsdoctor/report"
)

// TestRedactURL checks the wrapper; internal/redact tests the rules.
func TestRedactURL(t *testing.T) {
	const raw = "https://user:s3cretpw@localhost:4433/df?token=abc123"
	if got, want := RedactURL(raw), "https://user:xxxxx@localhost:4433/df?token=xxxxx"; got != want {
		t.Errorf("RedactURL(%q) = %q, want %q", raw, got, want)
	}
}

// urlSecretValues are the secrets of the URL that secretURL builds.
var urlSecretValues = []string{"s3cretpw", "abc123", "t0ken99", "code=7"}

// secretURL returns a URL for the server at base with a password, a
// token, an access_token and a short code in it.
func secretURL(t *testing.T, base string) string {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	return "https://user:s3cretpw@" + u.Host + "/df?token=abc123&lang=en&access_token=t0ken99&code=7"
}

// wantNoURLSecrets fails if any rendering of rep shows a secret of the
// URL that secretURL builds.
func wantNoURLSecrets(t *testing.T, rep *report.Report) {
	t.Helper()
	var text, junit bytes.Buffer
	if err := report.RenderText(&text, report.Options{Verbose: true}, rep); err != nil {
		t.Fatal(err)
	}
	if err := report.RenderJUnit(&junit, "mtlsdoctor probe", rep); err != nil {
		t.Fatal(err)
	}
	js, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	for format, out := range map[string]string{"text": text.String(), "junit": junit.String(), "json": string(js)} {
		for _, secret := range urlSecretValues {
			if strings.Contains(out, secret) {
				t.Errorf("%s output shows %q:\n%s", format, secret, out)
			}
		}
	}
}

// TestProbeRedactsURLSecrets probes a Go server that echoes the request
// URI in a header and in the body of a 401 response, so the report quotes
// it in the http-status finding.
func TestProbeRedactsURLSecrets(t *testing.T) {
	pki := newTestPKI(t)
	var gotToken atomic.Value
	base := startGoServer(t, serverConfig(pki.Server.TLSCertificate()), http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotToken.Store(r.URL.Query().Get("token"))
		w.Header().Set("X-Echo", r.RequestURI)
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte("no access for " + r.RequestURI))
	}))
	raw := secretURL(t, base)

	rep := runProbe(t, Options{URL: raw, Roots: pki.CA.Pool(), Edition: EditionNone})
	wantNoURLSecrets(t, rep)
	if want := RedactURL(raw); rep.Target != want {
		t.Errorf("target = %q, want %q", rep.Target, want)
	}
	if got, _ := gotToken.Load().(string); got != "abc123" {
		t.Errorf("the server received token %q, want the real one", got)
	}
	wantDetail(t, rep, report.CodeHTTPStatus, "GET /df?token=xxxxx&lang=en&access_token=xxxxx&code=xxxxx returned 401",
		"no access for /df?token=xxxxx")
}

func TestProbeRedactsURLSecretsInErrors(t *testing.T) {
	pki := newTestPKI(t)
	base := startGoServer(t, serverConfig(pki.Server.TLSCertificate()), nil)
	raw := secretURL(t, base)

	t.Run("invalid URL", func(t *testing.T) {
		rep := runProbe(t, Options{URL: strings.Replace(raw, "https:", "http:", 1)})
		wantNoURLSecrets(t, rep)
		if err := (Options{URL: strings.Replace(raw, "https:", "http:", 1)}).Validate(); err == nil {
			t.Fatal("Validate accepted an http URL")
		} else if strings.Contains(err.Error(), "s3cretpw") || strings.Contains(err.Error(), "abc123") {
			t.Errorf("Validate error shows a secret: %v", err)
		}
	})
	t.Run("audit", func(t *testing.T) {
		cert, chain := clientOptions(pki.Client)
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		rep := Audit(ctx, Options{URL: raw, Certificate: cert, ClientChain: chain, Roots: pki.CA.Pool(), Edition: EditionNone})
		wantNoURLSecrets(t, rep)
	})
	t.Run("targets", func(t *testing.T) {
		file := raw + " --edition none\n"
		targets, err := ParseTargets(strings.NewReader(file), "targets.txt", Options{Roots: pki.CA.Pool()})
		if err != nil {
			t.Fatal(err)
		}
		reports := RunTargets(context.Background(), targets, TargetsOptions{Concurrency: 1})
		wantNoURLSecrets(t, reports[0])
		var summary bytes.Buffer
		if err := WriteSummary(&summary, Summarize(reports)); err != nil {
			t.Fatal(err)
		}
		for _, secret := range urlSecretValues {
			if strings.Contains(summary.String(), secret) {
				t.Errorf("summary shows %q:\n%s", secret, summary.String())
			}
		}

		_, err = ParseTargets(strings.NewReader("https://a.example "+raw+"\n"), "targets.txt", Options{})
		if err == nil {
			t.Fatal("ParseTargets accepted two URLs on a line")
		}
		for _, secret := range urlSecretValues {
			if strings.Contains(err.Error(), secret) {
				t.Errorf("ParseTargets error shows %q: %v", secret, err)
			}
		}
	})
}
