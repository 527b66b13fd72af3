package main

import (
	"crypto/x509"
	"errors"
	"net/http"

	"github.com/urfave/cli/v2"

	"github.com/mtlsdoctor/mtlsdoctor/chain"
	"github.com/mtlsdoctor/mtlsdoctor/internal/plural"
	"github.com/mtlsdoctor/mtlsdoctor/probe"
	"github.com/mtlsdoctor/mtlsdoctor/report"
)

func probeCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "probe",
		Usage:     "call a webhook as the platform would, with a client certificate, and diagnose every failure",
		ArgsUsage: "URL",
		UsageText: `mtlsdoctor probe https://localhost:4433 --cert client-crt.pem --key client-key.pem --ca test-ca-crt.pem
mtlsdoctor probe https://webhook.example.com/df --cert client-crt.pem --key client-key.pem --audit --project my-project
mtlsdoctor probe https://webhook.example.com/df --cert client-crt.pem --key client-key.pem --edition cx \
       --session s-1 --text 'book a table' --tag booking --param guests=2 --header 'Authorization: Bearer TOKEN'
mtlsdoctor probe --targets webhooks.txt --cert client-crt.pem --key client-key.pem --concurrency 4 --output json
mtlsdoctor probe https://127.0.0.1:4433 --server-name localhost --ca test-ca-crt.pem --output junit > probe.xml`,
		Description: `Connects to URL, verifies the server against --ca (default: the system roots),
sends the client certificate when the server asks for one, posts a realistic
Dialogflow ES (default) or CX WebhookRequest with Content-Type application/json
and checks the answer against the edition's WebhookResponse schema, its size
(at most 64 KiB) and the --deadline (a warning above 80 % of it). Each step is
a check; each problem is a finding with the evidence and the fix.

--audit also sends what the webhook must reject: a request without a client
certificate (unauthenticated-accepted when it gets 2xx), one with a certificate
from a throwaway CA (untrusted-cert-accepted), one per TLS version (1.0 and 1.1
should be rejected, 1.2 and 1.3 accepted) and, with --project, a request for
another project (project-mismatch). A rejection in the TLS handshake and HTTP
400, 401 or 403 both count.

--targets FILE probes one URL a line instead of a single URL. A line may add
--edition, --project, --server-name, --session, --timeout and --deadline after
its URL, and # starts a comment. The other flags apply to every line. Text
output ends with a summary table, json prints one JSON object a line (JSON
Lines) in file order as the targets finish, and junit has one test suite per
target.`,
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "cert", TakesFile: true, Usage: "client certificate chain, leaf first: " + certFormats + " (default: send none)"},
			&cli.StringFlag{Name: "key", TakesFile: true, Usage: "client private key: " + keyFormats + " (default: the key in --cert, which must then contain one)"},
			&cli.StringFlag{Name: "ca", TakesFile: true, Usage: "CA file the server certificate must chain to: " + certFormats + " (default: the system roots)"},
			&cli.StringFlag{Name: "server-name", Usage: "server name for SNI and verification (default: the URL's host)"},
			&cli.StringFlag{Name: "edition", Value: string(probe.EditionES), Usage: "request body: es (Dialogflow ES v2), cx (Dialogflow CX v3) or none (a plain GET)"},
			&cli.StringFlag{Name: "project", Usage: "Google Cloud project in the request's session name (default: " + probe.DefaultProject + ")"},
			&cli.StringFlag{Name: "session", Usage: "session ID, or a whole session name starting with projects/ (default: a random ID)"},
			&cli.StringFlag{Name: "text", Usage: "the end user's query in the request (default: \"mtlsdoctor probe\")"},
			&cli.StringFlag{Name: "tag", Usage: "CX fulfillmentInfo.tag (default: mtlsdoctor-probe)"},
			&cli.GenericFlag{Name: "param", Value: &repeatedValue{}, DefaultText: "none",
				Usage: "request parameter key=value, repeatable; a value that is valid JSON (2, true, [\"a\"]) keeps its type"},
			&cli.GenericFlag{Name: "header", Value: &repeatedValue{}, DefaultText: "none",
				Usage: "extra request header \"Name: value\", repeatable, such as \"Authorization: Bearer TOKEN\"; never printed"},
			&cli.DurationFlag{Name: "timeout", Value: probe.DefaultTimeout, Usage: "bound on DNS, connect and TLS handshake together, and on each AIA or OCSP lookup"},
			&cli.DurationFlag{Name: "deadline", Value: probe.DefaultDeadline, Usage: "time the webhook has to respond, from the TCP connection on (the platform allows ES 5s, CX up to 30s)"},
			&cli.BoolFlag{Name: "audit", Usage: "also check that the webhook rejects requests without a certificate, with an untrusted one, over TLS 1.0 and 1.1, and for another --project"},
			&cli.StringFlag{Name: "targets", TakesFile: true, Usage: "file with one webhook URL a line, probed instead of URL"},
			&cli.IntFlag{Name: "concurrency", Value: probe.DefaultConcurrency, Usage: "number of --targets probed at a time"},
			&cli.BoolFlag{Name: "verbose", Usage: "also print the peer chain, response headers and body"},
			&cli.BoolFlag{Name: "aia", Value: true, Usage: "download intermediates the server does not send through their caIssuers URLs, to name them (--aia=false: never download)"},
			&cli.BoolFlag{Name: "ocsp", Usage: "check the server leaf's revocation status: the stapled OCSP response, or else its OCSP responder"},
			outputFlag,
		}, passwordFlags()...),
		Action: func(c *cli.Context) error {
			if err := checkFormat(c); err != nil {
				return err
			}
			// Checked with or without --targets, so that a bad value never
			// passes unnoticed.
			if n := c.Int("concurrency"); n < 1 {
				return usagef("pass --concurrency 1 or more: the number of --targets probed at a time", "invalid --concurrency %d", n)
			}
			targets := c.String("targets")
			switch {
			case targets != "" && c.NArg() > 0:
				return usagef("pass either one URL or --targets FILE", "probe got the URL %q and --targets %s", probe.RedactURL(c.Args().First()), targets)
			case targets == "" && c.NArg() == 0:
				return usagef("pass the webhook URL, e.g. mtlsdoctor probe https://localhost:4433, or --targets FILE",
					"probe takes exactly one URL, got none")
			case targets == "" && c.NArg() > 1:
				return usagef("pass one URL, or list several in a file for --targets FILE",
					"probe takes exactly one URL, got the extra argument %q", probe.RedactURL(c.Args().Get(1)))
			}
			if targets == "" {
				if err := checkWebhookURL(c.Args().First()); err != nil {
					return err
				}
			}
			opts, rep, clientFiles, err := probeOptionsFromFlags(c)
			switch {
			case err != nil:
				return err
			case rep != nil:
				return e.render(c, "mtlsdoctor probe", rep)
			case targets != "":
				return e.probeTargets(c, opts, clientFiles)
			case c.Bool("audit"):
				rep = probe.Audit(c.Context, opts)
			default:
				rep = probe.Run(c.Context, opts)
			}
			probe.RedactHeaders(rep, opts.Header)
			addClientFilesCheck(rep, clientFiles)
			if anchors := chain.CheckTrustAnchors(opts.RootCerts); len(anchors) > 0 {
				rep.AddCheck("CA file", "", c.String("ca"), anchors...)
			}
			return e.render(c, "mtlsdoctor probe", rep)
		},
	}
}

