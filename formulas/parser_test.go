package formulas

import (
	"errors"
	"math"
	"strings"
	"testing"
)

func TestParsePrint(t *testing.T) {
	tests := []struct {
		src   string
		print string // the canonical form
		tree  string // fully parenthesized structure
	}{
		// Numbers and names.
		{"2", "2", "2"},
		{"0.5", "0.5", "0.5"},
		{".5", "0.5", "0.5"},
		{"2.", "2", "2"},
		{"1e-3", "0.001", "0.001"},
		{"1E+21", "1e+21", "1e+21"},
		{"2.5e-10", "2.5e-10", "2.5e-10"},
		{"0e-999", "0", "0"},
		{"4e-324", "5e-324", "5e-324"},
		{"inf", "inf", "inf"},
		{"X", "X", "X"},
		{"x_1", "x_1", "x_1"},
		{"dX", "dX", "dX"},

		// Solve binds as a product, from the left, as in MATLAB.
		{"A\\b", "A\\b", "(\\ A b)"},
		{"A\\B*C", "A\\B*C", "(* (\\ A B) C)"},
		{"A*(B\\C)", "A*(B\\C)", "(* A (\\ B C))"},
		{"A'\\(b - c)", "A'\\(b - c)", "(\\ (' A) (- b c))"},
		{"ones(m, n)", "ones(m, n)", "(ones m n)"},

		// Postfix transpose binds tightest and repeats.
		{"X'", "X'", "(' X)"},
		// MATLAB's .' is ' on real values.
		{"X.'", "X'", "(' X)"},
		{"(A*B).'*x", "(A*B)'*x", "(* (' (* A B)) x)"},
		{"2.'", "2'", "(' 2)"},
		{"X''", "X''", "(' (' X))"},
		{"X ' '", "X''", "(' (' X))"},
		{"(A*B)'", "(A*B)'", "(' (* A B))"},
		{"A*B'", "A*B'", "(* A (' B))"},
		{"X'^2", "X'^2", "(^ (' X) 2)"},
		{"(X^2)'", "(X^2)'", "(' (^ X 2))"},
		{"x^(y')", "x^(y')", "(^ x (' y))"},
		{"x.^(y')^2", "x.^(y'^2)", "(.^ x (^ (' y) 2))"},
		{"x.^-(y')", "x.^-(y')", "(.^ x (- (' y)))"},
		{"-X'", "-X'", "(- (' X))"},
		{"(-X)'", "(-X)'", "(' (- X))"},
		{"2'", "2'", "(' 2)"},

		// Unary minus.
		{"-x", "-x", "(- x)"},
		{"--x", "--x", "(- (- x))"},
		{"-(-x)", "--x", "(- (- x))"},
		{"-x^2", "-x^2", "(- (^ x 2))"},
		{"(-x)^2", "(-x)^2", "(^ (- x) 2)"},
		{"-(a*b)", "-(a*b)", "(- (* a b))"},
		{"-a*b", "-a*b", "(* (- a) b)"},
		{"a*-b", "a*-b", "(* a (- b))"},
		{"a - -b", "a - -b", "(- a (- b))"},
		{"a--b", "a - -b", "(- a (- b))"},
		{"-a + b", "-a + b", "(+ (- a) b)"},
		{"-(a + b)", "-(a + b)", "(- (+ a b))"},

		// Powers: right-associative, exponent may be negated.
		{"a^b^c", "a^b^c", "(^ a (^ b c))"},
		{"(a^b)^c", "(a^b)^c", "(^ (^ a b) c)"},
		{"x^-1", "x^-1", "(^ x (- 1))"},
		{"x^--1", "x^--1", "(^ x (- (- 1)))"},
		{"x^-y^2", "x^-y^2", "(^ x (- (^ y 2)))"},
		{"x^(-y)", "x^-y", "(^ x (- y))"},
		{"x^-(a*b)", "x^-(a*b)", "(^ x (- (* a b)))"},
		{"x^(a*b)", "x^(a*b)", "(^ x (* a b))"},
		// -0 is 0: a negated zero exponent is the exponent 0.
		{"X^-0", "X^0", "(^ X 0)"},
		{"X^(-0)", "X^0", "(^ X 0)"},
		{"X^--0.0", "X^0", "(^ X 0)"},
		{"x.^-0", "x.^0", "(.^ x 0)"},
		{"x^-0.5", "x^-0.5", "(^ x (- 0.5))"},
		{"A.^2", "A.^2", "(.^ A 2)"},
		{"A.^2.^3", "A.^2.^3", "(.^ A (.^ 2 3))"},
		{"2.^x", "2.^x", "(.^ 2 x)"},
		{"x^2*y", "x^2*y", "(* (^ x 2) y)"},

		// Products and sums: left-associative.
		{"a-b-c", "a - b - c", "(- (- a b) c)"},
		{"a-(b-c)", "a - (b - c)", "(- a (- b c))"},
		{"a+b*c", "a + b*c", "(+ a (* b c))"},
		{"(a+b)*c", "(a + b)*c", "(* (+ a b) c)"},
		{"a*b*c", "a*b*c", "(* (* a b) c)"},
		{"a*(b*c)", "a*(b*c)", "(* a (* b c))"},
		{"a/b/c", "a/b/c", "(/ (/ a b) c)"},
		{"a/(b*c)", "a/(b*c)", "(/ a (* b c))"},
		{"a*(b/c)", "a*(b/c)", "(* a (/ b c))"},
		{"A.*B./C", "A.*B./C", "(./ (.* A B) C)"},
		{"2.*X", "2.*X", "(.* 2 X)"},
		{"1.5.*X", "1.5.*X", "(.* 1.5 X)"},
		{"2./X", "2./X", "(./ 2 X)"},
		{"x'*A*x", "x'*A*x", "(* (* (' x) A) x)"},
		{"((x))", "x", "x"},

		// Calls.
		{"tr(A*X*B)", "tr(A*X*B)", "(tr (* (* A X) B))"},
		{"det(X)", "det(X)", "(det X)"},
		{"logdet(X)", "logdet(X)", "(logdet X)"},
		{"inv(X)'", "inv(X)'", "(' (inv X))"},
		{"expm(X)", "expm(X)", "(expm X)"},
		{"logm(X)", "logm(X)", "(logm X)"},
		{"sum(X)", "sum(X)", "(sum X)"},
		{"norm2(x)^2", "norm2(x)^2", "(^ (norm2 x) 2)"},
		{"diag(x)", "diag(x)", "(diag x)"},
		{"sym(X)", "sym(X)", "(sym X)"},
		{"exp(x)+log(x)", "exp(x) + log(x)", "(+ (exp x) (log x))"},
		{"sqrt(abs(tanh(x)))", "sqrt(abs(tanh(x)))", "(sqrt (abs (tanh x)))"},
		{"kron(A,B)", "kron(A, B)", "(kron A B)"},
		{"kron( A' , B+C )", "kron(A', B + C)", "(kron (' A) (+ B C))"},
		{"eye(n)", "eye(n)", "(eye n)"},
		{"eye(3)", "eye(3)", "(eye 3)"},
		{"integral(t, 0, inf, expm(t*X))", "integral(t, 0, inf, expm(t*X))", "(integral t 0 inf (expm (* t X)))"},
		{"integral(a,0,1,expm(a*X)*dX*expm((1-a)*X))", "integral(a, 0, 1, expm(a*X)*dX*expm((1 - a)*X))",
			"(integral a 0 1 (* (* (expm (* a X)) dX) (expm (* (- 1 a) X))))"},
		{"integral(s, 0, 1, integral(t, 0, s, s*t))", "integral(s, 0, 1, integral(t, 0, s, s*t))",
			"(integral s 0 1 (integral t 0 s (* s t)))"},

		// Whitespace and lines.
		{" \tA\n *\r\n B ", "A*B", "(* A B)"},
	}
	for _, tt := range tests {
		e := mustParse(t, tt.src)
		if got := e.String(); got != tt.print {
			t.Errorf("Parse(%q).String() = %q, want %q", tt.src, got, tt.print)
		}
		if got := sexpr(e); got != tt.tree {
			t.Errorf("Parse(%q) tree = %s, want %s", tt.src, got, tt.tree)
		}
		again, err := Parse(e.String())
		if err != nil {
			t.Errorf("Parse(%q) (reprinted from %q): %v", e.String(), tt.src, err)
			continue
		}
		if !sameExpr(e, again) || again.String() != e.String() {
			t.Errorf("round trip of %q: got %s, want %s", tt.src, sexpr(again), sexpr(e))
		}
	}
}

