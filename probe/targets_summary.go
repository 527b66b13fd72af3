package probe

import (
	"fmt"
	"io"
	"strconv"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"

	"github.com/mtlsdoctor/mtlsdoctor/internal/plural"
	"github.com/mtlsdoctor/mtlsdoctor/report"
)

// SummaryRow is one target's line in the summary of a targets run.
type SummaryRow struct {
	Target   string
	OK       bool
	Errors   int
	Warnings int
	// TotalMS is the main probe's time from start to end in milliseconds.
	TotalMS float64
}

// Summarize returns one row per report, in the same order.
func Summarize(reports []*report.Report) []SummaryRow {
	rows := make([]SummaryRow, len(reports))
	for i, r := range reports {
		r.Finish()
		row := SummaryRow{Target: r.Target, OK: r.OK}
		for _, f := range r.Findings {
			switch f.Severity {
			case report.SeverityError:
				row.Errors++
			case report.SeverityWarning:
				row.Warnings++
			}
		}
		if r.Timings != nil {
			row.TotalMS = r.Timings.Total
		}
		rows[i] = row
	}
	return rows
}

// WriteSummary prints rows as a table (target, ok, errors, warnings,
// total ms) followed by a line with the totals.
func WriteSummary(w io.Writer, rows []SummaryRow) error {
	table := tablewriter.NewTable(w,
		tablewriter.WithRowAutoWrap(tw.WrapNormal),
		tablewriter.WithRowMaxWidth(64),
		tablewriter.WithHeaderAutoFormat(tw.Off),
	)
	table.Header("target", "ok", "errors", "warnings", "total ms")
	failed := 0
	for _, row := range rows {
		ok := "yes"
		if !row.OK {
			ok, failed = "NO", failed+1
		}
		cells := []string{row.Target, ok, strconv.Itoa(row.Errors), strconv.Itoa(row.Warnings), fmt.Sprintf("%.1f", row.TotalMS)}
		if err := table.Append(cells); err != nil {
			return err
		}
	}
	if err := table.Render(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "%s: %d ok, %d failed\n", plural.Count(len(rows), "target"), len(rows)-failed, failed)
	return err
}