// probeOptionsFromFlags reads the flags and files, and returns the client
// certificate and key it read, if any. A key that does not match its
// certificate is a finding, so it returns a finished report for it
// instead of dialling.
func probeOptionsFromFlags(c *cli.Context) (probe.Options, *report.Report, *chain.KeyPair, error) {
	opts := probe.Options{
		URL:        c.Args().First(),
		ServerName: c.String("server-name"),
		Project:    c.String("project"),
		Timeout:    c.Duration("timeout"),
		Deadline:   c.Duration("deadline"),
		AIA:        c.Bool("aia"),
		OCSP:       c.Bool("ocsp"),
		Session:    c.String("session"),
		Text:       c.String("text"),
		Tag:        c.String("tag"),
	}
	edition, err := probe.ParseEdition(c.String("edition"))
	if err != nil {
		return opts, nil, nil, usagef("pass --edition es, cx or none", "%v", err)
	}
	opts.Edition = edition
	for _, name := range []string{"timeout", "deadline"} {
		if d := c.Duration(name); d <= 0 {
			return opts, nil, nil, usagef("pass a positive duration such as 5s", "invalid --%s %s: must be positive", name, d)
		}
	}
	if err := requestOptionsFromFlags(c, &opts); err != nil {
		return opts, nil, nil, err
	}
	// Check the options other than the URL first, so that their errors
	// are not reported as URL errors, and so that a --targets run fails
	// before it reads the file.
	withoutURL := opts
	withoutURL.URL = "https://localhost/"
	if err := withoutURL.Validate(); err != nil {
		return opts, nil, nil, &usageError{err: err}
	}
	if opts.URL != "" {
		if err := opts.Validate(); err != nil {
			return opts, nil, nil, usagef("pass an https:// URL such as https://localhost:4433", "%v", err)
		}
	}

	// Without --key, the key comes from the --cert file, as tools that
	// write the certificate and its key into one file leave it.
	certPath, keyPath := c.String("cert"), c.String("key")
	if certPath == "" && keyPath != "" {
		return opts, nil, nil, usagef("pass the client certificate with --cert client-crt.pem", "--key needs --cert")
	}
	readOpts, err := readOptionsFromFlags(c)
	if err != nil {
		return opts, nil, nil, err
	}
	var clientFiles *chain.KeyPair
	if certPath != "" {
		pair, err := chain.ReadKeyPair(chain.KeyPairFiles{Role: "client", CertFile: certPath, KeyFile: keyPath}, readOpts)
		var fe *chain.FileError
		if errors.As(err, &fe) && fe.Code == report.CodeKeyMismatch {
			target := probe.RedactURL(opts.URL)
			if target == "" {
				target = certPath // a --targets run: the report concerns the file
			}
			rep := &report.Report{Target: target, Kind: "probe"}
			rep.AddCheck("client key matches certificate", "", "checked before dialling", fe.Finding())
			return opts, rep, nil, nil
		}
		if err != nil {
			return opts, nil, nil, err
		}
		clientFiles = pair
		opts.Certificate = &pair.Certificate
		opts.ClientChain = pair.Chain
	}

	if caPath := c.String("ca"); caPath != "" {
		roots, err := chain.ReadCertificatesFileWith(caPath, "CA file", readOpts)
		if len(roots) == 0 {
			return opts, nil, nil, err
		}
		opts.Roots = x509.NewCertPool()
		for _, r := range roots {
			opts.Roots.AddCert(r)
		}
		opts.RootCerts = roots
	}
	return opts, nil, clientFiles, nil
}

