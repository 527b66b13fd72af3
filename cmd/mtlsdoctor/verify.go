package main

import (
	"fmt"
	"net/http"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/mtlsdoctor/mtlsdoctor/chain"
	"github.com/mtlsdoctor/mtlsdoctor/internal/hostname"
)

func verifyCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "verify",
		Usage: "verify a certificate chain offline, for CI",
		UsageText: `mtlsdoctor verify --cert server-crt.pem --ca test-ca-crt.pem --host localhost
mtlsdoctor verify --cert client-crt.pem --key client-key.pem --ca test-ca-crt.pem --usage client
mtlsdoctor verify --cert client.p12 --key client.p12 --password-file p12-password.txt --usage client
mtlsdoctor verify --cert server-crt.pem --at 2027-06-01T00:00:00Z --output junit > verify.xml
mtlsdoctor verify --cert server-crt.pem --aia --ocsp`,
		Description: `Checks the chain in --cert (leaf first) against --ca or the system roots with
the same findings and exit codes as probe: the order of the blocks, trust,
validity, usage, host name and algorithms, each naming the certificate at
fault. --cert, --key and --ca take PEM, DER, PKCS#7, PKCS#12 or base64 DER.
Nothing is downloaded unless --aia (fetch missing issuers through their
caIssuers URLs) or --ocsp (ask the leaf's OCSP responder) is given.`,
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "cert", TakesFile: true, Usage: "certificate file to verify, leaf first, then intermediates: " + certFormats + " (required)"},
			&cli.StringFlag{Name: "key", TakesFile: true, Usage: "private key file that must match the leaf: " + keyFormats},
			&cli.StringFlag{Name: "ca", TakesFile: true, Usage: "trusted CA file: " + certFormats + " (default: the system roots)"},
			&cli.StringFlag{Name: "host", Usage: "host name or IP address the leaf must cover (default: not checked)"},
			&cli.StringFlag{Name: "usage", Value: "server", Usage: "role the leaf must be allowed for: server or client"},
			&cli.StringFlag{Name: "at", Usage: "check validity at this RFC 3339 time instead of now"},
			&cli.BoolFlag{Name: "aia", Usage: "download missing intermediates through their caIssuers URLs"},
			&cli.BoolFlag{Name: "ocsp", Usage: "ask the leaf's OCSP responder whether it is revoked"},
			&cli.DurationFlag{Name: "timeout", Value: chain.DefaultAIATimeout, Usage: "bound on each --aia or --ocsp download"},
			outputFlag,
		}, passwordFlags()...),
		Action: func(c *cli.Context) error {
			if err := checkFormat(c); err != nil {
				return err
			}
			if c.NArg() > 0 {
				return usagef(fmt.Sprintf("remove %q, or pass it with the flag it is for: --cert, --key or --ca", c.Args().First()),
					"verify takes no arguments, got %q", c.Args().First())
			}
			opts, err := verifyOptionsFromFlags(c)
			if err != nil {
				return err
			}
			rep, err := chain.VerifyFiles(c.Context, opts)
			if err != nil {
				return err
			}
			return e.render(c, "mtlsdoctor verify", rep)
		},
	}
}

func verifyOptionsFromFlags(c *cli.Context) (chain.VerifyFilesOptions, error) {
	opts := chain.VerifyFilesOptions{
		CertFile: c.String("cert"),
		KeyFile:  c.String("key"),
		CAFile:   c.String("ca"),
		AIA:      c.Bool("aia"),
		OCSP:     c.Bool("ocsp"),
	}
	if opts.CertFile == "" {
		return opts, usagef("pass the certificate file, e.g. --cert server-crt.pem", "missing --cert")
	}
	usage, err := chain.ParseUsage(c.String("usage"))
	if err != nil {
		return opts, usagef("pass --usage server or --usage client", "%v", err)
	}
	opts.Verify.Usage = usage
	host := c.String("host")
	if _, err := hostname.ToASCII(host); err != nil {
		return opts, usagef("pass a DNS name such as webhook.example.com or bücher.example, or an IP address such as 127.0.0.1",
			"invalid --host %q: IDNA rejects it: %v", host, err)
	}
	opts.Verify.Host = host
	if at := c.String("at"); at != "" {
		t, err := time.Parse(time.RFC3339, at)
		if err != nil {
			return opts, usagef("pass a time such as 2027-01-31T12:00:00Z", "invalid --at %q: %v", at, err)
		}
		opts.Verify.At = t
	}
	if c.Duration("timeout") <= 0 {
		return opts, usagef("pass a positive duration such as 10s", "invalid --timeout %s: must be positive", c.Duration("timeout"))
	}
	opts.HTTPClient = &http.Client{Timeout: c.Duration("timeout")}
	opts.Read, err = readOptionsFromFlags(c)
	return opts, err
}
