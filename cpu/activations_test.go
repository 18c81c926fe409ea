package cpu

import (
	"math"
	"testing"

	"github.com/gradcheck/gradcheck/backend"
)

// TestActivationFunctions checks the activation functions against
// references from package math, in units of roundoff of the reference, on
// arguments from 1e-300 to 700 in magnitude, where the naive formulas
// cancel (log(1+x), e^x − 1 for tiny x) or overflow (1/(1+e^−x) and
// log(1+e^x) for large |x|).
func TestActivationFunctions(t *testing.T) {
	funcs := []struct {
		name string
		f    func(float64) float64
		ref  func(float64) float64
		ulps float64
	}{
		{"sigmoid", sigmoid, func(x float64) float64 { return 0.5 + 0.5*math.Tanh(x/2) }, 4},
		{"softplus", softplus, func(x float64) float64 {
			if x > 30 {
				return x + math.Exp(-x)
			}
			return math.Log1p(math.Exp(x))
		}, 4},
		{"log1p", log1p, math.Log1p, 4},
		{"expm1", expm1, math.Expm1, 4},
	}
	var xs []float64
	for e := -300.0; e <= 2.8; e += 0.1 {
		v := math.Pow(10, e)
		xs = append(xs, v, -v, v*1.37, -v*0.73)
	}
	for _, fn := range funcs {
		for _, x := range xs {
			if fn.name == "log1p" && x <= -1 {
				continue
			}
			got, want := fn.f(x), fn.ref(x)
			if math.IsInf(want, 0) && got == want {
				continue
			}
			// Below 1e-280 sigmoid's reference 0.5 + 0.5·tanh rounds
			// differently from the exact e^x/(1+e^x) only in the last
			// ulp; elsewhere compare in ulps of the reference.
			tol := fn.ulps * math.Max(math.Abs(want), 0x1p-1022) * 0x1p-52
			if fn.name == "sigmoid" {
				tol = math.Max(tol, 4*0x1p-53) // the reference rounds at 0.5
			}
			if !(math.Abs(got-want) <= tol) {
				t.Errorf("%s(%g) = %.17g, want %.17g", fn.name, x, got, want)
			}
		}
	}
	// Special values.
	specials := []struct {
		name string
		f    func(float64) float64
		x    float64
		want float64
	}{
		{"sigmoid", sigmoid, math.Inf(-1), 0}, {"sigmoid", sigmoid, math.Inf(1), 1},
		{"softplus", softplus, math.Inf(1), math.Inf(1)}, {"softplus", softplus, math.Inf(-1), 0},
		{"log1p", log1p, -1, math.Inf(-1)}, {"log1p", log1p, math.Inf(1), math.Inf(1)},
		{"expm1", expm1, math.Inf(1), math.Inf(1)}, {"expm1", expm1, math.Inf(-1), -1},
		{"relu", relu, -2, 0}, {"relu", relu, 3, 3}, {"step", step, 0, 0}, {"step", step, 1e-300, 1},
		{"signum", signum, -1e-300, -1}, {"signum", signum, math.Copysign(0, -1), 0}, {"signum", signum, 0, 0},
		{"signum", signum, 5e-324, 1}, {"signum", signum, math.Inf(-1), -1}, {"signum", signum, math.Inf(1), 1},
	}
	for _, s := range specials {
		if got := s.f(s.x); got != s.want {
			t.Errorf("%s(%g) = %g, want %g", s.name, s.x, got, s.want)
		}
	}
	for _, f := range []func(float64) float64{sigmoid, softplus, log1p, expm1, relu, step, signum} {
		if v := f(math.NaN()); !math.IsNaN(v) {
			t.Errorf("f(NaN) = %g, want NaN", v)
		}
	}
}

// TestSignChanges counts the entries whose sign changes within runs.
func TestSignChanges(t *testing.T) {
	b := New()
	// Two runs of three 1×3 matrices: entry 0 keeps its sign, entry 1
	// changes in run 0 only, entry 2 goes through 0 in run 1.
	data := []float64{
		1, -1, 0, 2, 1, 0, 3, -2, 0,
		-1, 2, 5, -2, 3, 0, -1, 1, 4,
	}
	x, err := b.FromHost(backend.Layout{Count: 6, Rows: 1, Cols: 3}, data)
	if err != nil {
		t.Fatal(err)
	}
	r, err := b.SignChanges(x, 3)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := b.ToHost(r, nil)
	if got[0] != 1 || got[1] != 1 || len(got) != 2 {
		t.Errorf("SignChanges = %v, want [1 1]", got)
	}
}
