package fsutil

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeOld creates path with the content "old".
func writeOld(t *testing.T, path string) {
	t.Helper()
	if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
}

// newFiles returns files a.pem, b.pem and c.pem in dir with the content "new".
func newFiles(dir string) []File {
	var files []File
	for _, name := range []string{"a.pem", "b.pem", "c.pem"} {
		files = append(files, File{Path: filepath.Join(dir, name), Data: []byte("new"), Perm: 0o600})
	}
	return files
}

// content returns the content of path, or "missing" when it does not exist.
func content(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return "missing"
	}
	if err != nil {
		return "unreadable: " + err.Error()
	}
	return string(data)
}

// checkNoTemporaryFiles fails when dir contains a temporary file that
// WriteFiles left behind.
func checkNoTemporaryFiles(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
}

func TestWriteFilesAll(t *testing.T) {
	dir := t.TempDir()
	files := newFiles(dir)
	writeOld(t, files[1].Path)

	if err := WriteFiles(files, true); err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if got := content(t, f.Path); got != "new" {
			t.Errorf("%s = %q, want new", f.Path, got)
		}
		info, err := os.Stat(f.Path)
		if err != nil {
			t.Fatal(err)
		}
		if info.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %o, want 600", f.Path, info.Mode().Perm())
		}
	}
	checkNoTemporaryFiles(t, dir)
}

func TestWriteFilesWithoutForce(t *testing.T) {
	dir := t.TempDir()
	files := newFiles(dir)
	writeOld(t, files[2].Path)

	err := WriteFiles(files, false)
	var exists *ExistsError
	if !errors.As(err, &exists) || exists.Path != files[2].Path {
		t.Fatalf("error = %v, want *ExistsError for %s", err, files[2].Path)
	}
	for i, want := range []string{"missing", "missing", "old"} {
		if got := content(t, files[i].Path); got != want {
			t.Errorf("%s = %q, want %s", files[i].Path, got, want)
		}
	}
}

func TestWriteFilesRefusesSpecialTargets(t *testing.T) {
	tests := []struct {
		name     string
		make     func(t *testing.T, path string)
		wantKind string
	}{
		{"directory", func(t *testing.T, path string) {
			if err := os.Mkdir(path, 0o755); err != nil {
				t.Fatal(err)
			}
		}, "a directory"},
		{"dangling symbolic link", func(t *testing.T, path string) {
			if err := os.Symlink(filepath.Join(filepath.Dir(path), "missing"), path); err != nil {
				t.Fatal(err)
			}
		}, "a symbolic link to a missing file"},
		{"symbolic link to a directory", func(t *testing.T, path string) {
			if err := os.Symlink(t.TempDir(), path); err != nil {
				t.Fatal(err)
			}
		}, "a symbolic link to a directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			files := newFiles(dir)
			writeOld(t, files[0].Path)
			tt.make(t, files[1].Path)

			// With force, as gen --force: the existing a.pem must survive.
			err := WriteFiles(files, true)
			var notRegular *NotRegularError
			if !errors.As(err, &notRegular) {
				t.Fatalf("error = %v, want *NotRegularError", err)
			}
			if notRegular.Path != files[1].Path || notRegular.Kind != tt.wantKind {
				t.Errorf("error names %s as %q, want %s as %q", notRegular.Path, notRegular.Kind, files[1].Path, tt.wantKind)
			}
			if got := content(t, files[0].Path); got != "old" {
				t.Errorf("%s = %q after a refused write, want old", files[0].Path, got)
			}
			if got := content(t, files[2].Path); got != "missing" {
				t.Errorf("%s = %q after a refused write, want it missing", files[2].Path, got)
			}
			checkNoTemporaryFiles(t, dir)
		})
	}
}

func TestWriteFilesReplacesSymbolicLink(t *testing.T) {
	dir := t.TempDir()
	files := newFiles(dir)
	target := filepath.Join(t.TempDir(), "target.pem")
	writeOld(t, target)
	if err := os.Symlink(target, files[0].Path); err != nil {
		t.Fatal(err)
	}

	if err := WriteFiles(files, true); err != nil {
		t.Fatal(err)
	}
	if got := content(t, files[0].Path); got != "new" {
		t.Errorf("%s = %q, want new", files[0].Path, got)
	}
	if got := content(t, target); got != "old" {
		t.Errorf("link target = %q, want old: WriteFiles replaces the link, not the file it points to", got)
	}
}

