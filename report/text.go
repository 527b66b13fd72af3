package report

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/fatih/color"
	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"
)

// palette colours text output. Every function returns its input unchanged
// when colour is off.
type palette struct {
	red, yellow, green, cyan, bold, faint func(a ...any) string
}

func newPalette(enabled bool) palette {
	make := func(attrs ...color.Attribute) func(a ...any) string {
		c := color.New(attrs...)
		if enabled {
			c.EnableColor()
		} else {
			c.DisableColor()
		}
		return c.SprintFunc()
	}
	return palette{
		red:    make(color.FgRed, color.Bold),
		yellow: make(color.FgYellow),
		green:  make(color.FgGreen),
		cyan:   make(color.FgCyan),
		bold:   make(color.Bold),
		faint:  make(color.Faint),
	}
}

func (p palette) status(s Status) string {
	switch s {
	case StatusPass:
		return p.green("pass")
	case StatusFail:
		return p.red("FAIL")
	case StatusWarn:
		return p.yellow("warn")
	case StatusSkip:
		return p.faint("skip")
	}
	return string(s)
}

func (p palette) severity(s Severity) string {
	switch s {
	case SeverityError:
		return p.red("ERROR")
	case SeverityWarning:
		return p.yellow("WARNING")
	}
	return p.cyan("INFO")
}

// RenderText writes reports for a person at a terminal: a headline per
// target, the connection facts, a table of checks and the findings with
// their evidence and fix. Every string of a report is printed through
// Sanitize. It returns the first error writing to w.
func RenderText(w io.Writer, opts Options, reports ...*Report) error {
	out := &errWriter{w: w}
	p := newPalette(opts.Color)
	for i, r := range reports {
		r.Finish()
		if i > 0 {
			fmt.Fprintln(out)
		}
		if err := renderOne(out, p, opts, sanitizedCopy(r)); err != nil {
			return err
		}
	}
	return out.err
}

// errWriter passes writes on to w until one fails and then fails every
// later write with the same error, so that the renderers can print with
// fmt.Fprintf and check the error once at the end.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	if err == nil && n < len(p) {
		err = io.ErrShortWrite
	}
	e.err = err
	return n, err
}

func renderOne(w io.Writer, p palette, opts Options, r *Report) error {
	verdict := p.green("OK")
	if !r.OK {
		verdict = p.red("FAIL")
	}
	kind := ""
	if r.Kind != "" {
		kind = r.Kind + " "
	}
	fmt.Fprintf(w, "%s%s  %s%s\n", kind, p.bold(r.Target), verdict, countSuffix(r.Findings))

	renderFacts(w, r)
	for _, note := range r.Notes {
		fmt.Fprintf(w, "  %s\n", note)
	}
	if len(r.Certificates) > 0 {
		if err := renderCertificates(w, r.Certificates); err != nil {
			return err
		}
	}
	if opts.Verbose && r.TLS != nil && len(r.TLS.PeerChain) > 0 {
		fmt.Fprintln(w, "  peer chain:")
		if err := renderCertificates(w, r.TLS.PeerChain); err != nil {
			return err
		}
	}
	if opts.Verbose && r.HTTP != nil {
		// The server chose these texts, so each of their lines is indented
		// under its label: no line of theirs can pass for one of the report.
		for _, name := range slices.Sorted(maps.Keys(r.HTTP.Headers)) {
			fmt.Fprintf(w, "  < %s: %s\n", name, indentLines(r.HTTP.Headers[name], "      "))
		}
		if r.HTTP.BodyExcerpt != "" {
			fmt.Fprintf(w, "  body: %s\n", indentLines(r.HTTP.BodyExcerpt, "        "))
		}
	}
	if len(r.Checks) > 0 {
		if err := renderChecks(w, p, r.Checks); err != nil {
			return err
		}
	}
	for _, f := range r.Findings {
		fmt.Fprintf(w, "%s %s: %s\n", p.severity(f.Severity), p.bold(string(f.Code)), f.Summary)
		if f.Detail != "" {
			fmt.Fprintf(w, "  found: %s\n", indentLines(wrapText(f.Detail, textWidth-9), "         "))
		}
		if f.Fix != "" {
			fmt.Fprintf(w, "  fix:   %s\n", indentLines(wrapText(f.Fix, textWidth-9), "         "))
		}
	}
	return nil
}

