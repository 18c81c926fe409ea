package gradcheck

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/gradcheck/gradcheck/cpu"
	"github.com/gradcheck/gradcheck/formulas"
)

// TestLocateNonFinite checks that a claim (or f) that is not finite at an
// instance is traced to the subexpression that makes a NaN from finite
// operands, and that the values it reports there are the ones that do:
// off the diagonal of x·I, where x·I is exactly 0; a negative argument of
// log, also when the NaN then goes through a matrix product.
func TestLocateNonFinite(t *testing.T) {
	tests := []struct {
		spec    formulas.Spec
		verdict Verdict
		// origin is what the detail must start with; check, where set,
		// checks the entry (i, j) it names and the operand value v there.
		origin string
		check  func(i, j int, v float64) error
		// remedy is the distribution the detail ends by suggesting.
		remedy string
	}{
		{
			// x·I is 0 off its diagonal in every direction: the
			// derivative of abs written as a./abs(a) is 0/0 there.
			spec: formulas.Spec{Name: "self-over-abs", F: "abs(x*eye(n))", Wrt: "x",
				Diff: "x*eye(n)./abs(x*eye(n)).*(dx*eye(n))", Vars: vars(t, "x=1")},
			verdict: Error,
			origin:  "x*eye(n)./abs(x*eye(n)) is NaN at entry (",
			check: func(i, j int, v float64) error {
				if i == j || v != 0 {
					return fmt.Errorf("entry (%d, %d) with x*eye(n) = %g: want an off-diagonal zero", i, j, v)
				}
				return nil
			},
		},
		{
			spec:    formulas.Spec{Name: "log-of-gauss", F: "log(x)", Equals: "log(x)", Vars: vars(t, "x=n")},
			verdict: Inconclusive,
			origin:  "log(x) is NaN at entry (",
			check:   negative,
			remedy:  "; draw x positive (dist positive) to keep it in the domain of log",
		},
		{
			// The NaN of log reaches the claim through A'*(…), a
			// matrix product, which is not where it starts.
			spec: formulas.Spec{Name: "through-a-product", F: "sum(A*x)", Wrt: "x",
				Grad: "A'*(ones(n) + 0*log(x))", Vars: vars(t, "A=n,n", "x=n")},
			verdict: Error,
			origin:  "log(x) is NaN at entry (",
			check:   negative,
			remedy:  "; draw x positive (dist positive) to keep it in the domain of log",
		},
		{
			// A Gaussian X has a negative determinant about half the time.
			spec: formulas.Spec{Name: "logdet-of-gauss", F: "logdet(X)", Wrt: "X", Grad: "inv(X)'",
				Vars: vars(t, "X=n,n")},
			verdict: Inconclusive,
			origin:  "logdet(X) is NaN (det(X) < 0: not positive definite, or singular to working precision)",
			remedy:  "; draw X spd or wellcond to keep it in the domain of logdet",
		},
		{
			// space: sym takes spd, not wellcond (found by the review
			// helper: the remedy named a refused dist).
			spec: formulas.Spec{Name: "logdet-of-sym", F: "logdet(X)", Wrt: "X", Grad: "inv(X)",
				Vars: vars(t, "X=n,n:sym:sym")},
			verdict: Inconclusive,
			origin:  "logdet(X) is NaN (det(X) < 0: not positive definite, or singular to working precision)",
			remedy:  "; draw X spd to keep it in the domain of logdet",
		},
		{
			// A Gaussian X has a negative real eigenvalue often: logm,
			// a finite matrix of no meaning there, made this identity
			// fail.
			spec: formulas.Spec{Name: "logm-of-gauss", F: "expm(logm(X))", Equals: "X",
				Vars: vars(t, "X=n,n")},
			verdict: Inconclusive,
			origin:  "logm(X) is NaN at entry (0, 0) (X has an eigenvalue on the closed negative real axis: no principal logarithm)",
			remedy:  "; draw X spd or wellcond to keep it in the domain of logm",
		},
		{
			// A matrix operation: no one entry of its operand is at fault.
			spec: formulas.Spec{Name: "singular", F: "tr(X)", Wrt: "X", Grad: "inv(X - X)",
				Vars: vars(t, "X=n,n")},
			verdict: Error,
			origin:  "inv(X - X) is NaN at entry (0, 0) (X - X is singular to working precision)",
		},
	}
	b := cpu.New()
	for _, tt := range tests {
		t.Run(tt.spec.Name, func(t *testing.T) {
			s := DefaultSettings()
			s.Sizes = map[string]int{"n": 6}
			res := Verify(context.Background(), b, inline(t, tt.spec), s)
			if res.Verdict != tt.verdict {
				t.Fatalf("verdict %s, want %s (%s)", res.Verdict, tt.verdict, res.Reason)
			}
			if !strings.HasPrefix(res.Detail, tt.origin) || !strings.HasSuffix(res.Reason, ": "+res.Detail) {
				t.Fatalf("detail %q, reason %q: want the detail to start with %q and end the reason", res.Detail, res.Reason, tt.origin)
			}
			if tt.remedy != "" && !strings.HasSuffix(res.Detail, tt.remedy) || tt.remedy == "" && strings.Contains(res.Detail, "; draw ") {
				t.Errorf("detail %q: want the remedy %q", res.Detail, tt.remedy)
			}
			res.Detail = strings.TrimSuffix(res.Detail, tt.remedy)
			if tt.check == nil {
				if strings.Contains(res.Detail, " where ") {
					t.Errorf("detail %q names operand values of a matrix operation", res.Detail)
				}
				return
			}
			var i, j int
			var v float64
			rest := strings.TrimPrefix(res.Detail, tt.origin)
			if _, err := fmt.Sscanf(rest, "%d, %d) where ", &i, &j); err != nil {
				t.Fatalf("detail %q: no entry: %v", res.Detail, err)
			}
			at := strings.Index(rest, " = ")
			if at < 0 {
				t.Fatalf("detail %q: no operand value", res.Detail)
			}
			if _, err := fmt.Sscanf(rest[at+3:], "%g", &v); err != nil {
				t.Fatalf("detail %q: operand value: %v", res.Detail, err)
			}
			if err := tt.check(i, j, v); err != nil {
				t.Errorf("detail %q: %v", res.Detail, err)
			}
		})
	}
}

