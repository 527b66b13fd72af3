package serve

import (
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mtlsdoctor/mtlsdoctor/chain"
	"github.com/mtlsdoctor/mtlsdoctor/fixtures"
	"github.com/mtlsdoctor/mtlsdoctor/report"
)

func TestParseClientAuth(t *testing.T) {
	tests := []struct {
		in      string
		want    ClientAuth
		wantErr bool
	}{
		{in: "", want: ClientAuthRequire},
		{in: "require", want: ClientAuthRequire},
		{in: "request", want: ClientAuthRequest},
		{in: "none", want: ClientAuthNone},
		{in: "optional", wantErr: true},
		{in: "Require", wantErr: true},
	}
	for _, tt := range tests {
		t.Run("value "+tt.in, func(t *testing.T) {
			got, err := ParseClientAuth(tt.in)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("ParseClientAuth(%q) = %q, want an error", tt.in, got)
				}
				if !strings.Contains(err.Error(), "use require, request or none") {
					t.Errorf("error %q does not list the values", err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("ParseClientAuth(%q) = %q, %v, want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestNewConfigErrors(t *testing.T) {
	_, dir := newTestPKI(t)
	path := func(name string) string { return filepath.Join(dir, name) }
	garbage := path("garbage.pem")
	if err := os.WriteFile(garbage, []byte("not a certificate\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	other, err := fixtures.NewPKI(fixtures.Options{})
	if err != nil {
		t.Fatal(err)
	}
	otherKey, err := other.Server.KeyPEM()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path("other-key.pem"), otherKey, 0o600); err != nil {
		t.Fatal(err)
	}

	valid := func() Config {
		return Config{
			CertFile:      path(fixtures.ServerCertFile),
			KeyFile:       path(fixtures.ServerKeyFile),
			ClientCAFiles: []string{path(fixtures.CAFile)},
			Logger:        slog.New(slog.DiscardHandler),
		}
	}
	tests := []struct {
		name     string
		edit     func(*Config)
		fileCode report.Code // expected *chain.FileError code, or ""
		flag     string      // expected *ConfigError flag, or ""
		contains string
	}{
		{name: "missing cert", edit: func(c *Config) { c.CertFile = path("nope.pem") },
			fileCode: report.CodeUnreadableFile, contains: "nope.pem"},
		{name: "key mismatch", edit: func(c *Config) { c.KeyFile = path("other-key.pem") },
			fileCode: report.CodeKeyMismatch, contains: "does not match"},
		{name: "swapped cert and key", edit: func(c *Config) { c.CertFile, c.KeyFile = c.KeyFile, c.CertFile },
			fileCode: report.CodeNotPEM, contains: "swapped"},
		{name: "garbage client CA", edit: func(c *Config) { c.ClientCAFiles = []string{garbage} },
			fileCode: report.CodeNotPEM, contains: "garbage.pem"},
		{name: "missing client CA", edit: func(c *Config) { c.ClientCAFiles = append(c.ClientCAFiles, path("ca-crt.pem")) },
			fileCode: report.CodeUnreadableFile, contains: "ca-crt.pem"},
		{name: "no client CA", edit: func(c *Config) { c.ClientCAFiles = nil },
			flag: "--client-ca", contains: "pass --client-ca FILE"},
		{name: "bad client auth", edit: func(c *Config) { c.ClientAuth = "optional" },
			flag: "--client-auth", contains: `invalid --client-auth "optional"`},
		{name: "bad subject regexp", edit: func(c *Config) { c.ClientSubject = "*.dialogflow.com" },
			flag: "--client-subject", contains: "not a Go regular expression"},
		{name: "subject without client auth", edit: func(c *Config) { c.ClientAuth = ClientAuthNone; c.ClientSubject = "Google LLC" },
			flag: "--client-subject", contains: "--client-auth none never receives"},
		{name: "project with slash", edit: func(c *Config) { c.Projects = []string{"projects/p"} },
			flag: "--project", contains: "not a project ID"},
		{name: "empty project", edit: func(c *Config) { c.Projects = []string{""} },
			flag: "--project", contains: "not a project ID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := valid()
			tt.edit(&cfg)
			srv, err := New(cfg)
			if err == nil {
				t.Fatalf("New succeeded: %+v", srv)
			}
			if !strings.Contains(err.Error(), tt.contains) {
				t.Errorf("error %q does not contain %q", err, tt.contains)
			}

			var fileErr *chain.FileError
			var configErr *ConfigError
			switch {
			case tt.fileCode != "":
				if !errors.As(err, &fileErr) {
					t.Fatalf("error %T is not a *chain.FileError: %v", err, err)
				}
				if fileErr.Code != tt.fileCode {
					t.Errorf("FileError.Code = %q, want %q", fileErr.Code, tt.fileCode)
				}
				if fileErr.Fix == "" {
					t.Errorf("FileError has no fix")
				}
			default:
				if !errors.As(err, &configErr) {
					t.Fatalf("error %T is not a *ConfigError: %v", err, err)
				}
				if configErr.Flag != tt.flag {
					t.Errorf("ConfigError.Flag = %q, want %q", configErr.Flag, tt.flag)
				}
				if configErr.Fix == "" {
					t.Errorf("ConfigError has no fix")
				}
			}
		})
	}
}

func TestNewDefaults(t *testing.T) {
	pki, err := fixtures.NewPKI(fixtures.Options{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if _, err := pki.Write(dir, false); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)

	srv, err := New(Config{ClientCAFiles: []string{fixtures.CAFile}})
	if err != nil {
		t.Fatalf("New with default file names: %v", err)
	}
	if srv.Addr() != DefaultAddr {
		t.Errorf("Addr() = %q, want %q", srv.Addr(), DefaultAddr)
	}
	if srv.cfg.ClientAuth != ClientAuthRequire {
		t.Errorf("default ClientAuth = %q, want require", srv.cfg.ClientAuth)
	}
}

func TestSubjectPattern(t *testing.T) {
	pki, err := fixtures.NewPKI(fixtures.Options{ClientCN: "Google LLC"})
	if err != nil {
		t.Fatal(err)
	}
	cert := pki.Client.Cert // subject CN=Google LLC,O=mtlsdoctor test PKI
	tests := []struct {
		pattern string
		want    bool
	}{
		{pattern: "Google LLC", want: true},
		{pattern: `Google\sLLC`, want: true},
		{pattern: "CN=Google LLC,O=mtlsdoctor test PKI", want: true},
		{pattern: "CN=Google LLC,.*", want: true},
		{pattern: "Google", want: false},
		{pattern: "LLC", want: false},
		{pattern: "CN=Google LLC", want: false},
		{pattern: "google llc", want: false},
		{pattern: "(?i)google llc", want: true},
		{pattern: "Google LLC|Someone", want: true},
	}
	for _, tt := range tests {
		t.Run(tt.pattern, func(t *testing.T) {
			p, err := compileSubjectPattern(tt.pattern)
			if err != nil {
				t.Fatal(err)
			}
			if got := p.match(cert); got != tt.want {
				t.Errorf("match(%q) = %v, want %v", cert.Subject, got, tt.want)
			}
		})
	}
}
