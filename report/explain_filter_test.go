package report

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

func TestRequiredLiterals(t *testing.T) {
	tests := []struct {
		pattern string
		want    []string // nil: the filter lets every line through
	}{
		{`no shared cipher`, []string{"no shared cipher"}},
		{`SSL alert number (\d+)`, []string{"SSL alert number "}},
		{`(?:dial tcp (\S+): )?connect: connection refused`, []string{"connect: connection refused"}},
		{`getaddrinfo (ENOTFOUND|EAI_AGAIN) (\S+)`, []string{"getaddrinfo "}},
		{`\b(ALPHA|BETA)\b`, []string{"ALPHA", "BETA"}},
		{`key values mismatch|tls: private key`, []string{"key values mismatch", "tls: private key"}},
		{`(?i)connection reset by peer`, nil},
		{`\d+#\d+`, []string{"#"}},
		{`(?:abc)?\d+`, nil},
		{`x*`, nil},
		{`(?:ab){2,3}`, []string{"ab"}},
	}
	for _, tt := range tests {
		t.Run(tt.pattern, func(t *testing.T) {
			f := newLiteralFilter(regexp.MustCompile(tt.pattern))
			if tt.want == nil {
				if !f.always {
					t.Errorf("literals = %q, want none (always run)", f.literals)
				}
				return
			}
			if f.always {
				t.Fatalf("filter always runs, want literals %q", tt.want)
			}
			if !reflect.DeepEqual(f.literals, tt.want) {
				t.Errorf("literals = %q, want %q", f.literals, tt.want)
			}
		})
	}
}

// explainLines returns every line of the table cases and of the files
// under testdata/explain.
func explainLines(t *testing.T) []string {
	t.Helper()
	var texts []string
	for _, tc := range explainCases {
		texts = append(texts, tc.input)
	}
	paths, err := filepath.Glob(filepath.Join("testdata", "explain", "*"))
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range paths {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		texts = append(texts, string(data))
	}
	var lines []string
	for _, text := range texts {
		for _, line := range strings.Split(text, "\n") {
			lines = append(lines, strings.TrimSpace(line))
		}
	}
	return lines
}

func TestRuleFiltersKeepMatches(t *testing.T) {
	lines := explainLines(t)
	var matched int
	for i, r := range rules {
		for _, line := range lines {
			if !r.pattern.MatchString(line) {
				continue
			}
			matched++
			if !r.filter.mayMatch(line) {
				t.Errorf("rule %d (%s) matches %q, but its filter %q skips the line", i, r.pattern, line, r.filter.literals)
			}
		}
	}
	if matched < len(explainCases) {
		t.Errorf("only %d rule matches on %d lines: the test data did not load", matched, len(lines))
	}
}

func TestExplainLongLines(t *testing.T) {
	errLine := `Get "https://127.0.0.1:52841/": tls: failed to verify certificate: x509: certificate signed by unknown authority`
	filler := strings.Repeat("QUJDRA==", 1<<17) // 1 MiB of base64
	tests := []struct {
		name string
		text string
		want int
	}{
		{"error after a long line", filler + "\n" + errLine, 1},
		{"error before a long line", errLine + "\n" + filler, 1},
		{"error at the start of a long line", errLine + " " + filler, 1},
		{"error after the first 4 KiB of its line", filler + " " + errLine, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Explain(tt.text)
			if len(got) != tt.want {
				t.Fatalf("got %d explanations, want %d", len(got), tt.want)
			}
			for _, e := range got {
				if len(e.Input) > maxInputLen {
					t.Errorf("Input has %d bytes, want at most %d", len(e.Input), maxInputLen)
				}
				if !reflect.DeepEqual(codesOf(e), []Code{CodeUnknownAuthority, CodeIncompleteChain}) {
					t.Errorf("codes = %v, want unknown-authority and incomplete-chain", codesOf(e))
				}
			}
		})
	}
}
