package chain

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/mtlsdoctor/mtlsdoctor/internal/redact"
	"github.com/mtlsdoctor/mtlsdoctor/internal/shellquote"
	"github.com/mtlsdoctor/mtlsdoctor/report"
)

// Inspected is the result of inspect for one file or server: the report
// to print and the certificates themselves, for --pem.
type Inspected struct {
	Inspection   *report.Inspection
	Certificates []*x509.Certificate
}

// InspectFile reads path and describes every certificate and key in it.
// It returns an error, a *FileError, only when the file cannot be read or
// holds nothing usable; damaged blocks next to good ones are findings.
func InspectFile(path string, opts ReadOptions, now time.Time) (*Inspected, error) {
	c, err := ReadFile(path, "file", opts)
	if err != nil {
		return nil, err
	}
	return inspectDecoded(path, "file", c, now)
}

// InspectData is InspectFile for data read elsewhere, such as standard
// input, named target in the report and what in errors.
func InspectData(target, what string, data []byte, opts ReadOptions, now time.Time) (*Inspected, error) {
	return inspectDecoded(target, what, DecodeWith(data, opts), now)
}

// inspectDecoded describes c, or returns a *FileError when it contains no
// certificate and no key.
func inspectDecoded(target, what string, c Contents, now time.Time) (*Inspected, error) {
	if len(c.Certificates) == 0 && len(c.Keys) == 0 {
		if c.KeyBlocks > 0 && len(c.Problems) == 0 {
			return nil, c.keyError(target, what)
		}
		return nil, c.CertificatesError(target, what)
	}
	return InspectContents(target, c, now), nil
}

// InspectContents describes decoded contents that came from target.
func InspectContents(target string, c Contents, now time.Time) *Inspected {
	return inspectContents(target, c, now, ConversionNote(c, target))
}

// inspectContents is InspectContents with the conversion note given, so
// that a download can suggest a command other than a file's.
func inspectContents(target string, c Contents, now time.Time, conversionNote string) *Inspected {
	in := &report.Inspection{Target: target, Kind: "inspect", Encoding: string(c.Encoding)}
	in.Certificates = describeCertificates(c.Certificates, now)
	for _, key := range c.Keys {
		detail := report.DescribeKey(key.Signer.Public(), string(key.Format))
		detail.Index = key.Index
		for i, cert := range c.Certificates {
			if KeyMatches(cert, key.Signer) {
				detail.MatchesCertificate = i + 1
				detail.MatchesSubject = cert.Subject.String()
				break
			}
		}
		in.Keys = append(in.Keys, detail)
	}

	for _, p := range append(append([]*BlockError{}, c.Problems...), c.KeyProblems...) {
		in.Findings = append(in.Findings, blockFinding(target, p))
	}
	in.Findings = append(in.Findings, Lint(c.Certificates, now)...)
	in.Findings = append(in.Findings, LintKeyIdentifiers(c.Certificates)...)
	if conversionNote != "" {
		in.Notes = append(in.Notes, conversionNote)
	}
	return &Inspected{Inspection: in, Certificates: c.Certificates}
}

// describeCertificates lists certs in order with their role in the list.
func describeCertificates(certs []*x509.Certificate, now time.Time) []report.CertDetail {
	details := make([]report.CertDetail, len(certs))
	for i, cert := range certs {
		d := report.DescribeDetail(cert, now)
		d.Index = i + 1
		d.Role = certificateRole(i, cert)
		details[i] = d
	}
	return details
}

func certificateRole(i int, cert *x509.Certificate) string {
	switch {
	case cert.IsCA && isSelfSigned(cert):
		return "root CA"
	case cert.IsCA:
		return "intermediate CA"
	case i == 0:
		return "leaf"
	}
	return "end-entity"
}

// blockFinding turns a block that could not be used into a warning: the
// other blocks of the file were used.
func blockFinding(target string, p *BlockError) report.Finding {
	code := p.Code
	if code == "" {
		code = report.CodeNotPEM
	}
	f := report.New(code, fmt.Sprintf("block %d (%s) of %s is not used", p.Index, p.Type, target), p.Err.Error()).
		WithSeverity(report.SeverityWarning)
	if p.Fix != "" {
		f = f.WithFix(withPath(p.Fix, target))
	}
	return f
}

// LintKeyIdentifiers flags certificates without the key identifiers that
// RFC 5280 requires: the authority key identifier in every certificate
// that is not self-signed (4.2.1.1), and the subject key identifier in
// every CA (4.2.1.2). Verifiers use them to pick the right issuer among
// CAs that share a name, as happens when a CA renews its key. A leaf
// without a subject key identifier, which RFC 5280 only recommends, is
// info.
func LintKeyIdentifiers(certs []*x509.Certificate) []report.Finding {
	var findings []report.Finding
	for i, c := range certs {
		if len(c.AuthorityKeyId) == 0 && !isSelfSigned(c) {
			findings = append(findings, report.Newf(report.CodeMissingKeyID,
				fmt.Sprintf("certificate %d, %s, has no authority key identifier", i+1, describeName(c)),
				"RFC 5280 requires the authority key identifier in every certificate that is not self-signed; it was issued by %s", c.Issuer))
		}
		if len(c.SubjectKeyId) == 0 {
			f := report.Newf(report.CodeMissingKeyID,
				fmt.Sprintf("certificate %d, %s, has no subject key identifier", i+1, describeName(c)),
				"RFC 5280 requires the subject key identifier in CA certificates and recommends it in others")
			if !c.IsCA {
				f = f.WithSeverity(report.SeverityInfo)
			}
			findings = append(findings, f)
		}
	}
	return findings
}

