// Package fsutil writes files atomically and without clobbering.
package fsutil

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// ExistsError reports a file that would be overwritten without --force.
type ExistsError struct {
	Path string
}

func (e *ExistsError) Error() string {
	return fmt.Sprintf("%s already exists: pass --force to overwrite it, or choose another path", e.Path)
}

// Is lets errors.Is(err, fs.ErrExist) match.
func (e *ExistsError) Is(target error) bool {
	return target == fs.ErrExist
}

// WriteFile writes data to path through a temporary file in the same
// directory and a rename, so readers see either the old or the new content
// and a failure leaves the old file as it was. Without force an existing
// file is kept and *ExistsError returned, unless its content equals data.
// perm applies to the new file; private keys use 0o600.
func WriteFile(path string, data []byte, perm fs.FileMode, force bool) error {
	if old, err := os.ReadFile(path); err == nil {
		if bytes.Equal(old, data) {
			return os.Chmod(path, perm)
		}
		if !force {
			return &ExistsError{Path: path}
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("read existing %s: %w", path, err)
	}

	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("create temporary file in %s: %w", dir, err)
	}
	name := tmp.Name()
	defer os.Remove(name) // a no-op once the rename succeeded

	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		return fmt.Errorf("set mode of %s: %w", name, err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("sync %s: %w", name, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("close %s: %w", name, err)
	}
	if err := os.Rename(name, path); err != nil {
		return fmt.Errorf("rename %s to %s: %w", name, path, err)
	}
	return nil
}

// CheckWritable returns *ExistsError for the first path that exists when
// force is false. Commands that write several files call it first, so
// that they write all files or none.
func CheckWritable(force bool, paths ...string) error {
	if force {
		return nil
	}
	for _, path := range paths {
		if _, err := os.Lstat(path); err == nil {
			return &ExistsError{Path: path}
		}
	}
	return nil
}
