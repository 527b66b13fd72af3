package chain

import (
	"context"
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/mtlsdoctor/mtlsdoctor/internal/plural"
	"github.com/mtlsdoctor/mtlsdoctor/report"
)

// VerifyFilesOptions configure VerifyFiles. They mirror the flags of
// mtlsdoctor verify.
type VerifyFilesOptions struct {
	// CertFile holds the leaf first, then its intermediates.
	CertFile string
	// KeyFile, when set, must hold the leaf's private key. When it is
	// empty, a private key in CertFile is checked instead.
	KeyFile string
	// CAFile holds the trusted CAs; empty means the system roots.
	CAFile string
	// Read opens PKCS#12 files and encrypted keys.
	Read ReadOptions
	// Verify sets the host, usage and time; Roots and RootCerts come from
	// CAFile.
	Verify VerifyOptions
	// AIA fetches missing issuers through their caIssuers URLs.
	AIA bool
	// OCSP requests the leaf's status from its OCSP responder.
	OCSP bool
	// HTTPClient makes the AIA and OCSP requests; nil means a client with
	// DefaultAIATimeout.
	HTTPClient *http.Client
}

// CheckRevocation names the check that VerifyFiles records for the OCSP
// status.
const CheckRevocation = "revocation (OCSP)"

// VerifyFiles reads the files and verifies the chain offline, unless AIA
// or OCSP request downloads. It returns an error, a *FileError, only for
// input that cannot be used. Problems with the certificates are findings
// grouped into checks, so JUnit output has one test case per aspect.
func VerifyFiles(ctx context.Context, opts VerifyFilesOptions) (*report.Report, error) {
	rep := &report.Report{Target: opts.CertFile, Kind: "verify"}

	contents, err := ReadFile(opts.CertFile, "certificate", opts.Read)
	if err != nil {
		return nil, err
	}
	certs := contents.Certificates
	if len(certs) == 0 {
		return nil, contents.CertificatesError(opts.CertFile, "certificate")
	}
	readDetail := fmt.Sprintf("%s, %s", plural.Count(len(certs), "certificate"), contents.Encoding)
	var fe *FileError
	if errors.As(contents.CertificatesError(opts.CertFile, "certificate"), &fe) {
		rep.AddCheck("read certificate", "", readDetail, fe.Finding().WithSeverity(report.SeverityWarning))
	} else {
		rep.AddCheck("read certificate", report.StatusPass, readDetail)
	}
	if note := ConversionNote(contents, opts.CertFile); note != "" {
		rep.Notes = append(rep.Notes, note)
	}

	var key crypto.Signer
	if opts.KeyFile != "" || len(contents.Keys) > 0 {
		if key, err = checkKeyFile(rep, opts); err != nil {
			return nil, err
		}
	}
	leaf, _ := findLeaf(certs, key)
	for i, label := range blockLabels(certs, leaf) {
		info := report.Describe(certs[i])
		info.Note = label
		rep.Certificates = append(rep.Certificates, info)
	}

	verify := opts.Verify
	verify.ChainFile = opts.CertFile
	if opts.CAFile != "" {
		roots, err := ReadCertificatesFileWith(opts.CAFile, "CA file", opts.Read)
		if len(roots) == 0 {
			return nil, err
		}
		verify.RootCerts = roots
		verify.Roots = x509.NewCertPool()
		for _, r := range roots {
			verify.Roots.AddCert(r)
		}
		rep.AddCheck("CA file", "", fmt.Sprintf("%s in %s", plural.Count(len(roots), "certificate"), opts.CAFile), CheckTrustAnchors(roots)...)
		if platform := PlatformBundleFindings(roots, time.Now()); len(platform) > 0 {
			rep.AddCheck("platform CAs", "", opts.CAFile, platform...)
		}
	}

	rep.AddCheck("chain order", "", orderDetail(certs, leaf), orderFindings(certs, key)...)
	// A leaf out of order is checked as the leaf, so the other checks
	// describe it rather than the CA certificate in its place.
	certs = leafFirst(certs, leaf)
	var findings []report.Finding
	var fetched []AIAFetch
	if opts.AIA {
		findings, fetched = VerifyChainAIA(ctx, opts.HTTPClient, certs, verify)
	} else {
		findings = VerifyChain(certs, verify)
	}
	AddGroupedChecks(rep, findings, verify.Host)

	if opts.OCSP {
		candidates := append(append([]*x509.Certificate{}, certs[1:]...), verify.RootCerts...)
		for _, f := range fetched {
			candidates = append(candidates, f.Certificate)
		}
		issuer := FindIssuer(certs[0], candidates, verify.Roots)
		// Revocation is a live question, so it is asked about now even
		// when the chain is verified at another time.
		result := CheckOCSP(ctx, opts.HTTPClient, certs[0], issuer, time.Now())
		rep.AddCheck(CheckRevocation, ocspCheckStatus(result), result.Detail, result.Findings...)
	}
	return rep, nil
}

