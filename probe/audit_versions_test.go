package probe

import (
	"crypto/tls"
	"strings"
	"testing"

	"github.com/mtlsdoctor/mtlsdoctor/internal/peers"
	"github.com/mtlsdoctor/mtlsdoctor/report"
)

// TestAuditVersionAlertWording audits servers that reply to a ClientHello
// for an old version with an alert. openssl s_server 3.0 with an ECDSA
// certificate sends internal_error (80) for TLS 1.0 and 1.1, because it
// has no signature algorithm it can use with them at the default
// security level, and a Go server sends protocol_version (70). The
// audit's checks must word the alert as the server rejecting the version,
// without the guesses of the main probe about a certificate for the
// server name.
func TestAuditVersionAlertWording(t *testing.T) {
	pki := newTestPKI(t)
	tests := []struct {
		name  string
		url   func(t *testing.T) string
		alert string
	}{
		{"openssl s_server", func(t *testing.T) string {
			return peers.StartOpenSSL(t, peers.Files{Cert: pki.Server.ChainPEM(), Key: keyPEM(t, pki.Server)}).URL("/")
		}, "alert 80 (internal error)"},
		{"Go server", func(t *testing.T) string {
			return startGoServer(t, serverConfig(pki.Server.TLSCertificate()), nil)
		}, "alert 70 (protocol version not supported)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := runAudit(t, pki, tt.url(t), func(o *Options) { o.Edition = EditionNone })

			for _, version := range []uint16{tls.VersionTLS10, tls.VersionTLS11} {
				name := auditVersionCheck(version)
				wantCheck(t, rep, name, report.StatusPass)
				var detail string
				for _, c := range rep.Checks {
					if c.Name == name {
						detail = c.Detail
					}
				}
				want := "rejected: the server answered a ClientHello that offered only " + tls.VersionName(version) + " with " + tt.alert
				if !strings.HasPrefix(detail, want) {
					t.Errorf("%s detail %q does not start with %q", name, detail, want)
				}
				for _, guess := range []string{"cannot load a certificate", "server name", "--server-name"} {
					if strings.Contains(detail, guess) {
						t.Errorf("%s detail %q contains the guess %q", name, detail, guess)
					}
				}
			}
		})
	}
}

func TestFirstRecordAlert(t *testing.T) {
	tests := []struct {
		name string
		head []byte
		want int
	}{
		{"fatal internal error", []byte{21, 3, 1, 0, 2, 2, 80}, alertInternalError},
		{"fatal protocol version", []byte{21, 3, 3, 0, 2, 2, 70, 22}, alertProtocolVersion},
		{"handshake record", []byte{22, 3, 3, 0, 2, 2, 80}, noAlert},
		{"alert record too long", []byte{21, 3, 3, 0, 3, 2, 80, 0}, noAlert},
		{"cut short", []byte{21, 3, 3, 0, 2, 2}, noAlert},
		{"nothing", nil, noAlert},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := firstRecordAlert(tt.head); got != tt.want {
				t.Errorf("firstRecordAlert(% x) = %d, want %d", tt.head, got, tt.want)
			}
		})
	}
}
