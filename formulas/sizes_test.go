package formulas

import (
	"errors"
	"strings"
	"testing"
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
		{in: "n=99999999999999999999", err: "size n = 99999999999999999999 is out of range: sizes are from 1 to 2147483647"},
		{in: "n=2147483648", err: "size n = 2147483648 is out of range: sizes are from 1 to 2147483647"},
		{in: "n=2147483647", want: "n=2147483647"},
		{in: "n=-99999999999999999999", err: "size n must be at least 1"},
		// A symbol given twice: neither value is the one meant.
		{in: "n=3,n=4", err: `size n is given twice: "n=3" and "n=4"`},
		{in: "n=3, m=2 ,n = 3", err: `size n is given twice: "n=3" and "n = 3"`},
		{in: "n=3,n=x", err: `"n=x": "x" is not an integer`},
	} {
		got, err := ParseSizes(tc.in)
		switch {
		case tc.err != "":
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseSizes(%q): error %v, want %q", tc.in, err, tc.err)
			}
		case err != nil:
			t.Errorf("ParseSizes(%q): %v", tc.in, err)
		case FormatSizes(got) != tc.want:
			t.Errorf("ParseSizes(%q) = %s, want %s", tc.in, FormatSizes(got), tc.want)
		}
	}
	// The CLI names its flag in the message of a symbol given twice.
	var twice *RepeatedSizeError
	want := RepeatedSizeError{Symbol: "n", First: "n=3", Second: "n=4"}
	if _, err := ParseSizes("n=3,m=1,n=4"); !errors.As(err, &twice) || *twice != want {
		t.Errorf("ParseSizes(n=3,m=1,n=4): error %#v, want %#v", err, &want)
	}
}
