package gradcheck

import (
	"context"
	"strings"
	"testing"

	"github.com/gradcheck/gradcheck/backend"
	"github.com/gradcheck/gradcheck/cpu"
	"github.com/gradcheck/gradcheck/formulas"
)

// TestNoteKinks checks the detection itself: in two stencils of four
// points, an argument of relu whose second entry changes sign in the first
// stencil only counts one kink there, and an argument shared by all points
// none.
func TestNoteKinks(t *testing.T) {
	b := cpu.New()
	ev := newEvaluator(context.Background(), b, nil)
	defer ev.close()
	z, err := b.FromHost(backend.Layout{Count: 8, Rows: 2, Cols: 1}, []float64{
		1, 1e-4, 1, 2e-4, 1, -1e-4, 1, -2e-4, // stencil 0: entry 1 crosses 0
		-1, 3, -1, 3, -1, 3, -1, 3, // stencil 1: no change
	})
	if err != nil {
		t.Fatal(err)
	}
	a, err := b.FromHost(backend.Layout{Count: 1, Rows: 2, Cols: 1}, []float64{-1, 1e-9})
	if err != nil {
		t.Fatal(err)
	}
	ev.bind("z", z)
	ev.bind("a", a)
	for _, tc := range []struct {
		src  string
		want []int
	}{
		{"sum(relu(z))", []int{1, 0}},
		{"step(z)'*abs(z)", []int{2, 0}},
		{"sum(relu(a)) + sum(sigmoid(z))", []int{0, 0}},
	} {
		ev.stencil, ev.stencilCount, ev.kinks = 4, 8, make([]int, 2)
		e, err := formulas.Parse(tc.src)
		if err != nil {
			t.Fatal(err)
		}
		r, err := ev.value(e)
		if err != nil {
			t.Fatal(err)
		}
		ev.release(r)
		if ev.kinks[0] != tc.want[0] || ev.kinks[1] != tc.want[1] {
			t.Errorf("%s: kinks %v, want %v", tc.src, ev.kinks, tc.want)
		}
	}
}

// TestKinks verifies claims through relu and abs end to end. On Gaussian
// inputs a correct gradient passes, whatever stencils meet a kink being
// left out; a wrong one still fails. Where nearly every stencil straddles
// a kink (relu of sin(1000x), which changes sign within every step), the
// claim is inconclusive with the reason, never a false alarm.
func TestKinks(t *testing.T) {
	vars := []formulas.SpecVar{
		{Name: "A", VarSpec: formulas.VarSpec{Shape: "m,n"}},
		{Name: "x", VarSpec: formulas.VarSpec{Shape: "n"}},
	}
	b := cpu.New()
	for _, tc := range []struct {
		f, grad string
		want    Verdict
		sizes   map[string]int
	}{
		{"sum(relu(A*x))", "A'*step(A*x)", Pass, nil},
		{"sum(abs(A*x))", "A'*(step(A*x) - step(-A*x))", Pass, nil},
		{"sum(relu(A*x))", "A'*relu(A*x)", Fail, nil},
		// About m·6e-4 entries of A*x straddle a kink per stencil: at
		// m = 300 some comparisons are left out and the rest decide; at
		// m = 4000 most are, and too few are left.
		{"sum(relu(A*x))", "A'*step(A*x)", Pass, map[string]int{"m": 300, "n": 5}},
		{"sum(relu(A*x))", "A'*step(A*x)", Inconclusive, map[string]int{"m": 4000, "n": 5}},
		{"sum(relu(sin(1000*x)))", "1000*cos(1000*x).*step(sin(1000*x))", Inconclusive, nil},
		// No unit active: f is constant, and a claim of exactly 0 agrees
		// with differences of exactly 0; any other claim fails.
		{"sum(relu(A*x - 10))", "A'*step(A*x - 10)", Pass, nil},
		{"sum(relu(A*x - 10))", "A'*ones(m)", Fail, nil},
	} {
		c := inline(t, formulas.Spec{Name: "kink", F: tc.f, Wrt: "x", Grad: tc.grad, Vars: vars})
		for seed := uint64(1); seed <= 3; seed++ {
			s := DefaultSettings()
			s.Seed, s.Sizes = seed, tc.sizes
			res := Verify(context.Background(), b, c, s)
			if res.Verdict != tc.want {
				t.Errorf("%s, grad %s, seed %d: %s (%s), want %s", tc.f, tc.grad, seed, res.Verdict, res.Reason, tc.want)
			}
			if res.Counts.Kinked > 0 && res.Counts.blocking() != undecided && res.Verdict != Fail && !strings.Contains(res.Reason, "kink") {
				t.Errorf("%s, seed %d: %d stencils across kinks, reason %q does not say so", tc.f, seed, res.Counts.Kinked, res.Reason)
			}
			t.Logf("%s, grad %s, seed %d: %s, %+v", tc.f, tc.grad, seed, res.Verdict, res.Counts)
		}
	}
}
