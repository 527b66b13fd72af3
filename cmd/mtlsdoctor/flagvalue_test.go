package main

import (
	"strings"
	"testing"
)

func TestFlagWithoutValue(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		message string
		fix     string
	}{
		{"duration after URL", []string{"probe", "https://127.0.0.1:1/", "--timeout"}, "--timeout needs a value, such as 5s", "Give a duration with a unit"},
		{"duration before URL", []string{"probe", "--deadline", "https://127.0.0.1:1/"}, "", ""},
		{"duration before a flag", []string{"probe", "https://127.0.0.1:1/", "--timeout", "--verbose"}, "--timeout needs a value, such as 5s", "Give a duration"},
		{"duration before double dash", []string{"probe", "--timeout", "--", "https://127.0.0.1:1/"}, "--timeout needs a value, such as 5s", "Give a duration"},
		{"file after URL", []string{"probe", "https://127.0.0.1:1/", "--cert"}, "--cert needs a path", "Pass the path right after --cert."},
		{"file before a flag", []string{"probe", "https://127.0.0.1:1/", "--cert", "--key", "k.pem"}, "--cert needs a path", "Pass the path right after --cert."},
		{"file with a default", []string{"serve", "--cert"}, "--cert needs a path, such as server-crt.pem", "Pass the path right after --cert."},
		{"folder", []string{"demo", "--dir"}, "--dir needs a path", "Pass the path right after --dir."},
		{"number", []string{"probe", "--targets", "t.txt", "--concurrency"}, "--concurrency needs a value, such as 8", "Pass a whole number right after --concurrency."},
		{"value with a default", []string{"serve", "--addr"}, "--addr needs a value, such as 127.0.0.1:4433", "Pass the value right after --addr, such as --addr 127.0.0.1:4433."},
		{"value without a default", []string{"probe", "https://127.0.0.1:1/", "--server-name"}, "--server-name needs a value", "run mtlsdoctor probe --help for what it takes"},
		{"output", []string{"verify", "--cert", "c.pem", "--output"}, "--output needs a value: text, json or junit", "Pass --output text, --output json or --output junit."},
		{"repeatable file", []string{"serve", "--client-ca"}, "--client-ca needs a path", "Pass the path right after --client-ca."},
		{"single dash", []string{"gen", "-days"}, "--days needs a value, such as 365", "Pass a whole number right after --days."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, tt.args...)
			if code != exitUsage {
				t.Fatalf("exit %d, want %d\nstderr: %s", code, exitUsage, stderr)
			}
			message, fix := stderrMessage(t, stderr)
			if tt.message == "" {
				// The flag took the URL as its value, which is then an
				// invalid duration, not a missing one.
				if strings.Contains(message, "needs a value") {
					t.Errorf("message = %q, want an invalid value", message)
				}
				return
			}
			if message != tt.message {
				t.Errorf("message = %q, want %q", message, tt.message)
			}
			if !strings.Contains(fix, tt.fix) {
				t.Errorf("fix = %q, want it to contain %q", fix, tt.fix)
			}
			if strings.Contains(message, `"--"`) || strings.Contains(message, " -"+strings.TrimLeft(tt.args[len(tt.args)-1], "-")+":") {
				t.Errorf("message %q shows the flag package's wording", message)
			}
		})
	}
}

// TestFlagWithoutValueJSON checks the JSON error document of a flag that
// ends the command line: it names the flag and the URL, with a fix of its
// own.
func TestFlagWithoutValueJSON(t *testing.T) {
	code, stdout, stderr := runCLI(t, "probe", "https://127.0.0.1:1/", "--output", "json", "--timeout")
	if code != exitUsage {
		t.Fatalf("exit %d, want %d\nstderr: %s", code, exitUsage, stderr)
	}
	doc := parseErrorJSON(t, stdout)
	if doc.Error.Message != "--timeout needs a value, such as 5s" {
		t.Errorf("error.message = %q", doc.Error.Message)
	}
	if !strings.HasPrefix(doc.Error.Fix, "Give a duration with a unit") {
		t.Errorf("error.fix = %q", doc.Error.Fix)
	}
	if *doc.Target != "https://127.0.0.1:1/" {
		t.Errorf("target = %q, want the URL", *doc.Target)
	}
}

func TestRepeatedValueCount(t *testing.T) {
	tests := []struct {
		values []string
		want   string
	}{
		{nil, ""},
		{[]string{"a=1"}, "1 value"},
		{[]string{"a=1", "b=2"}, "2 values"},
	}
	for _, tt := range tests {
		if got := (&repeatedValue{values: tt.values}).String(); got != tt.want {
			t.Errorf("String() of %d values = %q, want %q", len(tt.values), got, tt.want)
		}
	}
}
