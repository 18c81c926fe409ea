package report

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/gradcheck/gradcheck"
	"github.com/gradcheck/gradcheck/run"
)

// TestColor checks that only a sink that takes colour gets it.
func TestColor(t *testing.T) {
	var plain, colored bytes.Buffer
	tt := NewTable([]run.ClaimRef{{Name: "a"}}, false, Sink{W: &plain}, Sink{W: &colored, Color: true})
	tt.Row(gradcheck.Result{Name: "a", Kind: "grad", Verdict: gradcheck.Fail, Comparisons: 1})
	if strings.Contains(plain.String(), "\x1b[") || !strings.Contains(colored.String(), "\x1b[31;1mfail\x1b[") {
		t.Errorf("plain %q, coloured %q", plain.String(), colored.String())
	}
	if regexp.MustCompile("\x1b\\[[0-9;]*m").ReplaceAllString(colored.String(), "") != plain.String() {
		t.Errorf("colour changes the alignment:\n%q\n%q", plain.String(), colored.String())
	}
}

// TestEntryDigits checks that the entries table prints each claimed value
// apart from its finite difference where they differ: 6 digits printed a
// claim 1.000001 times the truth the same on both sides.
func TestEntryDigits(t *testing.T) {
	for _, tc := range []struct {
		entries []gradcheck.Entry
		want    int
	}{
		{nil, 6},
		{[]gradcheck.Entry{{Claimed: 0.5, FiniteDiff: 0.25}}, 6},
		{[]gradcheck.Entry{{Claimed: 0.5567095, FiniteDiff: 0.5567090}}, 7},
		{[]gradcheck.Entry{{Claimed: 1.000000001, FiniteDiff: 1}, {Claimed: 2, FiniteDiff: 1}}, 10},
		{[]gradcheck.Entry{{Claimed: 1, FiniteDiff: 1}}, 6},
	} {
		if got := entryDigits(tc.entries); got != tc.want {
			t.Errorf("%v: %d digits, want %d", tc.entries, got, tc.want)
		}
	}
}

// TestShapeMismatchNumbers checks that the row of a claim with the
// transposed shape shows no relative error or tolerance: they are its
// transpose's, and a fail showed 2.0e-10 against 3.8e-06, read as a pass.
func TestShapeMismatchNumbers(t *testing.T) {
	r := gradcheck.Result{Name: "a", Kind: "grad", Verdict: gradcheck.Fail, MaxRelErr: 2e-10, Tolerance: 3.8e-6,
		Comparisons: 24, Counts: gradcheck.Counts{Agreed: 24}}
	for _, tc := range []struct {
		mismatch string
		shown    bool
	}{{"", true}, {"grad is 3×5, the shape of X', but X is 5×3", false}} {
		var out bytes.Buffer
		r.ShapeMismatch = tc.mismatch
		NewTable([]run.ClaimRef{{Name: "a"}}, false, Sink{W: &out}).Row(r)
		if got := strings.Contains(out.String(), "2.0e-10"); got != tc.shown {
			t.Errorf("shape mismatch %q: row %q shows the numbers %v, want %v", tc.mismatch, out.String(), got, tc.shown)
		}
	}
}
