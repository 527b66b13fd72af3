package main

import (
	"io"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/mtlsdoctor/mtlsdoctor/report"
)

func explainCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "explain",
		Usage:     "explain a TLS error line copied from Go, curl, OpenSSL, Node, nginx or Dialogflow",
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
			if text == "" {
				data, err := io.ReadAll(io.LimitReader(c.App.Reader, 4<<20))
				if err != nil {
					return usagef("pass the error text as an argument", "read standard input: %v", err)
				}
				text = string(data)
			}
			if strings.TrimSpace(text) == "" {
				return usagef("pass the error line in quotes, or pipe a log into mtlsdoctor explain", "no text to explain")
			}
			return e.render(c, "mtlsdoctor explain", report.ExplainReport(text))
		},
	}
}
