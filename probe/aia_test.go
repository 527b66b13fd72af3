package probe

import (
	"crypto/tls"
	"crypto/x509"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/mtlsdoctor/mtlsdoctor/fixtures"
	"github.com/mtlsdoctor/mtlsdoctor/report"
)

func TestProbeFetchesMissingIntermediate(t *testing.T) {
	pki := newTestPKI(t)
	var intermediateDER atomic.Value
	var downloads atomic.Int32
	aia := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		downloads.Add(1)
		der, _ := intermediateDER.Load().([]byte)
		if r.URL.Path != "/intermediate.crt" || der == nil {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write(der)
	}))
	t.Cleanup(aia.Close)

	intermediate, err := fixtures.NewIntermediate(pki.CA, "AIA served intermediate", "")
	if err != nil {
		t.Fatal(err)
	}
	intermediateDER.Store(intermediate.Cert.Raw)
	leaf, err := intermediate.Issue(fixtures.Spec{
		CommonName:   "localhost",
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		AIAIssuerURL: aia.URL + "/intermediate.crt",
	})
	if err != nil {
		t.Fatal(err)
	}
	leafOnly := tls.Certificate{Certificate: [][]byte{leaf.Cert.Raw}, PrivateKey: leaf.Key}
	url := startGoServer(t, serverConfig(leafOnly), nil)

	tests := []struct {
		name      string
		aia       bool
		downloads int32
		summary   string // part of the incomplete-chain summary
		fix       string // start of its fix
	}{
		{"without aia", false, 0, "was not sent", "Serve the intermediate"},
		{"with aia", true, 1, "did not send the intermediate CN=AIA served intermediate", "Serve this intermediate after the leaf: CN=AIA served intermediate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := downloads.Load()
			rep := runProbe(t, Options{URL: url, Roots: pki.CA.Pool(), Edition: EditionNone, AIA: tt.aia})
			wantCode(t, rep, report.CodeIncompleteChain, report.SeverityError)
			wantNoCode(t, rep, report.CodeUnknownAuthority)
			wantCheck(t, rep, checkServerCert, report.StatusFail)
			f, _ := rep.Finding(report.CodeIncompleteChain)
			if !strings.Contains(f.Summary, tt.summary) {
				t.Errorf("summary %q does not contain %q", f.Summary, tt.summary)
			}
			if !strings.HasPrefix(f.Fix, tt.fix) {
				t.Errorf("fix %q does not start with %q", f.Fix, tt.fix)
			}
			if got := downloads.Load() - before; got != tt.downloads {
				t.Errorf("%d download(s) from the caIssuers URL, want %d", got, tt.downloads)
			}
		})
	}
}
