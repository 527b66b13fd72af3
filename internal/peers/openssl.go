package peers

import (
	"regexp"
	"testing"
)

// acceptLine matches the line openssl s_server prints once it listens,
// such as "ACCEPT 127.0.0.1:43983" (OpenSSL 3.0). OpenSSL 1.1.1 prints a
// bare "ACCEPT", which this starter does not support.
var acceptLine = regexp.MustCompile(`(?m)^ACCEPT (127\.0\.0\.1:\d+)\s*$`)

// StartOpenSSL runs openssl s_server -www with files on a port the system
// picks, and extra arguments such as "-Verify", "2",
// "-verify_return_error" or "-no_tls1_3". The leaf goes to -cert and the
// rest of files.Cert to -cert_chain, because -cert sends one certificate
// only. files.ClientCA, when set, goes to -CAfile, which both verifies the
// client certificate and fills the CertificateRequest's CA list.
//
// -www responds only to GET requests, so probe it with a plain GET.
func StartOpenSSL(t testing.TB, files Files, args ...string) *Server {
	t.Helper()
	openssl := Require(t, "openssl", OpenSSLHint)
	p := files.write(t)

	base := []string{"s_server", "-accept", "127.0.0.1:0", "-cert", p.Leaf, "-key", p.Key, "-www"}
	if p.Chain != "" {
		base = append(base, "-cert_chain", p.Chain)
	}
	if p.ClientCA != "" {
		base = append(base, "-CAfile", p.ClientCA)
	}
	ready := func(out string) (string, bool) {
		m := acceptLine.FindStringSubmatch(out)
		if m == nil {
			return "", false
		}
		return m[1], true
	}
	s, err := startProcess(t, StackOpenSSL, ready, p.Env, openssl, append(base, args...)...)
	if err != nil {
		failStart(t, "openssl s_server", s, err)
	}
	return s
}
