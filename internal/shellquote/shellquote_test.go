package shellquote

import (
	"os/exec"
	"strings"
	"testing"
)

func TestQuote(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"plain path", "certs/server-crt.pem", "certs/server-crt.pem"},
		{"absolute path", "/tmp/x_1/a+b@c%d=e:f,g.pem", "/tmp/x_1/a+b@c%d=e:f,g.pem"},
		{"empty", "", "''"},
		{"space", "my certs/server-crt.pem", "'my certs/server-crt.pem'"},
		{"single quote", "it's/key.pem", `'it'\''s/key.pem'`},
		{"only a quote", "'", `''\'''`},
		{"dollar and backtick", "$HOME/`id`", "'$HOME/`id`'"},
		{"glob", "*.pem", "'*.pem'"},
		{"tilde", "~/certs", "'~/certs'"},
		{"semicolon", "a;rm -rf b", "'a;rm -rf b'"},
		{"backslash", `a\b`, `'a\b'`},
		{"double quote", `a"b`, `'a"b'`},
		{"newline", "a\nb", "'a\nb'"},
		{"non-ASCII", "zertifikate/bücher.pem", "'zertifikate/bücher.pem'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Quote(tt.in); got != tt.want {
				t.Errorf("Quote(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestJoin(t *testing.T) {
	got := Join("openssl", "x509", "-in", "my cert.der")
	if want := "openssl x509 -in 'my cert.der'"; got != want {
		t.Errorf("Join = %q, want %q", got, want)
	}
}

// TestQuoteShellRoundTrip passes quoted words through a real POSIX shell
// and checks that it reads back each word unchanged.
func TestQuoteShellRoundTrip(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh in PATH: install dash or bash")
	}
	words := []string{"", "plain", "with space", "it's", "''", `a\b`, `"q"`, "$HOME", "`id`", "*", "~", "a;b|c&d", "new\nline", "tab\there", "bücher", "-n"}
	// printf repeats its format for every argument, so each word ends
	// up between the brackets on a line of its own, newlines included.
	script := "printf '[%s]\\n' " + Join(words...)
	out, err := exec.Command(sh, "-c", script).Output()
	if err != nil {
		t.Fatalf("sh -c %q: %v", script, err)
	}
	var want strings.Builder
	for _, w := range words {
		want.WriteString("[" + w + "]\n")
	}
	if string(out) != want.String() {
		t.Errorf("the shell read back\n%s\nwant\n%s", out, want.String())
	}
}
