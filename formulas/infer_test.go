package formulas

import (
	"errors"
	"maps"
	"testing"
)

var testEnv = map[string]Shape{
	"A": {3, 4}, "B": {4, 3}, "X": {3, 3}, "Y": {3, 3},
	"x": {3, 1}, "y": {3, 1}, "v": {4, 1}, "r": {1, 4}, "s": {1, 1}, "t": {3, 3},
}

var testSizes = map[string]int{"n": 3, "m": 4, "zero": 0}

func TestInfer(t *testing.T) {
	tests := []struct {
		src  string
		want Shape
	}{
		{"2", Shape{1, 1}},
		{"A", Shape{3, 4}},
		{"-A", Shape{3, 4}},
		{"A'", Shape{4, 3}},
		{"A''", Shape{3, 4}},
		{"x'", Shape{1, 3}},
		// Matrix product, and scalar times anything.
		{"A*B", Shape{3, 3}},
		{"B*A", Shape{4, 4}},
		{"A*v", Shape{3, 1}},
		{"x'*X*x", Shape{1, 1}},
		{"x*x'", Shape{3, 3}},
		{"2*A", Shape{3, 4}},
		{"A*2", Shape{3, 4}},
		{"s*A", Shape{3, 4}},
		{"x'*y*A", Shape{3, 4}},
		{"A*(x'*y)", Shape{3, 4}},
		// Elementwise and sums.
		{"A + A", Shape{3, 4}},
		{"A - A", Shape{3, 4}},
		{"s + 1", Shape{1, 1}},
		{"A.*A", Shape{3, 4}},
		{"A./A", Shape{3, 4}},
		{"2.*A", Shape{3, 4}},
		{"A.*s", Shape{3, 4}},
		{"A./2", Shape{3, 4}},
		{"1./A", Shape{3, 4}},
		{"A/2", Shape{3, 4}},
		{"A/(x'*y)", Shape{3, 4}},
		// Powers.
		{"s^2", Shape{1, 1}},
		{"2^s", Shape{1, 1}},
		{"s^-0.5", Shape{1, 1}},
		{"X^2", Shape{3, 3}},
		{"X^0", Shape{3, 3}},
		{"X^1024", Shape{3, 3}},
		{"X'^3", Shape{3, 3}},
		{"A.^2", Shape{3, 4}},
		{"A.^s", Shape{3, 4}},
		{"A.^A", Shape{3, 4}},
		// Functions.
		{"tr(X)", Shape{1, 1}},
		{"det(X)", Shape{1, 1}},
		{"logdet(X)", Shape{1, 1}},
		{"inv(X)", Shape{3, 3}},
		{"expm(X)", Shape{3, 3}},
		{"logm(X)", Shape{3, 3}},
		{"sym(X)", Shape{3, 3}},
		{"tr(s)", Shape{1, 1}},
		{"sum(A)", Shape{1, 1}},
		{"norm2(A)", Shape{1, 1}},
		{"norm2(x)^2", Shape{1, 1}},
		{"diag(x)", Shape{3, 3}},
		{"diag(X)", Shape{3, 1}},
		{"diag(s)", Shape{1, 1}},
		{"kron(A, B)", Shape{12, 12}},
		{"kron(x, r)", Shape{3, 4}},
		{"exp(A)", Shape{3, 4}},
		{"log(A)", Shape{3, 4}},
		{"sqrt(A)", Shape{3, 4}},
		{"abs(A)", Shape{3, 4}},
		{"tanh(A)", Shape{3, 4}},
		{"eye(n)", Shape{3, 3}},
		{"eye(m)", Shape{4, 4}},
		{"eye(7)", Shape{7, 7}},
		{"X + s*eye(n)", Shape{3, 3}},
		// The functions and operators for ML formulas.
		{"sigmoid(A)", Shape{3, 4}},
		{"softplus(x)", Shape{3, 1}},
		{"log1p(A) + expm1(A) + sin(A) + cos(A)", Shape{3, 4}},
		{"relu(A) .* step(A)", Shape{3, 4}},
		{"softmax(x)", Shape{3, 1}},
		{"softmax(A)", Shape{3, 4}},
		{"logsumexp(A)", Shape{1, 1}},
		{"mean(A)", Shape{1, 1}},
		{"ones(n)", Shape{3, 1}},
		{"ones(n, m)", Shape{3, 4}},
		{"zeros(2, n)", Shape{2, 3}},
		{"X\\x", Shape{3, 1}},
		{"X\\A", Shape{3, 4}},
		{"X'\\A*B", Shape{3, 3}},
		// Scalars meet arrays entry by entry; sizes are numbers.
		{"1 + x", Shape{3, 1}},
		{"A - s", Shape{3, 4}},
		{"s - A", Shape{3, 4}},
		{"2.^A", Shape{3, 4}},
		{"2/m*A'*x", Shape{4, 1}},
		{"eye(n)/n", Shape{3, 3}},
		{"sum(log(1 + exp(-y.*(X*x))))", Shape{1, 1}},
		// Integrals: the variable is a scalar inside the body, shadowing.
		{"integral(t, 0, 1, expm(t*X))", Shape{3, 3}},
		{"integral(t, 0, inf, inv(X + t*eye(n)))", Shape{3, 3}},
		{"integral(z, s, 2*s, A*z)", Shape{3, 4}},
		{"integral(u, 0, 1, integral(w, 0, u, u*w))", Shape{1, 1}},
		{"t*integral(t, 0, 1, t)", Shape{3, 3}},
	}
	for _, tt := range tests {
		e := mustParse(t, tt.src)
		got, err := Infer(e, testEnv, testSizes)
		if err != nil {
			t.Errorf("Infer(%q): %v", tt.src, err)
			continue
		}
		if got != tt.want {
			t.Errorf("Infer(%q) = %v, want %v", tt.src, got, tt.want)
		}
	}
}

