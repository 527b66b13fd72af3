package report

import (
	"errors"
	"io"
	"testing"
)

var errDiskFull = errors.New("no space left on device")

// failingWriter accepts the first n bytes and then fails, as a full disk
// or a closed pipe does.
type failingWriter struct {
	n int
}

func (w *failingWriter) Write(p []byte) (int, error) {
	if len(p) <= w.n {
		w.n -= len(p)
		return len(p), nil
	}
	written := w.n
	w.n = 0
	return written, errDiskFull
}

func TestRenderTextWriteError(t *testing.T) {
	renderers := map[string]func(io.Writer) error{
		"RenderText": func(w io.Writer) error {
			return RenderText(w, Options{Verbose: true}, hostileReport(), hostileReport())
		},
		"Render text": func(w io.Writer) error {
			return Render(w, FormatText, Options{}, hostileReport())
		},
		"RenderInspections text": func(w io.Writer) error {
			return RenderInspections(w, FormatText, Options{}, hostileInspection(), hostileInspection())
		},
	}
	for name, render := range renderers {
		// Fail at the first byte, inside the first line, and inside a table.
		for _, n := range []int{0, 5, 300} {
			if err := render(&failingWriter{n: n}); !errors.Is(err, errDiskFull) {
				t.Errorf("%s with a writer that fails after %d bytes: error = %v, want %v", name, n, err, errDiskFull)
			}
		}
	}
}

func TestErrWriterShortWrite(t *testing.T) {
	w := &errWriter{w: shortWriter{}}
	if _, err := w.Write([]byte("abc")); !errors.Is(err, io.ErrShortWrite) {
		t.Errorf("short write: error = %v, want io.ErrShortWrite", err)
	}
	if _, err := w.Write([]byte("d")); !errors.Is(err, io.ErrShortWrite) {
		t.Errorf("write after a failure: error = %v, want the first error", err)
	}
}

// shortWriter writes one byte less than it is given and reports no error,
// which breaks the io.Writer contract.
type shortWriter struct{}

func (shortWriter) Write(p []byte) (int, error) {
	return max(0, len(p)-1), nil
}