// negative checks that the operand of log is negative at the entry named.
func negative(i, j int, v float64) error {
	if j != 0 || !(v < 0) {
		return fmt.Errorf("entry (%d, %d) with x = %g: want a negative entry of a vector", i, j, v)
	}
	return nil
}

// TestSignHint checks that the remedy the detail names for a./abs(a) is
// right: the claim written with sign(a) instead passes, and the one with
// a./abs(a) gets the hint.
func TestSignHint(t *testing.T) {
	spec := formulas.Spec{Name: "abs", F: "abs(x*eye(n))", Wrt: "x",
		Diff: "x*eye(n)./abs(x*eye(n)).*(dx*eye(n))", Vars: vars(t, "x=1")}
	s := DefaultSettings()
	s.Sizes = map[string]int{"n": 5}
	b := cpu.New()
	res := Verify(context.Background(), b, inline(t, spec), s)
	if !strings.Contains(res.Detail, "; sign(x*eye(n)) is x*eye(n)./abs(x*eye(n)) without") {
		t.Errorf("detail %q: no hint to write sign(x*eye(n))", res.Detail)
	}
	spec.Diff = "sign(x*eye(n)).*(dx*eye(n))"
	if res := Verify(context.Background(), b, inline(t, spec), s); res.Verdict != Pass {
		t.Errorf("with sign: %s (%s)", res.Verdict, res.Reason)
	}
}

// TestLocateAtStencilPoint checks that f which is finite at the sample but
// not at a point of its stencil is traced there: logdet(X'*X) of a 2×3 X
// (X'*X is singular, its determinant rounding noise of either sign or 0)
// is finite at X for seed 1 and not a step away; the detail named no part
// of f (found by the exploratory helper).
func TestLocateAtStencilPoint(t *testing.T) {
	spec := formulas.Spec{Name: "gram-of-wide", F: "logdet(X'*X)", Wrt: "X", Grad: "2*X*inv(X'*X)", Vars: vars(t, "X=n,m")}
	s := DefaultSettings()
	s.Sizes = map[string]int{"n": 2, "m": 3}
	res := Verify(context.Background(), cpu.New(), inline(t, spec), s)
	const want = "at X + 0.001·dX, logdet(X'*X) is "
	if res.Verdict != Inconclusive || !strings.HasPrefix(res.Detail, want) || !strings.HasSuffix(res.Reason, ": "+res.Detail) {
		t.Fatalf("%s, detail %q: want inconclusive with a detail starting %q", res.Verdict, res.Detail, want)
	}
}
