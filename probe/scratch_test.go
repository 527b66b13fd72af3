package probe

import (
	"os"
	"testing"

	"github.com/mtlsdoctor/mtlsdoctor/report"
)

func TestScratch(t *testing.T) {
	pki := newTestPKI(t)
	for _, args := range [][]string{
		append([]string{"-tls1_3"}, requireClientCert...),
		append([]string{"-no_tls1_3"}, requireClientCert...),
		{"-no_tls1_3", "-cipher", "ECDHE-ECDSA-AES128-SHA256"},
		{"-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0"},
	} {
		url := startSServer(t, pki, args...)
		for _, c := range []bool{false, true} {
			opts := Options{URL: url, Roots: pki.CA.Pool(), Edition: EditionNone}
			if c {
				opts.Certificate, opts.ClientChain = clientOptions(pki.foreign.Client)
			}
			rep := runProbe(t, opts)
			report.Render(os.Stdout, report.FormatText, report.Options{Verbose: true}, rep)
		}
	}
}
