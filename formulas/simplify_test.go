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
		{"ones(m, n)'", "ones(n, m)"},
		{"zeros(m, n)'", "zeros(n, m)"},
		{"x.*(y./x)", "y"},
		{"(y./x).*x", "y"},
		{"x.*(2./x)", "2*ones(n)"},
		{"(1./x).*x", "ones(n)"},
		{"ones(n)./x", "1./x"},
		{"ones(n, m)*ones(m, n)", "m*ones(n, n)"},
		{"ones(n)*ones(n)'", "ones(n, n)"},
		{"sum(eye(n))", "n"},
		{"sqrt(s)^2", "s"},
		{"sqrt(X).^2", "X"},
		{"sqrt(X)^2", "sqrt(X)^2"},
		{"X^0", "eye(n)"},
		{"tr(eye(m))", "m"},
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
		// Like terms are one term (found by the walkthrough helper:
		// derive printed A.*X + A.*X).
		{"X.*Y + X.*Y", "2*(X.*Y)"},
		{"3*X - X", "2*X"},
		{"-X - X", "-2*X"},
		{"x/(x'*x) + x/(x'*x)", "2*x/(x'*x)"},
		{"X + 2*Y", "X + 2*Y"},
		{"2*X - 2*X", "0"},
		// A minus in front of a quotient's dividend moves to the sum.
		{"X + -2*s*X/c", "X - 2*s*X/c"},
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
		{"X.*ones(n,n)", "X"},
		{"0*X", "0"},
		{"integral(t, 0, 1, 0*X)", "0"},
		{"exp(0*X)", "exp(0*X)"},
		// Constants fold however the parser wrote them, and a negative
		// exponent prints without parentheses.
		{"x.^(-1 - 1)", "x.^-2"},
		{"s^(-0.5 - 1)", "s^-1.5"},
		{"-0.5*(s*X)", "-0.5*s*X"},
		// A negative coefficient makes a subtraction.
		{"X + -2*Y", "X - 2*Y"},
		{"X - -2*Y", "X + 2*Y"},
		{"-2*X + Y", "Y - 2*X"},
		{"X + -2", "X - 2"},
		// A scalar to a matrix power stays elementwise.
		{"2.^x", "2.^x"},
		{"s.^X", "s.^X"},
		{"s.^(s - 1)", "s^(s - 1)"},
		// Signs and scalar factors come out of a solve.
		{"X\\-Y", "-(X\\Y)"},
		{"X\\(2*Y)", "2*(X\\Y)"},
		{"X\\-(s*x)", "-(s*(X\\x))"},
		{"eye(n)\\Y", "Y"},
		{"s\\c", "c/s"},
		// Divisors by a scalar come out of products and linear functions.
		{"X*(Y/s)", "X*Y/s"},
		{"X.*(Y/s)", "X.*Y/s"},
		{"sum(X/s)", "sum(X)/s"},
		{"mean(-2*X)", "-2*mean(X)"},
		{"mean(s)", "s"},
		{"mean(0*X)", "0"},
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
		if back, err := Parse(got.String()); err != nil || !sameExpr(literals(back), literals(got)) {
			t.Errorf("Simplify(%s) = %s does not parse back to itself: %v", tc.in, got, err)
		}
	}
}