// TestLargest checks the most entries of any subexpression, against
// shapes counted by hand: the result, or an intermediate larger than it.
func TestLargest(t *testing.T) {
	tests := []struct {
		src  string
		want int64
	}{
		{"x", 3},
		{"x'*x", 3},
		{"sum(x*x')", 9},
		{"sum(kron(X, X))", 81},
		{"tr(kron(A, B))", 144},
		{"A*B", 12},
		{"integral(t, 0, 1, sum(kron(t*X, X)))", 81},
		{"2", 1},
	}
	for _, tt := range tests {
		got, err := Largest(mustParse(t, tt.src), testEnv, testSizes)
		if err != nil || got != tt.want {
			t.Errorf("Largest(%q) = %d, %v; want %d", tt.src, got, err, tt.want)
		}
	}
}

func TestInferErrors(t *testing.T) {
	tests := []struct {
		src, want string
	}{
		{"Z", "1:1: undeclared variable 'Z'"},
		{"tr(A*Z)", "1:6: undeclared variable 'Z'"},
		{"dX", "1:1: undeclared variable 'dX'"},
		{"A*x", "1:1: A*x: cannot multiply 3×4 by 3×1"},
		{"2*(A*A)", "1:4: A*A: cannot multiply 3×4 by 3×4"},
		{"A + B", "1:1: A + B: cannot add 3×4 and 4×3"},
		// Bad input for the ML functions and operators.
		{"X\\v", "1:1: X\\v: cannot solve with 3×3 and 4×1: A\\B needs a square A and a B with as many rows"},
		{"A\\x", "1:1: A\\x: cannot solve with 3×4 and 3×1: A\\B needs a square A and a B with as many rows"},
		{"softmax(s)", "1:1: softmax(s): needs a column vector or a matrix (taken column by column) of at least 2 rows, got 1×1"},
		{"softmax(r)", "1:1: softmax(r): needs a column vector or a matrix (taken column by column) of at least 2 rows, got 1×4"},
		{"ones(zero)", "1:1: ones(zero): size zero = 0 is not a positive size"},
		{"zeros(q)", "1:1: zeros(q): size q has no value"},
		{"2/q*x", "1:3: undeclared variable 'q'"},
		{"x + v", "1:1: x + v: cannot add 3×1 and 4×1"},
		{"A.^B", "1:1: A.^B: cannot raise 3×4 to the power 4×3 elementwise: needs a scalar or equal shapes"},
		{"X + A", "1:1: X + A: cannot add 3×3 and 3×4"},
		{"A - X", "1:1: A - X: cannot subtract 3×3 from 3×4"},
		{"A - B", "1:1: A - B: cannot subtract 4×3 from 3×4"},
		{"A.*B", "1:1: A.*B: cannot multiply 3×4 and 4×3 elementwise"},
		{"A./B", "1:1: A./B: cannot divide 3×4 by 4×3 elementwise"},
		// Only a square divisor has an inverse to suggest; 1/x of a
		// vector is NumPy's reciprocal, 1./x (walkthrough 2026-12-07h,
		// item 4).
		{"A/X", "1:1: A/X: cannot divide 3×4 by 3×3: / divides by a scalar; write 1./X elementwise, inv(X) for the matrix inverse"},
		{"s/A", "1:1: s/A: cannot divide 1×1 by 3×4: / divides by a scalar; write ./ elementwise, as in 1./x"},
		{"1/x", "1:1: 1/x: cannot divide 1×1 by 3×1: / divides by a scalar; write ./ elementwise, as in 1./x"},
		{"x/y", "1:1: x/y: cannot divide 3×1 by 3×1: / divides by a scalar (./ divides elementwise)"},
		{"pi*s", "1:1: undeclared variable 'pi' (constants are written as numbers: write 3.141592653589793)"},
		{"e^s", "1:1: undeclared variable 'e' (constants are written as numbers: write exp(1))"},
		// X^T of a paper is X' where no T is declared (user sweep).
		{"X^T", "1:3: undeclared variable 'T': write the transpose as X'"},
		{"A*x.^T", "1:6: undeclared variable 'T': write the transpose as x'"},
		{"(X*x)^T", "1:7: undeclared variable 'T': write the transpose as (X*x)'"},
		{"T^2", "1:1: undeclared variable 'T'"},
		{"s^T2", "1:3: undeclared variable 'T2'"},
		{"x + eps", "1:5: undeclared variable 'eps' (constants are written as numbers: write one, such as 1e-8)"},
		{"X^X", "1:1: X^X: cannot raise 3×3 to the power 3×3: the exponent must be a scalar"},
		{"s^x", "1:1: s^x: cannot raise 1×1 to the power 3×1: the exponent must be a scalar"},
		{"A^2", "1:1: A^2: cannot raise 3×4 to a power: needs a square matrix (use .^ for an elementwise power)"},
		{"X^-1", "1:1: X^-1: negative matrix power: use inv"},
		{"X^-s", "1:1: X^-s: negative matrix power: use inv"},
		{"X^0.5", "1:1: X^0.5: matrix power needs a non-negative integer exponent, got 0.5"},
		{"X^1025", "1:1: X^1025: matrix power exponent 1025 is too large: at most 1024 (a matrix power is computed by repeated products)"},
		{"X^1e20", "1:1: X^1e+20: matrix power exponent 1e+20 is too large: at most 1024 (a matrix power is computed by repeated products)"},
		{"X^s", "1:1: X^s: matrix power needs an integer literal exponent, got s"},
		{"X^(1+1)", "1:1: X^(1 + 1): matrix power needs an integer literal exponent, got 1 + 1"},
		{"A.^B", "1:1: A.^B: cannot raise 3×4 to the power 4×3 elementwise: needs a scalar or equal shapes"},
		{"tr(A)", "1:1: tr(A): needs a square matrix, got 3×4"},
		{"det(A)", "1:1: det(A): needs a square matrix, got 3×4"},
		{"logdet(x)", "1:1: logdet(x): needs a square matrix, got 3×1"},
		{"inv(A)", "1:1: inv(A): needs a square matrix, got 3×4"},
		{"expm(A)", "1:1: expm(A): needs a square matrix, got 3×4"},
		{"logm(A)", "1:1: logm(A): needs a square matrix, got 3×4"},
		{"sym(A)", "1:1: sym(A): needs a square matrix, got 3×4"},
		{"diag(A)", "1:1: diag(A): needs a column vector or a square matrix, got 3×4"},
		{"diag(r)", "1:1: diag(r): needs a column vector or a square matrix, got 1×4"},
		{"eye(p)", "1:1: eye(p): size p has no value"},
		{"eye(zero)", "1:1: eye(zero): size zero = 0 is not a positive size"},
		{"inf", "1:1: inf is allowed only as the upper bound of an integral"},
		{"2*inf", "1:3: inf is allowed only as the upper bound of an integral"},
		{"integral(t, inf, 1, t)", "1:13: inf is allowed only as the upper bound of an integral"},
		{"integral(t, 0, -inf, t)", "1:17: inf is allowed only as the upper bound of an integral"},
		{"integral(t, 0, 2*inf, t)", "1:18: inf is allowed only as the upper bound of an integral"},
		{"integral(t, 0, 1, inf)", "1:19: inf is allowed only as the upper bound of an integral"},
		{"integral(z, x, 1, z)", "1:1: integral(z, x, 1, z): the lower bound must be a scalar, got 3×1"},
		{"integral(z, 0, X, z)", "1:1: integral(z, 0, X, z): the upper bound must be a scalar, got 3×3"},
		{"integral(z, 0, z, z)", "1:16: undeclared variable 'z'"},
		{"integral(z, 0, 1, z) + z", "1:24: undeclared variable 'z'"},
		{"integral(z, 0, 1, A*x*z)", "1:19: A*x: cannot multiply 3×4 by 3×1"},
	}
	for _, tt := range tests {
		e := mustParse(t, tt.src)
		got, err := Infer(e, testEnv, testSizes)
		if err == nil {
			t.Errorf("Infer(%q) = %v, want error %q", tt.src, got, tt.want)
			continue
		}
		if err.Error() != tt.want {
			t.Errorf("Infer(%q) error = %q, want %q", tt.src, err, tt.want)
		}
		var pe *Error
		if !errors.As(err, &pe) {
			t.Errorf("Infer(%q) error %T is not *Error", tt.src, err)
		}
	}
}

