package report

import (
	"strings"
	"testing"
)

func TestWrapText(t *testing.T) {
	long := strings.Repeat("word ", 50)
	for _, line := range strings.Split(wrapText(long, 40), "\n") {
		if len(line) > 40 {
			t.Errorf("line of %d bytes: %q", len(line), line)
		}
	}
	fp := strings.Repeat("AB:", 40)
	if got := wrapText("see "+fp, 20); !strings.Contains(got, fp) {
		t.Errorf("a long word was split: %q", got)
	}
	if got := wrapText("one\ntwo", 40); got != "one\ntwo" {
		t.Errorf("line breaks not kept: %q", got)
	}
}
