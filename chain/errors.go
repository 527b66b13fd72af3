// Package chain reads certificates and keys in any common encoding, fetches
// CA sources, builds and checks CA bundles, and verifies chains offline with
// findings that say which certificate fails and why.
package chain

import (
	"errors"
	"fmt"
	"strings"

	"github.com/mtlsdoctor/mtlsdoctor/report"
)

// FileError is a certificate or key file that cannot be used. Code is the
// finding code that names the problem, and Fix is the next step.
type FileError struct {
	Path   string      // the file as the user named it
	What   string      // role of the file, such as "client key"
	Code   report.Code // not-pem, encrypted-key, unreadable-file, key-mismatch
	Reason string      // the problem found, in plain words
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

// TargetError is a URL or HOST:PORT that cannot be connected to as given,
// such as one with a port out of range. Fix is the next step.
type TargetError struct {
	Target string // the target as the user named it, with secrets redacted
	Reason string
	Fix    string
}

func (e *TargetError) Error() string {
	return fmt.Sprintf("invalid target %q: %s", e.Target, e.Reason)
}

// BlockError is one PEM block or DER object in a file that could not be
// parsed. The other blocks of the file are still used.
type BlockError struct {
	Index int    // 1-based position of the block in the file
	Type  string // the PEM type, or "DER", "PKCS#7", "PKCS#12"
	Err   error
	// Code is the finding code for the problem; empty means not-pem.
	Code report.Code
	// Fix is the next step for the user. The word FILE stands for the
	// file's path, which the block does not know.
	Fix string
}

func (e *BlockError) Error() string {
	return fmt.Sprintf("block %d (%s): %v", e.Index, e.Type, e.Err)
}

func (e *BlockError) Unwrap() error { return e.Err }

// certificateError explains a certificate that crypto/x509 rejects. Go is
// stricter than OpenSSL, so the fix shows how to inspect the certificate
// anyway.
func certificateError(index int, blockType string, err error) *BlockError {
	e := &BlockError{Index: index, Type: blockType, Code: report.CodeNotPEM}
	msg := err.Error()
	switch {
	case strings.Contains(msg, "negative serial number"):
		e.Err = errors.New("crypto/x509 rejects the certificate because its serial number is negative, which RFC 5280 forbids")
		e.Fix = "Reissue the certificate with a positive serial number; openssl x509 -in FILE -noout -text still shows it, and Go programs accept it only with GODEBUG=x509negativeserial=1."
	case strings.Contains(msg, "duplicate extension"):
		e.Err = fmt.Errorf("crypto/x509 rejects the certificate because it contains an extension twice, which RFC 5280 forbids (%v)", err)
		e.Fix = "Reissue the certificate; openssl x509 -in FILE -noout -text still shows it."
	case strings.Contains(msg, "invalid ECDSA parameters"):
		e.Err = errors.New("crypto/x509 rejects the certificate because its public key uses explicit EC parameters instead of a named curve")
		e.Fix = "Convert the key to a named curve (openssl ec -in KEY -param_enc named_curve -out KEY.named) and have the certificate reissued for it."
	case strings.Contains(msg, "unsupported elliptic curve"):
		e.Err = errors.New("crypto/x509 rejects the certificate because its key is on an elliptic curve that Go does not support; Go supports P-224, P-256, P-384 and P-521")
		e.Fix = "Reissue the certificate with a P-256 or P-384 key."
	default:
		e.Err = fmt.Errorf("crypto/x509 rejects the certificate: %w", err)
		e.Fix = "Copy the certificate again from its source, or reissue it; openssl x509 -in FILE -noout -text may still show it."
	}
	return e
}
