package report

import (
	"fmt"
	"io"
)

// renderInspectionsText writes inspections as the text listing of
// inspect, with every string printed through Sanitize. It returns the
// first error writing to w.
func renderInspectionsText(w io.Writer, opts Options, inspections ...*Inspection) error {
	out := &errWriter{w: w}
	p := newPalette(opts.Color)
	for i, in := range inspections {
		if i > 0 {
			fmt.Fprintln(out)
		}
		renderInspection(out, p, sanitizedCopy(in))
	}
	return out.err
}
