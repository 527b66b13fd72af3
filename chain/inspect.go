package chain

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"time"

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
	if len(c.Certificates) == 0 && len(c.Keys) == 0 {
		if c.KeyBlocks > 0 && len(c.Problems) == 0 {
			return nil, c.keyError(path, "file")
		}
		return nil, c.CertificatesError(path, "file")
	}
	return InspectContents(path, c, now), nil
}

// InspectContents describes decoded contents that came from target.
func InspectContents(target string, c Contents, now time.Time) *Inspected {
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
	if note := ConversionNote(c, target); note != "" {
		in.Notes = append(in.Notes, note)
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
func ConversionNote(c Contents, path string) string {
	var command string
	switch c.Encoding {
	case EncodingDER:
		command = shellquote.Join("openssl", "x509", "-inform", "DER", "-in", path, "-out", path+".pem")
		if len(c.Certificates) == 0 {
			command = shellquote.Join("openssl", "pkey", "-inform", "DER", "-in", path, "-out", path+".pem")
		}
	case EncodingPKCS7:
		command = shellquote.Join("openssl", "pkcs7", "-inform", "DER", "-in", path, "-print_certs", "-out", path+".pem")
	case EncodingPKCS12:
		command = shellquote.Join("openssl", "pkcs12", "-in", path, "-nokeys", "-out", path+"-crt.pem") + " for the certificates, and " +
			shellquote.Join("openssl", "pkcs12", "-in", path, "-nocerts", "-nodes", "-out", path+"-key.pem") + " for the key"
	case EncodingBase64, EncodingPKCS7Base64, EncodingPKCS12Base64:
		command = shellquote.Join("mtlsdoctor", "inspect", path, "--pem") + " > " + shellquote.Quote(path+".pem")
	default:
		return ""
	}
	return fmt.Sprintf("the file is %s; nginx, Node, curl and openssl s_server need PEM: %s", c.Encoding, command)
}

// EncodePEM encodes certs as consecutive CERTIFICATE blocks.
func EncodePEM(certs []*x509.Certificate) []byte {
	var out []byte
	for _, c := range certs {
		out = append(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	return out
}
