package probe

import (
	"crypto/tls"
	"net/url"
	"strings"
	"testing"

	"github.com/mtlsdoctor/mtlsdoctor/internal/peers"
	"github.com/mtlsdoctor/mtlsdoctor/report"
)

// startSNIServer runs a Go server that has a certificate only for the
// server name "webhook.example". crypto/tls sends unrecognized_name for a
// ClientHello without a server name or with any other name.
func startSNIServer(t *testing.T, pki *testPKI) string {
	t.Helper()
	cert := pki.Server.TLSCertificate()
	srv := peers.StartGo(t, &tls.Config{GetCertificate: func(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
		if !strings.EqualFold(hello.ServerName, "webhook.example") {
			return nil, nil
		}
		return &cert, nil
	}}, nil)
	return "https://" + srv.Addr + "/webhook"
}

func TestSNIRequiredDependsOnNameSent(t *testing.T) {
	pki := newTestPKI(t)
	ipURL := startSNIServer(t, pki)
	parsed, err := url.Parse(ipURL)
	if err != nil {
		t.Fatal(err)
	}
	hostURL := "https://localhost:" + parsed.Port() + "/webhook"

	cases := []struct {
		name       string
		url        string
		serverName string
		// want are texts the finding must contain, and notWant texts it
		// must not, in its summary, detail or fix.
		want    []string
		notWant []string
	}{
		{
			name: "IP address dialled",
			url:  ipURL,
			want: []string{
				"no server name was sent, because 127.0.0.1 is an IP address",
				"Pass --server-name",
			},
		},
		{
			name:       "IP address as --server-name",
			url:        ipURL,
			serverName: "127.0.0.1",
			want:       []string{"no server name was sent", "--server-name 127.0.0.1 is an IP address"},
			notWant:    []string{"Pass --server-name"},
		},
		{
			name:       "wrong --server-name",
			url:        ipURL,
			serverName: "wrong.example",
			want: []string{
				`the server has no certificate for the server name "wrong.example"`,
				`sent the server name "wrong.example" from --server-name`,
				"server_name",
			},
			notWant: []string{"IP address", "Pass --server-name", "no server name was sent"},
		},
		{
			name: "host name without a certificate",
			url:  hostURL,
			want: []string{
				`the server has no certificate for the server name "localhost"`,
				"from the URL's host",
				"server_name",
			},
			notWant: []string{"IP address", "Pass --server-name", "no server name was sent"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rep := runProbe(t, Options{URL: tc.url, ServerName: tc.serverName, Roots: pki.CA.Pool()})

			wantCode(t, rep, report.CodeSNIRequired, report.SeverityError)
			f, _ := rep.Finding(report.CodeSNIRequired)
			text := f.Summary + "\n" + f.Detail + "\n" + f.Fix
			for _, part := range tc.want {
				if !strings.Contains(text, part) {
					t.Errorf("sni-required finding does not contain %q:\n%s", part, text)
				}
			}
			for _, part := range tc.notWant {
				if strings.Contains(text, part) {
					t.Errorf("sni-required finding contains %q:\n%s", part, text)
				}
			}
		})
	}
}
