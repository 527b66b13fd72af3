package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/mtlsdoctor/mtlsdoctor/report"
)

// errorJSON is the JSON error document, decoded into pointers so that a
// missing field differs from a zero value.
type errorJSON struct {
	Target   *string            `json:"target"`
	Kind     *string            `json:"kind"`
	OK       *bool              `json:"ok"`
	Findings *[]json.RawMessage `json:"findings"`
	Error    *struct {
		Message  string `json:"message"`
		Fix      string `json:"fix"`
		ExitCode int    `json:"exit_code"`
	} `json:"error"`
}

// errorJUnit is the part of the JUnit error document that CI systems read.
type errorJUnit struct {
	XMLName  xml.Name `xml:"testsuites"`
	Name     string   `xml:"name,attr"`
	Tests    int      `xml:"tests,attr"`
	Failures int      `xml:"failures,attr"`
	Errors   int      `xml:"errors,attr"`
	Suites   []struct {
		Name   string `xml:"name,attr"`
		Tests  int    `xml:"tests,attr"`
		Errors int    `xml:"errors,attr"`
		Cases  []struct {
			Name      string    `xml:"name,attr"`
			ClassName string    `xml:"classname,attr"`
			Failure   *struct{} `xml:"failure"`
			Error     *struct {
				Message string `xml:"message,attr"`
				Type    string `xml:"type,attr"`
				Text    string `xml:",chardata"`
			} `xml:"error"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

// stderrMessage returns the error message that stderr carries after the
// "mtlsdoctor: " prefix, and its fix.
func stderrMessage(t *testing.T, stderr string) (message, fix string) {
	t.Helper()
	for _, line := range strings.Split(stderr, "\n") {
		if m, ok := strings.CutPrefix(line, "mtlsdoctor: "); ok && message == "" {
			message = m
		}
		if f, ok := strings.CutPrefix(line, "  fix: "); ok && fix == "" {
			fix = f
		}
	}
	if message == "" {
		t.Fatalf("stderr has no mtlsdoctor: line:\n%s", stderr)
	}
	return message, fix
}

func parseErrorJSON(t *testing.T, stdout string) errorJSON {
	t.Helper()
	var doc errorJSON
	dec := json.NewDecoder(strings.NewReader(stdout))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("stdout is not the JSON error document: %v\n%s", err, stdout)
	}
	if dec.More() {
		t.Fatalf("stdout has more than one JSON value:\n%s", stdout)
	}
	if doc.Target == nil || doc.Kind == nil || doc.OK == nil || doc.Findings == nil || doc.Error == nil {
		t.Fatalf("JSON error document lacks target, kind, ok, findings or error:\n%s", stdout)
	}
	if *doc.OK {
		t.Errorf("ok = true, want false")
	}
	if len(*doc.Findings) != 0 {
		t.Errorf("findings = %d entries, want an empty list", len(*doc.Findings))
	}
	if doc.Error.ExitCode != exitUsage {
		t.Errorf("error.exit_code = %d, want %d", doc.Error.ExitCode, exitUsage)
	}
	return doc
}

func parseErrorJUnit(t *testing.T, stdout string) errorJUnit {
	t.Helper()
	var doc errorJUnit
	if err := xml.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("stdout is not JUnit XML: %v\n%s", err, stdout)
	}
	if len(doc.Suites) != 1 || len(doc.Suites[0].Cases) != 1 {
		t.Fatalf("want one test suite with one test case:\n%s", stdout)
	}

	suite, testCase := doc.Suites[0], doc.Suites[0].Cases[0]
	if testCase.Error == nil {
		t.Fatalf("the test case has no <error>:\n%s", stdout)
	}
	if testCase.Failure != nil {
		t.Errorf("the test case has a <failure> besides the <error>")
	}
	if testCase.Error.Type != report.JUnitErrorType {
		t.Errorf("error type = %q, want %q", testCase.Error.Type, report.JUnitErrorType)
	}

	if doc.Tests != 1 || suite.Tests != 1 {
		t.Errorf("tests = %d (document) and %d (suite), want 1", doc.Tests, suite.Tests)
	}
	if doc.Errors != 1 || suite.Errors != 1 {
		t.Errorf("errors = %d (document) and %d (suite), want 1", doc.Errors, suite.Errors)
	}
	if doc.Failures != 0 {
		t.Errorf("failures = %d, want 0", doc.Failures)
	}
	if testCase.Name == "" || testCase.ClassName == "" {
		t.Errorf("test case name %q or classname %q is empty", testCase.Name, testCase.ClassName)
	}
	return doc
}

func TestErrorDocument(t *testing.T) {
	existing := t.TempDir()
	if code, _, stderr := runCLI(t, "gen", "--dir", existing); code != exitOK {
		t.Fatalf("gen exited %d: %s", code, stderr)
	}
	missing := filepath.Join(t.TempDir(), "missing-crt.pem")
	hostDir := t.TempDir()

	tests := []struct {
		name       string
		args       []string
		wantKind   string
		wantTarget string
		mention    string // the flag or file the message names
	}{
		{"unknown flag", []string{"verify", "--bogus"}, "verify", "verify", "--bogus"},
		{"missing file", []string{"verify", "--cert", missing}, "verify", missing, missing},
		{"gen without force", []string{"gen", "--dir", existing}, "gen", existing, filepath.Join(existing, "test-ca-crt.pem")},
		{"invalid host", []string{"gen", "--dir", hostDir, "--host", "bad_host!"}, "gen", hostDir, "--host"},
		{"probe bad URL", []string{"probe", "ftp://127.0.0.1/"}, "probe", "ftp://127.0.0.1/", "ftp://127.0.0.1/"},
		{"serve bad address", []string{"serve", "--addr", "no-port"}, "serve", "no-port", "--addr"},
		{"empty client CN", []string{"gen", "--dir", hostDir, "--client-cn", ""}, "gen", hostDir, "--client-cn"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			textCode, textStdout, textStderr := runCLI(t, tt.args...)
			if textCode != exitUsage {
				t.Fatalf("text: exit %d, want %d\nstderr: %s", textCode, exitUsage, textStderr)
			}
			if textStdout != "" {
				t.Errorf("text: stdout = %q, want it empty", textStdout)
			}
			message, fix := stderrMessage(t, textStderr)
			if !strings.Contains(message, tt.mention) {
				t.Errorf("message %q does not name %q", message, tt.mention)
			}

			t.Run("json", func(t *testing.T) {
				code, stdout, stderr := runCLI(t, append(tt.args, "--output", "json")...)
				if code != exitUsage {
					t.Fatalf("exit %d, want %d", code, exitUsage)
				}
				if stderr != textStderr {
					t.Errorf("stderr = %q, want it as with --output text: %q", stderr, textStderr)
				}
				doc := parseErrorJSON(t, stdout)
				if doc.Error.Message != message {
					t.Errorf("error.message = %q, want %q", doc.Error.Message, message)
				}
				if doc.Error.Fix != fix {
					t.Errorf("error.fix = %q, want %q", doc.Error.Fix, fix)
				}
				if *doc.Kind != tt.wantKind {
					t.Errorf("kind = %q, want %q", *doc.Kind, tt.wantKind)
				}
				if *doc.Target != tt.wantTarget {
					t.Errorf("target = %q, want %q", *doc.Target, tt.wantTarget)
				}
			})

			t.Run("junit", func(t *testing.T) {
				code, stdout, stderr := runCLI(t, append(tt.args, "--output", "junit")...)
				if code != exitUsage {
					t.Fatalf("exit %d, want %d", code, exitUsage)
				}
				if stderr != textStderr {
					t.Errorf("stderr = %q, want it as with --output text: %q", stderr, textStderr)
				}
				doc := parseErrorJUnit(t, stdout)
				e := doc.Suites[0].Cases[0].Error
				if e.Message != message {
					t.Errorf("error message = %q, want %q", e.Message, message)
				}
				if !strings.Contains(e.Text, message) || !strings.Contains(e.Text, "fix: "+fix) {
					t.Errorf("error text %q lacks the message or the fix %q", e.Text, fix)
				}
				if want := "mtlsdoctor " + tt.wantKind; doc.Name != want {
					t.Errorf("testsuites name = %q, want %q", doc.Name, want)
				}
				if doc.Suites[0].Name != tt.wantTarget {
					t.Errorf("testsuite name = %q, want %q", doc.Suites[0].Name, tt.wantTarget)
				}
			})
		})
	}
}

func TestErrorDocumentOutputFlagPosition(t *testing.T) {
	const url = "https://127.0.0.1:1/"
	tests := []struct {
		name       string
		args       []string
		wantFormat string
	}{
		{"after the bad flag", []string{"probe", url, "--bogus", "--output", "json"}, "json"},
		{"before the bad flag", []string{"probe", "--output", "junit", "--bogus", url}, "junit"},
		{"equals form after the URL", []string{"probe", "--bogus", url, "--output=json"}, "json"},
		{"single dash", []string{"probe", url, "--bogus", "-output", "junit"}, "junit"},
		{"last one wins", []string{"probe", url, "--output", "junit", "--bogus", "--output", "json"}, "json"},
		{"after a value flag", []string{"probe", url, "--cert", "--bogus", "--output", "json", "--timeout", "5"}, "json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, tt.args...)
			if code != exitUsage {
				t.Fatalf("exit %d, want %d\nstderr: %s", code, exitUsage, stderr)
			}
			message, _ := stderrMessage(t, stderr)
			switch tt.wantFormat {
			case "json":
				doc := parseErrorJSON(t, stdout)
				if doc.Error.Message != message {
					t.Errorf("error.message = %q, want %q", doc.Error.Message, message)
				}
				if *doc.Target != url {
					t.Errorf("target = %q, want %q", *doc.Target, url)
				}
			case "junit":
				doc := parseErrorJUnit(t, stdout)
				if got := doc.Suites[0].Cases[0].Error.Message; got != message {
					t.Errorf("error message = %q, want %q", got, message)
				}
			}
		})
	}
}

func TestErrorDocumentNotPrinted(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing-crt.pem")
	tests := []struct {
		name string
		args []string
	}{
		{"invalid output value", []string{"verify", "--cert", missing, "--output", "xml"}},
		{"invalid output after a bad flag", []string{"verify", "--bogus", "--output", "yaml"}},
		{"last output invalid", []string{"verify", "--cert", missing, "--output", "json", "--output", "xml"}},
		{"output without value", []string{"verify", "--cert", missing, "--output"}},
		{"text output", []string{"verify", "--cert", missing, "--output", "text"}},
		{"default output", []string{"verify", "--cert", missing}},
		{"output before the command", []string{"--output", "json", "verify", "--cert", missing}},
		{"unknown command", []string{"verfiy", "--output", "json"}},
		{"command without output flag", []string{"completion", "--output", "json", "tcsh"}},
		{"inspect writes PEM", []string{"inspect", missing, "--pem", "--output", "json"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, tt.args...)
			if code != exitUsage {
				t.Errorf("exit %d, want %d\nstderr: %s", code, exitUsage, stderr)
			}
			if stdout != "" {
				t.Errorf("stdout = %q, want it empty", stdout)
			}
			stderrMessage(t, stderr)
		})
	}
}

func TestErrorDocumentServeJSON(t *testing.T) {
	code, stdout, stderr := runCLI(t, "serve", "--addr", "no-port", "--output", "json")
	if code != exitUsage {
		t.Fatalf("exit %d, want %d\nstderr: %s", code, exitUsage, stderr)
	}
	doc := parseErrorJSON(t, stdout)
	if *doc.Target != "no-port" || !strings.Contains(doc.Error.Message, "--addr") {
		t.Errorf("target = %q and message = %q, want no-port and a message naming --addr", *doc.Target, doc.Error.Message)
	}
}

func TestErrorDocumentTargetsJSONLines(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "webhooks.txt")
	code, stdout, stderr := runCLI(t, "probe", "--targets", missing, "--output", "json")
	if code != exitUsage {
		t.Fatalf("exit %d, want %d\nstderr: %s", code, exitUsage, stderr)
	}
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	if len(lines) != 1 || !strings.HasSuffix(stdout, "\n") {
		t.Fatalf("stdout = %q, want one JSON line", stdout)
	}
	doc := parseErrorJSON(t, lines[0])
	if *doc.Target != missing {
		t.Errorf("target = %q, want %q", *doc.Target, missing)
	}
	if !strings.Contains(doc.Error.Message, missing) {
		t.Errorf("error.message = %q does not name %s", doc.Error.Message, missing)
	}
}

func TestErrorDocumentJUnitEscaping(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "a<b&\"c'\x01]]>.pem")
	code, stdout, stderr := runCLI(t, "verify", "--cert", missing, "--output", "junit")
	if code != exitUsage {
		t.Fatalf("exit %d, want %d\nstderr: %s", code, exitUsage, stderr)
	}
	doc := parseErrorJUnit(t, stdout)
	// The message quotes the path as Go does, with \x01 for U+0001.
	if got, want := doc.Suites[0].Cases[0].Error.Message, strconv.Quote(missing); !strings.Contains(got, want) {
		t.Errorf("error message = %q, want it to contain %s", got, want)
	}
	// The target is the raw path, and XML 1.0 cannot contain U+0001, so
	// the encoder replaces it with U+FFFD.
	if got, want := doc.Suites[0].Name, strings.ReplaceAll(missing, "\x01", "\uFFFD"); got != want {
		t.Errorf("testsuite name = %q, want %q", got, want)
	}
}

// failingWriter fails every write and keeps what it was given.
type failingWriter struct{ attempted bytes.Buffer }

func (w *failingWriter) Write(p []byte) (int, error) {
	w.attempted.Write(p)
	return 0, errors.New("stdout closed")
}

func TestErrorDocumentAfterOutput(t *testing.T) {
	var stdout failingWriter
	var stderr bytes.Buffer
	args := []string{"mtlsdoctor", "explain", "remote error: tls: certificate required", "--output", "json"}
	code := RunContext(context.Background(), args, &stdout, &stderr)
	if code != exitUsage {
		t.Fatalf("exit %d, want %d (a failed write)\nstderr: %s", code, exitUsage, stderr.String())
	}
	if !strings.Contains(stderr.String(), "write report") {
		t.Errorf("stderr = %q, want the write error", stderr.String())
	}
	if strings.Contains(stdout.attempted.String(), `"exit_code"`) {
		t.Errorf("an error document followed the report on stdout:\n%s", stdout.attempted.String())
	}
}

func TestErrorDocumentLeavesReportsUnchanged(t *testing.T) {
	tests := []struct {
		name     string
		text     string
		wantCode int
	}{
		{"no error found", "all good here", exitOK},
		{"error finding", "remote error: tls: certificate required", exitFindings},
	}
	for _, tt := range tests {
		for _, format := range []report.Format{report.FormatJSON, report.FormatJUnit} {
			t.Run(tt.name+"/"+string(format), func(t *testing.T) {
				code, stdout, stderr := runCLI(t, "explain", tt.text, "--output", string(format))
				if code != tt.wantCode {
					t.Fatalf("exit %d, want %d\nstderr: %s", code, tt.wantCode, stderr)
				}
				if stderr != "" {
					t.Errorf("stderr = %q, want it empty", stderr)
				}
				var want bytes.Buffer
				opts := report.Options{Suite: "mtlsdoctor explain"}
				if err := report.Render(&want, format, opts, report.ExplainReport(tt.text)); err != nil {
					t.Fatal(err)
				}
				if stdout != want.String() {
					t.Errorf("stdout differs from the report renderer's output\ngot:\n%s\nwant:\n%s", stdout, want.String())
				}
			})
		}
	}

	t.Run("verify findings", func(t *testing.T) {
		dir, _ := writePKI(t)
		args := []string{"verify", "--cert", filepath.Join(dir, "client-crt.pem"), "--ca", filepath.Join(dir, "test-ca-crt.pem")}
		code, stdout, _ := runCLI(t, append(args, "--output", "json")...)
		if code != exitFindings {
			t.Fatalf("json: exit %d, want %d", code, exitFindings)
		}
		var fields map[string]json.RawMessage
		if err := json.Unmarshal([]byte(stdout), &fields); err != nil {
			t.Fatalf("json: %v\n%s", err, stdout)
		}
		if _, ok := fields["error"]; ok {
			t.Errorf("json: a report with findings has an error object:\n%s", stdout)
		}
		code, stdout, _ = runCLI(t, append(args, "--output", "junit")...)
		if code != exitFindings {
			t.Fatalf("junit: exit %d, want %d", code, exitFindings)
		}
		if strings.Contains(stdout, "<error") || !strings.Contains(stdout, "<failure") {
			t.Errorf("junit: want <failure> cases and no <error>:\n%s", stdout)
		}
	})
}

// TestErrorFixesAreSentences checks that the fix of a usage error is a
// sentence, as the findings' fixes are, whichever error carries it.
func TestErrorFixesAreSentences(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing.pem")
	tests := []struct {
		name string
		args []string
	}{
		{"usage error", []string{"verify"}},
		{"file error", []string{"verify", "--cert", missing}},
		{"flag error", []string{"probe", "--nope"}},
		{"invalid target", []string{"inspect", "localhost:99999"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, append(tt.args, "--output", "json")...)
			if code != exitUsage {
				t.Fatalf("exit %d, want %d\nstderr: %s", code, exitUsage, stderr)
			}
			fix := parseErrorJSON(t, stdout).Error.Fix
			if fix == "" || fix[0] < 'A' || fix[0] > 'Z' || !strings.HasSuffix(fix, ".") {
				t.Errorf("error.fix = %q, want a sentence", fix)
			}
			if _, stderrFix := stderrMessage(t, stderr); stderrFix != fix {
				t.Errorf("stderr fix = %q, want %q as in the document", stderrFix, fix)
			}
		})
	}
}

// TestInspectInvalidPort checks that a port out of range is a usage error
// with its own fix, not a handshake failure.
func TestInspectInvalidPort(t *testing.T) {
	code, stdout, stderr := runCLI(t, "inspect", "localhost:99999", "--output", "json")
	if code != exitUsage {
		t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, exitUsage, stdout, stderr)
	}
	doc := parseErrorJSON(t, stdout)
	if doc.Error.Message != `invalid target "localhost:99999": the port 99999 is not from 1 to 65535` {
		t.Errorf("error.message = %q", doc.Error.Message)
	}
	if doc.Error.Fix != "Pass a port from 1 to 65535, such as localhost:443." {
		t.Errorf("error.fix = %q", doc.Error.Fix)
	}
}

// TestErrorDocumentRedactsTarget checks that the target of an exit-2
// document hides a URL's password and token, as the commands' own reports
// do.
func TestErrorDocumentRedactsTarget(t *testing.T) {
	const url = "https://user:s3cretpw@127.0.0.1:9/df?token=abc123"
	for _, args := range [][]string{
		{"probe", url, "--bogus", "--output", "json"},
		{"inspect", url, "--bogus", "--output", "json"},
		{"bundle", "--source", url, "--bogus", "--output", "junit"},
	} {
		code, stdout, stderr := runCLI(t, args...)
		if code != exitUsage {
			t.Errorf("%v exited %d, want %d", args, code, exitUsage)
		}
		for _, secret := range []string{"s3cretpw", "abc123"} {
			if strings.Contains(stdout+stderr, secret) {
				t.Errorf("%v prints %q:\n%s%s", args, secret, stdout, stderr)
			}
		}
		if !strings.Contains(stdout, "127.0.0.1:9") {
			t.Errorf("%v: the document does not name the target:\n%s", args, stdout)
		}
	}
}
