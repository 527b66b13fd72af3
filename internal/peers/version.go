package peers

import (
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"testing"
)

var versions sync.Map // stack name → version string

// Version returns the version of a stack as its binary reports it, such
// as "OpenSSL 3.0.19", "nginx/1.22.1", "node v20.20.2" or "go1.26.8", so
// that tests can name the version whose behaviour they saw. A missing
// binary is handled as Require handles it.
func Version(t testing.TB, stack string) string {
	t.Helper()
	if v, ok := versions.Load(stack); ok {
		return v.(string)
	}
	var v string
	switch stack {
	case StackGo:
		v = runtime.Version()
	case StackOpenSSL:
		// "OpenSSL 3.0.19 27 Jan 2026 (Library: ...)": keep name and number.
		fields := strings.Fields(run(t, Require(t, "openssl", OpenSSLHint), "version"))
		if len(fields) >= 2 {
			v = fields[0] + " " + fields[1]
		}
	case StackNginx:
		// nginx -v prints "nginx version: nginx/1.22.1" on stderr.
		out := run(t, Require(t, "nginx", NginxHint), "-v")
		v = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(out), "nginx version:"))
	case StackNode:
		v = "node " + strings.TrimSpace(run(t, Require(t, "node", NodeHint), "--version"))
	default:
		t.Fatalf("unknown stack %q: use go, openssl, nginx or node", stack)
	}
	versions.Store(stack, v)
	return v
}

// run returns the combined output of a short command.
func run(t testing.TB, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("run %s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}
