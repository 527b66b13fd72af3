package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/mtlsdoctor/mtlsdoctor/report"
)

// maxExplainInput bounds what explain reads from standard input. At the
// tens of MB per second explain matches on this project's 2-core machines
// (BenchmarkExplain), 64 MiB takes a few seconds.
const maxExplainInput = 64 << 20

func explainCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "explain",
		Usage:     "explain a TLS error line copied from Go, curl, OpenSSL, Node, Python, nginx or Dialogflow",
		ArgsUsage: "TEXT",
		UsageText: `mtlsdoctor explain 'remote error: tls: certificate required'
mtlsdoctor explain 'curl: (60) SSL certificate problem: unable to get local issuer certificate'
journalctl -u nginx | mtlsdoctor explain`,
		Description: "With no TEXT argument, explain reads standard input. Exit code 1 means the text names an error.",
		Flags:       []cli.Flag{outputFlag},
		Action: func(c *cli.Context) error {
			if err := checkFormat(c); err != nil {
				return err
			}
			text := strings.Join(c.Args().Slice(), " ")
			cut := false
			if text == "" {
				data, err := io.ReadAll(io.LimitReader(c.App.Reader, maxExplainInput+1))
				if err != nil {
					return usagef("pass the error text as an argument", "read standard input: %v", err)
				}
				if len(data) > maxExplainInput {
					data, cut = data[:maxExplainInput], true
				}
				text = string(data)
			}
			if strings.TrimSpace(text) == "" {
				return usagef("pass the error line in quotes, or pipe a log into mtlsdoctor explain", "no text to explain")
			}
			rep := report.ExplainReport(text)
			if cut {
				// Saying so matters: an error further down the log was not read.
				note := fmt.Sprintf("only the first %d MiB of standard input were read; split a larger log, or filter it first (grep -i -e tls -e ssl -e certificate)", maxExplainInput>>20)
				rep.Notes = append(rep.Notes, note)
				fmt.Fprintf(e.stderr, "mtlsdoctor: %s\n", note)
			}
			return e.render(c, "mtlsdoctor explain", rep)
		},
	}
}
