package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/mtlsdoctor/mtlsdoctor/chain"
	"github.com/mtlsdoctor/mtlsdoctor/report"
)

func inspectCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "inspect",
		Usage:     "list the certificates in a file or presented by a server",
		ArgsUsage: "FILE|URL|HOST:PORT",
		UsageText: `mtlsdoctor inspect ca-crt.pem
   mtlsdoctor inspect https://localhost:4433
   mtlsdoctor inspect 127.0.0.1:4433 --output json`,
		Flags: []cli.Flag{
			&cli.DurationFlag{Name: "timeout", Value: 5 * time.Second, Usage: "bound on connect and handshake for a URL or HOST:PORT"},
			&cli.StringFlag{Name: "server-name", Usage: "server name (SNI) to send when connecting"},
			outputFlag,
		},
		Action: func(c *cli.Context) error {
			if err := checkFormat(c); err != nil {
				return err
			}
			if c.NArg() != 1 {
				return usagef("pass one file, URL or HOST:PORT", "inspect takes exactly one argument, got %d", c.NArg())
			}
			target := c.Args().First()
			var rep *report.Report
			var err error
			if _, statErr := os.Stat(target); statErr == nil || !looksLikeAddress(target) {
				rep, err = inspectFile(target)
			} else {
				rep, err = inspectServer(c.Context, target, c.String("server-name"), c.Duration("timeout"))
			}
			if err != nil {
				return err
			}
			return e.render(c, "mtlsdoctor inspect", rep)
		},
	}
}

func looksLikeAddress(s string) bool {
	if strings.Contains(s, "://") {
		return true
	}
	_, port, err := net.SplitHostPort(s)
	return err == nil && port != ""
}

func inspectFile(path string) (*report.Report, error) {
	rep := &report.Report{Target: path, Kind: "inspect"}
	certs, err := chain.ReadCertificatesFile(path, "file")
	if len(certs) == 0 {
		if key, keyErr := chain.ReadKeyFile(path, "file"); keyErr == nil {
			rep.Notes = append(rep.Notes, "private key: "+chain.KeyDescription(key.Public()))
			return rep, nil
		}
		return nil, err
	}
	if fe, ok := err.(*chain.FileError); ok {
		rep.Add(fe.Finding().WithSeverity(report.SeverityWarning))
	}
	addCertificates(rep, certs)
	return rep, nil
}

func addCertificates(rep *report.Report, certs []*x509.Certificate) {
	for i, cert := range certs {
		info := report.Describe(cert)
		info.Note = chain.KeyDescription(cert.PublicKey) + ", " + cert.SignatureAlgorithm.String()
		if i == 0 && !cert.IsCA {
			info.Note = "leaf, " + info.Note
		}
		rep.Certificates = append(rep.Certificates, info)
	}
	rep.Add(chain.Lint(certs, time.Now())...)
}

func inspectServer(ctx context.Context, target, serverName string, timeout time.Duration) (*report.Report, error) {
	hostport := target
	if u, err := url.Parse(target); err == nil && u.Host != "" {
		hostport = u.Host
		if u.Port() == "" {
			hostport = net.JoinHostPort(u.Hostname(), "443")
		}
	}
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		return nil, usagef("pass https://HOST[:PORT] or HOST:PORT", "invalid address %q: %v", target, err)
	}
	if serverName == "" && net.ParseIP(host) == nil {
		serverName = host
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	dialer := &tls.Dialer{Config: &tls.Config{
		ServerName: serverName,
		// inspect lists what the server presents; probe and verify judge trust.
		InsecureSkipVerify: true,
	}}
	conn, err := dialer.DialContext(ctx, "tcp", hostport)
	rep := &report.Report{Target: target, Kind: "inspect"}
	if err != nil {
		rep.Add(report.New(report.CodeHandshakeTimeout, "could not fetch the certificates", err.Error()).
			WithFix("Check the address; mtlsdoctor probe diagnoses connection failures in detail."))
		return rep, nil
	}
	defer conn.Close()
	state := conn.(*tls.Conn).ConnectionState()
	rep.Notes = append(rep.Notes, fmt.Sprintf("%s, %s", tls.VersionName(state.Version), tls.CipherSuiteName(state.CipherSuite)))
	addCertificates(rep, state.PeerCertificates)
	return rep, nil
}
