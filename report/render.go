package report

import (
	"fmt"
	"io"
)

// Format is an output format selected with --output.
type Format string

// The output formats.
const (
	FormatText  Format = "text"
	FormatJSON  Format = "json"
	FormatJUnit Format = "junit"
)

// ParseFormat validates a --output value.
func ParseFormat(s string) (Format, error) {
	switch Format(s) {
	case FormatText, FormatJSON, FormatJUnit:
		return Format(s), nil
	}
	return "", fmt.Errorf("invalid --output %q: use text, json or junit", s)
}

// Options tune the renderers.
type Options struct {
	// Color enables ANSI colours in text output. JSON and JUnit never
	// carry colour.
	Color bool
	// Verbose adds the peer chain and HTTP headers to text output.
	Verbose bool
	// Suite names the JUnit test suite, such as "mtlsdoctor probe".
	Suite string
}

// Render writes reports to w in format.
func Render(w io.Writer, format Format, opts Options, reports ...*Report) error {
	for _, r := range reports {
		r.Finish()
	}
	switch format {
	case FormatJSON:
		return RenderJSON(w, reports...)
	case FormatJUnit:
		return RenderJUnit(w, opts.Suite, reports...)
	default:
		return RenderText(w, opts, reports...)
	}
}
