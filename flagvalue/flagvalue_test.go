package flagvalue

import (
	"math"
	"testing"

	"github.com/spf13/pflag"
)

// TestSet checks each value's parse, its String after a good value, and
// the exact message of a bad one (the value keeps its old setting).
func TestSet(t *testing.T) {
	var (
		n    = 5
		m    int
		seed uint64
		tol  float64
		ns   = []int{64}
	)
	for _, tt := range []struct {
		v       pflag.Value
		in      string
		want    string // String() after in, or the error
		wantErr bool
	}{
		{NewEnum("text", "text", "json"), "json", "json", false},
		{NewEnum("text", "text", "json", "junit"), "xml", "want text, json or junit", true},
		{NewEnum("cpu", "cpu"), "gpu", "want cpu", true},
		{NewInt(&n, 1), " 8 ", "8", false},
		{NewInt(&n, 1), "0", "must be at least 1", true},
		{NewInt(&n, -1), "x", "not an integer", true},
		{NewInt(&m, 1), "99999999999999999999", "out of range: must be from 1 to 9223372036854775807", true},
		{NewInt(&m, -1), "-99999999999999999999", "out of range: must be from -1 to 9223372036854775807", true},
		{NewInt(&m, 0), "9223372036854775807", "9223372036854775807", false},
		{NewIntRange(&m, 1, 10), "11", "must be from 1 to 10", true},
		{NewIntRange(&m, 1, 10), "0", "must be from 1 to 10", true},
		{NewIntRange(&m, 1, 10), "1e3", "not an integer", true},
		{NewIntRange(&m, 1, 10), "99999999999999999999", "out of range: must be from 1 to 10", true},
		{NewIntRange(&m, 1, 10), "10", "10", false},
		{NewUint64(&seed), "18446744073709551615", "18446744073709551615", false},
		{NewUint64(&seed), "-1", "want a non-negative integer", true},
		{NewUint64(&seed), "18446744073709551616", "out of range: must be at most 18446744073709551615", true},
		{NewNonNegative(&tol), "1e-9", "1e-09", false},
		{NewNonNegative(&tol), "NaN", "must be a finite number ≥ 0", true},
		{NewNonNegative(&tol), "-0.5", "must be a finite number ≥ 0", true},
		{NewNonNegative(&tol), "abc", "not a number", true},
		{NewNonNegative(&tol), "1e400", "out of range: must be a finite number ≥ 0", true},
		{NewInts(&ns, 1, math.MaxInt), "64, 256,1024", "64,256,1024", false},
		{NewInts(&ns, 1, math.MaxInt), "64,0", "0: must be at least 1", true},
		{NewInts(&ns, 1, math.MaxInt), "64,x", `"x" is not an integer`, true},
		{NewInts(&ns, 1, math.MaxInt), "64, 99999999999999999999", "99999999999999999999 is out of range: must be from 1 to 9223372036854775807", true},
		{NewInts(&ns, 1, 1<<31-1), "64,2147483648", "2147483648 is out of range: must be from 1 to 2147483647", true},
	} {
		before := tt.v.String()
		err := tt.v.Set(tt.in)
		switch {
		case tt.wantErr && (err == nil || err.Error() != tt.want):
			t.Errorf("%T.Set(%q) error %v, want %q", tt.v, tt.in, err, tt.want)
		case tt.wantErr && tt.v.String() != before:
			t.Errorf("%T.Set(%q) failed but changed the value from %s to %s", tt.v, tt.in, before, tt.v.String())
		case !tt.wantErr && (err != nil || tt.v.String() != tt.want):
			t.Errorf("%T.Set(%q): %v, String %q; want %q", tt.v, tt.in, err, tt.v.String(), tt.want)
		}
	}
	if tol != 1e-9 || seed != math.MaxUint64 || n != 8 {
		t.Errorf("the variables hold %g, %d, %d", tol, seed, n)
	}
}

// TestOrList checks the list of words in messages.
func TestOrList(t *testing.T) {
	for _, tt := range []struct {
		words []string
		want  string
	}{
		{[]string{"a"}, "a"},
		{[]string{"a", "b"}, "a or b"},
		{[]string{"a", "b", "c"}, "a, b or c"},
	} {
		if got := OrList(tt.words); got != tt.want {
			t.Errorf("OrList(%q) = %q, want %q", tt.words, got, tt.want)
		}
	}
}
