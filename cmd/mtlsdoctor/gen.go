package main

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/urfave/cli/v2"

	"github.com/mtlsdoctor/mtlsdoctor/fixtures"
	"github.com/mtlsdoctor/mtlsdoctor/internal/fsutil"
	"github.com/mtlsdoctor/mtlsdoctor/internal/shellquote"
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
			&cli.StringSliceFlag{Name: "host", Usage: "DNS name or IP address for the server certificate, repeatable; an internationalized name goes in as its ASCII (punycode) form (default: localhost, 127.0.0.1, ::1)"},
			&cli.StringFlag{Name: "key-type", Value: string(fixtures.ECDSAP256), Usage: "ecdsa-p256, ecdsa-p384, rsa-2048, rsa-3072, rsa-4096 or ed25519"},
			&cli.IntFlag{Name: "days", Value: 365, Usage: "validity of the server and client certificates in days (the CA gets twice as long)"},
			&cli.StringFlag{Name: "client-cn", Value: defaultClientCN, Usage: "subject common name of the client certificate, 1 to 64 characters without control characters"},
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
			hosts, conversions, err := genHosts(c.StringSlice("host"))
			if err != nil {
				return err
			}
			clientCN := c.String("client-cn")
			if err := checkClientCN(clientCN); err != nil {
				return err
			}
			dir := c.String("dir")

			pki, err := fixtures.NewPKI(fixtures.Options{
				KeyType:  kt,
				Hosts:    hosts,
				ClientCN: clientCN,
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
			rep.Notes = append(rep.Notes, conversions...)
			for _, p := range paths {
				rep.Notes = append(rep.Notes, "wrote "+p)
			}
			rep.Notes = append(rep.Notes, "next: "+shellquote.Join("mtlsdoctor", "serve",
				"--cert", filepath.Join(dir, fixtures.ServerCertFile),
				"--key", filepath.Join(dir, fixtures.ServerKeyFile),
				"--client-ca", filepath.Join(dir, fixtures.CAFile)))
			return e.render(c, "mtlsdoctor gen", rep)
		},
	}
}

// defaultClientCN is the subject CN of gen's client certificate when
// --client-cn is not given.
const defaultClientCN = "mtlsdoctor test client"

// genHosts converts the --host values to the names that go into the
// server certificate and drops the names that repeat an earlier one once
// converted. It returns a note for each internationalized name it
// converted to its ASCII form and for each name it dropped.
func genHosts(hosts []string) ([]string, []string, error) {
	var converted, notes []string
	for _, host := range hosts {
		ascii, err := fixtures.HostToASCII(host)
		if err != nil {
			return nil, nil, usagef("pass a DNS name such as webhook.example.com or bücher.example, or an IP address such as 127.0.0.1", "%v", err)
		}
		if ascii != host {
			notes = append(notes, fmt.Sprintf("converted --host %q to its ASCII (punycode) form %s, which the server certificate names", host, ascii))
		}
		converted = append(converted, ascii)
	}

	unique, repeats := fixtures.UniqueHosts(converted)
	for _, r := range repeats {
		earlier := fmt.Sprintf("--host %q", hosts[r.Of])
		if converted[r.Of] != hosts[r.Of] {
			earlier += " (" + converted[r.Of] + ")"
		}
		notes = append(notes, fmt.Sprintf("dropped --host %q: it names the same subject alternative name as %s, so the server certificate lists it once", hosts[r.Index], earlier))
	}
	return unique, notes, nil
}

// checkClientCN rejects a --client-cn value that is empty, has control
// characters or is longer than RFC 5280 allows. The flag's default is not
// empty, so an empty value comes from an explicit --client-cn "".
func checkClientCN(cn string) error {
	err := fixtures.ValidateCommonName("--client-cn", cn)
	switch {
	case err == nil:
		return nil
	case cn == "":
		return usagef(fmt.Sprintf("pass a name, such as --client-cn 'Google LLC', or leave out --client-cn for the default %q", defaultClientCN), "%v", err)
	}
	return usagef(fmt.Sprintf("pass 1 to %d characters without control characters, such as --client-cn 'Google LLC'", fixtures.MaxCommonNameLength), "%v", err)
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