func TestParseInf(t *testing.T) {
	e := mustParse(t, "inf")
	if n, ok := e.(*Num); !ok || !math.IsInf(n.Value, 1) {
		t.Errorf("Parse(inf) = %#v, want *Num{+Inf}", e)
	}
	e = mustParse(t, "integral(t, 0, inf, t)")
	in, ok := e.(*Integral)
	if !ok || in.Var != "t" {
		t.Fatalf("Parse(integral...) = %#v, want *Integral over t", e)
	}
	if n, ok := in.Hi.(*Num); !ok || !math.IsInf(n.Value, 1) {
		t.Errorf("integral upper bound = %#v, want +Inf", in.Hi)
	}
}

func TestParsePositions(t *testing.T) {
	e := mustParse(t, "tr(A)*(B + C)'\n  - -x^2")
	var got []string
	Walk(e, func(x Expr) { got = append(got, x.Pos().String()+" "+sexpr(x)) })
	want := []string{
		"1:1 (- (* (tr A) (' (+ B C))) (- (^ x 2)))",
		"1:1 (* (tr A) (' (+ B C)))",
		"1:1 (tr A)",
		"1:4 A",
		"1:7 (' (+ B C))",
		"1:8 (+ B C)",
		"1:8 B",
		"1:12 C",
		"2:5 (- (^ x 2))",
		"2:6 (^ x 2)",
		"2:6 x",
		"2:8 2",
	}
	sameLines(t, "positions", got, want)
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		src, want string
	}{
		{"tr(A*X*B", "1:9: expected ')'"},
		{"(A*B", "1:5: expected ')'"},
		// Juxtaposed factors, inside parentheses and calls as outside:
		// these said "expected ')', found 'B'".
		{"(A B)", "1:4: missing operator before 'B'"},
		{"tr(A B)", "1:6: missing operator before 'B'"},
		{"tr(X'X)", "1:6: missing operator before 'X'"},
		{"kron(A B, C)", "1:8: missing operator before 'B'"},
		{"kron(A, B C)", "1:11: missing operator before 'C'"},
		{"integral(t, 0, 1, 2 t)", "1:21: missing operator before 't'"},
		{"2*(x 3)", "1:6: missing operator before '3'"},
		{"(2 (B))", "1:4: missing operator before '('"},
		{"tr(A ]", "1:6: unexpected character ']'"},
		{"tr(A;B)", "1:5: unexpected character ';'"},
		{"(A,B)", "1:3: expected ')', found ','"},
		{"", "1:1: empty expression"},
		{"  \n ", "2:2: empty expression"},
		{"A B", "1:3: missing operator before 'B'"},
		{"2x", "1:2: missing operator before 'x'"},
		{"A (B)", "1:1: unknown function 'A'"},
		{"2 (B)", "1:3: missing operator before '('"},
		{"1..5", "1:3: missing operator before '.5'"},
		{"A)", "1:2: unexpected ')'"},
		{"A,B", "1:2: unexpected ','"},
		{"A*", "1:3: expected an operand, found end of input"},
		{"A*)", "1:3: expected an operand, found ')'"},
		{"()", "1:2: expected an operand, found ')'"},
		{"*A", "1:1: expected an operand, found '*'"},
		{"'A", "1:1: expected an operand, found \"'\""},
		{"+A", "1:1: expected an operand, found '+'"},
		{"x^", "1:3: expected an operand, found end of input"},
		// A ' in an exponent: ' binds tightest, so X.^2' would be X.^(2'),
		// where MATLAB reads (X.^2)'.
		{"A.^2'", "1:5: A.^2': a transpose in an exponent is ambiguous: write (A.^2)' to transpose the power, or A.^(2') to transpose the exponent"},
		{"x^y'", "1:4: x^y': a transpose in an exponent is ambiguous: write (x^y)' to transpose the power, or x^(y') to transpose the exponent"},
		{"X^-2'", "1:5: X^-2': a transpose in an exponent is ambiguous: write (X^-2)' to transpose the power, or X^(-2') to transpose the exponent"},
		{"x.^y'^2", "1:5: x.^y': a transpose in an exponent is ambiguous: write (x.^y)' to transpose the power, or x.^(y') to transpose the exponent"},
		{"2*x.^(y)'", "1:9: x.^(y)': a transpose in an exponent is ambiguous: write (x.^(y))' to transpose the power, or x.^((y)') to transpose the exponent"},
		{"x$", "1:2: unexpected character '$'"},
		// NumPy, PyTorch and MATLAB habits get what to write instead
		// (walkthrough 2026-12-07h, item 4).
		{"x.y", "1:2: unexpected '.y': methods and modules are not supported; call the language's functions by name (gradcheck check --help lists them)"},
		{"sum((X@w - y).^2)", "1:7: unexpected character '@': write * for the matrix product"},
		{"sum((X*w - y)**2)", "1:14: unexpected '**': write ^ for a scalar or square-matrix power, .^ elementwise"},
		{"2*X.T*(X*w - y)", "1:4: unexpected '.T': write X' for the transpose"},
		{"X.t()*y", "1:2: unexpected '.t': write X' for the transpose"},
		{"X.transpose()", "1:2: unexpected '.transpose': write X' for the transpose"},
		{"x.sum()", "1:2: unexpected '.sum': methods are not supported; write sum(X) for X.sum()"},
		{"x.var()", "1:2: unexpected '.var': methods are not supported (var: write mean((x - mean(x)).^2))"},
		{"x.dot(y)", "1:2: unexpected '.dot': methods are not supported (dot: write x'*y, or sum(x.*y))"},
		{"sum(softmax(x)[0])", "1:15: unexpected character '[': indexing [...] is not supported"},
		{"sum(step(abs(r) < d))", "1:17: unexpected '<': comparisons are not in the language; step(a - b) is 1 where a > b"},
		{"a >= b", "1:3: unexpected '>=': comparisons are not in the language; step(a - b) is 1 where a > b"},
		{"a<=b", "1:2: unexpected '<=': comparisons are not in the language; step(a - b) is 1 where a > b"},
		{"a == b", "1:3: unexpected '==': comparisons are not in the language; step(a - b) is 1 where a > b"},
		{"a != b", "1:3: unexpected '!=': comparisons are not in the language; step(a - b) is 1 where a > b"},
		{"a > b", "1:3: unexpected '>': comparisons are not in the language; step(a - b) is 1 where a > b"},
		{"sum(X, 1)", "1:1: sum takes 1 argument, got 2: sum(X); sum and mean reduce all entries: column sums of an m×n X are ones(1, m)*X, row sums X*ones(n)"},
		{"A\n  * #", "2:5: unexpected character '#'"},
		{"é", "1:1: unexpected character 'é'"},
		{"x*\xff", `1:3: unexpected character "\xff"`},
		{"1e", "1:1: malformed number '1e'"},
		{"2*1e+x", "1:3: malformed number '1e+x'"},
		{"1e999", "1:1: number '1e999' is out of range"},
		{"2*1e-400", "1:3: number '1e-400' is out of range"},
		{"0.5E-999", "1:1: number '0.5E-999' is out of range"},
		{"trace(X)", "1:1: unknown function 'trace' (did you mean tr?)"},
		{"Tr(X)", "1:1: unknown function 'Tr' (did you mean tr?)"},
		{"lgdet(X)", "1:1: unknown function 'lgdet' (did you mean logdet?)"},
		// norm's nearest name, norm2, is only some of its norms: the hint
		// depends on the second argument (user sweep).
		{"norm(x)", "1:1: unknown function 'norm' (write norm2(x): the 2-norm of a vector, the Frobenius norm of a matrix)"},
		{"norm(x,1)", "1:1: unknown function 'norm' (write sum(abs(x)), the 1-norm of a vector)"},
		{"2*norm(A*x - b, 1)", "1:3: unknown function 'norm' (write sum(abs(x)), the 1-norm of a vector)"},
		{"norm(x, 2)^2", "1:1: unknown function 'norm' (write norm2(x) for a vector; the spectral norm of a matrix is not in the language)"},
		{"norm(X,'fro')", "1:1: unknown function 'norm' (write norm2(X), the Frobenius norm)"},
		{"Norm(X, 'Fro')", "1:1: unknown function 'Norm' (write norm2(X), the Frobenius norm)"},
		{"norm(x, inf)", "1:1: unknown function 'norm' (the max norm is not in the language)"},
		{"norm(X, 'nuc')", "1:1: unknown function 'norm' (the trace (nuclear) norm is not in the language)"},
		{"norm(x, 3)", "1:1: unknown function 'norm' (write sum(abs(x).^3)^(1/3), the 3-norm of a vector)"},
		// Below 1 it is no norm (the review helper).
		{"norm(x, 0.5)", "1:1: unknown function 'norm' (write norm2(x) for the 2-norm of a vector or the Frobenius norm of a matrix, sum(abs(x)) for the 1-norm of a vector)"},
		{"norm(tr(X), 1)", "1:1: unknown function 'norm' (write sum(abs(x)), the 1-norm of a vector)"},
		{"norm(x, p)", "1:1: unknown function 'norm' (write norm2(x) for the 2-norm of a vector or the Frobenius norm of a matrix, sum(abs(x)) for the 1-norm of a vector)"},
		{"norm(x, 1", "1:1: unknown function 'norm' (write sum(abs(x)), the 1-norm of a vector)"},
		{"x.norm()", "1:2: unexpected '.norm': methods are not supported (norm: write norm2(x) for the 2-norm of a vector or the Frobenius norm of a matrix, sum(abs(x)) for the 1-norm of a vector)"},
		// vec, reshape and eigenvalues are not in the language.
		{"flatten(X)", "1:1: unknown function 'flatten' (flatten and ravel stack the rows: write vec(X') (vec stacks the columns))"},
		{"vectorize(X)", "1:1: unknown function 'vectorize' (did you mean vec?)"},
		{"reshape(X, n*n, 1)", "1:1: unknown function 'reshape' (reshaping is not in the language; declare each variable in the shape the formula uses)"},
		{"x.reshape(n)", "1:2: unexpected '.reshape': methods are not supported (reshape: reshaping is not in the language; declare each variable in the shape the formula uses)"},
		{"lambda_max(X)", "1:1: unknown function 'lambda_max' (eigenvalues are not in the language)"},
		{"eigs(X)", "1:1: unknown function 'eigs' (eigenvalues are not in the language)"},
		{"eig(X)", "1:1: unknown function 'eig' (eigenvalues are not in the language)"},
		// tril said "did you mean tr?" (the statistician's walkthrough).
		{"tril(X)", "1:1: unknown function 'tril' (triangular parts are not in the language)"},
		{"2*foo(x)", "1:3: unknown function 'foo'"},
		{"X(1)", "1:1: unknown function 'X'"},
		{"tr", "1:1: function 'tr' needs its arguments: tr(...)"},
		{"tr + 1", "1:1: function 'tr' needs its arguments: tr(...)"},
		{"tr()", "1:1: tr takes 1 argument, got 0: tr(X)"},
		{"tr(A,B)", "1:1: tr takes 1 argument, got 2: tr(X)"},
		{"kron(A)", "1:1: kron takes 2 arguments, got 1: kron(A, B)"},
		{"integral(t, 0, 1)", "1:1: integral takes 4 arguments, got 3: integral(t, lo, hi, EXPR)"},
		{"tr(A,)", "1:6: expected an operand, found ')'"},
		// Bad input for the ML functions and operators.
		{"ones()", "1:1: ones takes 1 or 2 arguments, got 0: ones(n), ones(m, n)"},
		{"zeros(n, n, n)", "1:1: zeros takes 1 or 2 arguments, got 3: zeros(n), zeros(m, n)"},
		{"ones(x')", "1:6: ones needs a size symbol or a positive integer, got x'"},
		{"ones(n, 0)", "1:9: ones needs a size symbol or a positive integer, got 0"},
		{"mean(A, B)", "1:1: mean takes 1 argument, got 2: mean(X); sum and mean reduce all entries: column sums of an m×n X are ones(1, m)*X, row sums X*ones(n)"},
		{"sum(A, B, C)", "1:1: sum takes 1 argument, got 3: sum(X)"},
		{"softmax()", "1:1: softmax takes 1 argument, got 0: softmax(X)"},
		{"sigmoid + 1", "1:1: function 'sigmoid' needs its arguments: sigmoid(...)"},
		{"sigmod(x)", "1:1: unknown function 'sigmod' (did you mean sigmoid?)"},
		{"logistic(x)", "1:1: unknown function 'logistic' (did you mean sigmoid?)"},
		{"heaviside(x)", "1:1: unknown function 'heaviside' (did you mean step?)"},
		{"lse(x)", "1:1: unknown function 'lse' (did you mean logsumexp?)"},
		// A name cut short is completed, rather than matched to a
		// closer word: sigm is sigmoid, not sign.
		{"sigm(x)", "1:1: unknown function 'sigm' (did you mean sigmoid?)"},
		{"logsum(x)", "1:1: unknown function 'logsum' (did you mean logsumexp?)"},
		{"soft(x)", "1:1: unknown function 'soft'"},
		// A name the language lacks is not matched to a nearby function
		// that means something else (sqrtm is no sqrt, dot no det).
		{"sqrtm(X)", "1:1: unknown function 'sqrtm' (the matrix square root is not in the language; sqrt is elementwise)"},
		{"2*dot(x, y)", "1:3: unknown function 'dot' (write x'*y, or sum(x.*y))"},
		{"pinv(X)*b", "1:1: unknown function 'pinv' (the pseudo-inverse is not in the language; for X of full column rank it is (X'*X)\\X')"},
		{"sinh(x)", "1:1: unknown function 'sinh' (write (exp(x) - exp(-x))/2)"},
		{"clamp(x, 0, 1)", "1:1: unknown function 'clamp' (clamp(x, a, b) with a ≤ b is a + relu(x - a) - relu(x - b))"},
		{"clip(x, 0, 1)", "1:1: unknown function 'clip' (clamp(x, a, b) with a ≤ b is a + relu(x - a) - relu(x - b))"},
		{"var(x)", "1:1: unknown function 'var' (write mean((x - mean(x)).^2))"},
		{"numel(X)", "1:1: unknown function 'numel' (sizes are the size symbols of the shapes, as numbers: an m×n X has m*n entries)"},
		{"size(X)", "1:1: unknown function 'size' (sizes are the size symbols of the shapes, as numbers: an m×n X has m*n entries)"},
		{"erf(x)", "1:1: unknown function 'erf' (not offered)"},
		{"gelu(x)", "1:1: unknown function 'gelu' (not offered)"},
		{"huber(x)", "1:1: unknown function 'huber' (not offered; with threshold p > 0 it is 0.5*x.^2 - 0.5*relu(abs(x) - p).^2)"},
		// Transposes are a postfix ', not tr.
		{"transpose(X)", "1:1: unknown function 'transpose' (the transpose is the postfix ', as in X')"},
		{"2*t(A*X)", "1:3: unknown function 't' (the transpose is the postfix ', as in X')"},
		{"Transpose(X)", "1:1: unknown function 'Transpose' (the transpose is the postfix ', as in X')"},
		{"A\\", "1:3: expected an operand, found end of input"},
		{"\\b", "1:1: expected an operand, found '\\'"},
		{"eye(n*2)", "1:5: eye needs a size symbol or a positive integer, got n*2"},
		{"eye(2.5)", "1:5: eye needs a size symbol or a positive integer, got 2.5"},
		{"eye(0)", "1:5: eye needs a size symbol or a positive integer, got 0"},
		{"eye(inf)", "1:5: eye needs a size symbol or a positive integer, got inf"},
		{"integral(2, 0, 1, t)", "1:10: integral: the first argument must be the name of the integration variable, got 2"},
		{"integral(inf, 0, 1, t)", "1:10: integral: the first argument must be the name of the integration variable, got inf"},
		{strings.Repeat("(", 201) + "x" + strings.Repeat(")", 201), "1:201: expression nested too deeply (more than 200 levels)"},
		{strings.Repeat("-", 300) + "x", "1:201: expression nested too deeply (more than 200 levels)"},
		{"x" + strings.Repeat("'", 300), "1:201: expression nested too deeply (more than 200 levels)"},
		{"x" + strings.Repeat("+x", MaxTokens/2), "1:65537: expression too long (more than 65536 tokens)"},
		// The lexer stops after MaxTokens+1 tokens (a 10 MB formula of a
		// spec file took 2 GB to lex): what follows is not read.
		{"x" + strings.Repeat("+x", MaxTokens/2) + "$" + strings.Repeat("+x", 1000), "1:65537: expression too long (more than 65536 tokens)"},
		{strings.Repeat("(x+", 201) + "x" + strings.Repeat(")", 201), "1:601: expression nested too deeply (more than 200 levels)"},
		{strings.Repeat("tr(", 250) + "X" + strings.Repeat(")", 250), "1:603: expression nested too deeply (more than 200 levels)"},
		{strings.Repeat("x^", 250) + "x", "1:402: expression nested too deeply (more than 200 levels)"},
	}
	for _, tt := range tests {
		parseError(t, tt.src, tt.want)
	}
}

