package report

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
)

// ErrorReport is the document a command prints on stdout in place of its
// report when it stops before it has a result, such as on invalid usage or
// an unreadable input file. Its JSON form has the fields of Report that apply
// (target, kind, ok and an empty findings list) and an error object, so a
// CI job that parses stdout gets a document either way.
type ErrorReport struct {
	Target   string    `json:"target"`
	Kind     string    `json:"kind"`
	OK       bool      `json:"ok"`
	Findings []Finding `json:"findings"`
	Error    ErrorInfo `json:"error"`
}

// ErrorInfo is the error that stopped a command.
type ErrorInfo struct {
	Message  string `json:"message"`
	Fix      string `json:"fix"`
	ExitCode int    `json:"exit_code"`
}

// normalized returns a copy of r whose OK is false and whose Findings is
// an empty list rather than null.
func (r *ErrorReport) normalized() *ErrorReport {
	out := *r
	out.OK = false
	if out.Findings == nil {
		out.Findings = []Finding{}
	}
	return &out
}

// RenderErrorJSON writes r as one indented JSON object, the form RenderJSON
// uses for a single report.
func RenderErrorJSON(w io.Writer, r *ErrorReport) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r.normalized())
}

// RenderErrorJSONLine writes r as one compact JSON line, for commands whose
// JSON output is JSON Lines.
func RenderErrorJSONLine(w io.Writer, r *ErrorReport) error {
	return json.NewEncoder(w).Encode(r.normalized())
}

// junitErrorSuites is the JUnit document for an ErrorReport. It uses
// <error>, which the Apache Ant JUnit schema defines as a test that had an
// unanticipated problem, rather than <failure>, a check that failed.
type junitErrorSuites struct {
	XMLName  xml.Name          `xml:"testsuites"`
	Name     string            `xml:"name,attr"`
	Tests    int               `xml:"tests,attr"`
	Failures int               `xml:"failures,attr"`
	Errors   int               `xml:"errors,attr"`
	Suites   []junitErrorSuite `xml:"testsuite"`
}

type junitErrorSuite struct {
	Name     string           `xml:"name,attr"`
	Tests    int              `xml:"tests,attr"`
	Failures int              `xml:"failures,attr"`
	Errors   int              `xml:"errors,attr"`
	Skipped  int              `xml:"skipped,attr"`
	Time     string           `xml:"time,attr"`
	Cases    []junitErrorCase `xml:"testcase"`
}

type junitErrorCase struct {
	Name      string     `xml:"name,attr"`
	ClassName string     `xml:"classname,attr"`
	Time      string     `xml:"time,attr"`
	Error     junitError `xml:"error"`
}

type junitError struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// JUnitErrorType is the type attribute of the <error> element that
// RenderErrorJUnit writes.
const JUnitErrorType = "usage"

// RenderErrorJUnit writes r as JUnit XML: one test suite named after the
// target, as RenderJUnit names it, with one test case named suite whose
// <error> carries the message and the fix. encoding/xml escapes the text
// and replaces characters that XML does not allow with U+FFFD.
func RenderErrorJUnit(w io.Writer, suite string, r *ErrorReport) error {
	if suite == "" {
		suite = "mtlsdoctor"
	}
	text := r.Error.Message + "\n"
	if r.Error.Fix != "" {
		text += "  fix: " + r.Error.Fix + "\n"
	}
	text += fmt.Sprintf("  exit code: %d\n", r.Error.ExitCode)
	doc := junitErrorSuites{
		Name:   suite,
		Tests:  1,
		Errors: 1,
		Suites: []junitErrorSuite{{
			Name:   r.Target,
			Tests:  1,
			Errors: 1,
			Time:   "0",
			Cases: []junitErrorCase{{
				Name:      suite,
				ClassName: r.Target,
				Time:      "0",
				Error:     junitError{Message: r.Error.Message, Type: JUnitErrorType, Text: text},
			}},
		}},
	}

	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