func TestWriteFilesTemporaryFileFails(t *testing.T) {
	dir := t.TempDir()
	files := newFiles(dir)
	writeOld(t, files[0].Path)
	files[2].Path = filepath.Join(dir, "missing-folder", "c.pem")

	if err := WriteFiles(files, true); err == nil {
		t.Fatal("write into a missing folder succeeded")
	}
	if got := content(t, files[0].Path); got != "old" {
		t.Errorf("%s = %q, want old: no file may be replaced before every temporary file is written", files[0].Path, got)
	}
	if got := content(t, files[1].Path); got != "missing" {
		t.Errorf("%s = %q, want it missing", files[1].Path, got)
	}
	checkNoTemporaryFiles(t, dir)
}

// failRename makes the rename with index n (from 0) fail until the test ends.
func failRename(t *testing.T, n int) {
	calls := 0
	rename = func(from, to string) error {
		calls++
		if calls-1 == n {
			return &os.LinkError{Op: "rename", Old: from, New: to, Err: errors.New("injected failure")}
		}
		return os.Rename(from, to)
	}
	t.Cleanup(func() { rename = os.Rename })
}

func TestWriteFilesRenameFails(t *testing.T) {
	dir := t.TempDir()
	files := newFiles(dir)
	for _, f := range files {
		writeOld(t, f.Path)
	}
	failRename(t, 1)

	err := WriteFiles(files, true)
	var partial *PartialWriteError
	if !errors.As(err, &partial) {
		t.Fatalf("error = %v, want *PartialWriteError", err)
	}
	if got, want := strings.Join(partial.Replaced, " "), files[0].Path; got != want {
		t.Errorf("Replaced = %s, want %s", got, want)
	}
	if got, want := strings.Join(partial.NotReplaced, " "), files[1].Path+" "+files[2].Path; got != want {
		t.Errorf("NotReplaced = %s, want %s", got, want)
	}
	for _, path := range []string{files[0].Path, files[1].Path, files[2].Path} {
		if !strings.Contains(err.Error(), path) {
			t.Errorf("message %q does not name %s", err, path)
		}
	}
	for i, want := range []string{"new", "old", "old"} {
		if got := content(t, files[i].Path); got != want {
			t.Errorf("%s = %q, want %s", files[i].Path, got, want)
		}
	}
	checkNoTemporaryFiles(t, dir)
}

func TestWriteFilesFirstRenameFails(t *testing.T) {
	dir := t.TempDir()
	files := newFiles(dir)
	failRename(t, 0)

	err := WriteFiles(files, true)
	if err == nil {
		t.Fatal("WriteFiles succeeded although the first rename failed")
	}
	var partial *PartialWriteError
	if errors.As(err, &partial) {
		t.Errorf("error = %v, want a plain error: nothing was replaced", err)
	}
	for _, f := range files {
		if got := content(t, f.Path); got != "missing" {
			t.Errorf("%s = %q, want it missing", f.Path, got)
		}
	}
	checkNoTemporaryFiles(t, dir)
}

func TestWriteFileRefusesDirectory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ca-crt.pem")
	if err := os.Mkdir(path, 0o755); err != nil {
		t.Fatal(err)
	}
	err := WriteFile(path, []byte("x"), 0o644, true)
	var notRegular *NotRegularError
	if !errors.As(err, &notRegular) || notRegular.Path != path {
		t.Errorf("error = %v, want *NotRegularError for %s", err, path)
	}
}

func TestCheckWritableRefusesDirectory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "server-key.pem")
	if err := os.Mkdir(path, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, force := range []bool{false, true} {
		var notRegular *NotRegularError
		if err := CheckWritable(force, path); !errors.As(err, &notRegular) {
			t.Errorf("force=%v: error = %v, want *NotRegularError", force, err)
		}
	}
}
