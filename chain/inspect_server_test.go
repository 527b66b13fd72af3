package chain

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/mtlsdoctor/mtlsdoctor/fixtures"
	"github.com/mtlsdoctor/mtlsdoctor/internal/peers"
	"github.com/mtlsdoctor/mtlsdoctor/report"
)

// TestInspectAddressSNIRequired checks that an unrecognized_name alert
// from nginx's ssl_reject_handshake is sni-required, as probe names it.
func TestInspectAddressSNIRequired(t *testing.T) {
	pki, err := fixtures.NewPKI(fixtures.Options{Hosts: []string{"localhost", "127.0.0.1"}})
	if err != nil {
		t.Fatal(err)
	}
	key, err := pki.Server.KeyPEM()
	if err != nil {
		t.Fatal(err)
	}
	nginx := peers.StartNginx(t, peers.NginxConfig{
		Files:            peers.Files{Cert: pki.Server.ChainPEM(), Key: key},
		RejectWithoutSNI: true,
	})

	tests := []struct {
		name       string
		serverName string
		summary    string
		fix        string
	}{
		{"no server name", "", "requires a server name", "--server-name"},
		{"unknown server name", "other.example", `no certificate for the server name "other.example"`, "server_name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, err := InspectAddress(context.Background(), nginx.Addr, InspectAddressOptions{ServerName: tt.serverName, Timeout: 5 * time.Second}, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			findings := in.Inspection.Findings
			if len(findings) != 1 {
				t.Fatalf("findings = %+v, want one", findings)
			}
			f := findings[0]
			if f.Code != report.CodeSNIRequired {
				t.Errorf("code = %s, want %s; detail: %s", f.Code, report.CodeSNIRequired, f.Detail)
			}
			if !strings.Contains(f.Summary, tt.summary) {
				t.Errorf("summary %q does not contain %q", f.Summary, tt.summary)
			}
			if !strings.Contains(f.Fix, tt.fix) {
				t.Errorf("fix %q does not contain %q", f.Fix, tt.fix)
			}
		})
	}

	t.Run("with the server name", func(t *testing.T) {
		in, err := InspectAddress(context.Background(), nginx.Addr, InspectAddressOptions{ServerName: "localhost", Timeout: 5 * time.Second}, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if len(in.Inspection.Findings) != 0 || len(in.Certificates) == 0 {
			t.Errorf("findings = %+v, certificates = %d; want the chain and no finding", in.Inspection.Findings, len(in.Certificates))
		}
	})
}

func TestInspectAddressInvalidPort(t *testing.T) {
	tests := []struct {
		target string
		reason string
	}{
		{"localhost:99999", "the port 99999 is not from 1 to 65535"},
		{"localhost:0", "the port 0 is not from 1 to 65535"},
		{"https://localhost:70000/", "the port 70000 is not from 1 to 65535"},
		{"localhost:no-such-service", "neither a number from 1 to 65535 nor a known service name"},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			in, err := InspectAddress(context.Background(), tt.target, InspectAddressOptions{Timeout: time.Second}, time.Now())
			var te *TargetError
			if !errors.As(err, &te) {
				t.Fatalf("InspectAddress = %+v, %v; want a *TargetError", in, err)
			}
			if !strings.Contains(te.Error(), tt.reason) {
				t.Errorf("error %q does not contain %q", te.Error(), tt.reason)
			}
			if !strings.Contains(te.Fix, "localhost:443") {
				t.Errorf("fix %q does not show a valid target", te.Fix)
			}
		})
	}
}