// parseError checks that Parse(src) fails with the error want, an *Error,
// and returns that, or nil.
func parseError(t *testing.T, src, want string) *Error {
	t.Helper()
	e, err := Parse(src)
	if err == nil {
		t.Errorf("Parse(%q) = %v, want error %q", src, e, want)
		return nil
	}
	if err.Error() != want {
		t.Errorf("Parse(%q) error = %q, want %q", src, err, want)
	}
	var pe *Error
	if !errors.As(err, &pe) {
		t.Errorf("Parse(%q) error %T is not *Error", src, err)
	}
	return pe
}

// TestNegativeZeroPower checks that X^-0 is X^0, a power of a square
// matrix, while a negative power is still refused.
func TestNegativeZeroPower(t *testing.T) {
	env := map[string]Shape{"X": {3, 3}}
	for _, src := range []string{"X^-0", "X^(-0)", "X^-(0)", "X^-0.0"} {
		if s, err := Infer(mustParse(t, src), env, nil); err != nil || s != (Shape{3, 3}) {
			t.Errorf("Infer(%s) = %v, %v; want 3×3", src, s, err)
		}
	}
	if _, err := Infer(mustParse(t, "X^-1"), env, nil); err == nil || !strings.Contains(err.Error(), "negative matrix power") {
		t.Errorf("Infer(X^-1): %v, want a negative matrix power", err)
	}
}

