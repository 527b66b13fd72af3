package main

//go:generate go run . man --out ../../docs/mtlsdoctor.1

import (
	"fmt"
	"os"

	"github.com/urfave/cli/v2"
)

// manSection is the man page section of a user command.
const manSection = 1

// manCommand prints the man page generated from the command definitions.
// It is hidden because it serves packagers and "go generate", which keeps
// docs/mtlsdoctor.1 current.
func manCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "man",
		Usage:     "print the man page, generated from the command definitions",
		UsageText: "mtlsdoctor man > mtlsdoctor.1\n   mtlsdoctor man --out docs/mtlsdoctor.1",
		Hidden:    true,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "out", TakesFile: true, Usage: "write the man page to this file instead of stdout"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return usagef("pass options only, such as --out "+c.Args().First(), "man takes no arguments, got %q", c.Args().First())
			}
			page, err := c.App.ToManWithSection(manSection)
			if err != nil {
				return fmt.Errorf("generate man page: %w", err)
			}
			out := c.String("out")
			if out == "" {
				_, err = fmt.Fprint(e.stdout, page)
				return err
			}
			if err := os.WriteFile(out, []byte(page), 0o644); err != nil {
				return usagef("check that the folder of --out exists and is writable", "write man page %s: %v", out, err)
			}
			return nil
		},
	}
}
