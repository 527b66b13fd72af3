package chain

import (
	"bytes"
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/mtlsdoctor/mtlsdoctor/internal/plural"
	"github.com/mtlsdoctor/mtlsdoctor/report"
)

// Encoding names how a file's certificates were stored.
type Encoding string

// The encodings Decode recognises. A PEM file whose certificates all come
// from PKCS#7 blocks is EncodingPKCS7PEM. A PEM file that also holds
// CERTIFICATE blocks is EncodingPEM.
const (
	EncodingPEM          Encoding = "PEM"
	EncodingDER          Encoding = "DER"
	EncodingBase64       Encoding = "base64 DER"
	EncodingPKCS7        Encoding = "PKCS#7 (DER)"
	EncodingPKCS7PEM     Encoding = "PKCS#7 (PEM)"
	EncodingPKCS7Base64  Encoding = "base64 PKCS#7"
	EncodingPKCS12       Encoding = "PKCS#12"
	EncodingPKCS12Base64 Encoding = "base64 PKCS#12"
	EncodingEmpty        Encoding = "empty"
	EncodingOther        Encoding = "unknown"
)

// Contents lists the certificates, keys and problems that Decode found in
// a file.
type Contents struct {
	Encoding     Encoding
	Certificates []*x509.Certificate
	// Keys are the private keys that could be decoded, in file order.
	Keys []Key
	// KeyBlocks counts private key blocks, decoded or not, so a key file
	// passed where a certificate was expected can be named as such.
	KeyBlocks int
	// Problems lists the certificate blocks and other blocks that could
	// not be used; the others are still in Certificates.
	Problems []*BlockError
	// KeyProblems lists the private key blocks that could not be decoded:
	// encrypted without a password, explicit EC parameters, damaged.
	KeyProblems []*BlockError
}

// ReadOptions configure how files are decoded.
type ReadOptions struct {
	// Password decrypts PKCS#12 files, encrypted PKCS#8 keys and legacy
	// encrypted PEM keys. Without it, PKCS#12 files that have no password
	// or an empty one still open.
	Password Password
	// Untrusted marks data from a download rather than a file the user
	// named. PKCS#12 data is then reported, not opened: it sets the cost
	// of its own key derivation, which a hostile server could make take
	// hours.
	Untrusted bool
}

// DefaultReadOptions returns the options that ReadCertificatesFile,
// ReadKeyFile and LoadKeyPair use: the password from the environment
// variable PasswordEnv, if it is set.
func DefaultReadOptions() ReadOptions {
	return ReadOptions{Password: PasswordFromEnv()}
}

var (
	utf8BOM  = []byte{0xEF, 0xBB, 0xBF}
	pemBegin = []byte("-----BEGIN ")
)

// Decode reads certificates and keys from data, detecting PEM, DER,
// PKCS#7 or base64 DER by content, never by file name. A byte-order mark
// and CRLF line ends are accepted. Decode treats data as untrusted, so it
// reports PKCS#12 data without opening it; DecodeWith opens PKCS#12 files
// and takes a password.
func Decode(data []byte) Contents {
	return DecodeWith(data, ReadOptions{Untrusted: true})
}

// DecodeWith is Decode with options, such as the password of a PKCS#12
// file or an encrypted key.
func DecodeWith(data []byte, opts ReadOptions) Contents {
	data = bytes.TrimPrefix(data, utf8BOM)
	trimmed := bytes.TrimSpace(data)
	switch {
	case len(trimmed) == 0:
		return Contents{Encoding: EncodingEmpty}
	case bytes.Contains(data, pemBegin):
		return decodePEM(data, opts)
	case data[0] == 0x30: // an ASN.1 SEQUENCE: DER, which must not be trimmed
		return decodeBinary(data, opts)
	}
	if der, err := base64.StdEncoding.DecodeString(string(stripSpace(trimmed))); err == nil && len(der) > 0 && der[0] == 0x30 {
		c := decodeBinary(der, opts)
		c.Encoding = base64Encoding(c.Encoding)
		return c
	}
	c := Contents{Encoding: EncodingOther}
	if looksLikeHTML(trimmed) {
		c.Problems = append(c.Problems, &BlockError{Index: 1, Type: "HTML",
			Err: errors.New("the file is a web page, not a certificate"),
			Fix: "Download the certificate itself: the link may point at a page about it."})
	}
	return c
}

func base64Encoding(inner Encoding) Encoding {
	switch inner {
	case EncodingPKCS7:
		return EncodingPKCS7Base64
	case EncodingPKCS12:
		return EncodingPKCS12Base64
	}
	return EncodingBase64
}

