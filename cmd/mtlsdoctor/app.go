package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"regexp"
	"slices"
	"strings"
	"syscall"

	"github.com/mattn/go-isatty"
	"github.com/urfave/cli/v2"

	"github.com/mtlsdoctor/mtlsdoctor/report"
)

// The exit codes of every command.
const (
	exitOK       = 0 // no error finding
	exitFindings = 1 // at least one error finding
	exitUsage    = 2 // invalid usage or unreadable input
)

const exitCodesHelp = `EXIT CODES:
  0  no error finding
  1  at least one error finding (the report names it)
  2  invalid usage or unreadable input (the message names the flag or file)
With --output json or junit, exit code 2 also puts the message and fix on
stdout: a JSON report with an "error" object, or a JUnit test case with an
error element.
`

// usageError is invalid usage or unreadable input, which exits with code 2.
// The message names the flag or file, and fix gives the next step.
type usageError struct {
	err error
	fix string
}

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

func usagef(fix, format string, args ...any) error {
	return &usageError{err: fmt.Errorf(format, args...), fix: fix}
}

// findingsError signals that the report, already printed, holds an error
// finding: exit code 1 with nothing more to print.
type findingsError struct{}

func (findingsError) Error() string { return "the report has error findings" }

// env carries what every command needs: where to print and how.
type env struct {
	stdout, stderr io.Writer
	color          bool
	// unknownCommand is set when the first argument names no command.
	unknownCommand string
	// completionWord is the word that a completion request completes:
	// the argument before --generate-bash-completion.
	completionWord string
	// previousWord is the argument before completionWord, or "".
	previousWord string
}

// Run runs the command line args (args[0] is the program name) and returns
// the exit code. Tests call it in-process.
func Run(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		// The first signal cancels ctx for a clean stop; restoring the
		// default handling lets a second one end a process stuck in a
		// system call.
		<-ctx.Done()
		stop()
	}()
	return RunContext(ctx, args, stdout, stderr)
}

// RunContext is Run with a context that cancels long-running commands.
func RunContext(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return runWithInput(ctx, args, os.Stdin, stdout, stderr)
}

// runWithInput is RunContext with stdin as standard input, which explain
// and "inspect -" read.
func runWithInput(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	out := &writeTracker{w: stdout}
	e := &env{stdout: out, stderr: stderr, color: colorWanted(stdout)}
	app := newApp(e)
	app.Reader = stdin
	commandLine := args
	var err error
	if isCompletionRequest(args) {
		if slices.Contains(args, "--") {
			// Only positional arguments follow "--", so there is nothing to
			// offer but file names, which the shell completes. urfave/cli
			// would run the command instead, with the request as an argument.
			return exitOK
		}
		args = e.readCompletionWords(args)
	} else {
		// interspersed would move a completion request, which must stay
		// last, before the positional arguments. A flag without its value
		// is reported first, because interspersed would give it the next
		// argument, or the "--" it puts before the positional arguments.
		err = missingFlagValue(app, args)
		args = interspersed(app, args)
	}
	if err == nil {
		err = app.RunContext(ctx, args)
	}
	if e.unknownCommand != "" && err == nil {
		err = usagef("run mtlsdoctor help for the list of commands", "unknown command %q", e.unknownCommand)
	}
	if out.err != nil && (err == nil || errors.Is(err, findingsError{})) {
		// A command that printed with fmt.Fprint, or help text, lost
		// output that nothing else reported.
		err = writeError("write output", out.err)
	}
	code := e.exitCode(err)
	if code == exitUsage && !out.written {
		e.printErrorDocument(app, commandLine, err)
	}
	return code
}

func (e *env) exitCode(err error) int {
	if err == nil {
		return exitOK
	}
	if errors.Is(err, findingsError{}) {
		return exitFindings
	}
	// Messages quote file names, URLs and text from peers, so they go
	// through Sanitize as the reports do.
	fmt.Fprintf(e.stderr, "mtlsdoctor: %s\n", report.Sanitize(err.Error()))
	if fix := errorFix(err); fix != "" {
		fmt.Fprintf(e.stderr, "  fix: %s\n", report.Sanitize(fix))
	}
	return exitUsage
}

// colorWanted reports whether text output may use colour: only on a
// terminal that is not TERM=dumb, and never when NO_COLOR is set to a
// non-empty value (https://no-color.org).
func colorWanted(w io.Writer) bool {
	if os.Getenv("NO_COLOR") != "" || os.Getenv("TERM") == "dumb" {
		return false
	}
	f, ok := w.(*os.File)
	return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
}

func newApp(e *env) *cli.App {
	app := &cli.App{
		Name:  "mtlsdoctor",
		Usage: "set up and diagnose mutual TLS for webhooks",
		UsageText: `mtlsdoctor demo                                   # the whole job offline, in a temporary folder
mtlsdoctor bundle --profile dialogflow-es         # write ca-crt.pem for Dialogflow ES
mtlsdoctor gen --host webhook.example.com         # a test CA, server and client certificates
mtlsdoctor serve --client-ca ca-crt.pem --client-ca test-ca-crt.pem
mtlsdoctor probe https://localhost:4433 --cert client-crt.pem --key client-key.pem --ca test-ca-crt.pem
mtlsdoctor probe https://webhook.example.com/df --cert client-crt.pem --key client-key.pem --audit --output junit > probe.xml
mtlsdoctor explain 'remote error: tls: certificate required'`,
		Description: exitCodesHelp,
		Version:     version(),
		Writer:      e.stdout,
		ErrWriter:   e.stderr,
		// Errors reach Run, which prints them once and picks the exit code.
		ExitErrHandler:       func(*cli.Context, error) {},
		EnableBashCompletion: true,
		HideHelpCommand:      false,
		Suggest:              true,
		OnUsageError:         flagError,
		CommandNotFound: func(c *cli.Context, name string) {
			e.unknownCommand = name
		},
		Commands: []*cli.Command{
			bundleCommand(e),
			genCommand(e),
			serveCommand(e),
			probeCommand(e),
			inspectCommand(e),
			verifyCommand(e),
			explainCommand(e),
			demoCommand(e),
			completionCommand(e),
			manCommand(e),
		},
	}
	for _, c := range app.Commands {
		c.OnUsageError = app.OnUsageError
		if c.BashComplete == nil {
			c.BashComplete = e.completeFlags
		}
		if c.Description == "" {
			c.Description = exitCodesHelp
		} else {
			c.Description += "\n\n" + exitCodesHelp
		}
	}
	return app
}

