package gradcheck

import (
	"context"
	"strings"
	"testing"

	"github.com/gradcheck/gradcheck/cpu"
	"github.com/gradcheck/gradcheck/formulas"
)

// vars declares variables from NAME=SHAPE[:DIST] strings, as --var does.
func vars(t *testing.T, decls ...string) []formulas.SpecVar {
	t.Helper()
	var vs []formulas.SpecVar
	for _, d := range decls {
		n, v, err := formulas.ParseVarFlag(d)
		if err != nil {
			t.Fatal(err)
		}
		vs = append(vs, formulas.SpecVar{Name: n, VarSpec: v})
	}
	return vs
}

// TestSoundVerdicts checks the verdicts of issue 11: no false pass (a
// claimed Hessian wrong in its antisymmetric part), no vacuous pass (an
// identity both of whose sides are rounding noise), no crash (a constant
// side of an identity, f the variable itself), each with the verdict and
// the words of its diagnosis or reason.
func TestSoundVerdicts(t *testing.T) {
	tests := []struct {
		name    string
		spec    formulas.Spec
		sizes   map[string]int
		verdict Verdict
		diag    string
		// note must occur in the detail (a fail) or the reason.
		note string
	}{
		// Item 3: a constant side is one matrix for the whole batch.
		{name: "constant side", spec: formulas.Spec{F: "tr(X)", Equals: "2", Vars: vars(t, "X=n,n")},
			verdict: Fail, note: "comparisons disagree"},
		{name: "constant sides", spec: formulas.Spec{F: "tr(eye(n))", Equals: "sum(diag(eye(n)))", Vars: vars(t, "X=n,n")},
			verdict: Pass},
		// Item 4: f is the variable itself.
		{name: "identity jac", spec: formulas.Spec{F: "x", Wrt: "x", Jac: "eye(n)", Vars: vars(t, "x=n")}, verdict: Pass},
		{name: "identity jac wrong", spec: formulas.Spec{F: "x", Wrt: "x", Jac: "2*eye(n)", Vars: vars(t, "x=n")},
			verdict: Fail, diag: DiagFactor},
		{name: "identity diff", spec: formulas.Spec{F: "X", Wrt: "X", Diff: "dX", Vars: vars(t, "X=n,n")}, verdict: Pass},
		{name: "transpose diff", spec: formulas.Spec{F: "X'", Wrt: "X", Diff: "dX'", Vars: vars(t, "X=n,n")}, verdict: Pass},
		{name: "identity integrand", spec: formulas.Spec{F: "integral(t, 0, 1, t)*x", Wrt: "x", Jac: "eye(n)/2", Vars: vars(t, "x=n")},
			verdict: Pass},
		// Item 2(b): both sides are zero up to rounding.
		{name: "rounding noise", spec: formulas.Spec{F: "tr(A*B - B*A)", Equals: "0*tr(A)", Vars: vars(t, "A=n,n", "B=n,n")},
			verdict: Inconclusive, note: "the tolerance is not small against the compared values"},
	}
	b := cpu.New()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.spec.Name = strings.ReplaceAll(tt.name, " ", "-")
			c := inline(t, tt.spec)
			s := DefaultSettings()
			s.Sizes = tt.sizes
			res := Verify(context.Background(), b, c, s)
			if res.Verdict != tt.verdict || res.Diagnosis != tt.diag {
				t.Fatalf("%s %q (%s; %s), want %s %q", res.Verdict, res.Diagnosis, res.Detail, res.Reason, tt.verdict, tt.diag)
			}
			if got := res.Detail + "|" + res.Reason; !strings.Contains(got, tt.note) {
				t.Errorf("detail|reason %q does not say %q", got, tt.note)
			}
		})
	}
}
