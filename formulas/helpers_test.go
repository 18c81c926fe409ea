package formulas

import (
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
