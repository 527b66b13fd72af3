package fsutil

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "key.pem")

	if err := WriteFile(path, []byte("one"), 0o600, false); err != nil {
		t.Fatalf("new file: %v", err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("mode = %o, want 600", info.Mode().Perm())
	}

	err = WriteFile(path, []byte("two"), 0o600, false)
	var exists *ExistsError
	if !errors.As(err, &exists) || exists.Path != path {
		t.Fatalf("overwrite without force: error = %v, want *ExistsError for %s", err, path)
	}
	if !errors.Is(err, fs.ErrExist) {
		t.Error("ExistsError does not match fs.ErrExist")
	}
	if data, _ := os.ReadFile(path); string(data) != "one" {
		t.Errorf("content = %q after a rejected overwrite, want one", data)
	}

	if err := WriteFile(path, []byte("one"), 0o600, false); err != nil {
		t.Errorf("identical content without force: %v", err)
	}
	if err := WriteFile(path, []byte("two"), 0o600, true); err != nil {
		t.Fatalf("overwrite with force: %v", err)
	}
	if data, _ := os.ReadFile(path); string(data) != "two" {
		t.Errorf("content = %q after force, want two", data)
	}

	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Errorf("folder holds %d entries, want only the file (no temporary files left)", len(entries))
	}
}

func TestWriteFileMissingFolder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing", "ca-crt.pem")
	if err := WriteFile(path, []byte("x"), 0o644, false); err == nil {
		t.Fatal("write into a missing folder succeeded")
	}
}

func TestCheckWritable(t *testing.T) {
	dir := t.TempDir()
	existing := filepath.Join(dir, "a")
	if err := os.WriteFile(existing, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "b")
	if err := CheckWritable(false, missing); err != nil {
		t.Errorf("missing file: %v", err)
	}
	var exists *ExistsError
	if err := CheckWritable(false, missing, existing); !errors.As(err, &exists) || exists.Path != existing {
		t.Errorf("existing file: error = %v, want *ExistsError for %s", err, existing)
	}
	if err := CheckWritable(true, existing); err != nil {
		t.Errorf("existing file with force: %v", err)
	}
}
