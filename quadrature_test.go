package gradcheck

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/gradcheck/gradcheck/backend"
	"github.com/gradcheck/gradcheck/cpu"
	"github.com/gradcheck/gradcheck/formulas"
)

// TestQuadrature checks integrals against their closed forms where the
// integrand's mass sits anywhere in ten decades: ∫₀^∞ (λ + z)⁻² dz = 1/λ,
// whose peak after the map onto [0, 1) lies within 1/λ of its end (λ ≫ 1)
// or within λ of its start (λ ≪ 1); 20 fixed nodes gave relative errors
// up to 10⁻⁴, and 1 − y computed from y lost 10⁻¹² at λ = 10⁵. Then
// d log(cX) for an spd X, whose eigenvalues the factor c moves away from
// 1, and d log(XᵀX), whose eigenvalues spread over decades (a relative
// error of 1.5 before). And an integral nested in one over the same
// variable, which crashed.
func TestQuadrature(t *testing.T) {
	var tests []formulas.Spec
	for _, c := range []string{"1e-5", "1e-3", "1", "1e3", "1e5"} {
		tests = append(tests, formulas.Spec{Name: "resolvent-" + c,
			F: fmt.Sprintf("integral(z, 0, inf, 1/(%s*s + z)^2)", c), Equals: fmt.Sprintf("1/(%s*s)", c), Vars: vars(t, "s=1:positive")})
	}
	for _, c := range []string{"0.001", "100"} {
		tests = append(tests, formulas.Spec{Name: "dlogm-" + c, F: fmt.Sprintf("logm(%s*X)", c), Wrt: "X",
			Diff: fmt.Sprintf("integral(z, 0, inf, inv(%[1]s*X + z*eye(n))*(%[1]s*dX)*inv(%[1]s*X + z*eye(n)))", c),
			Vars: vars(t, "X=n,n:spd")})
	}
	// An integral whose body holds |t| (magnitude mode) around an inner
	// integral over t: binding the inner t freed the outer |t| in use.
	tests = append(tests, formulas.Spec{Name: "shadowed", F: "integral(t, 0, 1, t*sum(integral(t, 0, 1, t*X)))",
		Equals: "sum(X)/4", Vars: vars(t, "X=n,n")})
	tests = append(tests, formulas.Spec{Name: "dlogm-gram", F: "logm(X'*X)", Wrt: "X",
		Diff: "integral(z, 0, inf, inv(X'*X + z*eye(n))*(dX'*X + X'*dX)*inv(X'*X + z*eye(n)))", Vars: vars(t, "X=n,n")})
	b := cpu.New()
	for _, spec := range tests {
		t.Run(spec.Name, func(t *testing.T) {
			s := DefaultSettings()
			s.Sizes = map[string]int{"n": 8}
			if res := Verify(context.Background(), b, inline(t, spec), s); res.Verdict != Pass {
				t.Errorf("%s: %s, relative error %.2g, tolerance %.2g (%s)", spec.F, res.Verdict, res.MaxRelErr, res.Tolerance, res.Reason)
			}
		})
	}
}

// TestIntegralMagnitude checks the magnitude of ∫₀^∞ (λ + z)⁻² dz = 1/λ,
// whose integrand is positive, so that its magnitude is its value up to
// the rounding terms: the magnitude sums the panels the value found, where
// one panel of 20 nodes missed half the mass near the end of [0, 1) at
// λ = 10⁵ (the tolerance came out half as wide).
func TestIntegralMagnitude(t *testing.T) {
	b := cpu.New()
	e, err := formulas.Parse("integral(z, 0, inf, 1/(s + z)^2)")
	if err != nil {
		t.Fatal(err)
	}
	for _, lambda := range []float64{1e-5, 1, 1e5} {
		ev := newEvaluator(context.Background(), b, nil)
		s, err := b.FromHost(backend.Layout{Count: 1, Rows: 1, Cols: 1}, []float64{lambda})
		if err != nil {
			t.Fatal(err)
		}
		ev.bind("s", s)
		var got [2]float64
		for i, eval := range []func(formulas.Expr) (backend.Tensor, error){ev.value, ev.magnitude} {
			r, err := eval(e)
			if err != nil {
				t.Fatal(err)
			}
			h, err := b.ToHost(r, nil)
			if err != nil {
				t.Fatal(err)
			}
			got[i] = h[0]
		}
		ev.close()
		if math.Abs(got[0]*lambda-1) > 1e-13 || math.Abs(got[1]*lambda-1) > 1e-3 {
			t.Errorf("λ = %g: value %g, magnitude %g; want both 1/λ = %g", lambda, got[0], got[1], 1/lambda)
		}
	}
}
