package gradcheck

import (
	"context"
	"math"
	"testing"

	"github.com/gradcheck/gradcheck/backend"
	"github.com/gradcheck/gradcheck/cpu"
	"github.com/gradcheck/gradcheck/formulas"
)

// evalOn evaluates src on b with the given variables (row-major values of
// the given shapes) and sizes, returning the value and its shape.
func evalOn(t *testing.T, b backend.Backend, src string, vars map[string]hostVar, sizes map[string]int) ([]float64, formulas.Shape) {
	t.Helper()
	e, err := formulas.Parse(src)
	if err != nil {
		t.Fatalf("%s: %v", src, err)
	}
	env := map[string]formulas.Shape{}
	ev := newEvaluator(context.Background(), b, sizes)
	defer ev.close()
	for name, v := range vars {
		env[name] = v.shape
		x, err := b.FromHost(backend.Layout{Count: 1, Rows: v.shape.Rows, Cols: v.shape.Cols}, v.data)
		if err != nil {
			t.Fatal(err)
		}
		ev.bind(name, x)
	}
	sh, err := formulas.Infer(e, env, sizes)
	if err != nil {
		t.Fatalf("%s: %v", src, err)
	}
	r, err := ev.value(e)
	if err != nil {
		t.Fatalf("%s: %v", src, err)
	}
	if l := r.Layout(); l.Rows != sh.Rows || l.Cols != sh.Cols {
		t.Fatalf("%s: value is %d×%d, inferred %v", src, l.Rows, l.Cols, sh)
	}
	out, err := b.ToHost(r, nil)
	if err != nil {
		t.Fatal(err)
	}
	return out, sh
}

// hostVar is a variable's value for evalOn.
type hostVar struct {
	shape formulas.Shape
	data  []float64
}

// TestFunctionValues checks the value of every function and operator added
// for ML formulas against a reference written independently with package
// math, on moderate arguments and on the extreme ones where a naive
// formula overflows or cancels.
func TestFunctionValues(t *testing.T) {
	x := []float64{-3.5, -1e-9, 0, 2e-12, 0.7, 4, -800, 800}
	v := map[string]hostVar{
		"x": {formulas.Shape{Rows: len(x), Cols: 1}, x},
		// Columns with a huge common offset: a naive softmax overflows.
		"Z": {formulas.Shape{Rows: 3, Cols: 2}, []float64{1000, -1, 1001, 0.5, 999, 2}},
		"A": {formulas.Shape{Rows: 3, Cols: 3}, []float64{4, 1, 0, 1, 3, 1, 0.5, 0, 2}},
		"B": {formulas.Shape{Rows: 3, Cols: 2}, []float64{1, 2, 3, 4, 5, 6}},
	}
	sizes := map[string]int{"n": 4, "m": 3}
	each := func(f func(float64) float64) func() []float64 {
		return func() []float64 {
			out := make([]float64, len(x))
			for i, xi := range x {
				out[i] = f(xi)
			}
			return out
		}
	}
	softmaxCol := func() []float64 {
		z := v["Z"].data
		out := make([]float64, 6)
		for c := range 2 {
			m := math.Max(z[c], math.Max(z[2+c], z[4+c]))
			s := 0.0
			for r := range 3 {
				s += math.Exp(z[2*r+c] - m)
			}
			for r := range 3 {
				out[2*r+c] = math.Exp(z[2*r+c]-m) / s
			}
		}
		return out
	}
	tests := []struct {
		src  string
		want func() []float64
		rel  float64 // relative tolerance, 0 for exact
	}{
		{"sigmoid(x)", each(func(v float64) float64 { return 0.5 + 0.5*math.Tanh(v/2) }), 1e-15},
		{"softplus(x)", each(func(v float64) float64 { return math.Max(v, 0) + math.Log1p(math.Exp(-math.Abs(v))) }), 1e-15},
		{"log1p(abs(x))", each(func(v float64) float64 { return math.Log1p(math.Abs(v)) }), 4e-16},
		{"expm1(x)", each(math.Expm1), 4e-16},
		{"sin(x)", each(math.Sin), 0},
		{"cos(x)", each(math.Cos), 0},
		{"relu(x)", each(func(v float64) float64 { return math.Max(v, 0) }), 0},
		{"step(x)", each(func(v float64) float64 {
			if v > 0 {
				return 1
			}
			return 0
		}), 0},
		// lgamma against math.Lgamma (away from 0, where lgamma is NaN
		// and math.Lgamma +Inf), digamma and trigamma at 1: −γ and π²/6.
		{"lgamma(abs(x) + 1)", each(func(v float64) float64 { l, _ := math.Lgamma(math.Abs(v) + 1); return l }), 1e-15},
		{"digamma(1 + 0*x)", each(func(float64) float64 { return -0.57721566490153286 }), 4e-16},
		{"trigamma(1 + 0*x)", each(func(float64) float64 { return math.Pi * math.Pi / 6 }), 4e-16},
		{"softmax(Z)", softmaxCol, 1e-15},
		{"logsumexp(Z)", func() []float64 {
			return []float64{1001 + math.Log(1+math.Exp(-1)+math.Exp(-2)+math.Exp(-1001)+math.Exp(-1000.5)+math.Exp(-999))}
		}, 1e-15},
		{"mean(B)", func() []float64 { return []float64{3.5} }, 0},
		{"ones(2)", func() []float64 { return []float64{1, 1} }, 0},
		{"zeros(m, 2)", func() []float64 { return make([]float64, 6) }, 0},
		{"ones(1, n)*ones(n)", func() []float64 { return []float64{4} }, 0},
		{"1 + x", each(func(v float64) float64 { return 1 + v }), 0},
		{"x - 1", each(func(v float64) float64 { return v - 1 }), 0},
		{"2 - x", each(func(v float64) float64 { return 2 - v }), 0},
		{"2.^x", each(func(v float64) float64 { return math.Pow(2, v) }), 0},
		{"2/n*x", each(func(v float64) float64 { return v / 2 }), 0},
		{"eye(m)/m", func() []float64 { return []float64{1. / 3, 0, 0, 0, 1. / 3, 0, 0, 0, 1. / 3} }, 0},
	}
	b := cpu.New()
	for _, tc := range tests {
		got, _ := evalOn(t, b, tc.src, v, sizes)
		want := tc.want()
		if len(got) != len(want) {
			t.Errorf("%s: %d values, want %d", tc.src, len(got), len(want))
			continue
		}
		for i := range want {
			if d := math.Abs(got[i] - want[i]); got[i] != want[i] && !(d <= tc.rel*math.Abs(want[i])) {
				t.Errorf("%s: entry %d = %.17g, want %.17g", tc.src, i, got[i], want[i])
			}
		}
	}
}

