package probe

import (
	"strings"
	"testing"

	"github.com/mtlsdoctor/mtlsdoctor/report"
)

// TestProberInternationalNames checks that the host to look up and dial,
// the request URL and the server name are in A-label form, whichever
// form the URL and --server-name use.
func TestProberInternationalNames(t *testing.T) {
	tests := []struct {
		name           string
		url            string
		serverName     string
		wantAddress    string
		wantHost       string // the URL's host, which the lookup and the request use
		wantServerName string
	}{
		{"URL host", "https://bücher.example:4433/df?x=1", "", "xn--bcher-kva.example:4433", "xn--bcher-kva.example:4433", "xn--bcher-kva.example"},
		{"URL host without port", "https://Bücher.example/df", "", "xn--bcher-kva.example:443", "xn--bcher-kva.example", "xn--bcher-kva.example"},
		{"server name", "https://127.0.0.1:4433/df", "Bücher.Example", "127.0.0.1:4433", "127.0.0.1:4433", "xn--bcher-kva.example"},
		{"A-label server name", "https://127.0.0.1:4433/df", "xn--bcher-kva.example", "127.0.0.1:4433", "127.0.0.1:4433", "xn--bcher-kva.example"},
		{"ASCII unchanged", "https://Webhook.Example:4433/df", "", "Webhook.Example:4433", "Webhook.Example:4433", "Webhook.Example"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := Options{URL: tt.url, ServerName: tt.serverName}
			if err := opts.Validate(); err != nil {
				t.Fatalf("Validate: %v", err)
			}
			p := newProber(opts.withDefaults(), &report.Report{})
			if p.address != tt.wantAddress {
				t.Errorf("address = %q, want %q", p.address, tt.wantAddress)
			}
			if p.url.Host != tt.wantHost {
				t.Errorf("URL host = %q, want %q", p.url.Host, tt.wantHost)
			}
			if p.serverName != tt.wantServerName {
				t.Errorf("server name = %q, want %q", p.serverName, tt.wantServerName)
			}
			if cfg := p.tlsConfig(); cfg.ServerName != tt.wantServerName {
				t.Errorf("tls.Config.ServerName = %q, want %q", cfg.ServerName, tt.wantServerName)
			}
		})
	}
}

func TestValidateRejectsInvalidInternationalNames(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		want string
	}{
		{"server name", Options{URL: "https://127.0.0.1/", ServerName: "bü_cher.example"}, `invalid --server-name "bü_cher.example": IDNA rejects it (idna: disallowed rune U+005F)`},
		{"URL host", Options{URL: "https://bü_cher.example/"}, `invalid webhook URL "https://bü_cher.example/": IDNA rejects the host "bü_cher.example"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.opts.Validate()
			if err == nil {
				t.Fatal("Validate accepted the name")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q lacks %q", err, tt.want)
			}
		})
	}
}
