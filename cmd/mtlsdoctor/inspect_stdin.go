package main

import (
	"fmt"
	"io"
	"time"

	"github.com/mtlsdoctor/mtlsdoctor/chain"
	"github.com/mtlsdoctor/mtlsdoctor/report"
)

// stdinArg is the argument that makes inspect read standard input.
const stdinArg = "-"

// stdinWhat names standard input in error messages, in the place of a
// file's role, as in `read standard input "-": the file is empty`.
const stdinWhat = "standard input"

// inspectStdin reads r, at most chain.MaxFileSize bytes as for a file, and
// describes every certificate and key in it with the target "-". Like
// chain.InspectFile it returns a *chain.FileError when the input cannot be
// read or contains nothing usable.
func inspectStdin(r io.Reader, opts chain.ReadOptions, now time.Time) (*chain.Inspected, error) {
	data, err := io.ReadAll(io.LimitReader(r, chain.MaxFileSize+1))
	if err != nil {
		return nil, &chain.FileError{Path: stdinArg, What: stdinWhat, Code: report.CodeUnreadableFile,
			Reason: "cannot read it", Fix: "pass the file name instead of -", Err: err}
	}
	if len(data) > chain.MaxFileSize {
		return nil, &chain.FileError{Path: stdinArg, What: stdinWhat, Code: report.CodeUnreadableFile,
			Reason: fmt.Sprintf("it is larger than %d MiB, so it is not a certificate or key file", chain.MaxFileSize>>20),
			Fix:    "pipe the certificate or key file itself: such files are a few KiB"}
	}
	return chain.InspectData(stdinArg, stdinWhat, data, opts, now)
}
