//go:build unix

package fsutil

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// modeCases are replacements of an existing file: its mode before, the
// mode the caller passes, and the mode the new file must have.
var modeCases = []struct {
	name     string
	existing fs.FileMode
	perm     fs.FileMode
	want     fs.FileMode
}{
	{"restricted certificate stays restricted", 0o600, 0o644, 0o600},
	{"read-only certificate stays read-only", 0o444, 0o644, 0o444},
	{"open certificate stays open", 0o664, 0o644, 0o664},
	{"restricted key stays restricted", 0o400, 0o600, 0o400},
	{"open key is limited to the owner", 0o644, 0o600, 0o600},
	{"group-readable key is limited to the owner", 0o640, 0o600, 0o600},
	{"executable key loses the execute bit", 0o700, 0o600, 0o600},
}

// writeExisting creates path with mode, which the umask cannot widen or
// narrow because Chmod sets it after creation.
func writeExisting(t *testing.T, path string, mode fs.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

func modeOf(t *testing.T, path string) fs.FileMode {
	t.Helper()
	info, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	return info.Mode().Perm()
}

func TestWriteFileKeepsExistingMode(t *testing.T) {
	for _, tc := range modeCases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "file.pem")
			writeExisting(t, path, tc.existing)
			if err := WriteFile(path, []byte("new"), tc.perm, true); err != nil {
				t.Fatalf("WriteFile: %v", err)
			}
			if got := modeOf(t, path); got != tc.want {
				t.Errorf("mode = %o, want %o", got, tc.want)
			}
			if data, _ := os.ReadFile(path); string(data) != "new" {
				t.Errorf("content = %q, want new", data)
			}
		})
	}
}

func TestWriteFileSameContentKeepsMode(t *testing.T) {
	for _, tc := range modeCases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "file.pem")
			writeExisting(t, path, tc.existing)
			if err := WriteFile(path, []byte("old"), tc.perm, false); err != nil {
				t.Fatalf("WriteFile: %v", err)
			}
			if got := modeOf(t, path); got != tc.want {
				t.Errorf("mode = %o, want %o", got, tc.want)
			}
		})
	}
}

func TestWriteFilesKeepsExistingMode(t *testing.T) {
	for _, tc := range modeCases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "file.pem")
			fresh := filepath.Join(dir, "fresh.pem")
			writeExisting(t, path, tc.existing)
			files := []File{{Path: path, Data: []byte("new"), Perm: tc.perm}, {Path: fresh, Data: []byte("new"), Perm: tc.perm}}
			if err := WriteFiles(files, true); err != nil {
				t.Fatalf("WriteFiles: %v", err)
			}
			if got := modeOf(t, path); got != tc.want {
				t.Errorf("replaced file mode = %o, want %o", got, tc.want)
			}
			if got := modeOf(t, fresh); got != tc.perm {
				t.Errorf("new file mode = %o, want %o", got, tc.perm)
			}
		})
	}
}

// TestWriteFilesSymbolicLinkGetsPerm checks that a symbolic link, which
// WriteFiles replaces by a file, passes on neither its own mode nor that
// of the file it points to.
func TestWriteFilesSymbolicLinkGetsPerm(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "target.pem")
	link := filepath.Join(dir, "link.pem")
	writeExisting(t, target, 0o666)
	if err := os.Symlink(target, link); err != nil {
		t.Skipf("symbolic links unavailable: %v", err)
	}
	if err := WriteFiles([]File{{Path: link, Data: []byte("new"), Perm: 0o600}}, true); err != nil {
		t.Fatalf("WriteFiles: %v", err)
	}
	if got := modeOf(t, link); got != 0o600 {
		t.Errorf("mode = %o, want 600", got)
	}
	if got := modeOf(t, target); got != 0o666 {
		t.Errorf("link target mode = %o, want 666 as before", got)
	}
}
