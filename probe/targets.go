package probe

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/mtlsdoctor/mtlsdoctor/internal/plural"
	"github.com/mtlsdoctor/mtlsdoctor/report"
)

// DefaultConcurrency is the number of targets RunTargets probes at a time
// when TargetsOptions.Concurrency is zero.
const DefaultConcurrency = 8

// Target is one webhook of a targets file, with the options to probe it.
type Target struct {
	// Line is the line of the file the target was read from, counted
	// from 1.
	Line int
	// Options are the base options with the line's own options applied.
	Options Options
}

// TargetLineOptions are the options that a line of a targets file may
// give after its URL, as --name value or --name=value. The rest of the
// options, such as the client certificate, come from the command line
// and apply to every line.
var TargetLineOptions = []string{"--edition", "--project", "--server-name", "--session", "--timeout", "--deadline"}

// TargetsError reports an invalid line of a targets file.
type TargetsError struct {
	File string
	Line int // counted from 1; zero when the error concerns the whole file
	Err  error
}

// Error returns "file:line: reason", the form editors jump to.
func (e *TargetsError) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("%s: %v", e.File, e.Err)
	}
	return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err)
}

// Unwrap returns the reason.
func (e *TargetsError) Unwrap() error { return e.Err }

// ErrTargetsDirectory is returned, wrapped, by ReadTargetsFile for a path
// that names a directory.
var ErrTargetsDirectory = errors.New("is a directory")

// ReadTargetsFile reads the targets file at path; see ParseTargets.
func ReadTargetsFile(path string, base Options) ([]Target, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read targets file %q: %w", path, err)
	}
	defer f.Close()
	if info, err := f.Stat(); err == nil && info.IsDir() {
		return nil, fmt.Errorf("read targets file: %q %w", path, ErrTargetsDirectory)
	}
	return ParseTargets(f, path, base)
}

// maxTargetsErrors is the number of invalid lines that ParseTargets
// reports one by one. It counts the rest in one more error, so that a
// file of some other format does not flood the terminal.
const maxTargetsErrors = 20

