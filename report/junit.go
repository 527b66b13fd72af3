package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
)

// The JUnit XML schema that Jenkins, GitLab and the GitHub test-report
// actions read: testsuites > testsuite > testcase with failure or skipped.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Time     string      `xml:"time,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	ClassName string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	Skipped   *junitSkipped `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

type junitSkipped struct {
	Message string `xml:"message,attr"`
}

// RenderJUnit writes reports as JUnit XML: a test suite per report and a
// test case per check. An error finding fails its check's case; warnings go
// to system-out. A report without checks gets one case per finding.
func RenderJUnit(w io.Writer, suite string, reports ...*Report) error {
	if suite == "" {
		suite = "mtlsdoctor"
	}
	doc := junitSuites{Name: suite}
	for _, r := range reports {
		s := junitSuiteFor(r)
		doc.Tests += s.Tests
		doc.Failures += s.Failures
		doc.Suites = append(doc.Suites, s)
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

func junitSuiteFor(r *Report) junitSuite {
	s := junitSuite{Name: r.Target, Time: "0"}
	if r.Timings != nil {
		s.Time = fmt.Sprintf("%.3f", r.Timings.Total/1000)
	}
	checks := r.Checks
	if len(checks) == 0 {
		checks = checksFromFindings(r.Findings)
	}
	for _, check := range checks {
		c := junitCase{Name: check.Name, ClassName: r.Target, Time: "0"}
		var errs, others []Finding
		for _, code := range check.Codes {
			for _, f := range r.Findings {
				if f.Code != code {
					continue
				}
				if f.Severity == SeverityError {
					errs = append(errs, f)
				} else {
					others = append(others, f)
				}
			}
		}
		switch {
		case len(errs) > 0:
			c.Failure = &junitFailure{
				Message: errs[0].Summary,
				Type:    string(errs[0].Code),
				Text:    findingsText(errs),
			}
			s.Failures++
		case check.Status == StatusFail:
			c.Failure = &junitFailure{Message: check.Detail, Type: "fail"}
			s.Failures++
		case check.Status == StatusSkip:
			c.Skipped = &junitSkipped{Message: check.Detail}
			s.Skipped++
		}
		if len(others) > 0 {
			c.SystemOut = findingsText(others)
		} else if c.Failure == nil && check.Detail != "" {
			c.SystemOut = check.Detail
		}
		s.Cases = append(s.Cases, c)
		s.Tests++
	}
	return s
}

// checksFromFindings makes one check per finding, and a single passing
// check when there are none, so every suite has at least one case.
func checksFromFindings(findings []Finding) []Check {
	if len(findings) == 0 {
		return []Check{{Name: "no findings", Status: StatusPass}}
	}
	seen := map[Code]bool{}
	var checks []Check
	for _, f := range findings {
		if seen[f.Code] {
			continue
		}
		seen[f.Code] = true
		status := StatusPass
		if f.Severity == SeverityError {
			status = StatusFail
		}
		checks = append(checks, Check{Name: string(f.Code), Status: status, Codes: []Code{f.Code}})
	}
	return checks
}

func findingsText(findings []Finding) string {
	var sb strings.Builder
	for i, f := range findings {
		if i > 0 {
			sb.WriteString("\n")
		}
		fmt.Fprintf(&sb, "%s %s: %s\n", f.Severity, f.Code, f.Summary)
		if f.Detail != "" {
			fmt.Fprintf(&sb, "  found: %s\n", f.Detail)
		}
		if f.Fix != "" {
			fmt.Fprintf(&sb, "  fix: %s\n", f.Fix)
		}
	}
	return sb.String()
}
