package peers

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"
)

// startTimeout bounds how long a peer may take to become ready. Node on a
// busy two-core machine is the slowest, at a few hundred milliseconds.
const startTimeout = 15 * time.Second

// errExited is returned by startProcess when the process exited before it
// was ready. The process's log shows why.
var errExited = errors.New("exited before it was ready")

// readiness inspects a peer's output and returns its address once it
// listens. The output is re-read in full every time, so a line may be
// split across writes.
type readiness func(output string) (addr string, ok bool)

// portReady returns a readiness that dials 127.0.0.1:port, for peers that
// print nothing when they start.
func portReady(port int) readiness {
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	return func(string) (string, bool) {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			return "", false
		}
		conn.Close()
		return addr, true
	}
}

// failStart fails the test for a peer that did not start, with the end
// of its log when there is one.
func failStart(t testing.TB, what string, s *Server, err error) {
	t.Helper()
	log := ""
	if s != nil {
		log = lastLines(s.Log(), 20)
	}
	t.Fatalf("%s: %v\n%s", what, err, log)
}

// startProcess runs name with args and env added to the environment, and
// waits until ready reports an address. The returned Server kills the process by its PID when stopped,
// and the test's cleanup stops it and, when the test failed, logs its
// output. When the process exits before it is ready, startProcess returns
// errExited and the output, so the caller can retry on another port.
func startProcess(t testing.TB, stack string, ready readiness, env []string, name string, args ...string) (*Server, error) {
	t.Helper()
	log := &Log{}
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = log, log
	if len(env) > 0 {
		cmd.Env = append(os.Environ(), env...)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()

	s := &Server{Stack: stack, log: log}
	s.stop = func() {
		_ = cmd.Process.Kill()
		<-exited
	}
	t.Cleanup(func() {
		s.Stop()
		if t.Failed() {
			t.Logf("%s %s log:\n%s", stack, s.Addr, lastLines(s.Log(), 40))
		}
	})

	limit := time.Now().Add(startTimeout)
	for time.Now().Before(limit) {
		select {
		case <-exited:
			return s, errExited
		default:
		}
		if addr, ok := ready(log.String()); ok {
			s.Addr = addr
			return s, nil
		}
		time.Sleep(10 * time.Millisecond)
	}
	s.Stop()
	return s, fmt.Errorf("%s did not become ready within %s", name, startTimeout)
}
