package main

import (
	"errors"

	"github.com/urfave/cli/v2"

	"github.com/mtlsdoctor/mtlsdoctor/chain"
)

// passwordFlags give the password of PKCS#12 files and encrypted keys.
// The help text prefers the file and the environment variable, because
// other users can read a --password value in the process list.
func passwordFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "password-file", TakesFile: true,
			Usage: "file whose first line is the password of PKCS#12 files and encrypted keys (default: the " + chain.PasswordEnv + " environment variable)"},
		&cli.StringFlag{Name: "password",
			Usage: "password of PKCS#12 files and encrypted keys; other users can read it in the process list, so prefer --password-file or " + chain.PasswordEnv},
	}
}

// readOptionsFromFlags resolves the password flags. The password itself
// never appears in a message.
func readOptionsFromFlags(c *cli.Context) (chain.ReadOptions, error) {
	pw, err := chain.ResolvePassword(c.String("password"), c.IsSet("password"), c.String("password-file"))
	var fe *chain.FileError
	switch {
	case errors.As(err, &fe):
		return chain.ReadOptions{}, err
	case err != nil:
		return chain.ReadOptions{}, usagef("pass only one of --password-file and --password", "%v", err)
	}
	return chain.ReadOptions{Password: pw}, nil
}
