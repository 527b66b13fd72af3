package chain

import (
	"strings"
	"testing"
)

func TestJoinAtMost(t *testing.T) {
	urls := []string{"a", "b", "c", "d", "e"}
	if got := joinAtMost(urls[:2], 3); got != "a, b" {
		t.Errorf("two items: %q", got)
	}
	if got := joinAtMost(urls, 3); got != "a, b, c and 2 more" {
		t.Errorf("five items: %q", got)
	}
}

func TestShorten(t *testing.T) {
	if got := shorten("short", 10); got != "short" {
		t.Errorf("short text changed: %q", got)
	}
	long := strings.Repeat("é", 400) // 800 bytes
	got := shorten(long, 601)
	if !strings.Contains(got, "more bytes") {
		t.Errorf("no cut marker in %q", got[len(got)-30:])
	}
	if !strings.HasPrefix(got, strings.Repeat("é", 300)) || strings.Contains(got, "\uFFFD") {
		t.Error("cut split a character")
	}
}