func looksLikeHTML(b []byte) bool {
	head := strings.ToLower(string(b[:min(len(b), 512)]))
	return strings.HasPrefix(head, "<!doctype html") || strings.HasPrefix(head, "<html") || strings.Contains(head, "<head>")
}

func stripSpace(b []byte) []byte {
	return bytes.Map(func(r rune) rune {
		if r == ' ' || r == '\t' || r == '\r' || r == '\n' {
			return -1
		}
		return r
	}, b)
}

// decodeBinary decodes DER by its ASN.1 shape: certificates, a PKCS#7
// bundle, a PKCS#12 file or a private key.
func decodeBinary(der []byte, opts ReadOptions) Contents {
	switch classifyDER(der) {
	case derPKCS12:
		if opts.Untrusted {
			return Contents{Encoding: EncodingPKCS12, Problems: []*BlockError{{Index: 1, Type: "PKCS#12",
				Err: errors.New("PKCS#12 data is not opened from a download, because the file sets the cost of opening it"),
				Fix: "Save the file and pass its path; a CA publishes certificates as DER, PEM or PKCS#7, not PKCS#12."}}}
		}
		return decodePKCS12(der, opts.Password)
	case derPKCS7:
		c := Contents{Encoding: EncodingPKCS7}
		c.Certificates, c.Problems = decodePKCS7(der, 1, "PKCS#7")
		return c
	case derPrivateKey, derEncryptedKey:
		c := Contents{Encoding: EncodingDER, KeyBlocks: 1}
		key, problem := parseKeyDER(1, "DER", der, opts.Password)
		c.addKey(key, problem)
		return c
	}
	c := Contents{Encoding: EncodingDER}
	c.Certificates, c.Problems = decodeDERCertificates(der)
	return c
}

func (c *Contents) addKey(key *Key, problem *BlockError) {
	if problem != nil {
		c.KeyProblems = append(c.KeyProblems, problem)
		return
	}
	c.Keys = append(c.Keys, *key)
}

// decodePEM decodes every PEM block on its own, so one damaged block
// costs only that block. Each block starts at a BEGIN line, which lets a
// block with a damaged END line be named instead of silently skipped.
func decodePEM(data []byte, opts ReadOptions) Contents {
	c := Contents{Encoding: EncodingPEM}
	var certBlocks, pkcs7Blocks int
	starts := beginOffsets(data)
	for i, start := range starts {
		index := i + 1
		end := len(data)
		if i+1 < len(starts) {
			end = starts[i+1]
		}
		segment := data[start:end]
		if !startsLine(data, start) {
			what := "text"
			if i > 0 {
				what = fmt.Sprintf("the END line of block %d", i)
			}
			c.addArmourProblem(&BlockError{Index: index, Type: pemLabel(segment),
				Err: fmt.Errorf("the BEGIN line is glued onto %s: each BEGIN and END line must be on a line of its own", what),
				Fix: "Put a line break before every -----BEGIN and after every -----END line."})
			continue
		}
		block, _ := pem.Decode(dedent(segment))
		if block == nil {
			c.addArmourProblem(&BlockError{Index: index, Type: pemLabel(segment),
				Err: diagnoseArmour(segment),
				Fix: "Put each BEGIN and END line on a line of its own, or copy the block again from its source."})
			continue
		}
		switch {
		case isCertificateBlock(block.Type):
			certBlocks++
		case isPKCS7Block(block.Type):
			pkcs7Blocks++
		}
		c.addPEMBlock(index, block, opts)
	}
	if pkcs7Blocks > 0 && certBlocks == 0 {
		c.Encoding = EncodingPKCS7PEM
	}
	return c
}

// addArmourProblem records a block whose PEM armour or base64 text does not
// decode. A block labelled as a private key counts as a damaged key, as one
// whose DER does not parse does, so that key readers report it.
func (c *Contents) addArmourProblem(problem *BlockError) {
	if isKeyBlock(problem.Type) {
		c.KeyBlocks++
		c.KeyProblems = append(c.KeyProblems, problem)
		return
	}
	c.Problems = append(c.Problems, problem)
}

// isKeyBlock reports whether a PEM type names a private key, such as
// PRIVATE KEY, RSA PRIVATE KEY or ENCRYPTED PRIVATE KEY.
func isKeyBlock(blockType string) bool {
	return strings.HasSuffix(blockType, "PRIVATE KEY")
}

