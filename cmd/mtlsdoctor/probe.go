package main

import (
	"crypto/tls"
	"crypto/x509"
	"errors"

	"github.com/urfave/cli/v2"

	"github.com/mtlsdoctor/mtlsdoctor/chain"
	"github.com/mtlsdoctor/mtlsdoctor/probe"
	"github.com/mtlsdoctor/mtlsdoctor/report"
)

func probeCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "probe",
		Usage:     "call a webhook as the platform would, with a client certificate, and diagnose every failure",
		ArgsUsage: "URL",
		UsageText: `mtlsdoctor probe https://localhost:4433 --cert client-crt.pem --key client-key.pem --ca test-ca-crt.pem
   mtlsdoctor probe https://webhook.example.com/df --cert client-crt.pem --key client-key.pem --edition cx
   mtlsdoctor probe https://127.0.0.1:4433 --server-name localhost --ca test-ca-crt.pem --output json`,
		Description: `Connects to URL, verifies the server against --ca (default: the system roots),
sends the client certificate when the server asks for one, posts a realistic
Dialogflow ES (default) or CX WebhookRequest and checks the answer. Each step
is a check; each problem is a finding with the evidence and the fix.`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "cert", Usage: "client certificate chain, PEM or DER (default: send none)"},
			&cli.StringFlag{Name: "key", Usage: "client private key (required with --cert)"},
			&cli.StringFlag{Name: "ca", Usage: "CA file the server certificate must chain to (default: the system roots)"},
			&cli.StringFlag{Name: "server-name", Usage: "server name for SNI and verification (default: the URL's host)"},
			&cli.StringFlag{Name: "edition", Value: string(probe.EditionES), Usage: "request body: es (Dialogflow ES v2), cx (Dialogflow CX v3) or none (a plain GET)"},
			&cli.StringFlag{Name: "project", Value: probe.DefaultProject, Usage: "Google Cloud project in the request's session name"},
			&cli.DurationFlag{Name: "timeout", Value: probe.DefaultTimeout, Usage: "bound on each network stage: DNS, connect, handshake, response"},
			&cli.DurationFlag{Name: "deadline", Value: probe.DefaultDeadline, Usage: "time the webhook has to respond, as the platform allows (ES 5s, CX up to 30s)"},
			&cli.BoolFlag{Name: "verbose", Usage: "also print the peer chain, response headers and body"},
			outputFlag,
		},
		Action: func(c *cli.Context) error {
			if err := checkFormat(c); err != nil {
				return err
			}
			if c.NArg() != 1 {
				return usagef("pass the webhook URL, e.g. mtlsdoctor probe https://localhost:4433", "probe takes exactly one URL, got %d arguments", c.NArg())
			}
			opts, rep, err := probeOptionsFromFlags(c)
			if err != nil {
				return err
			}
			if rep == nil {
				rep = probe.Run(c.Context, opts)
			}
			return e.render(c, "mtlsdoctor probe", rep)
		},
	}
}

// probeOptionsFromFlags reads the flags and files. A key that does not
// match its certificate is a finding, so it returns a finished report for
// it instead of dialling.
func probeOptionsFromFlags(c *cli.Context) (probe.Options, *report.Report, error) {
	opts := probe.Options{
		URL:        c.Args().First(),
		ServerName: c.String("server-name"),
		Project:    c.String("project"),
		Timeout:    c.Duration("timeout"),
		Deadline:   c.Duration("deadline"),
	}
	edition, err := probe.ParseEdition(c.String("edition"))
	if err != nil {
		return opts, nil, usagef("pass --edition es, cx or none", "%v", err)
	}
	opts.Edition = edition
	if opts.Timeout <= 0 || opts.Deadline <= 0 {
		return opts, nil, usagef("pass a positive duration such as 5s", "invalid --timeout or --deadline: must be positive")
	}
	if err := opts.Validate(); err != nil {
		return opts, nil, usagef("pass an https:// URL such as https://localhost:4433", "%v", err)
	}

	certPath, keyPath := c.String("cert"), c.String("key")
	switch {
	case certPath != "" && keyPath == "":
		return opts, nil, usagef("pass the client key with --key client-key.pem", "--cert needs --key")
	case certPath == "" && keyPath != "":
		return opts, nil, usagef("pass the client certificate with --cert client-crt.pem", "--key needs --cert")
	case certPath != "":
		cert, err := chain.LoadKeyPair(certPath, keyPath, "client")
		var fe *chain.FileError
		if errors.As(err, &fe) && fe.Code == report.CodeKeyMismatch {
			rep := &report.Report{Target: opts.URL, Kind: "probe"}
			rep.AddCheck("client key matches certificate", "", "checked before dialling", fe.Finding())
			return opts, rep, nil
		}
		if err != nil {
			return opts, nil, err
		}
		opts.Certificate = &cert
		opts.ClientChain = leafAndChain(cert)
	}

	if caPath := c.String("ca"); caPath != "" {
		roots, err := chain.ReadCertificatesFile(caPath, "CA file")
		if len(roots) == 0 {
			return opts, nil, err
		}
		opts.Roots = x509.NewCertPool()
		for _, r := range roots {
			opts.Roots.AddCert(r)
		}
	}
	return opts, nil, nil
}

func leafAndChain(cert tls.Certificate) []*x509.Certificate {
	var out []*x509.Certificate
	for _, der := range cert.Certificate {
		if c, err := x509.ParseCertificate(der); err == nil {
			out = append(out, c)
		}
	}
	return out
}
