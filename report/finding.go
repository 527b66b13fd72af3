// Package report holds findings, the catalog of finding codes and the
// renderers that print reports as text, JSON or JUnit XML.
package report

import "fmt"

// Severity ranks a finding. Only SeverityError changes the exit code.
type Severity string

// The severities a finding can have.
const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
	SeverityInfo    Severity = "info"
)

// Finding is one diagnosed fact about a target: a stable code, how serious
// it is, a one-line summary, the evidence and the fix.
type Finding struct {
	Code     Code     `json:"code"`
	Severity Severity `json:"severity"`
	Summary  string   `json:"summary"`
	Detail   string   `json:"detail,omitempty"`
	Fix      string   `json:"fix,omitempty"`
}

// New builds a finding for code with the catalog's severity and fix. An
// empty summary takes the catalog's title. New panics on a code missing
// from the catalog, because that is a programming error.
func New(code Code, summary, detail string) Finding {
	entry, ok := Lookup(code)
	if !ok {
		panic(fmt.Sprintf("report: finding code %q is not in the catalog", code))
	}
	if summary == "" {
		summary = entry.Title
	}
	return Finding{
		Code:     code,
		Severity: entry.Severity,
		Summary:  summary,
		Detail:   detail,
		Fix:      entry.Fix,
	}
}

// Newf is New with a formatted detail.
func Newf(code Code, summary, format string, args ...any) Finding {
	return New(code, summary, fmt.Sprintf(format, args...))
}

// WithFix returns a copy of f whose fix is fix.
func (f Finding) WithFix(fix string) Finding {
	f.Fix = fix
	return f
}

// WithSeverity returns a copy of f with severity s.
func (f Finding) WithSeverity(s Severity) Finding {
	f.Severity = s
	return f
}

// String formats f as "severity code: summary".
func (f Finding) String() string {
	return fmt.Sprintf("%s %s: %s", f.Severity, f.Code, f.Summary)
}
