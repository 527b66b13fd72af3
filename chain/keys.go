package chain

import (
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/mtlsdoctor/mtlsdoctor/internal/plural"
	"github.com/mtlsdoctor/mtlsdoctor/report"
)

// KeyPairFiles names the files of a certificate chain and its private key,
// as the --cert and --key options of probe, serve and verify give them.
type KeyPairFiles struct {
	// Role names the pair in messages: "client", "server" or "leaf".
	Role string
	// CertFile contains the chain, leaf first.
	CertFile string
	// KeyFile contains the private key. Empty means the key in CertFile, as
	// tools that write the certificate and its key into one file leave it.
	KeyFile string
	// FallbackKeyFile is read when KeyFile is empty and CertFile contains
	// no private key, as serve falls back to server-key.pem. Empty means
	// that CertFile must contain the key.
	FallbackKeyFile string
}

// KeyPair is a certificate chain and the private key of its first
// certificate, read by ReadKeyPair.
type KeyPair struct {
	// Certificate is the chain and key for crypto/tls, with Leaf set.
	Certificate tls.Certificate
	// Chain is the parsed chain, leaf first.
	Chain []*x509.Certificate
	// Key is the private key that matches the leaf, with its block index.
	Key Key
	// KeyFile is the file the key was read from.
	KeyFile string
	// FromCertFile is true when no key file was given and the key came
	// from the certificate file.
	FromCertFile bool
	// CertWarnings are warnings about blocks of the certificate file that
	// were skipped.
	CertWarnings []report.Finding
	// KeyWarnings are warnings about the key file: blocks that were
	// skipped, and keys other than the one that matches the leaf.
	KeyWarnings []report.Finding
}

// KeyDetail describes the key for a check's detail, such as "ECDSA P-256"
// or "ECDSA P-256, block 2 of the certificate file combined.pem, because
// no key file was given".
func (p *KeyPair) KeyDetail() string {
	detail := KeyDescription(p.Key.Signer.Public())
	if p.FromCertFile {
		return fmt.Sprintf("%s, block %d of the certificate file %s, because no key file was given", detail, p.Key.Index, p.KeyFile)
	}
	return detail
}

// Warnings returns CertWarnings and KeyWarnings in that order.
func (p *KeyPair) Warnings() []report.Finding {
	return append(append([]report.Finding{}, p.CertWarnings...), p.KeyWarnings...)
}

// ReadKeyPair reads the chain in files.CertFile and its key. A certificate
// file with damaged blocks is used when one certificate parses, and a key
// file with damaged or extra key blocks is used when one key matches the
// leaf, with a warning for each. Unusable files return a *FileError; a key
// that matches no certificate returns one with the code key-mismatch.
func ReadKeyPair(files KeyPairFiles, opts ReadOptions) (*KeyPair, error) {
	pair, _, err := readKeyPair(files, opts)
	return pair, err
}

// readKeyPair is ReadKeyPair that also returns, when no key matches the
// leaf, the key that belongs to another certificate of the chain or else
// the first key, so that verify can find the leaf by it.
func readKeyPair(files KeyPairFiles, opts ReadOptions) (*KeyPair, *Key, error) {
	certWhat := files.Role + " certificate"
	certContents, err := ReadFile(files.CertFile, certWhat, opts)
	if err != nil {
		return nil, nil, err
	}
	certs := certContents.Certificates
	if len(certs) == 0 {
		return nil, nil, certContents.CertificatesError(files.CertFile, certWhat)
	}
	pair := &KeyPair{Chain: certs}
	var fe *FileError
	if errors.As(certContents.CertificatesError(files.CertFile, certWhat), &fe) {
		pair.CertWarnings = append(pair.CertWarnings, fe.Finding().WithSeverity(report.SeverityWarning))
	}

	keyContents, source, err := readPairKeyFile(files, certContents, opts)
	if err != nil {
		return nil, nil, err
	}
	pair.KeyFile = source.path
	pair.FromCertFile = source.fromCertFile

	key, matched := pairKey(certs, keyContents.Keys)
	if !matched {
		return nil, &key, keyMismatchError(files, pair.KeyFile, certs, keyContents)
	}
	pair.Key = key
	pair.KeyWarnings = keyFileWarnings(pair.KeyFile, source.what, certs[0], key, keyContents)

	pair.Certificate = tls.Certificate{PrivateKey: key.Signer, Leaf: certs[0]}
	for _, c := range certs {
		pair.Certificate.Certificate = append(pair.Certificate.Certificate, c.Raw)
	}
	return pair, &key, nil
}

