package bench

import (
	"strings"
	"testing"
)

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
func TestParseBytes(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		err  string
	}{
		{in: "1073741824", want: 1 << 30},
		{in: "4GiB", want: 4 << 30},
		{in: "4g", want: 4 << 30},
		{in: "512 MiB", want: 512 << 20},
		{in: "1.5GB", want: 3 << 29},
		{in: "2t", want: 2 << 40},
		{in: "1KiB", err: "at least 1MiB"},
		{in: "-3G", err: "at least 1MiB"},
		{in: "12q", err: `unknown unit "q"`},
		{in: "GiB", err: "not a size"},
		{in: "", err: "not a size"},
		{in: "1e30", err: "too large"},
	} {
		got, err := ParseBytes(tc.in)
		switch {
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("ParseBytes(%q) = %d, %v; want error %q", tc.in, got, err, tc.err)
		case tc.err == "" && (err != nil || got != tc.want):
			t.Errorf("ParseBytes(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
		}
	}
}
