package chain

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mtlsdoctor/mtlsdoctor/report"
)

// readers are the exported functions that read a certificate or key file
// the user named. ReadPasswordFile has limits of its own, which
// TestReadPasswordFileRejectsNonText checks.
var readers = []struct {
	name string
	read func(path string) error
}{
	{"ReadFile", func(path string) error {
		_, err := ReadFile(path, "certificate", ReadOptions{})
		return err
	}},
	{"ReadCertificatesFile", func(path string) error {
		_, err := ReadCertificatesFile(path, "certificate")
		return err
	}},
	{"ReadKeyFile", func(path string) error {
		_, err := ReadKeyFile(path, "key")
		return err
	}},
	{"LoadKeyPair certificate", func(path string) error {
		_, err := LoadKeyPair(path, path, "client")
		return err
	}},
	{"InspectFile", func(path string) error {
		_, err := InspectFile(path, ReadOptions{}, time.Now())
		return err
	}},
}

func TestReadRejectsLargeFile(t *testing.T) {
	big := filepath.Join(t.TempDir(), "big.bin")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	// A sparse file: its size costs no disk space.
	if err := f.Truncate(MaxFileSize + 1); err != nil {
		t.Fatal(err)
	}
	f.Close()

	for _, r := range readers {
		t.Run(r.name, func(t *testing.T) {
			assertTooLarge(t, r.read(big), big)
		})
	}
}

func TestReadAcceptsFileAtLimit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "password.txt")
	data := make([]byte, MaxFileSize)
	copy(data, "secret\n")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadPasswordFile(path); err != nil {
		t.Fatalf("ReadPasswordFile of a file of exactly MaxFileSize bytes: %v", err)
	}
}

func TestReadStopsEndlessInput(t *testing.T) {
	t.Run("dev zero", func(t *testing.T) {
		if _, err := os.Stat("/dev/zero"); err != nil {
			t.Skip("no /dev/zero on this system")
		}
		_, err := ReadCertificatesFile("/dev/zero", "certificate")
		assertTooLarge(t, err, "/dev/zero")
	})
	t.Run("fifo", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "fifo")
		if err := syscall.Mkfifo(path, 0o600); err != nil {
			t.Skipf("mkfifo: %v", err)
		}
		writerDone := make(chan error, 1)
		go func() {
			w, err := os.OpenFile(path, os.O_WRONLY, 0)
			if err != nil {
				writerDone <- err
				return
			}
			defer w.Close()
			chunk := []byte(strings.Repeat("A", 64<<10))
			for {
				// The write fails with EPIPE once the reader closes.
				if _, err := w.Write(chunk); err != nil {
					writerDone <- nil
					return
				}
			}
		}()
		_, err := ReadCertificatesFile(path, "certificate")
		assertTooLarge(t, err, path)
		if werr := <-writerDone; werr != nil {
			t.Errorf("writer: %v", werr)
		}
	})
}

func assertTooLarge(t *testing.T, err error, path string) {
	t.Helper()
	var fe *FileError
	if !errors.As(err, &fe) {
		t.Fatalf("error = %v, want a *FileError", err)
	}
	if fe.Path != path {
		t.Errorf("Path = %q, want %q", fe.Path, path)
	}
	if fe.Code != report.CodeUnreadableFile {
		t.Errorf("Code = %s, want %s", fe.Code, report.CodeUnreadableFile)
	}
	if !strings.Contains(fe.Error(), "larger than 16 MiB") {
		t.Errorf("message %q does not say the file is larger than the limit", fe.Error())
	}
	if !strings.Contains(fe.Error(), "not a certificate or key file") {
		t.Errorf("message %q does not say the file is not a certificate or key file", fe.Error())
	}
	if fe.Fix == "" {
		t.Error("Fix is empty")
	}
}
