package main

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/mtlsdoctor/mtlsdoctor/chain"
	"github.com/mtlsdoctor/mtlsdoctor/internal/fsutil"
	"github.com/mtlsdoctor/mtlsdoctor/internal/plural"
	"github.com/mtlsdoctor/mtlsdoctor/internal/redact"
)

func bundleCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "bundle",
		Usage: "build the CA bundle (ca-crt.pem) that the webhook trusts for client certificates",
		UsageText: `mtlsdoctor bundle                                   # Dialogflow ES: SSL.com Root Certification Authority RSA
mtlsdoctor bundle --profile dialogflow-cx --out cx-ca.pem
mtlsdoctor bundle --offline                         # use the embedded copies, fetch nothing
mtlsdoctor bundle --source https://ca.example/root.der --pin 85:66:6A:...
mtlsdoctor bundle --offline --out - > ca-crt.pem    # the bundle on stdout, the report on stderr`,
		Description: `Profiles: ` + strings.Join(chain.ProfileNames(), ", ") + `.
Sources are http, https or file URLs or paths holding PEM, DER, PKCS#7 or
base64 DER, detected by content. A download whose SHA-256 differs from its pin
is rejected and the embedded copy used instead. The bundle is written
atomically, and an existing file is replaced only with --force or when its
content is unchanged. With --out -, the bundle goes to standard output and the
report, and any error report, to standard error.`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "profile", Usage: "platform profile: " + strings.Join(chain.ProfileNames(), ", ") + " (default " + chain.DefaultProfile + " when no --source is given)"},
			&cli.StringSliceFlag{Name: "source", TakesFile: true, Usage: "extra certificate source, URL or file: " + sourceFormats + ", repeatable"},
			&cli.StringFlag{Name: "out", TakesFile: true, Value: "ca-crt.pem", Usage: "bundle file to write; - writes the PEM to standard output and the report to standard error"},
			&cli.BoolFlag{Name: "offline", Usage: "use the embedded copies and download nothing"},
			&cli.StringSliceFlag{Name: "pin", Usage: "SHA-256 fingerprint every certificate must match one of, repeatable"},
			&cli.BoolFlag{Name: "force", Usage: "replace an existing bundle file with different content"},
			&cli.DurationFlag{Name: "timeout", Value: chain.DefaultFetchTimeout, Usage: "bound on each download"},
			&cli.BoolFlag{Name: "aia", Usage: "add the issuer of every certificate whose issuer is missing, downloaded through its caIssuers URL"},
			outputFlag,
		},
		Action: func(c *cli.Context) error {
			out := c.String("out")
			toStdout := out == "-"
			var pemOut io.Writer
			if toStdout {
				// Standard output carries only the bundle, so the report and
				// any error report go to standard error from here on.
				pemOut = e.stdout
				e.stdout, e.color = e.stderr, colorWanted(e.stderr)
			}
			if err := checkFormat(c); err != nil {
				return err
			}
			if c.NArg() > 0 {
				arg := redact.Source(c.Args().First())
				return usagef("pass sources with --source "+arg, "bundle takes no arguments, got %q", arg)
			}
			if !toStdout {
				if err := checkOutPath(out); err != nil {
					return err
				}
			}
			if c.Duration("timeout") <= 0 {
				return usagef("pass a positive duration such as 30s", "invalid --timeout %s: must be positive", c.Duration("timeout"))
			}
			result, err := chain.BuildBundle(c.Context, chain.BundleOptions{
				Profile:    c.String("profile"),
				Sources:    c.StringSlice("source"),
				Pins:       c.StringSlice("pin"),
				Offline:    c.Bool("offline"),
				AIA:        c.Bool("aia"),
				HTTPClient: &http.Client{Timeout: c.Duration("timeout")},
			})
			if err != nil {
				fix := "check the --profile, --source and --pin values"
				var fe *chain.FileError
				if errors.As(err, &fe) && fe.Fix != "" {
					fix = fe.Fix
				}
				return &usageError{err: err, fix: fix}
			}
			rep := result.Report
			switch {
			case result.PEM == nil:
				rep.Notes = append(rep.Notes, fmt.Sprintf("%s not written: no certificate is left", outName(out)))
			case rep.HasErrors() && toStdout:
				rep.Notes = append(rep.Notes, "the bundle was not written to standard output because of the errors below")
			case rep.HasErrors():
				rep.Notes = append(rep.Notes, fmt.Sprintf("%s not written because of the errors below; any existing file is unchanged", out))
			case toStdout:
				if _, err := pemOut.Write(result.PEM); err != nil {
					return writeError("write bundle", err)
				}
				rep.Notes = append(rep.Notes, "wrote the bundle to standard output with "+plural.Count(len(result.Certificates), "certificate"))
			default:
				err := chain.WriteBundle(out, result.PEM, c.Bool("force"))
				var exists *fsutil.ExistsError
				if errors.As(err, &exists) {
					return usagef("pass --force to replace it, or choose another --out", "%s already exists with other content; bundle wrote nothing", out)
				}
				var notRegular *fsutil.NotRegularError
				if errors.As(err, &notRegular) {
					return usagef("Choose another --out: a path to a regular file, or - for standard output.", "%v; bundle wrote nothing", notRegular)
				}
				if err != nil {
					return usagef("check that the folder of --out is writable", "write bundle %s: %v", out, err)
				}
				rep.Notes = append(rep.Notes, fmt.Sprintf("wrote %s with %s", out, plural.Count(len(result.Certificates), "certificate")))
			}
			return e.render(c, "mtlsdoctor bundle", rep)
		},
	}
}

// outName names --out in messages.
func outName(out string) string {
	if out == "-" {
		return "the bundle on standard output"
	}
	return out
}

// checkOutPath rejects an --out that names a folder or lies in a folder
// that does not exist, before any download starts.
func checkOutPath(out string) error {
	if info, err := os.Stat(out); err == nil && info.IsDir() {
		return usagef("name a file, such as --out "+filepath.Join(out, "ca-crt.pem"), "--out %s is a folder", out)
	}
	dir := filepath.Dir(out)
	info, err := os.Stat(dir)
	switch {
	case err != nil:
		return usagef("create the folder first, or choose another --out", "the folder %s of --out does not exist", dir)
	case !info.IsDir():
		return usagef("choose another --out", "%s in --out %s is not a folder", dir, out)
	}
	return nil
}
