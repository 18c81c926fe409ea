package formulas

import (
	"strings"
	"testing"
)

// simpEnv declares the shapes the simplification and derivation tables use:
// derivation tables use, with distinct sizes so that a misplaced transpose
// fails.
var (
	simpSizes = map[string]int{"n": 4, "m": 3}
	simpEnv   = map[string]Shape{
		"A": {3, 4}, "B": {4, 3}, "X": {4, 4}, "Y": {4, 4}, "dX": {4, 4},
		"x": {4, 1}, "y": {4, 1}, "s": {1, 1}, "c": {1, 1},
	}
)

func TestSimplify(t *testing.T) {
	tests := []struct{ in, want string }{
		{"0*X + Y", "Y"},
		{"1*X", "X"},
		{"X*1", "X"},
		{"2*3*X", "6*X"},
		{"2*(3*X)", "6*X"},
		{"X*2", "2*X"},
		{"2 + 3", "5"},
		{"X - 0*Y", "X"},
		{"0*X - Y", "-Y"},
		{"X + -Y", "X - Y"},
		{"-X + Y", "Y - X"},
		{"X - -Y", "X + Y"},
		{"X*Y - X*Y", "0"},
		{"-(-X)", "X"},
		{"(X')'", "X"},
		{"(A*B)'", "B'*A'"},
		{"(X + Y)'", "X' + Y'"},
		{"(s*X)'", "s*X'"},
		{"tr(X)'", "tr(X)"},
		{"-X*Y", "-(X*Y)"},
		{"X*-Y", "-(X*Y)"},
		{"eye(n)*X", "X"},
		{"X*eye(n)", "X"},
		{"s*eye(n)", "s*eye(n)"},
		{"X*(Y*X)", "X*Y*X"},
		{"x'*(x*s)", "s*x'*x"},
		{"X*(s*Y)", "s*X*Y"},
		{"s.*X", "s*X"},
		{"X.*(2*Y)", "2*(X.*Y)"},
		{"X/1", "X"},
		{"6/3", "2"},
		{"s*X/s", "X"},
		{"X./s", "X/s"},
		{"X^1", "X"},
		{"s.^2", "s^2"},
		{"tr(-X)", "-tr(X)"},
		{"tr(s)", "s"},
		{"sym(sym(X))", "sym(X)"},
		{"sym(X)'", "sym(X)"},
		{"diag(x)'", "diag(x)"},
		{"kron(X, Y)'", "kron(X', Y')"},
		{"X.*(diag(eye(n))*diag(eye(n))')", "X"},
		{"0*X", "0"},
		{"integral(t, 0, 1, 0*X)", "0"},
		{"exp(0*X)", "exp(0*X)"},
	}
	for _, tc := range tests {
		e := mustParse(t, tc.in)
		got, err := Simplify(e, simpEnv, simpSizes)
		if err != nil {
			t.Errorf("Simplify(%s): %v", tc.in, err)
			continue
		}
		if got.String() != tc.want {
			t.Errorf("Simplify(%s) = %s, want %s", tc.in, got, tc.want)
		}
		if back, err := Parse(got.String()); err != nil || !equal(back, got) {
			t.Errorf("Simplify(%s) = %s does not parse back to itself: %v", tc.in, got, err)
		}
	}
}

func TestDeriveText(t *testing.T) {
	tests := []struct{ f, wrt, diff, grad string }{
		{"tr(A*X*B)", "X", "tr(A*dX*B)", "A'*B'"},
		{"x'*Y*x", "x", "dx'*Y*x + x'*Y*dx", "Y*x + Y'*x"},
		{"det(X)", "X", "det(X)*tr(inv(X)*dX)", "det(X)*inv(X)'"},
		{"logdet(X)", "X", "tr(inv(X)*dX)", "inv(X)'"},
		{"inv(X)", "X", "-(inv(X)*dX*inv(X))", ""},
		{"X^3", "X", "dX*X^2 + X*dX*X + X^2*dX", ""},
		{"norm2(X)^2", "X", "2*sum(X.*dX)", "2*X"},
		{"norm2(x)", "x", "x'*dx/norm2(x)", "x/norm2(x)"},
		{"sum(X)", "X", "sum(dX)", "diag(eye(n))*diag(eye(n))'"},
		{"sum(x)", "x", "sum(dx)", "diag(eye(n))"},
		{"sum(exp(X))", "X", "sum(exp(X).*dX)", "exp(X)"},
		{"expm(X)", "X", "integral(t, 0, 1, expm(t*X)*dX*expm((1 - t)*X))", ""},
		{"logm(X)", "X", "integral(z, 0, inf, inv(X + z*eye(n))*dX*inv(X + z*eye(n)))", ""},
		{"expm(expm(X))", "X", "integral(u, 0, 1, expm(u*expm(X))*integral(t, 0, 1, expm(t*X)*dX*expm((1 - t)*X))*expm((1 - u)*expm(X)))", ""},
		{"tr(expm(X))", "X", "tr(integral(t, 0, 1, expm(t*X)*dX*expm((1 - t)*X)))", "integral(t, 0, 1, expm(t*X)'*expm((1 - t)*X)')"},
		{"tr(kron(X, Y))", "X", "tr(kron(dX, Y))", ""},
		{"tr(Y)", "X", "0", "0*X"},
		{"Y*A'", "X", "0*(Y*A')", ""},
		{"sum(log(x))", "x", "sum(dx./x)", "diag(eye(n))./x"},
		{"s^c", "s", "c*s^(c - 1)*ds", "c*s^(c - 1)"},
		{"integral(t, 0, 1, tr(t*X))", "X", "integral(t, 0, 1, t*tr(dX))", "integral(t, 0, 1, t*eye(n))"},
	}
	for _, tc := range tests {
		f := mustParse(t, tc.f)
		env := map[string]Shape{}
		for k, v := range simpEnv {
			if !strings.HasPrefix(k, "d") {
				env[k] = v
			}
		}
		d, err := Derive(f, tc.wrt, env, simpSizes)
		if err != nil {
			t.Errorf("Derive(%s): %v", tc.f, err)
			continue
		}
		if d.String() != tc.diff {
			t.Errorf("Derive(%s) = %s, want %s", tc.f, d, tc.diff)
		}
		g, err := Gradient(d, tc.wrt, env, simpSizes)
		switch {
		case tc.grad == "" && err == nil:
			t.Errorf("Gradient(%s) = %s, want an error", tc.f, g)
		case tc.grad != "" && err != nil:
			t.Errorf("Gradient(%s): %v", tc.f, err)
		case tc.grad != "" && g.String() != tc.grad:
			t.Errorf("Gradient(%s) = %s, want %s", tc.f, g, tc.grad)
		}
	}
}

func TestDeriveErrors(t *testing.T) {
	tests := []struct{ f, wrt, want string }{
		{"integral(t, 0, tr(X), t)", "X", "bounds depend on X"},
		{"tr(X)", "Z", "wrt Z is not a declared variable"},
		{"tr(X*A)", "X", "cannot multiply"},
	}
	for _, tc := range tests {
		f := mustParse(t, tc.f)
		env := map[string]Shape{"X": {4, 4}, "A": {3, 4}, "dX0": {1, 1}}
		_, err := Derive(f, tc.wrt, env, simpSizes)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Derive(%s, %s): error %v, want one containing %q", tc.f, tc.wrt, err, tc.want)
		}
	}
}
