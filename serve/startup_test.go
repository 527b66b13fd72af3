package serve

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mtlsdoctor/mtlsdoctor/fixtures"
	"github.com/mtlsdoctor/mtlsdoctor/report"
)

func TestLogFindingsLevels(t *testing.T) {
	tests := []struct {
		severity report.Severity
		level    string
	}{
		{report.SeverityError, "ERROR"},
		{report.SeverityWarning, "WARN"},
		{report.SeverityInfo, "INFO"},
		{"", "WARN"},
	}
	for _, format := range []LogFormat{LogFormatText, LogFormatJSON} {
		for _, tt := range tests {
			t.Run(string(format)+"/"+string(tt.severity), func(t *testing.T) {
				var buf bytes.Buffer
				srv := &Server{log: NewLogger(&buf, format)}
				finding := report.New(report.CodeExpired, "a finding", "its detail").WithSeverity(tt.severity)
				srv.logFindings([]report.Finding{finding})

				var level string
				if format == LogFormatJSON {
					var rec map[string]any
					if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
						t.Fatalf("log line is not JSON: %v: %s", err, buf.String())
					}
					level, _ = rec["level"].(string)
				} else {
					for _, field := range strings.Fields(buf.String()) {
						if l, ok := strings.CutPrefix(field, "level="); ok {
							level = l
						}
					}
				}
				if level != tt.level {
					t.Errorf("severity %q logged at level %q, want %s: %s", tt.severity, level, tt.level, buf.String())
				}
				if !strings.Contains(buf.String(), "expired") {
					t.Errorf("log line lacks the code: %s", buf.String())
				}
			})
		}
	}
}

func TestStartupReport(t *testing.T) {
	pki, dir := newTestPKI(t)
	clientAsServer := filepath.Join(dir, fixtures.ClientCertFile)
	clientKey := filepath.Join(dir, fixtures.ClientKeyFile)
	checkNames := []string{"client certificate policy", "client CAs", "client identity", "server certificate"}

	tests := []struct {
		name     string
		edit     func(*Config)
		statuses []report.Status // of the checks in checkNames order
		codes    []report.Code
		ok       bool
	}{
		{"default", func(*Config) {},
			[]report.Status{report.StatusPass, report.StatusPass, report.StatusPass, report.StatusPass}, nil, true},
		{"request", func(c *Config) { c.ClientAuth = ClientAuthRequest },
			[]report.Status{report.StatusWarn, report.StatusPass, report.StatusPass, report.StatusPass},
			[]report.Code{report.CodeUnauthAccepted}, true},
		{"none", func(c *Config) { c.ClientAuth = ClientAuthNone },
			[]report.Status{report.StatusWarn, report.StatusSkip, report.StatusSkip, report.StatusPass},
			[]report.Code{report.CodeClientCertNotReq}, true},
		{"server certificate without serverAuth", func(c *Config) { c.CertFile, c.KeyFile = clientAsServer, clientKey },
			[]report.Status{report.StatusPass, report.StatusPass, report.StatusPass, report.StatusFail},
			[]report.Code{report.CodeWrongUsageServer}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := Config{
				Addr:          "127.0.0.1:0",
				CertFile:      filepath.Join(dir, fixtures.ServerCertFile),
				KeyFile:       filepath.Join(dir, fixtures.ServerKeyFile),
				ClientCAFiles: []string{filepath.Join(dir, fixtures.CAFile)},
				Logger:        slog.New(slog.DiscardHandler),
			}
			tt.edit(&cfg)
			srv, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			ln, err := srv.Listen()
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()

			rep := srv.StartupReport().Finish()
			if _, port, _ := net.SplitHostPort(rep.Target); rep.Target != ln.Addr().String() || port == "0" {
				t.Errorf("target %q, want the bound address %s", rep.Target, ln.Addr())
			}
			if rep.Kind != "serve" {
				t.Errorf("kind %q, want serve", rep.Kind)
			}
			var names []string
			var statuses []report.Status
			for _, c := range rep.Checks {
				names = append(names, c.Name)
				statuses = append(statuses, c.Status)
			}
			if !slices.Equal(names, checkNames) {
				t.Fatalf("checks %q, want %q", names, checkNames)
			}
			if !slices.Equal(statuses, tt.statuses) {
				t.Errorf("check statuses %v, want %v", statuses, tt.statuses)
			}
			if got := codes(rep.Findings); !slices.Equal(got, tt.codes) {
				t.Errorf("finding codes %v, want %v", got, tt.codes)
			}
			if got := codes(srv.Findings()); !slices.Equal(got, tt.codes) {
				t.Errorf("Findings returns codes %v, want the report's %v", got, tt.codes)
			}
			if rep.OK != tt.ok {
				t.Errorf("ok = %v, want %v", rep.OK, tt.ok)
			}

			if len(rep.Certificates) != 2 {
				t.Fatalf("%d certificates, want the server certificate and the client CA", len(rep.Certificates))
			}
			if want := "--cert " + cfg.CertFile; rep.Certificates[0].Note != want {
				t.Errorf("server certificate note %q, want %q", rep.Certificates[0].Note, want)
			}
			ca := rep.Certificates[1]
			if ca.Subject != pki.CA.Cert.Subject.String() {
				t.Errorf("client CA %q, want %q", ca.Subject, pki.CA.Cert.Subject)
			}
			if want := "--client-ca " + cfg.ClientCAFiles[0]; ca.Note != want {
				t.Errorf("client CA note %q, want %q", ca.Note, want)
			}
		})
	}
}

func TestStartupReportClientCAFiles(t *testing.T) {
	pki, dir := newTestPKI(t)
	other, err := fixtures.NewPKI(fixtures.Options{})
	if err != nil {
		t.Fatal(err)
	}
	bundle := writePEM(t, dir, "two-cas.pem", append(other.CA.CertPEM(), pki.Client.CertPEM()...))
	testCA := filepath.Join(dir, fixtures.CAFile)
	srv, err := New(Config{
		CertFile:      filepath.Join(dir, fixtures.ServerCertFile),
		KeyFile:       filepath.Join(dir, fixtures.ServerKeyFile),
		ClientCAFiles: []string{testCA, bundle},
		Logger:        slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}

	rep := srv.StartupReport()
	want := []string{"--client-ca " + testCA, "--client-ca " + bundle, "--client-ca " + bundle}
	var notes []string
	for _, c := range rep.Certificates[1:] {
		notes = append(notes, c.Note)
	}
	if !slices.Equal(notes, want) {
		t.Errorf("client CA notes %q, want %q", notes, want)
	}
	check := rep.Checks[1]
	if !strings.Contains(check.Detail, "3 certificates from --client-ca") {
		t.Errorf("client CAs check detail %q does not count 3 certificates", check.Detail)
	}
	if !slices.Contains(check.Codes, report.CodeNotACA) {
		t.Errorf("client CAs check codes %v lack %s for the leaf in %s", check.Codes, report.CodeNotACA, bundle)
	}
}
