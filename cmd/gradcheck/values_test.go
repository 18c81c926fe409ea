package main

import (
	"strings"
	"testing"

	"github.com/gradcheck/gradcheck/formulas"
)

func TestParseSizes(t *testing.T) {
	for _, tc := range []struct {
		in, want, err string
	}{
		{in: "n=256", want: "n=256"},
		{in: "n=256,m=128", want: "m=128,n=256"},
		{in: " n = 3 , k_2=1", want: "k_2=1,n=3"},
		{in: "n=0", err: "size n must be at least 1"},
		{in: "n=-2", err: "at least 1"},
		{in: "n=abc", err: `"abc" is not an integer`},
		{in: "n", err: "missing '='"},
		{in: "n=2,", err: "empty entry"},
		{in: "2n=3", err: `"2n" is not a size symbol`},
		{in: "m=4,n=x", err: `"n=x": "x" is not an integer`},
	} {
		got, err := parseSizes(tc.in)
		switch {
		case tc.err != "":
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("parseSizes(%q): error %v, want %q", tc.in, err, tc.err)
			}
		case err != nil:
			t.Errorf("parseSizes(%q): %v", tc.in, err)
		case formulas.FormatSizes(got) != tc.want:
			t.Errorf("parseSizes(%q) = %s, want %s", tc.in, formulas.FormatSizes(got), tc.want)
		}
	}
}

func TestEscapeGlob(t *testing.T) {
	if got := escapeGlob("a*b[c]"); got != `a\*b\[c\]` {
		t.Errorf("escapeGlob = %s", got)
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
		got, err := parseBytes(tc.in)
		switch {
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("parseBytes(%q) = %d, %v; want error %q", tc.in, got, err, tc.err)
		case tc.err == "" && (err != nil || got != tc.want):
			t.Errorf("parseBytes(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
		}
	}
}
