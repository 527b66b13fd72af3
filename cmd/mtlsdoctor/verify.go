package main

import (
	"crypto/x509"
	"fmt"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/mtlsdoctor/mtlsdoctor/chain"
	"github.com/mtlsdoctor/mtlsdoctor/report"
)

func verifyCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "verify",
		Usage: "verify a certificate chain offline, for CI",
		UsageText: `mtlsdoctor verify --cert server-crt.pem --ca test-ca-crt.pem --host localhost
   mtlsdoctor verify --cert client-crt.pem --key client-key.pem --ca test-ca-crt.pem --usage client
   mtlsdoctor verify --cert server-crt.pem --at 2027-06-01T00:00:00Z --output junit > verify.xml`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "cert", Usage: "certificate file to verify: leaf first, then intermediates (required)"},
			&cli.StringFlag{Name: "key", Usage: "private key file that must match the leaf"},
			&cli.StringFlag{Name: "ca", Usage: "trusted CA file (default: the system roots)"},
			&cli.StringFlag{Name: "host", Usage: "host name or IP address the leaf must cover (default: not checked)"},
			&cli.StringFlag{Name: "usage", Value: "server", Usage: "role the leaf must be allowed for: server or client"},
			&cli.StringFlag{Name: "at", Usage: "check validity at this RFC 3339 time instead of now"},
			outputFlag,
		},
		Action: func(c *cli.Context) error {
			if err := checkFormat(c); err != nil {
				return err
			}
			opts, err := verifyOptionsFromFlags(c)
			if err != nil {
				return err
			}
			rep, err := verifyFiles(c.String("cert"), c.String("key"), c.String("ca"), opts)
			if err != nil {
				return err
			}
			return e.render(c, "mtlsdoctor verify", rep)
		},
	}
}

func verifyOptionsFromFlags(c *cli.Context) (chain.VerifyOptions, error) {
	var opts chain.VerifyOptions
	if c.String("cert") == "" {
		return opts, usagef("pass the certificate file, e.g. --cert server-crt.pem", "missing --cert")
	}
	usage, err := chain.ParseUsage(c.String("usage"))
	if err != nil {
		return opts, usagef("pass --usage server or --usage client", "%v", err)
	}
	opts.Usage = usage
	opts.Host = c.String("host")
	if at := c.String("at"); at != "" {
		t, err := time.Parse(time.RFC3339, at)
		if err != nil {
			return opts, usagef("pass a time such as 2027-01-31T12:00:00Z", "invalid --at %q: %v", at, err)
		}
		opts.At = t
	}
	return opts, nil
}

// verifyFiles reads the files and verifies the chain. Unreadable files are
// usage errors; problems with the certificates are findings.
func verifyFiles(certPath, keyPath, caPath string, opts chain.VerifyOptions) (*report.Report, error) {
	rep := &report.Report{Target: certPath, Kind: "verify"}

	certs, err := chain.ReadCertificatesFile(certPath, "certificate")
	if len(certs) == 0 {
		return nil, err
	}
	if fe, ok := err.(*chain.FileError); ok {
		rep.AddCheck("read certificate", "", fmt.Sprintf("%d certificate(s)", len(certs)), fe.Finding().WithSeverity(report.SeverityWarning))
	} else {
		rep.AddCheck("read certificate", report.StatusPass, fmt.Sprintf("%d certificate(s)", len(certs)))
	}
	for i, cert := range certs {
		info := report.Describe(cert)
		info.Note = chain.Position(i)
		rep.Certificates = append(rep.Certificates, info)
	}

	if keyPath != "" {
		key, err := chain.ReadKeyFile(keyPath, "key")
		if err != nil {
			return nil, err
		}
		if _, err := chain.LoadKeyPair(certPath, keyPath, "leaf"); err != nil {
			if fe, ok := err.(*chain.FileError); ok {
				rep.AddCheck("key matches certificate", "", "", fe.Finding())
			} else {
				return nil, err
			}
		} else {
			rep.AddCheck("key matches certificate", report.StatusPass, chain.KeyDescription(key.Public()))
		}
	}

	if caPath != "" {
		roots, err := chain.ReadCertificatesFile(caPath, "CA file")
		if len(roots) == 0 {
			return nil, err
		}
		opts.RootCerts = roots
		opts.Roots = x509.NewCertPool()
		for _, r := range roots {
			opts.Roots.AddCert(r)
		}
	}

	rep.AddCheck("chain order", "", orderDetail(certs), orderFindings(certs)...)
	addGroupedChecks(rep, chain.VerifyChain(certs, opts))
	return rep, nil
}

func orderDetail(certs []*x509.Certificate) string {
	if len(certs) == 1 {
		return "leaf only"
	}
	return fmt.Sprintf("leaf and %d more", len(certs)-1)
}

// orderFindings flags a file whose blocks are not leaf first, each followed
// by its issuer, the order TLS 1.2 requires (RFC 5246, 7.4.2).
func orderFindings(certs []*x509.Certificate) []report.Finding {
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

// checkGroups sorts finding codes into the checks that verify reports, so
// JUnit output has one test case per aspect.
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

func addGroupedChecks(rep *report.Report, findings []report.Finding) {
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
