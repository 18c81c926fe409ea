package gradcheck

import (
	"context"
	"strings"
	"testing"

	"github.com/gradcheck/gradcheck/cpu"
	"github.com/gradcheck/gradcheck/formulas"
)

// TestVecJacobians checks vec in the language and Jacobians with respect
// to a matrix variable, whose columns are those of vec(X) (Magnus and
// Neudecker): the classic results pass, their mistakes fail with their
// diagnosis, and the identities of vec hold (Matrix Cookbook eqs. 520–521).
func TestVecJacobians(t *testing.T) { checkVerdicts(t, vecCases(t)) }

// vecCases are TestVecJacobians's claims.
func vecCases(t *testing.T) []verdictCase {
	jac := func(f, j string, decls ...string) formulas.Spec {
		return formulas.Spec{F: f, Wrt: "X", Jac: j, Vars: vars(t, decls...)}
	}
	axb := []string{"A=k,m", "X=m,n", "B=n,k"}
	small := map[string]int{"k": 2, "m": 3, "n": 4}
	return []verdictCase{
		{name: "vec(AXB)", spec: jac("vec(A*X*B)", "kron(B', A)", axb...), verdict: Pass},
		{name: "vec(AXB) entrywise", spec: jac("vec(A*X*B)", "kron(B', A)", axb...), sizes: small, mode: Entrywise, verdict: Pass},
		{name: "vec(AXB) factors swapped", spec: jac("vec(A*X*B)", "kron(A, B')", "A=n,n", "X=n,n", "B=n,n"), sizes: map[string]int{"n": 5},
			verdict: Fail, diag: ""},
		{name: "vec(AXB) doubled", spec: jac("vec(A*X*B)", "2*kron(B', A)", axb...), sizes: small, verdict: Fail, diag: DiagFactor, factor: 2},
		{name: "vec(AXB) transposed", spec: jac("vec(A*X*B)", "kron(B', A)'", "A=n,n", "X=n,n", "B=n,n"), sizes: map[string]int{"n": 4},
			verdict: Fail, diag: DiagTranspose},
		// The transposed shape, (mn)×(kk): the claim's transpose is
		// verified in its place.
		{name: "vec(AXB) transposed shape", spec: jac("vec(A*X*B)", "kron(B, A')", axb...), sizes: small,
			verdict: Fail, diag: DiagTranspose, note: "the claim's transpose agrees"},
		{name: "vec of the inverse", spec: jac("vec(inv(X))", "-kron(inv(X)', inv(X))", "X=n,n:wellcond"), verdict: Pass},
		{name: "vec of the square", spec: jac("vec(X*X)", "kron(X', eye(n)) + kron(eye(n), X)", "X=n,n"), sizes: map[string]int{"n": 12}, verdict: Pass},
		{name: "vec of the square, one term off", spec: jac("vec(X*X)", "kron(X', eye(n)) + 2*kron(eye(n), X)", "X=n,n"), sizes: map[string]int{"n": 6},
			verdict: Fail, diag: DiagTerm, factor: 2},
		{name: "vec of the square, the symmetric-X result", spec: jac("vec(X*X)", "kron(X, eye(n)) + kron(eye(n), X)", "X=n,n"), sizes: map[string]int{"n": 6},
			verdict: Fail, diag: DiagSymmetric},
		{name: "inner product", spec: formulas.Spec{F: "vec(X)'*vec(Y)", Equals: "tr(X'*Y)", Vars: vars(t, "X=m,n", "Y=m,n")}, verdict: Pass},
		{name: "vec(AXB) identity", spec: formulas.Spec{F: "vec(A*X*B)", Equals: "kron(B', A)*vec(X)", Vars: vars(t, axb...)}, sizes: small, verdict: Pass},
		{name: "vec(AXB) identity swapped", spec: formulas.Spec{F: "vec(A*X*B)", Equals: "kron(A, B')*vec(X)", Vars: vars(t, "A=n,n", "X=n,n", "B=n,n")},
			sizes: map[string]int{"n": 5}, verdict: Fail},
		{name: "vector variable as before", spec: formulas.Spec{F: "tanh(W*x)", Wrt: "x", Jac: "diag(1 - tanh(W*x).^2)*W", Vars: vars(t, "W=m,n", "x=n")}, verdict: Pass},
	}
}

// TestJacEntriesColumns checks that the entries of a failed Jacobian with
// respect to a matrix name its columns as those of vec(X): J of vec(X*B)
// claimed with 1 added on its diagonal fails there alone, where the
// output's index is the input's in vec(X), not in X row by row.
func TestJacEntriesColumns(t *testing.T) {
	c, err := formulas.BuildAt(formulas.Spec{Name: "diagonal-off", F: "vec(X*B)", Wrt: "X",
		Jac: "kron(B', eye(m)) + eye(p)", Vars: vars(t, "X=m,n", "B=n,n")}, map[string]int{"m": 2, "n": 3, "p": 6})
	if err != nil {
		t.Fatal(err)
	}
	s := DefaultSettings()
	s.Sizes = map[string]int{"m": 2, "n": 3, "p": 6}
	res := Verify(context.Background(), cpu.New(), c, s)
	if res.Verdict != Fail || len(res.Entries) == 0 {
		t.Fatalf("%s with %d entries, want a fail with its entries (%s)", res.Verdict, len(res.Entries), res.Reason)
	}
	for _, e := range res.Entries {
		if e.I != e.J || e.J >= 6 {
			t.Errorf("entry (%d, %d) disagrees, want only the diagonal of the 6×6 J", e.I, e.J)
		}
	}
	if !strings.Contains(res.Detail, "only the diagonal entries disagree") {
		t.Errorf("detail %q does not say that only the diagonal disagrees", res.Detail)
	}
}
