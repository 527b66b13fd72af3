package chain

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/mtlsdoctor/mtlsdoctor/report"
)

// VerifyFilesOptions configure VerifyFiles. They mirror the flags of
// mtlsdoctor verify.
type VerifyFilesOptions struct {
	// CertFile holds the leaf first, then its intermediates.
	CertFile string
	// KeyFile, when set, must hold the leaf's private key.
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
	readDetail := fmt.Sprintf("%d certificate(s), %s", len(certs), contents.Encoding)
	var fe *FileError
	if errors.As(contents.CertificatesError(opts.CertFile, "certificate"), &fe) {
		rep.AddCheck("read certificate", "", readDetail, fe.Finding().WithSeverity(report.SeverityWarning))
	} else {
		rep.AddCheck("read certificate", report.StatusPass, readDetail)
	}
	if note := ConversionNote(contents, opts.CertFile); note != "" {
		rep.Notes = append(rep.Notes, note)
	}
	for i, cert := range certs {
		info := report.Describe(cert)
		info.Note = Position(i)
		rep.Certificates = append(rep.Certificates, info)
	}

	if opts.KeyFile != "" {
		if err := checkKeyFile(rep, opts); err != nil {
			return nil, err
		}
	}

	verify := opts.Verify
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
		if platform := PlatformBundleFindings(roots, time.Now()); len(platform) > 0 {
			rep.AddCheck("platform CAs", "", opts.CAFile, platform...)
		}
	}

	rep.AddCheck("chain order", "", orderDetail(certs), OrderFindings(certs)...)
	var findings []report.Finding
	var fetched []AIAFetch
	if opts.AIA {
		findings, fetched = VerifyChainAIA(ctx, opts.HTTPClient, certs, verify)
	} else {
		findings = VerifyChain(certs, verify)
	}
	AddGroupedChecks(rep, findings)

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

// checkKeyFile reads the key and records whether it matches the leaf. An
// unreadable key is an error; a mismatch is a finding.
func checkKeyFile(rep *report.Report, opts VerifyFilesOptions) error {
	key, err := ReadKeyFileWith(opts.KeyFile, "key", opts.Read)
	if err != nil {
		return err
	}
	_, err = LoadKeyPairWith(opts.CertFile, opts.KeyFile, "leaf", opts.Read)
	var fe *FileError
	switch {
	case err == nil:
		rep.AddCheck("key matches certificate", report.StatusPass, KeyDescription(key.Public()))
	case errors.As(err, &fe) && fe.Code == report.CodeKeyMismatch:
		rep.AddCheck("key matches certificate", "", "", fe.Finding())
	default:
		return err
	}
	return nil
}

// ocspCheckStatus is the check status for an OCSP result: skip when
// nothing was asked, else derived from the findings.
func ocspCheckStatus(r OCSPResult) report.Status {
	if r.Status == OCSPNotChecked {
		return report.StatusSkip
	}
	return ""
}

func orderDetail(certs []*x509.Certificate) string {
	if len(certs) == 1 {
		return "leaf only"
	}
	return fmt.Sprintf("leaf and %d more", len(certs)-1)
}

// OrderFindings flags a file whose blocks are not leaf first, each
// followed by its issuer, the order TLS 1.2 requires (RFC 5246, 7.4.2).
func OrderFindings(certs []*x509.Certificate) []report.Finding {
	for i := 0; i+1 < len(certs); i++ {
		if certs[i].CheckSignatureFrom(certs[i+1]) == nil {
			continue
		}
		for j := range certs {
			if j != i && certs[i].CheckSignatureFrom(certs[j]) == nil {
				return []report.Finding{report.Newf(report.CodeIncompleteChain,
					"the certificates are out of order",
					"block %d (%s) is signed by block %d (%s), not by the block after it",
					i+1, certs[i].Subject, j+1, certs[j].Subject).
					WithFix("Order the file leaf first, then each certificate's issuer.")}
			}
		}
	}
	return nil
}

// checkGroups sorts finding codes into the checks that verify reports.
var checkGroups = []struct {
	name  string
	codes []report.Code
}{
	{"trust", []report.Code{report.CodeUnknownAuthority, report.CodeIncompleteChain, report.CodeNotACA}},
	{"validity", []report.Code{report.CodeExpired, report.CodeNotYetValid, report.CodeCAExpired}},
	{"usage", []report.Code{report.CodeWrongUsageServer, report.CodeWrongUsageClient}},
	{"host name", []report.Code{report.CodeHostnameMismatch, report.CodeLegacyCommonName}},
	{"algorithms", []report.Code{report.CodeInsecureSignature, report.CodeWeakKey, report.CodeSelfSignedLeaf}},
}

// AddGroupedChecks records findings as the checks trust, validity, usage,
// host name and algorithms, and any others as "other", so JUnit output
// has one test case per aspect.
func AddGroupedChecks(rep *report.Report, findings []report.Finding) {
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
