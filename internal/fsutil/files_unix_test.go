//go:build unix

package fsutil

import (
	"errors"
	"path/filepath"
	"syscall"
	"testing"
)

// TestWriteFileRefusesNamedPipe checks that WriteFile rejects a named pipe
// before reading it, which would wait for a writer that never comes.
func TestWriteFileRefusesNamedPipe(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ca-crt.pem")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Skipf("cannot make a named pipe: %v", err)
	}
	err := WriteFile(path, []byte("x"), 0o644, false)
	var notRegular *NotRegularError
	if !errors.As(err, &notRegular) || notRegular.Kind != "a named pipe" {
		t.Errorf("error = %v, want *NotRegularError for a named pipe", err)
	}
}
