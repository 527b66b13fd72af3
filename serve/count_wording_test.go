package serve

import "testing"

func TestSentIntermediatesNote(t *testing.T) {
	tests := []struct {
		n    int
		want string
	}{
		{0, " (the client sent no intermediate certificates)"},
		{1, " (the client sent 1 intermediate certificate)"},
		{2, " (the client sent 2 intermediate certificates)"},
	}
	for _, tt := range tests {
		if got := sentIntermediatesNote(tt.n); got != tt.want {
			t.Errorf("sentIntermediatesNote(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}
