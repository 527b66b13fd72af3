package main

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
)

func TestProbeWarnsLeafInCAFile(t *testing.T) {
	dir, pki := writePKI(t)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("ok"))
	}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{pki.Server.TLSCertificate()}}
	srv.StartTLS()
	defer srv.Close()

	code, stdout, stderr := runCLI(t, "probe", srv.URL, "--edition", "none", "--server-name", "localhost",
		"--ca", filepath.Join(dir, "server-crt.pem"), "--output", "json")
	if code != 0 {
		t.Errorf("exit %d, want 0 (the warning is not an error)\nstderr: %s", code, stderr)
	}
	if !strings.Contains(stdout, `"code": "not-a-ca"`) {
		t.Errorf("no not-a-ca finding for a leaf passed as --ca:\n%s", stdout)
	}
}