// requestOptionsFromFlags reads --param and --header into opts.
func requestOptionsFromFlags(c *cli.Context, opts *probe.Options) error {
	for _, p := range c.Generic("param").(*repeatedValue).values {
		key, value, err := probe.ParseParam(p)
		if err != nil {
			return usagef("pass --param key=value, such as --param guests=2", "%v", err)
		}
		if opts.Parameters == nil {
			opts.Parameters = map[string]any{}
		}
		if _, dup := opts.Parameters[key]; dup {
			return usagef("give each parameter once", "--param %s is given twice", key)
		}
		opts.Parameters[key] = value
	}
	for _, h := range c.Generic("header").(*repeatedValue).values {
		name, value, err := probe.ParseHeader(h)
		if err != nil {
			return usagef(`pass --header "Name: value", such as --header "Authorization: Bearer TOKEN"`, "%v", err)
		}
		if opts.Header == nil {
			opts.Header = http.Header{}
		}
		opts.Header.Add(name, value)
	}
	return nil
}

// repeatedValue collects every occurrence of a flag. Unlike
// cli.StringSliceFlag it does not split values at commas, which header
// values and JSON parameters contain.
type repeatedValue struct {
	values []string
}

// Set appends one occurrence.
func (r *repeatedValue) Set(s string) error {
	r.values = append(r.values, s)
	return nil
}

// String returns the number of values rather than the values, because
// help output may print it and header values can be secrets.
func (r *repeatedValue) String() string {
	if r == nil || len(r.values) == 0 {
		return ""
	}
	return plural.Count(len(r.values), "value")
}

// addClientFilesCheck records what reading --cert and --key found beyond
// the pair itself: damaged blocks that were skipped, extra keys, and a
// key taken from the certificate file. A report of well-formed files is
// left as it is.
func addClientFilesCheck(rep *report.Report, files *chain.KeyPair) {
	if files == nil {
		return
	}
	warnings := files.Warnings()
	if len(warnings) == 0 && !files.FromCertFile {
		return
	}
	rep.AddCheck("client files", "", "key: "+files.KeyDetail(), warnings...)
}
