package chain

import (
	"bytes"
	"crypto/x509"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mtlsdoctor/mtlsdoctor/internal/fsutil"
)

func TestWriteBundle(t *testing.T) {
	now := time.Now()
	oldPEM := EncodeBundlePEM([]*x509.Certificate{newTestRoot(t, "old root", now, nil)})
	newPEM := EncodeBundlePEM([]*x509.Certificate{newTestRoot(t, "new root", now, nil)})

	tests := []struct {
		name      string
		existing  []byte // nil: no file yet
		data      []byte
		force     bool
		wantErr   bool
		wantExist bool // the error is *fsutil.ExistsError
		want      []byte
	}{
		{name: "new file", data: newPEM, want: newPEM},
		{name: "existing file without force", existing: oldPEM, data: newPEM, wantErr: true, wantExist: true, want: oldPEM},
		{name: "existing file with force", existing: oldPEM, data: newPEM, force: true, want: newPEM},
		{name: "identical content without force", existing: newPEM, data: newPEM, want: newPEM},
		{name: "empty bundle", existing: oldPEM, data: nil, force: true, wantErr: true, want: oldPEM},
		{name: "comments only", existing: oldPEM, data: []byte("# nothing\n"), force: true, wantErr: true, want: oldPEM},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "ca-crt.pem")
			if tt.existing != nil {
				if err := os.WriteFile(path, tt.existing, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			err := WriteBundle(path, tt.data, tt.force)
			if tt.wantErr {
				if err == nil {
					t.Fatal("no error")
				}
				if !strings.Contains(err.Error(), path) {
					t.Errorf("error %q does not name the path", err)
				}
			} else if err != nil {
				t.Fatalf("WriteBundle: %v", err)
			}
			var existsErr *fsutil.ExistsError
			if got := errors.As(err, &existsErr); got != tt.wantExist {
				t.Errorf("error %v is *fsutil.ExistsError: %v, want %v", err, got, tt.wantExist)
			}
			got, readErr := os.ReadFile(path)
			if readErr != nil {
				t.Fatal(readErr)
			}
			if !bytes.Equal(got, tt.want) {
				t.Errorf("file contains\n%s\nwant\n%s", got, tt.want)
			}
			if !tt.wantErr {
				info, err := os.Stat(path)
				if err != nil {
					t.Fatal(err)
				}
				// A replaced file keeps the 0o600 it was created with.
				want := fs.FileMode(0o644)
				if tt.existing != nil {
					want = 0o600
				}
				if perm := info.Mode().Perm(); perm != want {
					t.Errorf("mode = %o, want %o", perm, want)
				}
			}
		})
	}
}

// TestWriteBundleFailureKeepsOldFile makes the write fail after the old
// file was read: the temporary file's name, the bundle's name plus a
// suffix, is longer than the 255 bytes a file name may have, which fails
// for root as for anyone.
func TestWriteBundleFailureKeepsOldFile(t *testing.T) {
	now := time.Now()
	oldPEM := EncodeBundlePEM([]*x509.Certificate{newTestRoot(t, "old root", now, nil)})
	newPEM := EncodeBundlePEM([]*x509.Certificate{newTestRoot(t, "new root", now, nil)})
	dir := t.TempDir()
	path := filepath.Join(dir, strings.Repeat("b", 250)+".pem")
	if err := os.WriteFile(path, oldPEM, 0o644); err != nil {
		t.Skipf("this file system does not take a 254-byte name: %v", err)
	}

	err := WriteBundle(path, newPEM, true)
	if err == nil {
		t.Fatal("no error, want the temporary file to fail")
	}
	if errors.Is(err, fs.ErrExist) {
		t.Errorf("error %v is ErrExist, want a write failure", err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, oldPEM) {
		t.Errorf("the old file changed after a failed write:\n%s", got)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Errorf("directory contains %d entries after a failed write, want only the old file", len(entries))
	}
}

func TestEncodeBundlePEMComments(t *testing.T) {
	now := time.Now()
	hostile := newTestRoot(t, "evil\n-----BEGIN CERTIFICATE-----\nroot", now, nil)
	data := EncodeBundlePEM([]*x509.Certificate{hostile})
	if n := bytes.Count(data, []byte("-----BEGIN")); n != 1 {
		t.Errorf("%d BEGIN markers, want only the real block's", n)
	}
	if !strings.HasPrefix(string(data), "# evil?-BEGIN CERTIFICATE-?root\n") {
		t.Errorf("comment line = %q, want control characters and dashes neutralized", firstLines(data, 1))
	}
	certs, err := ParseCertificates(data)
	if err != nil || len(certs) != 1 || !bytes.Equal(certs[0].Raw, hostile.Raw) {
		t.Errorf("bundle parses to %d certificates (error %v), want the one encoded", len(certs), err)
	}
}
