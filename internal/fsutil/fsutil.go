// Package fsutil writes files atomically and without clobbering.
package fsutil

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
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
// A path that is not a regular file or a symbolic link to one returns
// *NotRegularError. perm applies to a new file. A replaced regular file
// keeps its permission bits, except that when perm grants nothing to group
// and others (0o600 for private keys) it gets no bit that perm lacks.
func WriteFile(path string, data []byte, perm fs.FileMode, force bool) error {
	// Check the kind first, because reading a named pipe would wait for a
	// writer.
	if err := checkTarget(path, true); err != nil {
		return err
	}
	mode := replacementMode(path, perm)
	if old, err := os.ReadFile(path); err == nil {
		if bytes.Equal(old, data) {
			return os.Chmod(path, mode)
		}
		if !force {
			return &ExistsError{Path: path}
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("read existing %s: %w", path, err)
	}

	name, err := writeTemp(path, data, mode)
	if err != nil {
		return err
	}
	if err := rename(name, path); err != nil {
		os.Remove(name)
		return fmt.Errorf("rename %s to %s: %w", name, path, err)
	}
	return nil
}

// CheckWritable returns an error for the first path that WriteFiles
// would not replace: *NotRegularError for a path that exists and is not a
// regular file or a symbolic link to one, and without force
// *ExistsError for any path that exists.
func CheckWritable(force bool, paths ...string) error {
	for _, path := range paths {
		if err := checkTarget(path, force); err != nil {
			return err
		}
	}
	return nil
}
