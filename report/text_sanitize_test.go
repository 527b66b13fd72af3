package report

import (
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// sgrSequence matches the colour sequences that the palette writes.
var sgrSequence = regexp.MustCompile(`\x1b\[[0-9;]*m`)

func TestSanitize(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "CN=example.com", "CN=example.com"},
		{"empty", "", ""},
		{"newline and tab kept", "a\n\tb", "a\n\tb"},
		{"escape", "\x1b[31mred", `\x1b[31mred`},
		{"osc title with bell", "\x1b]0;PWNED\a", `\x1b]0;PWNED\x07`},
		{"carriage return", "ok\rFAIL", `ok\x0dFAIL`},
		{"nul", "a\x00b", `a\x00b`},
		{"delete", "a\x7fb", `a\x7fb`},
		{"c1 csi as utf-8", "a\u009b31mb", `a\u009b31mb`},
		{"c1 next line", "a\u0085b", `a\u0085b`},
		{"invalid utf-8 byte", "a\x9b31mb", `a\x9b31mb`},
		{"non-ascii text kept", "Zürich 東京 ✓", "Zürich 東京 ✓"},
		{"no-break space kept", "a\u00a0b", "a\u00a0b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Sanitize(tt.in); got != tt.want {
				t.Errorf("Sanitize(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// hostile is a string from a malicious peer: it retitles the terminal,
// turns the text red, moves the cursor and uses an 8-bit CSI.
const hostile = "\x1b]0;PWNED\a\x1b[31m\x1b[2J\r\u009b1m\x9b2J"

// fillStrings sets every exported string in v to s, giving nil pointers,
// slices and maps one element first, so that a test covers every field
// of a report type, including fields added later.
func fillStrings(v reflect.Value, s string) {
	switch v.Kind() {
	case reflect.String:
		v.SetString(s)
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		fillStrings(v.Elem(), s)
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Field(i).CanSet() {
				fillStrings(v.Field(i), s)
			}
		}
	case reflect.Slice:
		if v.Len() == 0 {
			v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		}
		for i := 0; i < v.Len(); i++ {
			fillStrings(v.Index(i), s)
		}
	case reflect.Map:
		key := reflect.New(v.Type().Key()).Elem()
		value := reflect.New(v.Type().Elem()).Elem()
		fillStrings(key, s)
		fillStrings(value, s)
		v.Set(reflect.MakeMap(v.Type()))
		v.SetMapIndex(key, value)
	}
}

// hostileReport returns a report whose every string is hostile, with
// findings of a known code so that the renderer prints them.
func hostileReport() *Report {
	r := &Report{}
	fillStrings(reflect.ValueOf(r), hostile)
	r.TLS.HandshakeComplete = true
	r.TLS.ClientCertRequested = true
	r.HTTP.Status = 200
	r.Timings.Total = 1
	r.Findings[0].Severity = SeverityError
	return r
}

// checkNoControls fails when out has a control character other than
// newline, tab and, with colour, the escape that starts an SGR sequence.
func checkNoControls(t *testing.T, out string, color bool) {
	t.Helper()
	if color {
		// The palette's own SGR sequences, such as "\x1b[31m", are allowed.
		out = sgrSequence.ReplaceAllString(out, "")
	}
	for i, r := range out {
		if r == 0xfffd || isControl(r) {
			t.Errorf("output has control character %U at byte %d: %q", r, i, out[max(0, i-20):min(len(out), i+20)])
			return
		}
	}
	if !strings.Contains(out, `\x1b]0;PWNED\x07`) {
		t.Errorf("output does not show the escape sequence as text:\n%s", out)
	}
}

func TestRenderTextEscapesControls(t *testing.T) {
	for _, color := range []bool{false, true} {
		t.Run(map[bool]string{false: "plain", true: "color"}[color], func(t *testing.T) {
			var sb strings.Builder
			if err := RenderText(&sb, Options{Color: color, Verbose: true}, hostileReport()); err != nil {
				t.Fatal(err)
			}
			checkNoControls(t, sb.String(), color)
		})
	}
}

func TestRenderTextKeepsReport(t *testing.T) {
	r := hostileReport()
	if err := RenderText(&strings.Builder{}, Options{Verbose: true}, r); err != nil {
		t.Fatal(err)
	}
	if r.Target != hostile || r.HTTP.BodyExcerpt != hostile || r.Findings[0].Detail != hostile {
		t.Error("RenderText changed the report it printed")
	}
}

func hostileInspection() *Inspection {
	in := &Inspection{}
	fillStrings(reflect.ValueOf(in), hostile)
	in.Findings[0].Severity = SeverityError
	return in
}

func TestRenderInspectionsEscapesControls(t *testing.T) {
	in := hostileInspection()
	for _, color := range []bool{false, true} {
		t.Run(map[bool]string{false: "plain", true: "color"}[color], func(t *testing.T) {
			var sb strings.Builder
			if err := RenderInspections(&sb, FormatText, Options{Color: color}, in); err != nil {
				t.Fatal(err)
			}
			checkNoControls(t, sb.String(), color)
		})
	}
}
