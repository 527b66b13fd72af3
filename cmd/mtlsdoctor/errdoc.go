package main

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/urfave/cli/v2"

	"github.com/mtlsdoctor/mtlsdoctor/chain"
	"github.com/mtlsdoctor/mtlsdoctor/internal/redact"
	"github.com/mtlsdoctor/mtlsdoctor/report"
)

// errorFix returns the next step that err carries as a sentence, or ""
// when it has none.
func errorFix(err error) string {
	var ue *usageError
	var fe *chain.FileError
	var te *chain.TargetError
	switch {
	case errors.As(err, &ue) && ue.fix != "":
		return sentence(ue.fix)
	case errors.As(err, &fe):
		return sentence(fe.Fix)
	case errors.As(err, &te):
		return sentence(te.Fix)
	}
	return ""
}

// sentence makes a fix a sentence, as the findings' fixes are: it starts
// with a capital letter and ends with a full stop. The usage errors of
// the commands give their fixes as lowercase phrases.
func sentence(fix string) string {
	if fix == "" {
		return ""
	}
	r, size := utf8.DecodeRuneInString(fix)
	fix = string(unicode.ToUpper(r)) + fix[size:]
	if !strings.HasSuffix(fix, ".") {
		fix += "."
	}
	return fix
}

// writeTracker records whether anything was written to stdout, because an
// error document printed after a report would make stdout unparseable. It
// also keeps the first write error, so that RunContext can report output
// lost by a command that did not check every write.
type writeTracker struct {
	w       io.Writer
	written bool
	err     error
}

func (t *writeTracker) Write(p []byte) (int, error) {
	if len(p) > 0 {
		t.written = true
	}
	n, err := t.w.Write(p)
	if err == nil && n < len(p) {
		err = io.ErrShortWrite
	}
	if t.err == nil {
		t.err = err
	}
	return n, err
}

// printErrorDocument prints err, which ends the run with exit code 2, on
// stdout as a report in the format --output selects, so that a CI job that
// parses stdout gets a document instead of an empty file. The message and
// fix stay on stderr as well.
//
// It prints nothing when no command could be recognized in args, when
// --output is text, missing or invalid (an invalid value selects no
// format), and when the command prints no report (inspect --pem).
// RunContext calls it only while stdout is empty. With json or junit, a
// command writes to stdout before an exit-2 error only when that write
// failed, or when serve fails after its startup report.
func (e *env) printErrorDocument(app *cli.App, args []string, err error) {
	line := readCommandLine(app, args)
	if line == nil {
		return
	}
	format, ok := line.errorDocumentFormat()
	if !ok {
		return
	}

	doc := &report.ErrorReport{
		Target: line.errorDocumentTarget(),
		Kind:   line.command.Name,
		Error:  report.ErrorInfo{Message: err.Error(), Fix: errorFix(err), ExitCode: exitUsage},
	}
	var writeErr error
	switch {
	case format == report.FormatJUnit:
		writeErr = report.RenderErrorJUnit(e.stdout, "mtlsdoctor "+line.command.Name, doc)
	case line.printsJSONLines():
		writeErr = report.RenderErrorJSONLine(e.stdout, doc)
	default:
		writeErr = report.RenderErrorJSON(e.stdout, doc)
	}
	if writeErr != nil {
		fmt.Fprintf(e.stderr, "mtlsdoctor: write error report: %s\n", report.Sanitize(writeErr.Error()))
	}
}

// commandLine is a command's flag values and positional arguments, read
// from the command line as interspersed and the flag package read them, but
// past an invalid flag too. An unknown flag is taken to have no value, as
// interspersed takes it.
type commandLine struct {
	command *cli.Command
	// values contains each flag's values by the flag's first name, in command
	// line order. A bool flag given without "=value" has the value "true".
	values     map[string][]string
	positional []string
}