func isCertificateBlock(blockType string) bool {
	switch blockType {
	case "CERTIFICATE", "X509 CERTIFICATE", "TRUSTED CERTIFICATE":
		return true
	}
	return false
}

func isPKCS7Block(blockType string) bool {
	switch blockType {
	case "PKCS7", "PKCS #7 SIGNED DATA", "CMS":
		return true
	}
	return false
}

// beginOffsets returns the offset of every "-----BEGIN " in data.
func beginOffsets(data []byte) []int {
	var offsets []int
	for from := 0; ; {
		i := bytes.Index(data[from:], pemBegin)
		if i < 0 {
			return offsets
		}
		offsets = append(offsets, from+i)
		from += i + len(pemBegin)
	}
}

// startsLine reports whether only spaces or tabs precede offset on its
// line: indented PEM, as in YAML files, is still PEM.
func startsLine(data []byte, offset int) bool {
	for i := offset - 1; i >= 0; i-- {
		switch data[i] {
		case '\n':
			return true
		case ' ', '\t', '\r':
			continue
		}
		return false
	}
	return true
}

// dedent removes the spaces and tabs that start each line, so that PEM
// embedded in YAML or a config file decodes. Base64 lines never start
// with one.
func dedent(segment []byte) []byte {
	lines := bytes.SplitAfter(segment, []byte("\n"))
	for i, line := range lines {
		lines[i] = bytes.TrimLeft(line, " \t")
	}
	return bytes.Join(lines, nil)
}

// pemLabel returns the type named on a BEGIN line, or "PEM".
func pemLabel(segment []byte) string {
	rest := segment[len(pemBegin):]
	if end := bytes.Index(rest, []byte("-----")); end > 0 && end < 64 {
		return string(rest[:end])
	}
	return "PEM"
}

// diagnoseArmour explains why pem.Decode rejected a block that starts with a
// BEGIN line.
func diagnoseArmour(segment []byte) error {
	line, rest, found := bytes.Cut(segment, []byte("\n"))
	line = bytes.TrimRight(line, " \t\r")
	endAt := bytes.Index(segment, []byte("-----END "))
	switch {
	case !found || len(bytes.TrimSpace(rest)) == 0:
		return errors.New("the PEM armour is damaged: the block is on one line, but each BEGIN and END line must be on a line of its own")
	case !bytes.HasSuffix(line, []byte("-----")) || bytes.Count(line, []byte("-----")) != 2:
		return errors.New("the PEM armour is damaged: text follows the BEGIN line on the same line, but each BEGIN and END line must be on a line of its own")
	case endAt < 0:
		return errors.New("the END line is missing: the block may have been cut off")
	case segment[endAt-1] != '\n':
		return errors.New("the PEM armour is damaged: the END line is glued onto the base64 text, but each BEGIN and END line must be on a line of its own")
	}
	return errors.New("the base64 text between the BEGIN and END lines is damaged")
}

func (c *Contents) addPEMBlock(index int, block *pem.Block, opts ReadOptions) {
	switch {
	case isCertificateBlock(block.Type):
		der := block.Bytes
		if block.Type == "TRUSTED CERTIFICATE" {
			der = firstElement(der) // OpenSSL appends its trust settings
		}
		cert, err := x509.ParseCertificate(der)
		if err != nil {
			c.Problems = append(c.Problems, certificateError(index, block.Type, err))
			return
		}
		c.Certificates = append(c.Certificates, cert)
	case isPKCS7Block(block.Type):
		certs, problems := decodePKCS7(block.Bytes, index, block.Type)
		c.Certificates = append(c.Certificates, certs...)
		c.Problems = append(c.Problems, problems...)
	case block.Type == "EC PARAMETERS":
		// openssl ecparam -genkey writes the curve name before the key.
	case isKeyBlock(block.Type):
		c.KeyBlocks++
		c.addKey(parseKeyBlock(index, block, opts.Password))
	default:
		c.Problems = append(c.Problems, otherBlockError(index, block.Type))
	}
}

// otherBlockError names a PEM block that is neither a certificate nor a
// key, and what to do with it.
func otherBlockError(index int, blockType string) *BlockError {
	e := &BlockError{Index: index, Type: blockType}
	switch blockType {
	case "CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST":
		e.Err = errors.New("a certificate signing request is not a certificate")
		e.Fix = "Send the request to the CA and use the certificate it returns."
	case "X509 CRL":
		e.Err = errors.New("a certificate revocation list is not a certificate")
		e.Fix = "Remove the CRL block from the certificate file."
	case "PUBLIC KEY", "RSA PUBLIC KEY":
		e.Err = errors.New("a bare public key is not a certificate")
		e.Fix = "Use the certificate that contains this public key."
	default:
		e.Err = fmt.Errorf("a %s block is not a certificate", blockType)
		e.Fix = "Remove the block, or pass the file where a " + strings.ToLower(blockType) + " is expected."
	}
	return e
}

