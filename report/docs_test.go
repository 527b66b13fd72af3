package report

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestDocsCoverCatalog checks that docs/findings.md has a section for every
// code in the catalog, headed with the code's default severity, and that
// the README's table of codes names each one. A code added to the catalog
// without its documentation fails here.
func TestDocsCoverCatalog(t *testing.T) {
	findings, err := os.ReadFile("../docs/findings.md")
	if err != nil {
		t.Fatalf("read docs/findings.md: %v", err)
	}
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatalf("read README.md: %v", err)
	}
	headings := map[string]string{}
	heading := regexp.MustCompile(`(?m)^### ([a-z0-9-]+) \((error|warning|info)\)$`)
	for _, m := range heading.FindAllStringSubmatch(string(findings), -1) {
		if _, dup := headings[m[1]]; dup {
			t.Errorf("docs/findings.md has two sections for %s", m[1])
		}
		headings[m[1]] = m[2]
	}
	known := map[string]bool{}
	for _, entry := range Catalog() {
		code := string(entry.Code)
		known[code] = true
		severity, ok := headings[code]
		switch {
		case !ok:
			t.Errorf("docs/findings.md has no section \"### %s (%s)\"", code, entry.Severity)
		case severity != string(entry.Severity):
			t.Errorf("docs/findings.md heads %s with %s; the catalog says %s", code, severity, entry.Severity)
		}
		if !strings.Contains(string(readme), "`"+code+"`") {
			t.Errorf("README.md's table of codes does not name %s", code)
		}
	}
	for code := range headings {
		if !known[code] {
			t.Errorf("docs/findings.md documents %s, which is not in the catalog", code)
		}
	}
}
