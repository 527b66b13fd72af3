//go:build unix

package serve

import (
	"context"
	"os"
	"syscall"
	"testing"

	"github.com/mtlsdoctor/mtlsdoctor/report"
)

func TestReloadOnSIGHUP(t *testing.T) {
	ts := startServer(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ts.srv.ReloadOnSignal(ctx, syscall.SIGHUP)

	next, err := ts.pki.IssueServer(nil)
	if err != nil {
		t.Fatal(err)
	}
	ts.writeCert(t, "server", next)
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatalf("send SIGHUP: %v", err)
	}

	ts.logs.waitRecord(t, "reloading certificates", map[string]string{"signal": "hangup"})
	ts.logs.waitRecord(t, "reloaded certificates", map[string]string{"sha256": report.Fingerprint(next.Cert.Raw)})
}
