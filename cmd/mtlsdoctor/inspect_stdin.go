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
// read or holds nothing usable.
//
// NOTE: chain has no reader counterpart of InspectFile, so the checks on
// empty contents repeat those of chain.InspectFile.
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

	c := chain.DecodeWith(data, opts)
	if len(c.Certificates) > 0 || len(c.Keys) > 0 {
		return chain.InspectContents(stdinArg, c, now), nil
	}
	if c.KeyBlocks > 0 && len(c.Problems) == 0 && len(c.KeyProblems) > 0 {
		return nil, keyBlockError(c.KeyProblems[0])
	}
	return nil, c.CertificatesError(stdinArg, stdinWhat)
}

// keyBlockError reports the private key block of standard input that
// could not be used, such as an encrypted key without a password. The
// word FILE in the block's fix stays as it is, because "-" in its place,
// as in "openssl pkey -in - -out -.plain", would read as a file name.
func keyBlockError(p *chain.BlockError) *chain.FileError {
	fe := &chain.FileError{Path: stdinArg, What: stdinWhat, Code: p.Code, Reason: p.Error(), Fix: p.Fix}
	if fe.Code == "" {
		fe.Code = report.CodeNotPEM
	}
	if fe.Fix == "" {
		fe.Fix = "pass an unencrypted private key in PEM (PKCS#8, PKCS#1 or SEC1) or DER form"
	}
	return fe
}
