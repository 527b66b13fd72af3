package fsutil

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// File is one of the files that WriteFiles writes.
type File struct {
	Path string
	Data []byte
	// Perm is the mode of a new file, 0o600 for private keys. A replaced
	// regular file keeps its own permission bits, but none that Perm lacks
	// when Perm grants nothing to group and others.
	Perm fs.FileMode
}

// NotRegularError reports a path that a file cannot replace, because it
// is a directory or another file that is not a regular file, such as a
// socket, a device or a symbolic link to one of them.
type NotRegularError struct {
	Path string
	// Kind describes what is at Path, such as "a directory".
	Kind string
}

func (e *NotRegularError) Error() string {
	return fmt.Sprintf("%s is %s, not a regular file, so it cannot be replaced", e.Path, e.Kind)
}

// PartialWriteError reports a WriteFiles call that failed after it had
// replaced some of the files. A rename failed although every target had
// passed the checks, as when another process changed the folder at the
// same time.
type PartialWriteError struct {
	Replaced    []string
	NotReplaced []string
	Err         error
}

func (e *PartialWriteError) Error() string {
	return fmt.Sprintf("%v; replaced %s; not replaced %s", e.Err,
		strings.Join(e.Replaced, ", "), strings.Join(e.NotReplaced, ", "))
}

func (e *PartialWriteError) Unwrap() error { return e.Err }

// rename is os.Rename, replaced in tests to make a rename fail.
var rename = os.Rename

// WriteFiles writes every file or, when a check or a write fails, none.
// It checks every target first as CheckWritable does, then writes each
// file's data to a temporary file in the file's directory, and only when
// all are written renames them into place. A symbolic link at a target is
// replaced by the new file, and the file it points to is left as it was.
// The directories must exist.
//
// Renames are atomic one by one but not as a group: when one fails, the
// files renamed before it have their new content, and the error is a
// *PartialWriteError that lists which files were replaced and which were
// not.
func WriteFiles(files []File, force bool) error {
	paths := make([]string, len(files))
	for i, f := range files {
		paths[i] = f.Path
	}
	if err := CheckWritable(force, paths...); err != nil {
		return err
	}

	temps := make([]string, 0, len(files))
	defer func() {
		for _, name := range temps {
			os.Remove(name) // fails harmlessly once the rename moved it
		}
	}()
	for _, f := range files {
		name, err := writeTemp(f.Path, f.Data, replacementMode(f.Path, f.Perm))
		if err != nil {
			return err
		}
		temps = append(temps, name)
	}

	for i, name := range temps {
		if err := rename(name, paths[i]); err != nil {
			err = fmt.Errorf("rename %s to %s: %w", name, paths[i], err)
			if i == 0 {
				return err
			}
			return &PartialWriteError{Replaced: paths[:i], NotReplaced: paths[i:], Err: err}
		}
	}
	return nil
}

// checkTarget returns *NotRegularError when path exists and is neither a
// regular file nor a symbolic link to one, and without force
// *ExistsError when it exists at all.
func checkTarget(path string, force bool) error {
	info, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("check %s: %w", path, err)
	}
	if info.Mode()&fs.ModeSymlink != 0 {
		target, err := os.Stat(path)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return &NotRegularError{Path: path, Kind: "a symbolic link to a missing file"}
		case err != nil:
			return fmt.Errorf("check %s: %w", path, err)
		case !target.Mode().IsRegular():
			return &NotRegularError{Path: path, Kind: "a symbolic link to " + describeMode(target.Mode())}
		}
	} else if !info.Mode().IsRegular() {
		return &NotRegularError{Path: path, Kind: describeMode(info.Mode())}
	}
	if !force {
		return &ExistsError{Path: path}
	}
	return nil
}

func describeMode(mode fs.FileMode) string {
	switch {
	case mode.IsDir():
		return "a directory"
	case mode&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case mode&fs.ModeSocket != 0:
		return "a socket"
	case mode&fs.ModeDevice != 0:
		return "a device"
	}
	return "a special file"
}

// replacementMode returns the mode for a file that replaces path. An
// existing regular file keeps its permission bits, so that a file the user
// restricted to 0o600 stays so. When perm grants nothing to group and
// others, as 0o600 for a private key, the result has no bit that perm
// lacks. A missing path, a symbolic link or one that Lstat fails on gets
// perm.
func replacementMode(path string, perm fs.FileMode) fs.FileMode {
	info, err := os.Lstat(path)
	if err != nil || !info.Mode().IsRegular() {
		return perm
	}
	mode := info.Mode().Perm()
	if perm&0o077 == 0 {
		mode &= perm
	}
	return mode
}

// writeTemp writes data with mode perm to a new temporary file beside
// path and returns its name. On an error it leaves no file behind.
func writeTemp(path string, data []byte, perm fs.FileMode) (string, error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return "", fmt.Errorf("create temporary file in %s: %w", dir, err)
	}
	name := tmp.Name()
	fail := func(format string, err error) (string, error) {
		tmp.Close()
		os.Remove(name)
		return "", fmt.Errorf(format, name, err)
	}
	if err := tmp.Chmod(perm); err != nil {
		return fail("set mode of %s: %w", err)
	}
	if _, err := tmp.Write(data); err != nil {
		return fail("write %s: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		return fail("sync %s: %w", err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(name)
		return "", fmt.Errorf("close %s: %w", name, err)
	}
	return name, nil
}