// TestSolve checks A\B by its residual A·X − B, without an inverse.
func TestSolve(t *testing.T) {
	a := []float64{4, 1, 0, 1, 3, 1, 0.5, 0, 2}
	bv := []float64{1, 2, 3, 4, 5, 6}
	v := map[string]hostVar{"A": {formulas.Shape{Rows: 3, Cols: 3}, a}, "B": {formulas.Shape{Rows: 3, Cols: 2}, bv}}
	x, sh := evalOn(t, cpu.New(), `A\B`, v, nil)
	if sh != (formulas.Shape{Rows: 3, Cols: 2}) {
		t.Fatalf("A\\B is %v", sh)
	}
	for i := range 3 {
		for j := range 2 {
			r := -bv[i*2+j]
			for k := range 3 {
				r += a[i*3+k] * x[k*2+j]
			}
			if math.Abs(r) > 1e-14 {
				t.Errorf("residual (%d,%d) = %g", i, j, r)
			}
		}
	}
}

// TestEvalFuncsComplete checks that the evaluator has an entry for every
// function of the formulas table but integral, and no other.
func TestEvalFuncsComplete(t *testing.T) {
	names := map[string]bool{}
	for _, f := range formulas.Funcs() {
		if f.Name == "integral" {
			continue
		}
		names[f.Name] = true
		e, ok := evalFuncs[f.Name]
		if !ok {
			t.Errorf("%s: no evaluator entry", f.Name)
		}
		if (e.sized != nil) != f.Sizes || (e.value == nil) == (e.sized == nil) {
			t.Errorf("%s: the entry has value %t, sized %t; the function takes sizes: %t", f.Name, e.value != nil, e.sized != nil, f.Sizes)
		}
	}
	for name := range evalFuncs {
		if !names[name] {
			t.Errorf("evaluator entry %s is no function of formulas.Funcs", name)
		}
	}
}