// checkKeyFile reads the key of verify, from opts.KeyFile or else from
// the certificate file, and records whether it matches the leaf, with
// warnings about damaged or extra key blocks. It returns the key that
// matches, or one that belongs to another certificate of the chain. An
// unusable key file is an error; a mismatch is a finding.
func checkKeyFile(rep *report.Report, opts VerifyFilesOptions) (crypto.Signer, error) {
	const check = "key matches certificate"
	pair, key, err := readKeyPair(KeyPairFiles{Role: "leaf", CertFile: opts.CertFile, KeyFile: opts.KeyFile}, opts.Read)
	var fe *FileError
	switch {
	case err == nil:
		rep.AddCheck(check, "", pair.KeyDetail(), pair.KeyWarnings...)
		return pair.Key.Signer, nil
	case errors.As(err, &fe) && fe.Code == report.CodeKeyMismatch:
		rep.AddCheck(check, "", "", fe.Finding())
		return key.Signer, nil
	}
	return nil, err
}

// keySource is the file that ReadKeyPair read the key from, with its role.
type keySource struct {
	path         string
	what         string // the file's role in messages, such as "client key"
	fromCertFile bool
}

// readPairKeyFile returns the contents that hold the key of files, and
// where they came from. It returns a *FileError when they hold no usable
// key.
func readPairKeyFile(files KeyPairFiles, certContents Contents, opts ReadOptions) (Contents, keySource, error) {
	source := keySource{path: files.KeyFile, what: files.Role + " key"}
	switch {
	case files.KeyFile == files.CertFile:
		// One file, such as a PKCS#12 file, given to both options.
		source.what = files.Role + " certificate"
		if len(certContents.Keys) == 0 {
			return certContents, source, certContents.keyError(files.CertFile, source.what)
		}
		return certContents, source, nil
	case files.KeyFile == "" && (len(certContents.Keys) > 0 || files.FallbackKeyFile == ""):
		source = keySource{path: files.CertFile, what: files.Role + " certificate", fromCertFile: true}
		if len(certContents.Keys) == 0 {
			return certContents, source, certKeyMissingError(files, certContents)
		}
		return certContents, source, nil
	case files.KeyFile == "":
		source.path = files.FallbackKeyFile
	}

	c, err := ReadFile(source.path, source.what, opts)
	if err != nil {
		return c, source, err
	}
	if len(c.Keys) == 0 {
		return c, source, c.keyError(source.path, source.what)
	}
	return c, source, nil
}

// certKeyMissingError explains that no key file was given and the
// certificate file holds no usable key.
func certKeyMissingError(files KeyPairFiles, c Contents) error {
	if len(c.KeyProblems) > 0 {
		// keyError names the problem of a key that cannot be used, such
		// as an encrypted one.
		return c.keyError(files.CertFile, files.Role+" certificate")
	}
	return &FileError{Path: files.CertFile, What: files.Role + " certificate", Code: report.CodeNotPEM,
		Reason: "no key file was given, and the certificate file contains no private key",
		Fix:    fmt.Sprintf("Pass the %s key file with --key, or add the key to the certificate file after the certificates.", files.Role)}
}

// pairKey returns the key of keys that belongs to the leaf, certs[0].
// When none does, it returns false and the key that belongs to another
// certificate of certs, or else the first key.
func pairKey(certs []*x509.Certificate, keys []Key) (Key, bool) {
	for _, k := range keys {
		if KeyMatches(certs[0], k.Signer) {
			return k, true
		}
	}
	for _, k := range keys {
		for _, c := range certs[1:] {
			if KeyMatches(c, k.Signer) {
				return k, false
			}
		}
	}
	if len(keys) == 0 {
		return Key{}, false
	}
	return keys[0], false
}

// keyFileWarnings returns warnings about a key file whose key matched:
// damaged key blocks that were skipped, and other keys that were not
// used.
func keyFileWarnings(path, what string, leaf *x509.Certificate, used Key, c Contents) []report.Finding {
	var warnings []report.Finding
	if len(c.KeyProblems) > 0 {
		fe := &FileError{Path: path, What: what, Code: commonCode(c.KeyProblems),
			Reason: fmt.Sprintf("%s skipped, the key in block %d used", plural.Count(len(c.KeyProblems), "key block"), used.Index),
			Fix:    withPath(commonFix(c.KeyProblems, "Remove or replace the damaged key blocks."), path),
			Err:    joinBlockErrors(c.KeyProblems)}
		warnings = append(warnings, fe.Finding().WithSeverity(report.SeverityWarning))
	}
	if len(c.Keys) > 1 {
		warnings = append(warnings, extraKeysWarning(path, what, leaf, used, c.Keys))
	}
	return warnings
}

