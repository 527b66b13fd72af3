package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/mtlsdoctor/mtlsdoctor/internal/demo"
	"github.com/mtlsdoctor/mtlsdoctor/report"
)

func demoCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:  "demo",
		Usage: "run the whole job offline: test PKI, bundle, verifying server and three probes",
		UsageText: `mtlsdoctor demo
mtlsdoctor demo --dir demo-files   # keep the generated files
mtlsdoctor demo --output json`,
		Description: `Makes a test PKI in a temporary folder, builds the Dialogflow ES bundle from
the embedded copies, starts the verifying server on a free loopback port and
probes it three times: with the client certificate (must pass), without one
(must fail with client-cert-required) and with one from a foreign CA (must
fail with client-cert-rejected). Needs no network and no files. Exit code 0
means all three behaved as expected. --output json prints each step's report
and then the summary, one JSON object a line (JSON Lines).`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "dir", TakesFile: true, Usage: "keep the generated files in this folder (default: a temporary folder, removed afterwards)"},
			&cli.DurationFlag{Name: "timeout", Value: 5 * time.Second, Usage: "bound on each probe"},
			&cli.BoolFlag{Name: "verbose", Usage: "also print the peer chain, response headers and body"},
			outputFlag,
		},
		Action: func(c *cli.Context) error {
			if err := checkFormat(c); err != nil {
				return err
			}
			if c.NArg() > 0 {
				return usagef("pass options only, such as --dir "+c.Args().First(), "demo takes no arguments, got %q", c.Args().First())
			}
			steps, err := demo.Run(c.Context, demo.Options{Dir: c.String("dir"), Timeout: c.Duration("timeout")})
			var setupErr *demo.SetupError
			if errors.As(err, &setupErr) {
				return &usageError{err: err, fix: setupErr.Fix}
			}
			if err != nil {
				return err
			}
			format, _ := report.ParseFormat(c.String("output"))
			summary := demo.Summary(steps)
			if format == report.FormatText {
				if err := e.printDemo(c, steps); err != nil {
					return writeError("write report", err)
				}
			} else {
				// The summary decides the exit code, so the expected failures of
				// the steps do not count as failures. JSON carries every step's
				// report and the summary last; JUnit only the summary, whose cases
				// pass when a step behaved as expected.
				reports := []*report.Report{summary}
				if format == report.FormatJSON {
					reports = make([]*report.Report, 0, len(steps)+1)
					for _, s := range steps {
						reports = append(reports, s.Report)
					}
					reports = append(reports, summary)
				}
				if err := e.render(c, "mtlsdoctor demo", reports...); err != nil && err != (findingsError{}) {
					return err
				}
			}
			for _, s := range steps {
				if !s.Passed() {
					return findingsError{}
				}
			}
			return nil
		},
	}
}

func (e *env) printDemo(c *cli.Context, steps []demo.Step) error {
	opts := report.Options{Color: e.color, Verbose: c.Bool("verbose")}
	for i, s := range steps {
		fmt.Fprintf(e.stdout, "\n== %d. %s\n", i+1, report.Sanitize(s.Name))
		if err := report.RenderText(e.stdout, opts, s.Report); err != nil {
			return err
		}
		for _, line := range s.ServerLog {
			// slog's text handler already quotes control characters, and
			// Sanitize keeps the output safe if the log format changes.
			fmt.Fprintf(e.stdout, "  server log: %s\n", report.Sanitize(line))
		}
	}
	fmt.Fprintf(e.stdout, "\n== Summary\n")
	return report.RenderText(e.stdout, opts, demo.Summary(steps))
}
