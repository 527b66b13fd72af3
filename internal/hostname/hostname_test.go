package hostname

import (
	"strings"
	"testing"
)

func TestToASCII(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"U-label", "bücher.example", "xn--bcher-kva.example"},
		{"upper case mapped", "Bücher.EXAMPLE", "xn--bcher-kva.example"},
		{"trailing dot kept", "bücher.example.", "xn--bcher-kva.example."},
		{"A-label unchanged", "xn--bcher-kva.example", "xn--bcher-kva.example"},
		{"ASCII unchanged", "Webhook.Example", "Webhook.Example"},
		{"IPv4", "127.0.0.1", "127.0.0.1"},
		{"IPv6", "::1", "::1"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ToASCII(tt.in)
			if err != nil {
				t.Fatalf("ToASCII(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("ToASCII(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestToASCIIRejects(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		reason string
	}{
		{"disallowed character", "bü_cher.example", "disallowed rune U+005F"},
		{"leading hyphen", "-bücher.example", "invalid label"},
		{"label too long", strings.Repeat("ü", 64) + ".example", "invalid label"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ToASCII(tt.in)
			if err == nil {
				t.Fatalf("ToASCII(%q) = %q, want an error", tt.in, got)
			}
			if !strings.Contains(err.Error(), tt.reason) {
				t.Errorf("error %q lacks %q", err, tt.reason)
			}
		})
	}
}

func TestDisplay(t *testing.T) {
	tests := []struct {
		in, display, quoted string
	}{
		{"xn--bcher-kva.example", "bücher.example (xn--bcher-kva.example)", `"bücher.example" (xn--bcher-kva.example)`},
		{"XN--BCHER-KVA.example", "bücher.example (XN--BCHER-KVA.example)", `"bücher.example" (XN--BCHER-KVA.example)`},
		{"localhost", "localhost", `"localhost"`},
		{"127.0.0.1", "127.0.0.1", `"127.0.0.1"`},
		{"xn--zz.example", "xn--zz.example", `"xn--zz.example"`}, // not valid punycode
		{"bücher.example", "bücher.example", `"bücher.example"`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := Display(tt.in); got != tt.display {
				t.Errorf("Display(%q) = %q, want %q", tt.in, got, tt.display)
			}
			if got := Quote(tt.in); got != tt.quoted {
				t.Errorf("Quote(%q) = %q, want %q", tt.in, got, tt.quoted)
			}
		})
	}
}
