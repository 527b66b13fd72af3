// Package chain reads certificates and keys in any common encoding, fetches
// CA sources, builds and checks CA bundles, and verifies chains offline with
// findings that say which certificate fails and why.
package chain

import (
	"fmt"

	"github.com/mtlsdoctor/mtlsdoctor/report"
)

// FileError is a certificate or key file that cannot be used. Code is the
// finding code that names the problem, and Fix says what to do.
type FileError struct {
	Path   string      // the file as the user named it
	What   string      // what the file was meant to hold, e.g. "client key"
	Code   report.Code // not-pem, encrypted-key, unreadable-file, key-mismatch
	Reason string      // what was found, in plain words
	Fix    string      // the next step for the user
	Err    error       // the underlying error, if any
}

func (e *FileError) Error() string {
	what := e.What
	if what == "" {
		what = "file"
	}
	msg := fmt.Sprintf("read %s %q: %s", what, e.Path, e.Reason)
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *FileError) Unwrap() error { return e.Err }

// Finding converts e into a report finding.
func (e *FileError) Finding() report.Finding {
	f := report.New(e.Code, "", e.Error())
	if e.Fix != "" {
		f = f.WithFix(e.Fix)
	}
	return f
}

// BlockError is one PEM block or DER object in a file that could not be
// parsed. The other blocks of the file are still used.
type BlockError struct {
	Index int    // 1-based position of the block in the file
	Type  string // the PEM type, or "DER"
	Err   error
}

func (e *BlockError) Error() string {
	return fmt.Sprintf("block %d (%s): %v", e.Index, e.Type, e.Err)
}

func (e *BlockError) Unwrap() error { return e.Err }
