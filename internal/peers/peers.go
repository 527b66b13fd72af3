// Package peers starts real TLS servers on 127.0.0.1 for tests: Go's
// crypto/tls, openssl s_server, nginx from a generated configuration and
// Node's https module from a script under testdata. Each start function
// returns a *Server with the address, a Stop method and the captured log,
// and stops the server when the test ends.
//
// A test whose peer binary is missing is skipped with a message saying how
// to install it, except when the environment variable CI is "true": there a
// missing peer fails the test, so a CI image cannot lose coverage silently.
package peers

import (
	"bytes"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// Install hints for the peers, in the form Require prints them.
const (
	OpenSSLHint = "install OpenSSL (apt-get install openssl)"
	NginxHint   = "install nginx (apt-get install nginx-light)"
	NodeHint    = "install Node.js 18 or later (apt-get install nodejs)"
)

// The stack names that Server.Stack and Version use.
const (
	StackGo      = "go"
	StackOpenSSL = "openssl"
	StackNginx   = "nginx"
	StackNode    = "node"
)

// Server is a running peer.
type Server struct {
	// Stack names the TLS implementation: StackGo, StackOpenSSL,
	// StackNginx or StackNode.
	Stack string
	// Addr is the listening address, 127.0.0.1:PORT.
	Addr string

	log      *Log
	readLogs func() string // extra log files, such as nginx's error.log
	stopOnce sync.Once
	stop     func()
}

// URL returns https://ADDR followed by path, which should start with "/".
func (s *Server) URL(path string) string {
	return "https://" + s.Addr + path
}

// Port returns the listening port.
func (s *Server) Port() int {
	_, port, _ := net.SplitHostPort(s.Addr)
	n, _ := strconv.Atoi(port)
	return n
}

// Stop stops the server and waits until it has exited. It is safe to call
// more than once; the test's cleanup calls it too.
func (s *Server) Stop() {
	s.stopOnce.Do(s.stop)
}

// Log returns what the server has logged so far: a process's stdout and
// stderr, nginx's error log, or the Go server's error log.
func (s *Server) Log() string {
	out := s.log.String()
	if s.readLogs != nil {
		out += s.readLogs()
	}
	return out
}

// Log collects a peer's output; it is safe for concurrent use.
type Log struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends p to the log.
func (l *Log) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// String returns the log so far.
func (l *Log) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// sbinDirs are searched after PATH, because Debian installs nginx in
// /usr/sbin, which is not on every user's PATH.
var sbinDirs = []string{"/usr/sbin", "/usr/local/sbin", "/usr/local/nginx/sbin"}

// lookPath finds a peer binary on PATH or in sbinDirs.
func lookPath(name string) (string, error) {
	path, err := exec.LookPath(name)
	if err == nil {
		return path, nil
	}
	for _, dir := range sbinDirs {
		candidate := filepath.Join(dir, name)
		if info, statErr := os.Stat(candidate); statErr == nil && !info.IsDir() && info.Mode()&0o111 != 0 {
			return candidate, nil
		}
	}
	return "", err
}

// Require returns the path of the peer binary name. When it is missing,
// Require skips the test with hint, or fails it when CI=true.
func Require(t testing.TB, name, hint string) string {
	t.Helper()
	path, err := lookPath(name)
	if err == nil {
		return path
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s not found, and CI=true forbids skipping: %s", name, hint)
	}
	t.Skipf("%s not found: %s", name, hint)
	return ""
}

// writeFile writes data to dir/name with mode 0600 and returns the path.
func writeFile(t testing.TB, dir, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatalf("write %s: %v", path, err)
	}
	return path
}

// TempFile writes data to a new temporary file called name and returns its
// path, for peer options that take more files, such as openssl s_server
// -cert2 or -verifyCAfile.
func TempFile(t testing.TB, name string, data []byte) string {
	t.Helper()
	return writeFile(t, t.TempDir(), name, data)
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
// Another process may take it before the caller binds it, so starters
// that cannot listen on port 0 retry with a new port.
func FreePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen on 127.0.0.1:0: %v", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// lastLines returns the last n lines of s, for failure messages.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