// ParseTargets reads one target a line from r: an https URL, optionally
// followed by the options of TargetLineOptions, which override base for
// that line. Blank lines and lines starting with # are skipped, and a #
// after white space starts a comment. Every target is validated with
// Options.Validate. file names r in errors. The error for invalid lines
// joins a *TargetsError with the line number for each of the first
// maxTargetsErrors of them, one a line, and one that counts the rest.
func ParseTargets(r io.Reader, file string, base Options) ([]Target, error) {
	var (
		targets []Target
		errs    []error
		more    moreInvalidLines // the invalid lines beyond maxTargetsErrors
	)
	scanner := bufio.NewScanner(r)
	for line := 1; scanner.Scan(); line++ {
		text := scanner.Text()
		if line == 1 {
			text = strings.TrimPrefix(text, "\uFEFF") // a byte-order mark, as some editors write
		}
		fields := strings.Fields(stripComment(text))
		if len(fields) == 0 {
			continue
		}
		opts, err := parseTargetLine(fields, base)
		switch {
		case err == nil:
			targets = append(targets, Target{Line: line, Options: opts})
		case len(errs) < maxTargetsErrors:
			errs = append(errs, &TargetsError{File: file, Line: line, Err: err})
		default:
			if more.count == 0 {
				more.first = line
			}
			more.count++
		}
	}
	if more.count > 0 {
		errs = append(errs, &TargetsError{File: file, Err: &more})
	}
	if err := scanner.Err(); err != nil {
		errs = append(errs, &TargetsError{File: file, Err: fmt.Errorf("read targets: %w", err)})
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if len(targets) == 0 {
		return nil, &TargetsError{File: file, Err: errors.New("no targets: write one https:// URL a line")}
	}
	return targets, nil
}

// moreInvalidLines counts the invalid lines of a targets file beyond
// those that ParseTargets lists.
type moreInvalidLines struct {
	first int // the line number of the first one
	count int
}

func (m *moreInvalidLines) Error() string {
	return fmt.Sprintf("%s, from line %d on", plural.Count(m.count, "more invalid line"), m.first)
}

// stripComment removes a comment: the whole line when it starts with #,
// or the part from a # that follows white space. A # inside a URL, as in
// a fragment, is kept.
func stripComment(line string) string {
	trimmed := strings.TrimSpace(line)
	if strings.HasPrefix(trimmed, "#") {
		return ""
	}
	for i := 1; i < len(line); i++ {
		if line[i] == '#' && (line[i-1] == ' ' || line[i-1] == '\t') {
			return line[:i]
		}
	}
	return line
}

// parseTargetLine applies the URL and options of one line to base.
func parseTargetLine(fields []string, base Options) (Options, error) {
	opts := base
	opts.URL = fields[0]
	if strings.HasPrefix(opts.URL, "-") {
		return opts, fmt.Errorf("the line starts with the option %q: put the URL first", opts.URL)
	}
	// Check the URL before the options, so that a line of other text is
	// reported by its first word rather than by its second.
	if _, _, err := parseTarget(opts.URL); err != nil {
		if !strings.Contains(opts.URL, "://") {
			return opts, fmt.Errorf("the line starts with %q, which is not an https:// URL: give the webhook's URL first, then options such as --edition cx",
				RedactURL(opts.URL))
		}
		return opts, err
	}

	seen := map[string]bool{}
	for i := 1; i < len(fields); i++ {
		name, value, hasValue := strings.Cut(fields[i], "=")
		if !strings.HasPrefix(name, "--") {
			return opts, fmt.Errorf("unexpected %q after the URL: give one URL a line, then options such as --edition cx", RedactURL(fields[i]))
		}
		if !slices.Contains(TargetLineOptions, name) {
			return opts, unknownTargetOption(name)
		}
		if !hasValue {
			if i+1 >= len(fields) {
				return opts, fmt.Errorf("option %s needs a value", name)
			}
			i++
			value = fields[i]
		}
		if seen[name] {
			return opts, fmt.Errorf("option %s is given twice", name)
		}
		seen[name] = true
		if err := applyTargetOption(&opts, name, value); err != nil {
			return opts, err
		}
	}
	if err := opts.Validate(); err != nil {
		return opts, err
	}
	return opts, nil
}

func applyTargetOption(opts *Options, name, value string) error {
	switch name {
	case "--edition":
		edition, err := ParseEdition(value)
		if err != nil {
			return err
		}
		opts.Edition = edition
	case "--project":
		opts.Project = value
	case "--server-name":
		opts.ServerName = value
	case "--session":
		opts.Session = value
	case "--timeout", "--deadline":
		d, err := time.ParseDuration(value)
		if err != nil || d <= 0 {
			return fmt.Errorf("invalid %s %q: use a positive duration such as 5s", name, value)
		}
		if name == "--timeout" {
			opts.Timeout = d
		} else {
			opts.Deadline = d
		}
	default:
		return unknownTargetOption(name)
	}
	return nil
}

func unknownTargetOption(name string) error {
	return fmt.Errorf("unknown option %s: a line may give %s", name, strings.Join(TargetLineOptions, ", "))
}

// TargetsOptions configure RunTargets.
type TargetsOptions struct {
	// Concurrency is the number of targets probed at a time; zero means
	// DefaultConcurrency. With Audit, each target runs up to
	// auditConcurrency probes of its own at a time.
	Concurrency int
	// Audit probes each target with Audit instead of Run.
	Audit bool
	// Done, when set, receives each report in the order of the targets,
	// as soon as the report and all reports before it are finished. Calls
	// do not overlap.
	Done func(t Target, rep *report.Report)
}

// RunTargets probes targets in a pool of Concurrency workers and returns
// the reports in the order of targets. Each probe is bounded by its
// target's Timeout plus Deadline, plus Timeout for each AIA or OCSP
// lookup, so one unresponsive target holds a worker no longer than that.
func RunTargets(ctx context.Context, targets []Target, opts TargetsOptions) []*report.Report {
	limit := opts.Concurrency
	if limit <= 0 {
		limit = DefaultConcurrency
	}
	var done func(int, *report.Report)
	if opts.Done != nil {
		done = func(i int, rep *report.Report) { opts.Done(targets[i], rep) }
	}
	return runPool(ctx, len(targets), limit, func(ctx context.Context, i int) *report.Report {
		if opts.Audit {
			return Audit(ctx, targets[i].Options)
		}
		return runBounded(ctx, targets[i].Options)
	}, done)
}