// readCommandLine reads args (args[0] is the program name). It returns nil
// when args[1] is not a command name.
func readCommandLine(app *cli.App, args []string) *commandLine {
	if len(args) < 2 {
		return nil
	}
	cmd := app.Command(args[1])
	if cmd == nil {
		return nil
	}
	flags := map[string]cli.Flag{}
	for _, f := range cmd.Flags {
		for _, name := range f.Names() {
			flags[name] = f
		}
	}

	line := &commandLine{command: cmd, values: map[string][]string{}}
	rest := args[2:]
	for i := 0; i < len(rest); i++ {
		arg := rest[i]
		if arg == "--" {
			line.positional = append(line.positional, rest[i+1:]...)
			break
		}
		if len(arg) < 2 || arg[0] != '-' {
			line.positional = append(line.positional, arg)
			continue
		}
		// The flag package accepts one or two dashes.
		name, value, hasValue := strings.Cut(strings.TrimPrefix(arg[1:], "-"), "=")
		f, known := flags[name]
		if !known {
			continue
		}
		_, isBool := f.(*cli.BoolFlag)
		switch {
		case hasValue:
		case isBool:
			value = "true"
		case i+1 < len(rest) && !namesFlag(cmd, rest[i+1]):
			i++
			value = rest[i]
		default:
			continue // the value is missing, as missingFlagValue reports
		}
		line.add(f, value)
	}
	return line
}

// add records value for f. A string slice flag splits it at commas and
// trims spaces, as urfave/cli does.
func (l *commandLine) add(f cli.Flag, value string) {
	name := f.Names()[0]
	if _, isSlice := f.(*cli.StringSliceFlag); !isSlice {
		l.values[name] = append(l.values[name], value)
		return
	}
	for _, part := range strings.Split(value, ",") {
		l.values[name] = append(l.values[name], strings.TrimSpace(part))
	}
}

// value returns the last value given for the flag name, or else the
// default of a string flag, or else "".
func (l *commandLine) value(name string) string {
	if values := l.values[name]; len(values) > 0 {
		return values[len(values)-1]
	}
	for _, f := range l.command.Flags {
		if sf, ok := f.(*cli.StringFlag); ok && f.Names()[0] == name {
			return sf.Value
		}
	}
	return ""
}

// errorDocumentFormat returns the format --output selects for the error
// document, and false when stdout stays empty.
func (l *commandLine) errorDocumentFormat() (report.Format, bool) {
	format, err := report.ParseFormat(l.value("output"))
	if err != nil || format == report.FormatText {
		return "", false // also a command without --output, such as completion
	}
	if l.command.Name == "inspect" {
		if pem, _ := strconv.ParseBool(l.value("pem")); pem {
			return "", false
		}
	}
	return format, true
}

// printsJSONLines reports whether the command's JSON output is JSON Lines,
// one compact object a line, which the error document then follows: that
// of probe --targets, which prints each target's report as it finishes.
// demo prints its steps' reports as JSON Lines too, but an error that
// ends demo comes before any step, so its document is one indented
// object, as RenderJSON prints a single report.
func (l *commandLine) printsJSONLines() bool {
	return l.command.Name == "probe" && l.value("targets") != ""
}

// errorDocumentTarget returns what the command was given, as its report
// would name the target, or else the command name.
func (l *commandLine) errorDocumentTarget() string {
	name := l.command.Name
	switch name {
	case "probe", "inspect":
		if len(l.positional) > 0 {
			return redact.Source(l.positional[0])
		}
		if targets := l.value("targets"); name == "probe" && targets != "" {
			return targets
		}
	case "verify":
		if cert := l.value("cert"); cert != "" {
			return cert
		}
	case "gen":
		return filepath.Clean(l.value("dir"))
	case "serve":
		return l.value("addr")
	case "bundle":
		return l.bundleTarget()
	}
	return name
}

// bundleTarget names the profile and the sources as chain.BuildBundle
// names them in its report, with the default profile when neither
// --profile nor --source is given.
func (l *commandLine) bundleTarget() string {
	profile, sources := l.value("profile"), l.values["source"]
	if profile == "" && len(sources) == 0 {
		profile = chain.DefaultProfile
	}
	var parts []string
	if profile != "" {
		parts = append(parts, "profile "+profile)
	}
	for _, src := range sources {
		parts = append(parts, redact.Source(src))
	}
	return strings.Join(parts, ", ")
}