func TestInferBadTrees(t *testing.T) {
	// Trees built by hand may be malformed; Infer reports them.
	x := &Ident{Name: "x"}
	var nilIdent *Ident
	tests := []struct {
		e    Expr
		want string
	}{
		{nil, "0:0: missing expression"},
		{nilIdent, "0:0: missing expression"},
		{&Binary{Op: "*", L: x, R: nil}, "0:0: missing expression"},
		{&Unary{Op: "!", X: x}, `0:0: !x: unknown operator "!"`},
		{&Binary{Op: "%", L: x, R: x}, `0:0: x % x: unknown operator "%"`},
		{&Call{Func: "foo", Args: []Expr{x}}, "0:0: unknown function 'foo'"},
		{&Call{Func: "tr"}, "0:0: tr(): tr takes 1 argument, got 0"},
		{&Call{Func: "eye", Args: []Expr{&Ident{Name: "y"}}}, "0:0: eye(y): size y has no value"},
		{&Call{Func: "eye", Args: []Expr{x}}, "0:0: eye(x): x is a variable, not a size: eye takes a size symbol or a positive integer"},
		{&Call{Func: "eye", Args: []Expr{&Num{Value: 0.5}}}, "0:0: eye(0.5): eye needs a size symbol or a positive integer"},
		{&Call{Func: "eye", Args: []Expr{nilIdent}}, "0:0: eye(<nil>): eye needs a size symbol or a positive integer"},
		{&Integral{Var: "2", Lo: &Num{}, Hi: &Num{Value: 1}, Body: x}, `0:0: integral(2, 0, 1, x): the integration variable "2" is not a name`},
		{&Call{Func: "kron", Args: []Expr{&Call{Func: "eye", Args: []Expr{&Num{Value: 1 << 20}}}, &Call{Func: "eye", Args: []Expr{&Num{Value: 1 << 20}}}}},
			"0:0: kron(eye(1.048576e+06), eye(1.048576e+06)): result of 1048576×1048576 ⊗ 1048576×1048576 is too large"},
	}
	for _, tt := range tests {
		_, err := Infer(tt.e, map[string]Shape{"x": {3, 1}}, nil)
		if err == nil || err.Error() != tt.want {
			t.Errorf("Infer(%v) error = %v, want %q", tt.e, err, tt.want)
		}
	}
}

// TestDeclaredT checks that X^T says to write X' only where no T is
// declared: a declared T is an exponent like any other.
func TestDeclaredT(t *testing.T) {
	env := maps.Clone(testEnv)
	env["T"] = Shape{1, 1}
	if got, err := Infer(mustParse(t, "s^T"), env, testSizes); err != nil || got != (Shape{1, 1}) {
		t.Errorf("Infer(s^T) = %v, %v, want 1×1", got, err)
	}
	const want = "1:1: X^T: matrix power needs an integer literal exponent, got T"
	if _, err := Infer(mustParse(t, "X^T"), env, testSizes); err == nil || err.Error() != want {
		t.Errorf("Infer(X^T) error = %v, want %q", err, want)
	}
}