// ConversionNote returns a note with the command that converts the file at
// path, which has contents c, into the PEM that nginx, Node, curl and
// openssl s_server need, or "" when it is PEM already. mtlsdoctor itself reads every encoding.
// A path of "-" is standard input, as inspect reads it. openssl reads
// "-in -" from standard input too, but "-out -.pem" names a file. So the
// note suggests saving the input under a placeholder name such as FILE.p12
// and converting that file.
func ConversionNote(c Contents, path string) string {
	if path == "-" {
		return stdinConversionNote(c)
	}
	command := conversionCommand(c, path, path)
	if command == "" {
		return ""
	}
	return fmt.Sprintf("the file is %s; nginx, Node, curl and openssl s_server need PEM: %s", c.Encoding, command)
}

// stdinConversionNote is ConversionNote for contents read from standard
// input.
func stdinConversionNote(c Contents) string {
	var saved string
	switch c.Encoding {
	case EncodingDER:
		saved = "FILE.der"
	case EncodingPKCS7:
		saved = "FILE.p7b"
	case EncodingPKCS12:
		saved = "FILE.p12"
	case EncodingBase64, EncodingPKCS7Base64, EncodingPKCS12Base64:
		// mtlsdoctor reads standard input itself, so nothing needs saving.
		return fmt.Sprintf("the standard input is %s; nginx, Node, curl and openssl s_server need PEM: "+
			"run mtlsdoctor inspect - --pem > FILE.pem with the same standard input", c.Encoding)
	default:
		return ""
	}
	return fmt.Sprintf("the standard input is %s; nginx, Node, curl and openssl s_server need PEM: save it to a file such as %s, then run %s",
		c.Encoding, saved, conversionCommand(c, saved, "FILE"))
}

// conversionCommand returns the shell command that converts the file at
// path, which has contents c, into PEM files named after outBase, or ""
// when c is PEM already.
func conversionCommand(c Contents, path, outBase string) string {
	switch c.Encoding {
	case EncodingDER:
		if len(c.Certificates) == 0 {
			return shellquote.Join("openssl", "pkey", "-inform", "DER", "-in", path, "-out", outBase+".pem")
		}
		return shellquote.Join("openssl", "x509", "-inform", "DER", "-in", path, "-out", outBase+".pem")
	case EncodingPKCS7:
		return shellquote.Join("openssl", "pkcs7", "-inform", "DER", "-in", path, "-print_certs", "-out", outBase+".pem")
	case EncodingPKCS12:
		return shellquote.Join("openssl", "pkcs12", "-in", path, "-nokeys", "-out", outBase+"-crt.pem") + " for the certificates, and " +
			shellquote.Join("openssl", "pkcs12", "-in", path, "-nocerts", "-nodes", "-out", outBase+"-key.pem") + " for the key"
	case EncodingBase64, EncodingPKCS7Base64, EncodingPKCS12Base64:
		return shellquote.Join("mtlsdoctor", "inspect", path, "--pem") + " > " + shellquote.Quote(outBase+".pem")
	}
	return ""
}

// downloadConversionNote returns a note with the command that saves the
// certificates downloaded from rawURL as PEM, or "" when they are PEM
// already or the download has only keys. openssl reads local files only,
// so the command downloads again with mtlsdoctor inspect --pem. The URL
// in it has its secrets redacted, and the note marks where to put
// them back.
func downloadConversionNote(c Contents, rawURL string) string {
	switch {
	case len(c.Certificates) == 0, ConversionNote(c, rawURL) == "":
		return ""
	}
	redactedURL := redact.URL(rawURL)
	command := shellquote.Join("mtlsdoctor", "inspect", redactedURL, "--pem") + " > " + shellquote.Quote(pemFileName(rawURL))
	note := fmt.Sprintf("the download is %s; nginx, Node, curl and openssl s_server need PEM, so save its certificates as PEM: %s", c.Encoding, command)
	if redactedURL != rawURL {
		note += fmt.Sprintf(", with the URL's password and secret values in place of %s", redact.Placeholder)
	}
	return note
}

// pemFileName returns a local file name for the PEM form of the download
// at rawURL: the last segment of its path with the extension .pem, such
// as root.pem for http://ca.example/certs/root.der. A segment with
// characters outside letters, digits, '.', '_' and '-', or none at all,
// gives certificate.pem.
func pemFileName(rawURL string) string {
	const fallback = "certificate.pem"
	u, err := url.Parse(rawURL)
	if err != nil {
		return fallback
	}
	base := path.Base(u.Path)
	base = strings.TrimSuffix(base, path.Ext(base))
	if base == "" || base == "." || base == "/" || strings.HasPrefix(base, ".") {
		return fallback
	}
	for _, r := range base {
		ok := r == '.' || r == '_' || r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
		if !ok {
			return fallback
		}
	}
	return base + ".pem"
}

// EncodePEM encodes certs as consecutive CERTIFICATE blocks.
func EncodePEM(certs []*x509.Certificate) []byte {
	var out []byte
	for _, c := range certs {
		out = append(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	return out
}
