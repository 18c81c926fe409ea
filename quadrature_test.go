package gradcheck

import (
	"context"
	"fmt"
	"testing"

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
