package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/mtlsdoctor/mtlsdoctor/serve"
)

// hostileText contains an OSC sequence that sets the terminal title, an SGR
// sequence for red text and a C1 CSI (U+009B) that clears the screen.
const hostileText = "\x1b]0;PWNED\a\x1b[31m\u009b2J"

// visibleHostile is how hostileText's first sequence reads once escaped.
const visibleHostile = `\x1b]0;PWNED\x07`

// checkNoTerminalControls fails when out contains a control character
// other than newline and tab, or a byte that is not valid UTF-8.
func checkNoTerminalControls(t *testing.T, what, out string) {
	t.Helper()
	for i, r := range out {
		control := r < 0x20 && r != '\n' && r != '\t' || r == 0x7f || r >= 0x80 && r <= 0x9f
		if control || r == utf8.RuneError {
			t.Errorf("%s has control character %U at byte %d: %q", what, r, i, out[max(0, i-30):min(len(out), i+30)])
			return
		}
	}
}

func TestProbeVerboseEscapesResponse(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Go's client rejects C0 controls in a header line, but not the
		// UTF-8 encoding of a C1 control such as CSI.
		w.Header().Set("X-Hostile", "a\u009b2J")
		w.Write([]byte(hostileText))
	}))
	t.Cleanup(srv.Close)
	caFile := filepath.Join(t.TempDir(), "server-ca.pem")
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(caFile, certPEM, 0o600); err != nil {
		t.Fatal(err)
	}

	_, stdout, stderr := runCLI(t, "probe", srv.URL, "--ca", caFile, "--edition", "none", "--aia=false", "--verbose")
	if !strings.Contains(stdout, "body: ") {
		t.Fatalf("output has no response body; stderr: %s\n%s", stderr, stdout)
	}
	checkNoTerminalControls(t, "probe --verbose output", stdout)
	if !strings.Contains(stdout, visibleHostile) {
		t.Errorf("output does not show the body's escape sequence as text:\n%s", stdout)
	}
	if !strings.Contains(stdout, `X-Hostile: a\u009b2J`) {
		t.Errorf("output does not show the header's C1 control as text:\n%s", stdout)
	}
}

func TestExplainEscapesInput(t *testing.T) {
	text := "remote error: tls: certificate required " + hostileText
	t.Run("argument", func(t *testing.T) {
		_, stdout, _ := runCLI(t, "explain", text)
		checkNoTerminalControls(t, "explain output", stdout)
	})
	t.Run("standard input", func(t *testing.T) {
		var stdout, stderr bytes.Buffer
		runWithInput(context.Background(), []string{"mtlsdoctor", "explain"}, strings.NewReader(text+"\n"), &stdout, &stderr)
		checkNoTerminalControls(t, "explain output", stdout.String())
	})
}

func TestErrorMessageEscapesFileName(t *testing.T) {
	t.Run("quoted", func(t *testing.T) {
		missing := filepath.Join(t.TempDir(), "client"+hostileText+".pem")
		code, _, stderr := runCLI(t, "verify", "--cert", missing)
		if code != exitUsage {
			t.Fatalf("exit %d, want %d", code, exitUsage)
		}
		checkNoTerminalControls(t, "stderr", stderr)
	})
	t.Run("unquoted", func(t *testing.T) {
		// This message and its fix print the path without quotes.
		folder := filepath.Join(t.TempDir(), "out"+hostileText)
		if err := os.Mkdir(folder, 0o755); err != nil {
			t.Fatal(err)
		}
		code, _, stderr := runCLI(t, "bundle", "--offline", "--out", folder)
		if code != exitUsage {
			t.Fatalf("exit %d, want %d", code, exitUsage)
		}
		checkNoTerminalControls(t, "stderr", stderr)
		if !strings.Contains(stderr, visibleHostile) {
			t.Errorf("stderr does not show the escape sequence as text:\n%s", stderr)
		}
	})
}

func TestInspectEscapesCertificateFields(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	template := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "evil" + hostileText, Organization: []string{hostileText}},
		DNSNames:     []string{"evil.example"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, template, template, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "evil.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}

	_, stdout, stderr := runCLI(t, "inspect", path)
	if !strings.Contains(stdout, "subject") {
		t.Fatalf("inspect printed no certificate; stderr: %s\n%s", stderr, stdout)
	}
	checkNoTerminalControls(t, "inspect output", stdout)
	_, stdout, _ = runCLI(t, "verify", "--cert", path)
	checkNoTerminalControls(t, "verify output", stdout)
}

// TestServeTextLogQuotesControls checks that serve's text log, which
// slog's TextHandler writes, shows control characters from clients as
// escapes: the handler quotes a value with a character that is not
// printable, in the manner of strconv.Quote.
func TestServeTextLogQuotesControls(t *testing.T) {
	var log bytes.Buffer
	logger := serve.NewLogger(&log, serve.LogFormatText)
	logger.Info("client certificate "+hostileText, "subject", "CN="+hostileText, "sni", "a\x9bb")
	checkNoTerminalControls(t, "serve log", log.String())
	if !strings.Contains(log.String(), `\x1b]0;PWNED\a`) {
		t.Errorf("log does not show the escape sequence as text:\n%s", log.String())
	}
}
