package bench

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gradcheck/gradcheck"
	"github.com/gradcheck/gradcheck/formulas"
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

// TestFormatNeed checks that an estimate of the memory of one instance
// that saturated is printed as a bound ("more than"), not as a count:
// --size n=10⁹, n=2³¹-1 and zeros(2³¹-1, 2³¹-1) all printed "at least
// 5.243e+05 TiB". The saturating claims must reach
// gradcheck.MaxInstanceBytes.
func TestFormatNeed(t *testing.T) {
	for _, tc := range []struct {
		f, shape, grad string
		n              int
		want           string
	}{
		{"tr(X)", "n,n", "eye(n)", 100000, "at least 1.31 TiB"},
		{"tr(X)", "n,n", "eye(n)", 1000000000, "more than 5.243e+05 TiB"},
		{"tr(X)", "n,n", "eye(n)", formulas.MaxSize, "more than 5.243e+05 TiB"},
		{"tr(X)+sum(zeros(2147483647,2147483647))", "3,3", "eye(3)", 3, "more than 5.243e+05 TiB"},
	} {
		t.Run(fmt.Sprintf("%s n=%d", tc.f, tc.n), func(t *testing.T) {
			c, err := formulas.Build(formulas.Spec{Name: "big", F: tc.f, Wrt: "X", Grad: tc.grad,
				Vars: []formulas.SpecVar{{Name: "X", VarSpec: formulas.VarSpec{Shape: tc.shape}}}})
			if err != nil {
				t.Fatal(err)
			}
			rc, err := c.Resolve(map[string]int{"n": tc.n})
			if err != nil {
				t.Fatal(err)
			}
			need, err := gradcheck.InstanceBytes(rc, gradcheck.DefaultSettings())
			if err != nil {
				t.Fatal(err)
			}
			if got := FormatNeed(need); got != tc.want {
				t.Errorf("FormatNeed(%d) = %q, want %q", need, got, tc.want)
			}
		})
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
