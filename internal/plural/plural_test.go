package plural

import "testing"

func TestCount(t *testing.T) {
	tests := []struct {
		n    int
		want string
	}{
		{0, "0 certificates"},
		{1, "1 certificate"},
		{2, "2 certificates"},
		{-1, "-1 certificates"},
	}
	for _, tt := range tests {
		if got := Count(tt.n, "certificate"); got != tt.want {
			t.Errorf("Count(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}
