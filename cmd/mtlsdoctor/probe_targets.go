package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/mtlsdoctor/mtlsdoctor/chain"
	"github.com/mtlsdoctor/mtlsdoctor/probe"
	"github.com/mtlsdoctor/mtlsdoctor/report"
)

// probeTargets probes every line of --targets with base as the options of
// the command line, and clientFiles as the client certificate and key it
// read, if any. Text and JSON reports are printed as the targets finish,
// in file order; JUnit needs them all, so it prints at the end.
func (e *env) probeTargets(c *cli.Context, base probe.Options, clientFiles *chain.KeyPair) error {
	concurrency := c.Int("concurrency")
	if concurrency < 1 {
		return usagef("pass --concurrency 1 or more", "invalid --concurrency %d", concurrency)
	}
	path := c.String("targets")
	targets, err := probe.ReadTargetsFile(path, base)
	if err != nil {
		var te *probe.TargetsError
		switch {
		case errors.As(err, &te):
			return usagef("write one https:// URL a line, optionally followed by "+strings.Join(probe.TargetLineOptions, ", "), "%v", err)
		case errors.Is(err, probe.ErrTargetsDirectory):
			return usagef("--targets needs a file with one https:// URL a line, not a directory", "%v", err)
		}
		return usagef("check the path of --targets and the file's permissions", "%v", err)
	}

	format, _ := report.ParseFormat(c.String("output")) // checked by the action
	opts := report.Options{Color: e.color && format == report.FormatText, Verbose: c.Bool("verbose"), Suite: "mtlsdoctor probe"}
	jsonLines := json.NewEncoder(e.stdout)
	var writeErr error
	printed := 0
	done := func(_ probe.Target, rep *report.Report) {
		probe.RedactHeaders(rep, base.Header)
		addClientFilesCheck(rep, clientFiles)
		if writeErr != nil {
			return
		}
		switch format {
		case report.FormatText:
			if printed > 0 {
				fmt.Fprintln(e.stdout)
			}
			writeErr = report.RenderText(e.stdout, opts, rep)
		case report.FormatJSON:
			writeErr = jsonLines.Encode(rep.Finish())
		}
		printed++
	}

	reports := probe.RunTargets(c.Context, targets, probe.TargetsOptions{
		Concurrency: concurrency,
		Audit:       c.Bool("audit"),
		Done:        done,
	})

	switch format {
	case report.FormatJUnit:
		writeErr = report.RenderJUnit(e.stdout, opts.Suite, reports...)
	case report.FormatText:
		if writeErr == nil {
			fmt.Fprintln(e.stdout)
			writeErr = probe.WriteSummary(e.stdout, probe.Summarize(reports))
		}
	}
	if writeErr != nil {
		return fmt.Errorf("write report: %w", writeErr)
	}
	if report.ExitCode(reports...) != 0 {
		return findingsError{}
	}
	return nil
}