// extraKeysWarning explains that the key file contains keys besides used,
// the key that matches the leaf. Copies of used are named as such, because
// they match the certificate too.
func extraKeysWarning(path, what string, leaf *x509.Certificate, used Key, keys []Key) report.Finding {
	matching := []int{used.Index}
	var others []string
	for _, k := range keys {
		switch {
		case k.Index == used.Index:
		case KeyMatches(leaf, k.Signer):
			matching = append(matching, k.Index)
		default:
			others = append(others, fmt.Sprintf("block %d (%s)", k.Index, KeyDescription(k.Signer.Public())))
		}
	}
	slices.Sort(matching)
	usedKey := fmt.Sprintf("block %d (%s) matches %s and is used", used.Index, KeyDescription(used.Signer.Public()), describeName(leaf))
	copies := ""
	if len(matching) > 1 {
		copies = fmt.Sprintf("blocks %s contain the same key", joinBlockIndexes(matching))
	}

	var summary, detail, fix string
	switch {
	case len(others) == 0:
		summary = fmt.Sprintf("%s contains the same private key %d times, in blocks %s, and block %d is used",
			path, len(matching), joinBlockIndexes(matching), used.Index)
		detail = fmt.Sprintf("read %s %q: %s; %s", what, path, copies, usedKey)
		fix = "Keep one copy of the key in the key file."
	default:
		verb := "is"
		if len(others) > 1 {
			verb = "are"
		}
		summary = fmt.Sprintf("%s contains %s, and only block %d matches the certificate", path, plural.Count(len(keys), "private key"), used.Index)
		if copies != "" {
			summary = fmt.Sprintf("%s contains %s, and blocks %s match the certificate, of which block %d is used",
				path, plural.Count(len(keys), "private key"), joinBlockIndexes(matching), used.Index)
			usedKey = copies + "; " + usedKey
		}
		detail = fmt.Sprintf("read %s %q: %s; %s %s not used", what, path, usedKey, strings.Join(others, ", "), verb)
		fix = "Keep only the key of the certificate in the key file, so that servers and tools that read the first key use the right one."
	}
	return report.New(report.CodeKeyMismatch, summary, detail).WithSeverity(report.SeverityWarning).WithFix(fix)
}

// joinBlockIndexes returns block numbers as "1 and 2" or "1, 3 and 4".
func joinBlockIndexes(indexes []int) string {
	words := make([]string, len(indexes))
	for i, n := range indexes {
		words[i] = strconv.Itoa(n)
	}
	if len(words) == 1 {
		return words[0]
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}

// keyMismatchError explains that no key in c, read from keyPath, belongs
// to the leaf. When a key belongs to another certificate of the chain,
// the blocks are out of order.
func keyMismatchError(files KeyPairFiles, keyPath string, certs []*x509.Certificate, c Contents) error {
	reason := fmt.Sprintf("the key in %q does not match the first certificate (%s)", keyPath, certs[0].Subject)
	if len(c.Keys) > 1 {
		reason = fmt.Sprintf("none of the %d keys in %q matches the first certificate (%s)", len(c.Keys), keyPath, certs[0].Subject)
	}
	fix := "Use the key generated with this certificate, or the certificate issued for this key."
	for _, k := range c.Keys {
		for i, cert := range certs[1:] {
			if !KeyMatches(cert, k.Signer) {
				continue
			}
			if len(c.Keys) == 1 {
				reason += fmt.Sprintf("; it matches block %d (%s)", i+2, cert.Subject)
			} else {
				reason += fmt.Sprintf("; the key in block %d matches certificate block %d (%s)", k.Index, i+2, cert.Subject)
			}
			fix = "Put the certificate that matches the key first in the file, followed by its intermediates."
		}
	}
	if len(c.KeyProblems) > 0 {
		reason += fmt.Sprintf("; %s could not be read", plural.Count(len(c.KeyProblems), "other key block"))
	}
	return &FileError{Path: files.CertFile, What: files.Role + " certificate", Code: report.CodeKeyMismatch,
		Reason: reason, Fix: fix, Err: joinBlockErrors(c.KeyProblems)}
}