// leafFirst returns certs with block leaf moved to the front and the
// others in file order.
func leafFirst(certs []*x509.Certificate, leaf int) []*x509.Certificate {
	if leaf == 0 {
		return certs
	}
	out := append([]*x509.Certificate{certs[leaf]}, certs[:leaf]...)
	return append(out, certs[leaf+1:]...)
}

// CheckTrustAnchors flags the certificates of a CA file, such as the
// --ca of verify or probe, that are not CA certificates. Such a
// certificate is a warning rather than an error because Go accepts it as
// a trust anchor for itself alone, while OpenSSL 3.0 rejects it unless
// partial chains are allowed (openssl verify -partial_chain). An X.509 v1
// self-signed root without basic constraints is accepted as a CA.
func CheckTrustAnchors(certs []*x509.Certificate) []report.Finding {
	var findings []report.Finding
	for i, c := range certs {
		if c.BasicConstraintsValid && c.IsCA {
			continue
		}
		if !c.BasicConstraintsValid && c.Version < 3 && isSelfIssued(c) {
			continue
		}
		why := "its basic constraints say CA:FALSE"
		if !c.BasicConstraintsValid {
			why = "it has no basic constraints extension"
		}
		findings = append(findings, report.Newf(report.CodeNotACA,
			fmt.Sprintf("certificate %d of the CA file, %s, is not a CA certificate", i+1, describeName(c)),
			"%s (issued by %s, SHA-256 %s) looks like a leaf certificate because %s, so it cannot sign other certificates; Go trusts it only as itself, and OpenSSL 3.0 rejects it as a trust anchor unless partial chains are allowed",
			c.Subject, c.Issuer, report.Fingerprint(c.Raw), why).
			WithSeverity(report.SeverityWarning).
			WithFix(fmt.Sprintf("Replace %s in the CA file with the root CA certificate that issued the chain (%s issued this one).", describeName(c), c.Issuer)))
	}
	return findings
}

// ocspCheckStatus is the check status for an OCSP result: skip when
// nothing was asked, else derived from the findings.
func ocspCheckStatus(r OCSPResult) report.Status {
	if r.Status == OCSPNotChecked {
		return report.StatusSkip
	}
	return ""
}

const checkHostName = "host name"

// checkGroups sorts finding codes into the checks that verify reports.
var checkGroups = []struct {
	name  string
	codes []report.Code
}{
	{"trust", []report.Code{report.CodeUnknownAuthority, report.CodeIncompleteChain, report.CodeNotACA}},
	{"validity", []report.Code{report.CodeExpired, report.CodeNotYetValid, report.CodeCAExpired}},
	{"usage", []report.Code{report.CodeWrongUsageServer, report.CodeWrongUsageClient}},
	{checkHostName, []report.Code{report.CodeHostnameMismatch, report.CodeLegacyCommonName}},
	{"algorithms", []report.Code{report.CodeInsecureSignature, report.CodeWeakKey, report.CodeSelfSignedLeaf}},
}

// AddGroupedChecks records findings as the checks trust, validity, usage,
// host name and algorithms, and any others as "other", so JUnit output
// has one test case per aspect. host is the name the chain was checked
// for; when it is empty, the host name check is skipped.
func AddGroupedChecks(rep *report.Report, findings []report.Finding, host string) {
	used := make([]bool, len(findings))
	for _, group := range checkGroups {
		var matched []report.Finding
		for i, f := range findings {
			for _, code := range group.codes {
				if f.Code == code {
					matched = append(matched, f)
					used[i] = true
				}
			}
		}
		if group.name == checkHostName && host == "" && len(matched) == 0 {
			rep.AddCheck(group.name, report.StatusSkip, "no --host given")
			continue
		}
		rep.AddCheck(group.name, "", "", matched...)
	}
	var rest []report.Finding
	for i, f := range findings {
		if !used[i] {
			rest = append(rest, f)
		}
	}
	if len(rest) > 0 {
		rep.AddCheck("other", "", "", rest...)
	}
}
