package report

import (
	"encoding/json"
	"io"
)

// RenderJSON writes one indented object for a single report, and JSON Lines
// (one compact object a line) for several, so a stream of targets can be
// read line by line.
func RenderJSON(w io.Writer, reports ...*Report) error {
	if len(reports) == 1 {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(reports[0].Finish())
	}
	enc := json.NewEncoder(w)
	for _, r := range reports {
		if err := enc.Encode(r.Finish()); err != nil {
			return err
		}
	}
	return nil
}
