package report

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// TestCatalogFixesAreSentences checks that every catalog fix is a sentence:
// it starts with a capital letter and ends with a full stop.
func TestCatalogFixesAreSentences(t *testing.T) {
	for _, e := range Catalog() {
		if e.Fix == "" {
			t.Errorf("%s has no fix", e.Code)
			continue
		}
		if r, _ := utf8.DecodeRuneInString(e.Fix); !unicode.IsUpper(r) {
			t.Errorf("%s: fix %q does not start with a capital letter", e.Code, e.Fix)
		}
		if !strings.HasSuffix(e.Fix, ".") {
			t.Errorf("%s: fix %q does not end with a full stop", e.Code, e.Fix)
		}
	}
}
