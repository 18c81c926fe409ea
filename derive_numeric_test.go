package gradcheck

import (
	"context"
	"testing"

	"github.com/gradcheck/gradcheck/cpu"
	"github.com/gradcheck/gradcheck/formulas"
)

// TestExpectedOfMLClaims checks that each grad or diff claim of
// examples/ml.yaml that fails names, in Expected, a result derived from f,
// and that this result, claimed in its place, passes. The losses that take
// a mean and the solves (wrong-mse-lost-1-over-m, wrong-solve-matrix) once
// had none: the gradient had no rule for mean or for A\B.
func TestExpectedOfMLClaims(t *testing.T) {
	claims, err := formulas.ReadSpec("examples/ml.yaml")
	if err != nil {
		t.Fatal(err)
	}
	named := map[string]bool{}
	for _, c := range claims {
		if c.Kind == formulas.Grad || c.Kind == formulas.Diff {
			checkExpected(t, c, named)
		}
	}
	for _, name := range []string{"wrong-mse-lost-1-over-m", "wrong-solve-matrix"} {
		if !named[name] {
			t.Errorf("%s: no expected result", name)
		}
	}
}

// TestExpectedOfSolveBilinear claims the registry's solve-bilinear
// gradient transposed, and checks that the failure names the derived
// gradient -(A'\b)*(A\c)' and that it passes.
func TestExpectedOfSolveBilinear(t *testing.T) {
	claims, err := formulas.Registry()
	if err != nil {
		t.Fatal(err)
	}
	named := map[string]bool{}
	for _, c := range claims {
		if c.Name != "solve-bilinear" {
			continue
		}
		wrong, err := c.With(formulas.Grad, "-(A\\c)*(A'\\b)'")
		if err != nil {
			t.Fatal(err)
		}
		checkExpected(t, wrong, named)
	}
	if !named["solve-bilinear"] {
		t.Errorf("solve-bilinear: no expected result")
	}
}

// checkExpected verifies c at its own sizes; where it fails, it records
// in named that the result names an expected one, and verifies that one in
// c's place.
func checkExpected(t *testing.T, c *formulas.Claim, named map[string]bool) {
	t.Helper()
	b := cpu.New()
	res := Verify(context.Background(), b, c, DefaultSettings())
	if res.Verdict != Fail {
		return
	}
	if res.Expected == "" {
		t.Errorf("%s: fails and names no expected %s", c.Name, c.Kind)
		return
	}
	named[c.Name] = true
	right, err := c.With(c.Kind, res.Expected)
	if err != nil {
		t.Fatalf("%s: the expected %s %s: %v", c.Name, c.Kind, res.Expected, err)
	}
	if r := Verify(context.Background(), b, right, DefaultSettings()); r.Verdict != Pass {
		t.Errorf("%s: the expected %s %s gave %s (%s)", c.Name, c.Kind, res.Expected, r.Verdict, r.Reason)
	}
}

// TestExpectedInNumeratorLayout checks that a failed claim in numerator
// layout names the expected gradient in its own layout, B*A for
// ∂tr(AXB)/∂Xᵀ, which passes when claimed so (it named the denominator
// layout's A'*B', which does not even have the claim's shape).
func TestExpectedInNumeratorLayout(t *testing.T) {
	spec := formulas.Spec{Name: "numerator", F: "tr(A*X*B)", Wrt: "X", Grad: "2*B*A", Layout: "numerator",
		Vars: vars(t, "A=k,m", "X=m,n", "B=n,k")}
	b := cpu.New()
	res := Verify(context.Background(), b, inline(t, spec), DefaultSettings())
	if res.Verdict != Fail || res.Expected != "B*A" {
		t.Fatalf("%s, expected %q: want a failure that names B*A", res.Verdict, res.Expected)
	}
	spec.Grad = res.Expected
	if r := Verify(context.Background(), b, inline(t, spec), DefaultSettings()); r.Verdict != Pass {
		t.Errorf("the expected %s gave %s (%s)", res.Expected, r.Verdict, r.Reason)
	}
}

