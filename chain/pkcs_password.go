package chain

import (
	"bytes"
	"errors"
	"fmt"
	"os"

	"github.com/mtlsdoctor/mtlsdoctor/report"
)

// PasswordEnv is the environment variable that holds the password of
// PKCS#12 files and encrypted keys, for commands that have no password
// option and for scripts that should not put it on the command line.
const PasswordEnv = "MTLSDOCTOR_PASSWORD"

// Password opens PKCS#12 files and encrypted keys. It formats as the
// place it came from, never as the secret, so it is safe in messages.
type Password struct {
	secret string
	source string
	set    bool
}

// NewPassword returns a password whose messages name source, such as
// "--password".
func NewPassword(secret, source string) Password {
	return Password{secret: secret, source: source, set: true}
}

// IsSet reports whether a password was given, even an empty one.
func (p Password) IsSet() bool { return p.set }

// String names where the password came from, never the secret.
func (p Password) String() string {
	if !p.set {
		return "no password"
	}
	return "password from " + p.source
}

// GoString hides the secret from %#v too.
func (p Password) GoString() string { return p.String() }

func (p Password) bytes() []byte { return []byte(p.secret) }

// PasswordFromEnv returns the password in PasswordEnv, or an unset
// password when the variable is not set.
func PasswordFromEnv() Password {
	secret, ok := os.LookupEnv(PasswordEnv)
	if !ok {
		return Password{}
	}
	return NewPassword(secret, "the "+PasswordEnv+" environment variable")
}

// maxPasswordLength is the longest first line, in bytes, that
// ReadPasswordFile reads as a password. OpenSSL's own limit is 1023
// bytes (APP_PASS_LEN in its apps), so a longer line is the wrong file.
const maxPasswordLength = 64 << 10

// ReadPasswordFile reads a password from the first line of path, as
// OpenSSL's -passin file: does, without the line end. An empty first
// line is a *FileError: the file was meant to hold a password, and files
// exported without one open with no password option at all. So is a
// first line with control characters, such as the NUL bytes of
// /dev/zero or a binary file, or one longer than maxPasswordLength.
func ReadPasswordFile(path string) (Password, error) {
	data, err := readLocalFilePrefix(path, "password file", maxPasswordLength)
	if err != nil {
		return Password{}, err
	}
	line, _, found := bytes.Cut(data, []byte("\n"))
	line = bytes.TrimSuffix(line, []byte("\r"))
	if i := bytes.IndexFunc(line, isControl); i >= 0 {
		return Password{}, &FileError{Path: path, What: "password file", Code: report.CodeUnreadableFile,
			Reason: fmt.Sprintf("the password file is not text: its first line contains the control character %#02x at byte %d", line[i], i+1),
			Fix:    "Pass a text file whose first line is the password."}
	}
	if !found && len(line) > maxPasswordLength {
		return Password{}, &FileError{Path: path, What: "password file", Code: report.CodeUnreadableFile,
			Reason: fmt.Sprintf("the first line of the password file is longer than %d KiB, too long for a password", maxPasswordLength>>10),
			Fix:    "Pass a text file whose first line is the password."}
	}
	if len(line) == 0 {
		reason := "the password file is empty"
		if len(bytes.TrimSpace(data)) > 0 {
			reason = "the first line of the password file is empty, and only the first line is read"
		}
		return Password{}, &FileError{Path: path, What: "password file", Code: report.CodeUnreadableFile, Reason: reason,
			Fix: "Write the password on the first line of the file; a PKCS#12 file or key without a password needs no --password-file."}
	}
	return NewPassword(string(line), fmt.Sprintf("--password-file %q", path)), nil
}

// isControl reports the ASCII control characters other than tab, which
// no typed password contains.
func isControl(r rune) bool {
	return r < 0x20 && r != '\t' || r == 0x7f
}

// ResolvePassword picks the password from the --password value when
// valueSet, else from the --password-file path when it is not empty, else
// from PasswordEnv. Giving both options is an error.
func ResolvePassword(value string, valueSet bool, file string) (Password, error) {
	switch {
	case valueSet && file != "":
		return Password{}, errors.New("--password and --password-file are both given")
	case valueSet:
		return NewPassword(value, "--password"), nil
	case file != "":
		return ReadPasswordFile(file)
	}
	return PasswordFromEnv(), nil
}
