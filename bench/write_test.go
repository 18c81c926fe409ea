package bench

import "testing"

func TestFormatBytes(t *testing.T) {
	for _, tc := range []struct {
		n    float64
		want string
	}{
		{100, "100 B"},
		{1536, "1.5 KiB"},
		{512 << 20, "512 MiB"},
		{6060528 << 10, "5.78 GiB"},
		{2 << 40, "2 TiB"},
	} {
		if got := FormatBytes(tc.n); got != tc.want {
			t.Errorf("FormatBytes(%g) = %q, want %q", tc.n, got, tc.want)
		}
	}
}