// ParseCertificates returns the certificates in data. When some blocks
// fail, it returns the good certificates and an error listing the bad
// blocks. When none is usable, it returns no certificates and an error.
func ParseCertificates(data []byte) ([]*x509.Certificate, error) {
	c := Decode(data)
	if len(c.Certificates) == 0 {
		return nil, c.noCertificatesError()
	}
	return c.Certificates, c.problemsError()
}

func (c Contents) problemsError() error {
	return joinBlockErrors(c.Problems)
}

func joinBlockErrors(problems []*BlockError) error {
	if len(problems) == 0 {
		return nil
	}
	errs := make([]error, len(problems))
	for i, p := range problems {
		errs[i] = p
	}
	return errors.Join(errs...)
}

func (c Contents) noCertificatesError() error {
	switch {
	case c.Encoding == EncodingEmpty:
		return errors.New("the file is empty")
	case c.KeyBlocks > 0 && len(c.Problems) == 0:
		return errors.New("the file holds a private key, not a certificate: the certificate and key files may be swapped")
	case len(c.Problems) > 0:
		return fmt.Errorf("no usable certificate: %w", c.problemsError())
	}
	return errors.New("no certificate found: expected PEM, DER, PKCS#7, PKCS#12 or base64 DER")
}

// commonFix returns the fix that every problem shares, or fallback.
func commonFix(problems []*BlockError, fallback string) string {
	if len(problems) == 0 || problems[0].Fix == "" {
		return fallback
	}
	for _, p := range problems[1:] {
		if p.Fix != problems[0].Fix {
			return fallback
		}
	}
	return problems[0].Fix
}

// commonCode returns the finding code that every problem shares, or
// not-pem.
func commonCode(problems []*BlockError) report.Code {
	if len(problems) == 0 || problems[0].Code == "" {
		return report.CodeNotPEM
	}
	for _, p := range problems[1:] {
		if p.Code != problems[0].Code {
			return report.CodeNotPEM
		}
	}
	return problems[0].Code
}

// ReadFile reads path and decodes everything in it. It returns a
// *FileError only when the file cannot be read or is larger than
// MaxFileSize; what is wrong with its contents is in Contents.Problems
// and Contents.KeyProblems.
func ReadFile(path, what string, opts ReadOptions) (Contents, error) {
	data, err := readLocalFile(path, what)
	if err != nil {
		return Contents{}, err
	}
	return DecodeWith(data, opts), nil
}

// ReadCertificatesFile reads every certificate in path with
// DefaultReadOptions. what names the role of the file in messages
// ("client certificate", "CA bundle"). A file with some bad blocks
// returns the good certificates and a *FileError; one with none returns
// only the error.
func ReadCertificatesFile(path, what string) ([]*x509.Certificate, error) {
	return ReadCertificatesFileWith(path, what, DefaultReadOptions())
}

// ReadCertificatesFileWith is ReadCertificatesFile with explicit options.
func ReadCertificatesFileWith(path, what string, opts ReadOptions) ([]*x509.Certificate, error) {
	c, err := ReadFile(path, what, opts)
	if err != nil {
		return nil, err
	}
	return c.Certificates, c.CertificatesError(path, what)
}

// CertificatesError returns the *FileError for a certificate file with
// these contents read from path, or nil when every block was usable.
// With no certificate at all, the error names what the file contains
// instead.
func (c Contents) CertificatesError(path, what string) error {
	if len(c.Certificates) == 0 {
		fix := commonFix(c.Problems, "Pass a certificate file in PEM, DER, PKCS#7 or PKCS#12 form.")
		code := commonCode(c.Problems)
		if c.KeyBlocks > 0 && len(c.Problems) == 0 {
			fix = "Pass the certificate file here and the key file to the key option."
			code = report.CodeNotPEM
		}
		if c.Encoding == EncodingEmpty {
			fix = "Check that the file was written completely, or pass the right file."
		}
		return &FileError{Path: path, What: what, Code: code, Reason: c.noCertificatesError().Error(), Fix: withPath(fix, path)}
	}
	if err := c.problemsError(); err != nil {
		return &FileError{Path: path, What: what, Code: commonCode(c.Problems),
			Reason: fmt.Sprintf("%s skipped, %s used", plural.Count(len(c.Problems), "block"), plural.Count(len(c.Certificates), "certificate")),
			Fix:    withPath(commonFix(c.Problems, "Remove or replace the damaged blocks."), path), Err: err}
	}
	return nil
}