// literals writes each negative number of e as the parser reads it, a
// minus before a positive number, so that a folded constant (-2) compares
// equal to its printed and parsed form (-(2)).
func literals(e Expr) Expr {
	switch e := e.(type) {
	case *Num:
		if e.Value < 0 {
			return &Unary{Op: "-", X: &Num{Value: -e.Value}}
		}
	case *Unary:
		return &Unary{Op: e.Op, X: literals(e.X)}
	case *Binary:
		return &Binary{Op: e.Op, L: literals(e.L), R: literals(e.R)}
	case *Call:
		args := make([]Expr, len(e.Args))
		for i, a := range e.Args {
			args[i] = literals(a)
		}
		return &Call{Func: e.Func, Args: args}
	case *Integral:
		return &Integral{Var: e.Var, Lo: literals(e.Lo), Hi: literals(e.Hi), Body: literals(e.Body)}
	}
	return e
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
		{"sum(X)", "X", "sum(dX)", "ones(n, n)"},
		{"sum(x)", "x", "sum(dx)", "ones(n)"},
		{"sum(exp(X))", "X", "sum(exp(X).*dX)", "exp(X)"},
		{"expm(X)", "X", "integral(t, 0, 1, expm(t*X)*dX*expm((1 - t)*X))", ""},
		{"logm(X)", "X", "integral(z, 0, inf, inv(X + z*eye(n))*dX*inv(X + z*eye(n)))", ""},
		{"expm(expm(X))", "X", "integral(u, 0, 1, expm(u*expm(X))*integral(t, 0, 1, expm(t*X)*dX*expm((1 - t)*X))*expm((1 - u)*expm(X)))", ""},
		{"tr(expm(X))", "X", "tr(integral(t, 0, 1, expm(t*X)*dX*expm((1 - t)*X)))", "integral(t, 0, 1, expm(t*X)'*expm((1 - t)*X)')"},
		{"tr(kron(X, Y))", "X", "tr(kron(dX, Y))", ""},
		{"tr(Y)", "X", "0", "0*X"},
		{"Y*A'", "X", "0*(Y*A')", ""},
		{"sum(log(x))", "x", "sum(dx./x)", "1./x"},
		// Readable: a.*(b./a) is b, ones(m, n)' is ones(n, m) (found by
		// the walkthrough: softmax(z).*(y./softmax(z)), ones(n)./…).
		{"sum(softplus(x))", "x", "sum(sigmoid(x).*dx)", "sigmoid(x)"},
		{"-sum(y.*log(x))", "x", "-sum(y.*(dx./x))", "-(y./x)"},
		{"sum(X*A')", "X", "sum(dX*A')", "ones(n, m)*A"},
		{"s^c", "s", "c*s^(c - 1)*ds", "c*s^(c - 1)"},
		{"integral(t, 0, 1, tr(t*X))", "X", "integral(t, 0, 1, t*tr(dX))", "integral(t, 0, 1, t*eye(n))"},
		// .^ for each pairing of scalar and matrix operands keeps its dot
		// where an operand is a matrix.
		{"2.^x", "x", "log(2)*(2.^x.*dx)", ""},
		{"sum(2.^x)", "x", "log(2)*sum(2.^x.*dx)", "log(2)*2.^x"},
		{"sum(s.^x)", "x", "log(s)*sum(s.^x.*dx)", "log(s)*s.^x"},
		{"sum(s.^x)", "s", "ds*sum(x.*s.^(x - 1))", "sum(x.*s.^(x - 1))"},
		{"sum(X.^s)", "s", "ds*sum(X.^s.*log(X))", "sum(X.^s.*log(X))"},
		{"sum(X.^s)", "X", "s*sum(X.^(s - 1).*dX)", "s*X.^(s - 1)"},
		{"sum(X.^Y)", "Y", "sum(X.^Y.*(dY.*log(X)))", "log(X).*X.^Y"},
		{"sum(X.^Y)", "X", "sum(Y.*(X.^(Y - 1).*dX))", "X.^(Y - 1).*Y"},
		{"s.^(s*x)", "s", "s.^(s*x).*(log(s)*ds*x + ds*x)", ""},
		// Constants folded, subtractions for negative coefficients.
		{"sum(x.^-1)", "x", "-sum(x.^-2.*dx)", "-x.^-2"},
		{"s^-0.5", "s", "-0.5*s^-1.5*ds", "-0.5*s^-1.5"},
		{"sum(tanh(X).^2)", "X", "2*sum(tanh(X).*(dX - tanh(X).^2.*dX))", "2*tanh(X) - 2*(tanh(X).^2.*tanh(X))"},
		// mean is sum over the number of entries.
		{"mean(X)", "X", "mean(dX)", "ones(n, n)/(n*n)"},
		{"mean(A)", "A", "mean(dA)", "ones(m, n)/(m*n)"},
		{"mean(x)", "x", "mean(dx)", "ones(n)/n"},
		{"mean((X*x - y).^2)", "x", "2*mean((X*x - y).*(X*dx))", "2*X'*(X*x - y)/n"},
		// ⟨C, A\\B⟩ = ⟨A'\\C, B⟩, the minus in front of the solve.
		{"y'*(X\\x)", "X", "-(y'*(X\\(dX*(X\\x))))", "-(X'\\y*(X\\x)')"},
		{"y'*(X\\x)", "x", "y'*(X\\dx)", "X'\\y"},
		{"tr(A*(X\\B))", "X", "-tr(A*(X\\(dX*(X\\B))))", "-(X'\\A'*(X\\B)')"},
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

// TestGradientErrors checks that Gradient says why a differential has no
// ⟨G, dX⟩ form by the trace rules: dX inside kron, or in the matrix of a
// solve, where A\B is not linear, a term or the whole without dX; and
// that a differential of 0 (or 0 times dX) has the gradient 0.
func TestGradientErrors(t *testing.T) {
	tests := []struct{ diff, want string }{
		{"tr(kron(dX, Y))", "kron has no transpose"},
		{"y'*(dX\\x)", "not linear in its left operand"},
		{"tr(dX*X) + tr(X)", "a term does not depend on dX"},
		// No dX at all: not a differential (it gave 0*X, as for 0).
		{"tr(X)", "it does not depend on dX"},
	}
	env := map[string]Shape{"X": {4, 4}, "Y": {4, 4}, "x": {4, 1}, "y": {4, 1}}
	for _, tc := range tests {
		g, err := Gradient(mustParse(t, tc.diff), "X", env, simpSizes)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Gradient(%s) = %v, error %v, want one containing %q", tc.diff, g, err, tc.want)
		}
	}
	for _, diff := range []string{"0", "-0", "0*sum(dX)"} {
		if g, err := Gradient(mustParse(t, diff), "X", env, simpSizes); err != nil || g.String() != "0*X" {
			t.Errorf("Gradient(%s) = %v, error %v, want 0*X", diff, g, err)
		}
	}
}
