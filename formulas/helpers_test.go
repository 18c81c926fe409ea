package formulas

import (
	"math"
	"strings"
	"testing"
)

// sexpr prints the tree fully parenthesized, so that tests can state its
// structure: A*X' is (* A (' X)).
func sexpr(e Expr) string {
	switch e := e.(type) {
	case *Num:
		return formatNum(e.Value)
	case *Ident:
		return e.Name
	case *Unary:
		return "(" + e.Op + " " + sexpr(e.X) + ")"
	case *Binary:
		return "(" + e.Op + " " + sexpr(e.L) + " " + sexpr(e.R) + ")"
	case *Call:
		parts := []string{e.Func}
		for _, a := range e.Args {
			parts = append(parts, sexpr(a))
		}
		return "(" + strings.Join(parts, " ") + ")"
	case *Integral:
		return "(integral " + e.Var + " " + sexpr(e.Lo) + " " + sexpr(e.Hi) + " " + sexpr(e.Body) + ")"
	}
	return "?"
}

// equal reports whether two trees are the same, ignoring positions.
func equal(a, b Expr) bool {
	switch a := a.(type) {
	case *Num:
		b, ok := b.(*Num)
		return ok && (a.Value == b.Value || math.IsNaN(a.Value) && math.IsNaN(b.Value))
	case *Ident:
		b, ok := b.(*Ident)
		return ok && a.Name == b.Name
	case *Unary:
		b, ok := b.(*Unary)
		return ok && a.Op == b.Op && equal(a.X, b.X)
	case *Binary:
		b, ok := b.(*Binary)
		return ok && a.Op == b.Op && equal(a.L, b.L) && equal(a.R, b.R)
	case *Call:
		b, ok := b.(*Call)
		if !ok || a.Func != b.Func || len(a.Args) != len(b.Args) {
			return false
		}
		for i := range a.Args {
			if !equal(a.Args[i], b.Args[i]) {
				return false
			}
		}
		return true
	case *Integral:
		b, ok := b.(*Integral)
		return ok && a.Var == b.Var && equal(a.Lo, b.Lo) && equal(a.Hi, b.Hi) && equal(a.Body, b.Body)
	}
	return false
}

// mustParse parses src, failing the test when it does not parse.
func mustParse(t *testing.T, src string) Expr {
	t.Helper()
	e, err := Parse(src)
	if err != nil {
		t.Fatalf("Parse(%q): %v", src, err)
	}
	return e
}

// sameLines fails the test, showing both, when the lines got are not the
// lines want.
func sameLines(t *testing.T, what string, got, want []string) {
	t.Helper()
	if g, w := strings.Join(got, "\n"), strings.Join(want, "\n"); g != w {
		t.Errorf("%s:\n%s\nwant:\n%s", what, g, w)
	}
}