// TestExpectedAtRunSizes checks that a failed claim whose f fits only at
// the sizes of the run (A and X both n×m in tr(A*X), at n = m) names its
// expected gradient, derived at those sizes: at the distinct default
// sizes f has no shape, and none was named.
func TestExpectedAtRunSizes(t *testing.T) {
	spec := formulas.Spec{Name: "square", F: "tr(A*X)", Wrt: "X", Grad: "A", Vars: vars(t, "A=n,m", "X=n,m")}
	s := DefaultSettings()
	s.Sizes = map[string]int{"n": 3, "m": 3}
	build := func(spec formulas.Spec) *formulas.Claim {
		c, err := formulas.BuildAt(spec, s.Sizes)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	b := cpu.New()
	res := Verify(context.Background(), b, build(spec), s)
	if res.Verdict != Fail || res.Expected != "A'" {
		t.Fatalf("%s, expected %q: want a failure that names A'", res.Verdict, res.Expected)
	}
	spec.Grad = res.Expected
	if r := Verify(context.Background(), b, build(spec), s); r.Verdict != Pass {
		t.Errorf("the expected %s gave %s (%s)", res.Expected, r.Verdict, r.Reason)
	}
}

// TestSecondDerivative checks formulas.SecondDerivative against finite
// differences: the second derivative D²f[dX, dX2] derived for each hess
// claim of the registry, and for a few more functions (vector, matrix,
// elementwise, an integral form), claimed in their place, passes; the
// derived form of another function fails.
func TestSecondDerivative(t *testing.T) {
	claims, err := formulas.Registry()
	if err != nil {
		t.Fatal(err)
	}
	var cases []*formulas.Claim
	for _, c := range claims {
		if c.Kind == formulas.Hess {
			cases = append(cases, c)
		}
	}
	if len(cases) < 3 {
		t.Fatalf("%d hess claims in the registry", len(cases))
	}
	for _, spec := range []formulas.Spec{
		{Name: "cubic", F: "tr(X*X*X)", Wrt: "X", Vars: vars(t, "X=n,n")},
		{Name: "logsumexp", F: "logsumexp(A*x)", Wrt: "x", Vars: vars(t, "A=m,n", "x=n")},
		{Name: "tanh-layer", F: "sum(tanh(X*w))", Wrt: "w", Vars: vars(t, "X=m,n", "w=n")},
		{Name: "inverse", F: "tr(inv(X)*A)", Wrt: "X", Vars: vars(t, "X=n,n:wellcond", "A=n,n")},
		{Name: "expm", F: "tr(expm(X))", Wrt: "X", Vars: vars(t, "X=n,n:small")},
	} {
		c, err := formulas.BuildFunction(spec)
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases, c)
	}
	b := cpu.New()
	s := DefaultSettings()
	s.Sizes = map[string]int{"n": 6, "m": 5}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			right := claimingSecond(t, c, c, s.Sizes)
			if res := Verify(context.Background(), b, right, s); res.Verdict != Pass {
				t.Errorf("the derived %s: %s (%s; %s)", right.RhsText, res.Verdict, res.Reason, res.Detail)
			}
		})
	}
	// The second derivative of tr(X*X*X) claimed for tr(X*X*X*X) fails.
	quartic, err := formulas.BuildFunction(formulas.Spec{Name: "quartic", F: "tr(X*X*X*X)", Wrt: "X", Vars: vars(t, "X=n,n")})
	if err != nil {
		t.Fatal(err)
	}
	wrong := claimingSecond(t, cases[len(cases)-5], quartic, s.Sizes)
	if res := Verify(context.Background(), b, wrong, s); res.Verdict != Fail {
		t.Errorf("tr(X³)'s second derivative for tr(X⁴): %s, want fail", res.Verdict)
	}
}

// claimingSecond returns the hess claim that to's f has the second
// derivative derived from of's f, at sizes.
func claimingSecond(t *testing.T, of, to *formulas.Claim, sizes map[string]int) *formulas.Claim {
	t.Helper()
	second, err := of.SecondDerivativeAt(sizes)
	if err != nil {
		t.Fatal(err)
	}
	c, err := to.With(formulas.Hess, second.String())
	if err != nil {
		t.Fatal(err)
	}
	return c
}