func TestParseDeepButAllowed(t *testing.T) {
	src := strings.Repeat("(", 150) + "x" + strings.Repeat(")", 150)
	if _, err := Parse(src); err != nil {
		t.Errorf("150 parentheses: %v", err)
	}
	src = "x" + strings.Repeat(" + x", 150)
	if _, err := Parse(src); err != nil {
		t.Errorf("151 terms: %v", err)
	}
}

func TestIsFunc(t *testing.T) {
	for _, f := range Funcs() {
		if !IsFunc(f.Name) {
			t.Errorf("IsFunc(%q) = false", f.Name)
		}
		if f.MinArgs < 1 || f.MaxArgs < f.MinArgs || f.Usage == "" || f.Doc == "" {
			t.Errorf("%s: incomplete table entry %+v", f.Name, f)
		}
		if (f.shape == nil) != (f.Name == "integral") {
			t.Errorf("%s: no shape rule", f.Name)
		}
		for _, a := range f.Aliases {
			if IsFunc(a) {
				t.Errorf("%s: alias %s is itself a function", f.Name, a)
			}
		}
	}
	help := FuncHelp()
	for _, f := range Funcs() {
		if !strings.Contains(help, f.Usage+" ") {
			t.Errorf("FuncHelp does not list %s", f.Usage)
		}
	}
	for _, s := range []string{"X", "inf", "trace", ""} {
		if IsFunc(s) {
			t.Errorf("IsFunc(%q) = true", s)
		}
	}
}