// withPath puts path in place of the FILE placeholder of a block's fix.
func withPath(fix, path string) string {
	if path == "-" {
		// Standard input: "-" in place of FILE, as in "-out -.plain",
		// would read as a file name, so the placeholder stays.
		return fix
	}
	return strings.ReplaceAll(fix, "FILE", path)
}

func unwrapPathError(err error) error {
	var pathErr *os.PathError
	if errors.As(err, &pathErr) {
		return pathErr.Err
	}
	return err
}

// ReadKeyFile reads a private key with DefaultReadOptions: PKCS#8,
// encrypted PKCS#8, PKCS#1, SEC1 or legacy encrypted PEM, as PEM or DER,
// or the key of a PKCS#12 file. A key it cannot use returns a *FileError
// whose code is encrypted-key or not-pem.
func ReadKeyFile(path, what string) (crypto.Signer, error) {
	return ReadKeyFileWith(path, what, DefaultReadOptions())
}

// ReadKeyFileWith is ReadKeyFile with explicit options.
func ReadKeyFileWith(path, what string, opts ReadOptions) (crypto.Signer, error) {
	c, err := ReadFile(path, what, opts)
	if err != nil {
		return nil, err
	}
	if len(c.Keys) > 0 {
		return c.Keys[0].Signer, nil
	}
	return nil, c.keyError(path, what)
}

// keyError explains why contents read from path hold no usable key.
func (c Contents) keyError(path, what string) error {
	fe := &FileError{Path: path, What: what, Code: report.CodeNotPEM,
		Fix: "Pass an unencrypted private key in PEM (PKCS#8, PKCS#1 or SEC1) or DER form."}
	problems := c.KeyProblems
	if len(problems) == 0 && (c.Encoding == EncodingPKCS12 || c.Encoding == EncodingPKCS12Base64) {
		problems = c.Problems // a PKCS#12 file that does not open
	}
	switch {
	case len(problems) > 0:
		fe.Reason = problems[0].Error()
		fe.Code = commonCode(problems[:1])
		fe.Fix = withPath(commonFix(problems[:1], fe.Fix), path)
	case c.Encoding == EncodingEmpty:
		fe.Reason = "the file is empty"
	case len(c.Certificates) > 0:
		fe.Reason = "the file holds a certificate, not a private key: the certificate and key files may be swapped"
		if c.Encoding == EncodingDER {
			fe.Reason = "the file holds a DER certificate, not a private key: the certificate and key files may be swapped"
		}
		fe.Fix = "Pass the key file here and the certificate file to the certificate option."
	case c.Encoding == EncodingPEM || c.Encoding == EncodingPKCS7PEM:
		fe.Reason = "no PRIVATE KEY block found"
	default:
		fe.Reason = "no private key found: expected PEM, DER or PKCS#12"
	}
	return fe
}

// KeyMatches reports whether key is the private key of cert.
func KeyMatches(cert *x509.Certificate, key crypto.Signer) bool {
	type equaler interface{ Equal(crypto.PublicKey) bool }
	pub, ok := key.Public().(equaler)
	return ok && pub.Equal(cert.PublicKey)
}

// LoadKeyPair reads a certificate chain and its key for a TLS peer with
// DefaultReadOptions. The first certificate must match the key. When
// another block matches it, the error names that block, because
// out-of-order blocks are a common mistake.
func LoadKeyPair(certPath, keyPath, role string) (tls.Certificate, error) {
	return LoadKeyPairWith(certPath, keyPath, role, DefaultReadOptions())
}

// LoadKeyPairWith is LoadKeyPair with explicit options. certPath and
// keyPath may name the same PKCS#12 file, and an empty keyPath means the
// key in certPath. It is ReadKeyPair without the warnings.
func LoadKeyPairWith(certPath, keyPath, role string, opts ReadOptions) (tls.Certificate, error) {
	pair, err := ReadKeyPair(KeyPairFiles{Role: role, CertFile: certPath, KeyFile: keyPath}, opts)
	if err != nil {
		return tls.Certificate{}, err
	}
	return pair.Certificate, nil
}

// KeyDescription returns the algorithm and size of a public key, such as
// "RSA 2048" or "ECDSA P-256".
func KeyDescription(pub crypto.PublicKey) string {
	return report.PublicKeyName(pub)
}