// outputFlag is the --output flag every command takes.
var outputFlag = &cli.StringFlag{
	Name:  "output",
	Value: "text",
	Usage: "report format: text, json or junit",
}

// render prints reports in the format --output selects and returns
// findingsError when one of them has an error finding.
func (e *env) render(c *cli.Context, suite string, reports ...*report.Report) error {
	format, err := report.ParseFormat(c.String("output"))
	if err != nil {
		return outputFormatError(c.String("output"))
	}
	opts := report.Options{Color: e.color && format == report.FormatText, Verbose: c.Bool("verbose"), Suite: suite}
	if err := report.Render(e.stdout, format, opts, reports...); err != nil {
		return writeError("write report", err)
	}
	if report.ExitCode(reports...) != 0 {
		return findingsError{}
	}
	return nil
}

// writeError is a failed write to standard output, which exits with code 2
// as unreadable input does. what names the output, such as "write report".
func writeError(what string, err error) error {
	return usagef("check the free space and permissions of the file or pipe that standard output goes to",
		"%s: %w", what, err)
}

// checkFormat validates --output before a command does any work.
func checkFormat(c *cli.Context) error {
	if _, err := report.ParseFormat(c.String("output")); err != nil {
		return outputFormatError(c.String("output"))
	}
	return nil
}

// outputFormatError is an --output value that names no format. The
// formats are in the fix, not in the message.
func outputFormatError(value string) error {
	return usagef("pass --output text, --output json or --output junit", "invalid --output %q", value)
}

// interspersed moves a command's positional arguments after its flags, so
// "probe URL --cert FILE" works as the help shows it. urfave/cli v2 stops
// reading flags at the first positional argument.
func interspersed(app *cli.App, args []string) []string {
	if len(args) < 2 {
		return args
	}
	cmd := app.Command(args[1])
	if cmd == nil {
		return args
	}
	takesValue := map[string]bool{}
	for _, f := range cmd.Flags {
		_, isBool := f.(*cli.BoolFlag)
		for _, name := range f.Names() {
			takesValue[name] = !isBool
		}
	}

	flags := []string{}
	var positional []string
	rest := args[2:]
	for i := 0; i < len(rest); i++ {
		arg := rest[i]
		switch {
		case arg == "--":
			positional = append(positional, rest[i+1:]...)
			i = len(rest)
		case len(arg) > 1 && arg[0] == '-':
			flags = append(flags, arg)
			name := strings.TrimLeft(arg, "-")
			if !strings.Contains(name, "=") && takesValue[name] && i+1 < len(rest) {
				i++
				flags = append(flags, rest[i])
			}
		default:
			positional = append(positional, arg)
		}
	}

	out := append([]string{args[0], args[1]}, flags...)
	if len(positional) > 0 {
		out = append(out, "--")
		out = append(out, positional...)
	}
	return out
}

var (
	undefinedFlag    = regexp.MustCompile(`^flag provided but not defined: -+(\S+)$`)
	invalidValue     = regexp.MustCompile(`^invalid value "(.*)" for flag -+([^:]+):`)
	flagWithoutValue = regexp.MustCompile(`^flag needs an argument: -+(\S+)$`)
)

// flagError rewords urfave/cli's flag errors so they name the flag as the
// command line spells it, and give the next step.
func flagError(c *cli.Context, err error, _ bool) error {
	command := "mtlsdoctor"
	// Before a command is chosen, c.Command is the app's root command,
	// which has the app's own name.
	if c != nil && c.Command != nil && c.Command.Name != "" && c.Command.Name != c.App.Name {
		command += " " + c.Command.Name
	}
	fix := "run " + command + " --help for the flags"
	msg := err.Error()
	if m := undefinedFlag.FindStringSubmatch(msg); m != nil {
		return &usageError{err: fmt.Errorf("unknown flag --%s", m[1]), fix: fix}
	}
	if m := flagWithoutValue.FindStringSubmatch(msg); m != nil {
		var flags []cli.Flag
		if c != nil && c.Command != nil {
			flags = c.Command.Flags
		}
		if f := findFlag(flags, m[1]); f != nil {
			return missingValueError(command, f)
		}
		return &usageError{err: fmt.Errorf("--%s needs a value", m[1]), fix: fix}
	}
	if m := invalidValue.FindStringSubmatch(msg); m != nil {
		if c != nil && c.Command != nil && isDurationFlag(c.Command, m[2]) {
			fix = "give a duration with a unit, such as 5s, 1500ms or 1m"
		}
		return &usageError{err: fmt.Errorf("invalid --%s %q", m[2], m[1]), fix: fix}
	}
	return &usageError{err: err, fix: fix}
}

func isDurationFlag(cmd *cli.Command, name string) bool {
	for _, f := range cmd.Flags {
		if _, ok := f.(*cli.DurationFlag); ok && slices.Contains(f.Names(), name) {
			return true
		}
	}
	return false
}
