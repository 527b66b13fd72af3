package serve

import (
	"crypto/x509"
	"strings"
	"testing"

	"github.com/mtlsdoctor/mtlsdoctor/fixtures"
	"github.com/mtlsdoctor/mtlsdoctor/report"
)

// TestClientChainExpiryNamesTheCertificate checks that the log tells apart
// an expired client certificate and an expired intermediate CA the client
// sent with it, because the fixes differ: a new leaf, or the CA's successor.
func TestClientChainExpiryNamesTheCertificate(t *testing.T) {
	ts := startServer(t, nil)
	issue := func(t *testing.T, expiredLeaf, expiredCA bool) *fixtures.Cert {
		t.Helper()
		spec := fixtures.Spec{CommonName: "mtlsdoctor intermediate", IsCA: true, Days: 30}
		if expiredCA {
			fixtures.Expired(&spec)
		}
		intermediate, err := ts.pki.CA.Issue(spec)
		if err != nil {
			t.Fatal(err)
		}
		leaf := fixtures.Spec{CommonName: "client", ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, Days: 10}
		if expiredLeaf {
			fixtures.Expired(&leaf)
		}
		cert, err := intermediate.Issue(leaf)
		if err != nil {
			t.Fatal(err)
		}
		return cert
	}
	tests := []struct {
		name                   string
		expiredLeaf, expiredCA bool
		code                   report.Code
		reason                 string
	}{
		{name: "leaf", expiredLeaf: true, code: report.CodeExpired, reason: `expired: the client certificate "CN=client" expired on `},
		{name: "intermediate", expiredCA: true, code: report.CodeCAExpired, reason: `CA expired: the intermediate CA "CN=mtlsdoctor intermediate" expired`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := ts.client(issue(t, tt.expiredLeaf, tt.expiredCA)).Get(ts.url())
			if err == nil {
				resp.Body.Close()
				t.Fatalf("request succeeded with status %s", resp.Status)
			}
			rec := ts.logs.waitRecord(t, "TLS handshake failed", map[string]string{"code": string(tt.code)})
			if got, _ := rec["reason"].(string); !strings.HasPrefix(got, tt.reason) {
				t.Errorf("reason = %q, want it to start with %q", got, tt.reason)
			}
		})
	}
}