func TestPrintBuiltTrees(t *testing.T) {
	// Trees built by hand print as the parser would read them back.
	x, y := &Ident{Name: "x"}, &Ident{Name: "y"}
	tests := []struct {
		e    Expr
		want string
	}{
		{&Num{Value: math.Inf(1)}, "inf"},
		{&Num{Value: 1e300}, "1e+300"},
		{&Binary{Op: "*", L: &Binary{Op: "+", L: x, R: y}, R: &Unary{Op: "-", X: x}}, "(x + y)*-x"},
		{&Binary{Op: "^", L: &Binary{Op: "^", L: x, R: y}, R: &Unary{Op: "-", X: &Binary{Op: "^", L: x, R: y}}}, "(x^y)^-x^y"},
		{&Unary{Op: "'", X: &Unary{Op: "-", X: x}}, "(-x)'"},
		{&Binary{Op: "^", L: x, R: &Unary{Op: "'", X: y}}, "x^(y')"},
		{&Binary{Op: ".^", L: x, R: &Binary{Op: "^", L: &Unary{Op: "'", X: y}, R: x}}, "x.^(y'^x)"},
		{&Binary{Op: ".^", L: x, R: &Unary{Op: "-", X: &Unary{Op: "'", X: y}}}, "x.^-(y')"},
		{&Call{Func: "kron", Args: []Expr{x, &Binary{Op: "-", L: x, R: y}}}, "kron(x, x - y)"},
		{&Integral{Var: "t", Lo: &Num{}, Hi: &Num{Value: math.Inf(1)}, Body: x}, "integral(t, 0, inf, x)"},
	}
	for _, tt := range tests {
		if got := tt.e.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
			continue
		}
		again, err := Parse(tt.want)
		if err != nil || !sameExpr(again, tt.e) {
			t.Errorf("Parse(%q) = %v, %v; want the printed tree", tt.want, again, err)
		}
	}
	var nilNum *Num
	if got := nilNum.String(); got != "<nil>" {
		t.Errorf("nil *Num prints %q", got)
	}
}

// TestFlatChains checks that depth means nesting: a flat sum or product of
// thousands of terms parses (issue 11, item 10).
func TestFlatChains(t *testing.T) {
	for _, src := range []string{
		"x" + strings.Repeat("+x", 4999),
		"x" + strings.Repeat("*x", 4999),
		"(" + strings.Repeat("x-", 5000) + "x)'",
	} {
		if _, err := Parse(src); err != nil {
			t.Errorf("Parse(%.20q...): %v", src, err)
		}
	}
}

// TestKinkedNames checks the list that messages and the help give of the
// functions with a kink, against the functions the README names.
func TestKinkedNames(t *testing.T) {
	if got, want := KinkedNames(), "abs, relu, step, sign or norm2 of one number"; got != want {
		t.Errorf("KinkedNames() = %q, want %q", got, want)
	}
}
