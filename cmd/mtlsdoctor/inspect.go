package main

import (
	"fmt"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/mtlsdoctor/mtlsdoctor/chain"
	"github.com/mtlsdoctor/mtlsdoctor/internal/redact"
	"github.com/mtlsdoctor/mtlsdoctor/report"
)

func inspectCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "inspect",
		Usage:     "describe every certificate and key in a file, a download or a server's chain",
		ArgsUsage: "FILE|URL|HOST:PORT|-",
		UsageText: `mtlsdoctor inspect ca-crt.pem
mtlsdoctor inspect client.p12 --password-file p12-password.txt
mtlsdoctor inspect https://localhost:4433 --output json
mtlsdoctor inspect 127.0.0.1:4433 --server-name localhost --pem > chain.pem
mtlsdoctor inspect http://ca.example/intermediate.crt
docker exec webhook cat /etc/nginx/ca-crt.pem | mtlsdoctor inspect -`,
		Description: `Reads PEM (with a byte-order mark or CRLF line ends too), DER, PKCS#7 (.p7b,
.p7c, DER or PEM), PKCS#12 (.p12, .pfx) and base64 DER, detected by content;
keys in PKCS#8, encrypted PKCS#8, PKCS#1, SEC1 and legacy encrypted PEM. A
damaged block is reported and the other blocks are still shown. With - as
the argument, inspect reads the same formats from standard input.

An http:// URL, or an https:// URL ending in .crt, .cer, .der, .pem, .p7b,
.p7c, .p12 or .pfx, is downloaded; any other https:// URL or HOST:PORT is a
TLS server whose presented chain is shown. Nothing is verified: use verify or
probe for trust. Findings: insecure-signature, weak-key, legacy-common-name,
self-signed-leaf, expired (error, or a warning within 30 days of expiry) and
missing-key-identifier.`,
		Flags: append([]cli.Flag{
			&cli.DurationFlag{Name: "timeout", Value: chain.DefaultInspectTimeout, Usage: "bound on the download, or on connect and handshake, for a URL or HOST:PORT"},
			&cli.StringFlag{Name: "server-name", Usage: "server name (SNI) to send (default: the host of a URL or HOST:PORT, none for an IP address)"},
			&cli.BoolFlag{Name: "pem", Usage: "write only the certificates, as PEM, to standard output, in place of the report; not with --output json or junit"},
			outputFlag,
		}, passwordFlags()...),
		Action: func(c *cli.Context) error {
			if err := checkFormat(c); err != nil {
				return err
			}
			if format := c.String("output"); c.Bool("pem") && format != string(report.FormatText) {
				return usagef(fmt.Sprintf("drop --output %s to write PEM, or drop --pem to get the %s report", format, format),
					"--pem and --output %s cannot be combined: --pem writes only the certificates, as PEM", format)
			}
			switch {
			case c.NArg() == 0:
				return usagef("pass one file, URL or HOST:PORT, or - to read standard input", "inspect takes exactly one argument, got none")
			case c.NArg() > 1:
				return usagef("pass one file, URL or HOST:PORT, and run inspect once for each",
					"inspect takes exactly one argument, got the extra argument %q", redact.Source(c.Args().Get(1)))
			}
			if c.Duration("timeout") <= 0 {
				return usagef("pass a positive duration such as 5s", "invalid --timeout %s: must be positive", c.Duration("timeout"))
			}
			readOpts, err := readOptionsFromFlags(c)
			if err != nil {
				return err
			}

			target := c.Args().First()
			var result *chain.Inspected
			switch {
			case target == stdinArg:
				result, err = inspectStdin(c.App.Reader, readOpts, time.Now())
			case chain.LooksLikeAddress(target):
				result, err = chain.InspectAddress(c.Context, target, chain.InspectAddressOptions{
					ServerName: c.String("server-name"),
					Timeout:    c.Duration("timeout"),
					Read:       readOpts,
				}, time.Now())
				if err != nil {
					err = &usageError{err: err}
				}
			default:
				result, err = chain.InspectFile(target, readOpts, time.Now())
			}
			if err != nil {
				return err
			}

			if c.Bool("pem") {
				return e.writePEM(result)
			}
			return e.renderInspection(c, result.Inspection)
		},
	}
}

// writePEM prints the certificates as PEM. Without certificates, as when
// the server cannot be reached, it prints the findings on stderr instead.
func (e *env) writePEM(result *chain.Inspected) error {
	if len(result.Certificates) == 0 {
		in := result.Inspection.Finish()
		for _, f := range in.Findings {
			fmt.Fprintf(e.stderr, "mtlsdoctor: %s\n", report.Sanitize(f.String()))
		}
		if !in.OK {
			return findingsError{}
		}
		return usagef("pass a file or server that has certificates", "%s contains no certificate to write as PEM", in.Target)
	}
	if _, err := e.stdout.Write(chain.EncodePEM(result.Certificates)); err != nil {
		return writeError("write PEM", err)
	}
	return nil
}

// renderInspection prints in as --output selects and returns
// findingsError when it has an error finding.
func (e *env) renderInspection(c *cli.Context, in *report.Inspection) error {
	format, err := report.ParseFormat(c.String("output"))
	if err != nil {
		return &usageError{err: err, fix: "pass --output text, --output json or --output junit"}
	}
	opts := report.Options{Color: e.color && format == report.FormatText, Suite: "mtlsdoctor inspect"}
	if err := report.RenderInspections(e.stdout, format, opts, in); err != nil {
		return writeError("write report", err)
	}
	if !in.OK {
		return findingsError{}
	}
	return nil
}
