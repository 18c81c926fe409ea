package gradcheck

import (
	"strings"
	"testing"

	"github.com/gradcheck/gradcheck/formulas"
)

// TestTermDiagnosis checks the diagnosis of a claim written as a sum one
// of whose terms is off: by a factor, its sign, or there at all; and that
// a claim two of whose terms are off, or with a term that is a number
// added to every entry, gets none (and no error).
func TestTermDiagnosis(t *testing.T) {
	ridge := func(grad string) formulas.Spec {
		return formulas.Spec{F: "norm2(A*x - b)^2 + 0.1*norm2(x)^2", Wrt: "x", Grad: grad, Vars: vars(t, "A=m,n", "x=n", "b=m")}
	}
	small := map[string]int{"m": 5, "n": 4}
	checkVerdicts(t, []verdictCase{
		{name: "factor", spec: ridge("2*A'*(A*x - b) + 0.1*x"), sizes: small, verdict: Fail, diag: DiagTerm, factor: 0.5,
			note: "the term 0.1*x is 0.5 times the truth's: the truth has 0.2*x"},
		{name: "factor of a first term with a number inside", spec: ridge("1.9*A'*(A*x - b) + 0.2*x"), sizes: small, verdict: Fail, diag: DiagTerm, factor: 0.95,
			note: "the term 1.9*A'*(A*x - b) is 0.95 times the truth's: the truth has 2*A'*(A*x - b)"},
		{name: "sign", spec: ridge("2*A'*(A*x - b) - 0.2*x"), sizes: small, verdict: Fail, diag: DiagTerm, note: "the term -0.2*x has the wrong sign"},
		{name: "sign of a negated number", spec: ridge("2*A'*(A*x - b) - -0.3*x"), sizes: small, verdict: Fail, diag: DiagTerm, factor: 1.5,
			note: "the term 0.3*x is 1.5 times the truth's: the truth has 0.2*x"},
		// x and 0.2*x are proportional: scaling either explains the
		// claim; an extra term is the likelier mistake.
		{name: "extra term", spec: ridge("2*A'*(A*x - b) + 0.2*x + x"), sizes: small, verdict: Fail, diag: DiagTerm,
			note: "the term x is not in the truth: without it the claim agrees"},
		{name: "differential", spec: formulas.Spec{F: "X*X + 3*X", Wrt: "X", Diff: "dX*X + X*dX + dX", Vars: vars(t, "X=n,n")},
			sizes: small, verdict: Fail, diag: DiagTerm, factor: 0.33333333333,
			note: "the term dX is 0.33333333333 times the truth's: the truth has 3*dX"},
		{name: "two terms off", spec: ridge("A'*(A*x - b) + 0.3*x"), sizes: small, verdict: Fail, diag: ""},
		// The 1 is added to every entry: claimed alone it is no
		// gradient, and re-checking it crashed the verification.
		{name: "number added to every entry", spec: formulas.Spec{F: "sum(X.*X)", Wrt: "X", Grad: "2*X + 1", Vars: vars(t, "X=n,n")},
			sizes: small, verdict: Fail, diag: ""},
	})
}

// TestSignedTerms checks how a claim is split into terms, and how a term
// is written times a number.
func TestSignedTerms(t *testing.T) {
	for _, tc := range []struct {
		expr, terms string
	}{
		{"A - B + C", "A | -B | C"},
		{"A - (B - C)", "A | -B | C"},
		{"-A - -B", "-A | B"},
		{"2*(A + B)", "2*(A + B)"},
		{"A", "A"},
	} {
		e, err := formulas.Parse(tc.expr)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, term := range signedTerms(e) {
			got = append(got, term.String())
		}
		if strings.Join(got, " | ") != tc.terms {
			t.Errorf("signedTerms(%s) = %s, want %s", tc.expr, strings.Join(got, " | "), tc.terms)
		}
	}
	for _, tc := range []struct {
		k    float64
		expr string
		want string
	}{
		{2, "0.1*x", "0.2*x"},
		{-1, "-B", "B"},
		{2, "1.9*A'*r", "3.8*A'*r"},
		{0.5, "-(2*x)", "-x"},
		{3, "dX", "3*dX"},
		{1.0000000001, "x", "1.0000000001*x"},
	} {
		e, err := formulas.Parse(tc.expr)
		if err != nil {
			t.Fatal(err)
		}
		if got := scaled(tc.k, e, 0).String(); got != tc.want {
			t.Errorf("scaled(%g, %s) = %s, want %s", tc.k, tc.expr, got, tc.want)
		}
	}
}
