package main

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/urfave/cli/v2"

	"github.com/mtlsdoctor/mtlsdoctor/fixtures"
	"github.com/mtlsdoctor/mtlsdoctor/internal/fsutil"
	"github.com/mtlsdoctor/mtlsdoctor/report"
)

func genCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "gen",
		Usage: "make a test CA with a server and a client certificate",
		UsageText: `mtlsdoctor gen
mtlsdoctor gen --dir certs --host webhook.example.com --host 127.0.0.1 --key-type rsa-2048
mtlsdoctor gen --client-cn "Google LLC" --days 30 --force`,
		Description: `Writes, in --dir: test-ca-crt.pem and test-ca-key.pem (the CA),
server-crt.pem and server-key.pem (serverAuth only, SANs from --host),
client-crt.pem and client-key.pem (clientAuth only, subject CN from --client-cn).
Private keys get mode 0600. Existing files are never overwritten without --force.`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "dir", TakesFile: true, Value: ".", Usage: "folder to write the files to (created if missing)"},
			&cli.StringSliceFlag{Name: "host", Usage: "DNS name or IP address for the server certificate, repeatable (default: localhost, 127.0.0.1, ::1)"},
			&cli.StringFlag{Name: "key-type", Value: string(fixtures.ECDSAP256), Usage: "ecdsa-p256, ecdsa-p384, rsa-2048, rsa-3072, rsa-4096 or ed25519"},
			&cli.IntFlag{Name: "days", Value: 365, Usage: "validity of the server and client certificates in days (the CA gets twice as long)"},
			&cli.StringFlag{Name: "client-cn", Value: "mtlsdoctor test client", Usage: "subject common name of the client certificate"},
			&cli.BoolFlag{Name: "force", Usage: "overwrite existing files"},
			outputFlag,
		},
		Action: func(c *cli.Context) error {
			if err := checkFormat(c); err != nil {
				return err
			}
			if c.NArg() > 0 {
				return usagef("pass options only, such as --dir "+c.Args().First(), "gen takes no arguments, got %q", c.Args().First())
			}
			kt, err := fixtures.ParseKeyType(c.String("key-type"))
			if err != nil {
				return usagef("pass one of the listed key types", "%v", err)
			}
			days := c.Int("days")
			if days < 1 || days > 3650 {
				return usagef("pass a number of days from 1 to 3650", "invalid --days %d", days)
			}
			for _, host := range c.StringSlice("host") {
				if err := fixtures.ValidateHost(host); err != nil {
					return usagef("pass a DNS name such as webhook.example.com or an IP address such as 127.0.0.1", "%v", err)
				}
			}
			dir := c.String("dir")

			pki, err := fixtures.NewPKI(fixtures.Options{
				KeyType:  kt,
				Hosts:    c.StringSlice("host"),
				ClientCN: c.String("client-cn"),
				Days:     days,
			})
			if err != nil {
				return err
			}
			paths, err := pki.Write(dir, c.Bool("force"))
			if err != nil {
				return genWriteError(dir, err)
			}

			rep := &report.Report{Target: filepath.Clean(dir), Kind: "gen"}
			for _, cert := range []*fixtures.Cert{pki.CA, pki.Server, pki.Client} {
				rep.Certificates = append(rep.Certificates, report.Describe(cert.Cert))
			}
			rep.Certificates[0].Note = fixtures.CAFile
			rep.Certificates[1].Note = fixtures.ServerCertFile
			rep.Certificates[2].Note = fixtures.ClientCertFile
			for _, p := range paths {
				rep.Notes = append(rep.Notes, "wrote "+p)
			}
			rep.Notes = append(rep.Notes,
				fmt.Sprintf("next: mtlsdoctor serve --cert %s --key %s --client-ca %s",
					filepath.Join(dir, fixtures.ServerCertFile), filepath.Join(dir, fixtures.ServerKeyFile), filepath.Join(dir, fixtures.CAFile)))
			return e.render(c, "mtlsdoctor gen", rep)
		},
	}
}

// genWriteError turns an error of fixtures.PKI.Write into a usage error
// that names the files gen wrote and the next step.
func genWriteError(dir string, err error) error {
	var exists *fsutil.ExistsError
	var notRegular *fsutil.NotRegularError
	var partial *fsutil.PartialWriteError
	switch {
	case errors.As(err, &exists):
		return usagef("pass --force to replace the files, or choose another --dir", "%s already exists; gen wrote nothing", exists.Path)
	case errors.As(err, &notRegular):
		return usagef(fmt.Sprintf("remove or rename %s, or choose another --dir", notRegular.Path), "%v; gen wrote nothing", err)
	case errors.As(err, &partial):
		// Some files are from this run and some from an earlier one, so a
		// certificate may not match its key.
		return usagef("fix the cause and run gen again with --force, so that all files are from one run",
			"write test PKI: %v", err)
	}
	return usagef("check that --dir "+dir+" is a writable folder", "write test PKI: %v", err)
}