func countSuffix(findings []Finding) string {
	var errs, warns int
	for _, f := range findings {
		switch f.Severity {
		case SeverityError:
			errs++
		case SeverityWarning:
			warns++
		}
	}
	if errs == 0 && warns == 0 {
		return ""
	}
	return fmt.Sprintf(" (%s, %s)", plural(errs, "error"), plural(warns, "warning"))
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

func indentLines(s, prefix string) string {
	return strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n"+prefix)
}

func renderFacts(w io.Writer, r *Report) {
	if t := r.TLS; t != nil && t.HandshakeComplete {
		line := fmt.Sprintf("  %s, %s", t.Version, t.CipherSuite)
		if t.ALPN != "" {
			line += ", ALPN " + t.ALPN
		}
		if t.ServerName != "" {
			line += ", server name " + t.ServerName
		}
		fmt.Fprintln(w, line)
	}
	if t := r.TLS; t != nil && (t.HandshakeComplete || t.ClientCertRequested) {
		switch {
		case !t.ClientCertRequested:
			fmt.Fprintln(w, "  client certificate: not requested by the server")
		case len(t.AcceptableCAs) == 0:
			fmt.Fprintf(w, "  client certificate: requested, any CA named; sent: %s\n", yesNo(t.ClientCertSent))
		default:
			line := fmt.Sprintf("client certificate: requested from %s; sent: %s",
				strings.Join(t.AcceptableCAs, "; "), yesNo(t.ClientCertSent))
			fmt.Fprintf(w, "  %s\n", indentLines(wrapText(line, textWidth-4), "    "))
		}
	}
	if h := r.HTTP; h != nil && h.Status != 0 {
		fmt.Fprintf(w, "  HTTP %d, %d bytes\n", h.Status, h.BodyBytes)
	}
	if tm := r.Timings; tm != nil && tm.Total > 0 {
		fmt.Fprintf(w, "  timings: dns %.1f ms, connect %.1f ms, tls %.1f ms, first byte %.1f ms, total %.1f ms\n",
			tm.DNS, tm.Connect, tm.TLS, tm.FirstByte, tm.Total)
	}
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// newTable makes a table whose cells wrap at 44 columns, so that a table
// of three columns fits a 100-column terminal.
func newTable(w io.Writer) *tablewriter.Table {
	return tablewriter.NewTable(w,
		tablewriter.WithRowAutoWrap(tw.WrapNormal),
		tablewriter.WithRowMaxWidth(44),
		tablewriter.WithHeaderAutoFormat(tw.Off),
	)
}

func renderChecks(w io.Writer, p palette, checks []Check) error {
	table := newTable(w)
	table.Header("check", "result", "detail")
	for _, c := range checks {
		detail := c.Detail
		if len(c.Codes) > 0 {
			codes := make([]string, len(c.Codes))
			for i, code := range c.Codes {
				codes[i] = string(code)
			}
			if detail != "" {
				detail += " "
			}
			detail += "[" + strings.Join(codes, ", ") + "]"
		}
		if err := table.Append([]string{c.Name, p.status(c.Status), detail}); err != nil {
			return err
		}
	}
	return table.Render()
}

func renderCertificates(w io.Writer, certs []CertInfo) error {
	table := newTable(w)
	table.Header("certificate", "not after", "SHA-256")
	for _, c := range certs {
		name := c.Subject + "\nissuer: " + c.Issuer
		if c.Note != "" {
			name += "\n" + c.Note
		}
		row := []string{name, c.NotAfter.Format(time.DateOnly), splitFingerprint(c.SHA256)}
		if err := table.Append(row); err != nil {
			return err
		}
	}
	return table.Render()
}

// splitFingerprint breaks a 32-byte colon-hex fingerprint into four lines
// of 8 bytes, because a 95-character cell does not fit a terminal.
func splitFingerprint(fp string) string {
	if len(fp) != 95 {
		return fp
	}
	return fp[:23] + "\n" + fp[24:47] + "\n" + fp[48:71] + "\n" + fp[72:]
}

// textWidth is the width that text output wraps prose at, so that reports
// read well in a 100-column terminal.
const textWidth = 100

// wrapText breaks s at spaces into lines of at most width bytes. A word
// longer than width, such as a URL or a fingerprint, stays whole.
func wrapText(s string, width int) string {
	var out strings.Builder
	for i, paragraph := range strings.Split(s, "\n") {
		if i > 0 {
			out.WriteByte('\n')
		}
		lineLen := 0
		for j, word := range strings.Fields(paragraph) {
			if j > 0 && lineLen+1+len(word) > width {
				out.WriteByte('\n')
				lineLen = 0
			} else if j > 0 {
				out.WriteByte(' ')
				lineLen++
			}
			out.WriteString(word)
			lineLen += len(word)
		}
	}
	return out.String()
}
