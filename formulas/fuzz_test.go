package formulas

import (
	"strings"
	"testing"
)

// parseSeeds cover every construct of the language and some near misses.
var parseSeeds = []string{
	"2", "0.5", ".5", "2.", "1e-3", "1E+21", "inf", "X", "x_1", "dX",
	"X'", "X''", "(A*B)'", "x'*A*x", "-x", "--x", "-x^2", "(-x)^2", "x^-1",
	"x^-y^2", "a^b^c", "(a^b)^c", "A.^2", "2.^x", "2.*X", "1.5./X", "A/2",
	"a - b - c", "a - (b - c)", "a + b*c", "(a + b)*c", "a*-b",
	"tr(A*X*B)", "det(X)", "logdet(X)", "inv(X)'", "expm(X)", "logm(X)",
	"sum(A)", "norm2(x)^2", "diag(x)", "diag(X)", "sym(X)", "exp(x)",
	"log(x)", "sqrt(x)", "abs(x)", "tanh(x)", "kron(A, B)", "eye(n)", "eye(3)",
	"integral(t, 0, inf, expm(t*X))",
	"integral(a, 0, 1, expm(a*X)*dX*expm((1 - a)*X))",
	"X + s*eye(n)", "A*x", "X^2", "X^-1", "X^0.5",
	"tr(A*X*B", "", "A B", "2x", "trace(X)", "1e", "x$", "eye(n*2)",
	"integral(2, 0, 1, t)", "tr(A,B)", "((((x))))", "é", "x\n+\ty",
	"X\\x", "X'\\A*B", "A\\", "1 + x", "2/n*x", "sigmoid(x)", "softplus(A)",
	"log1p(x) + expm1(x)", "sin(x).*cos(x)", "relu(A).*step(A)", "softmax(A)",
	"logsumexp(x)", "mean(A)", "ones(n)", "ones(3, n)", "zeros(n, n)", "ones()",
}

// fuzzEnv is a small fixed environment for Infer.
var fuzzEnv = map[string]Shape{
	"A": {3, 4}, "B": {4, 3}, "X": {3, 3}, "dX": {3, 3}, "x": {3, 1},
	"y": {3, 1}, "s": {1, 1}, "a": {1, 1}, "t": {1, 1},
}

func FuzzParse(f *testing.F) {
	for _, s := range parseSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		e, err := Parse(src)
		if err != nil {
			if e != nil {
				t.Fatalf("Parse(%q) returned both %v and %v", src, e, err)
			}
			if _, ok := err.(*Error); !ok {
				t.Fatalf("Parse(%q) error %T is not *Error", src, err)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("Parse(%q) error is not one line: %q", src, err)
			}
			return
		}
		printed := e.String()
		again, err := Parse(printed)
		if err != nil {
			t.Fatalf("Parse(%q) printed as %q, which does not parse: %v", src, printed, err)
		}
		if again.String() != printed || !sameExpr(e, again) {
			t.Fatalf("Parse(%q) printed as %q, reparsed as %q (%s, want %s)", src, printed, again, sexpr(again), sexpr(e))
		}
		_, _ = Infer(e, fuzzEnv, map[string]int{"n": 3, "m": 4})
	})
}

func FuzzLoadSpec(f *testing.F) {
	f.Add(validSpec)
	f.Add("formulas:\n  - name: a\n    f: x'*A*x\n    wrt: x\n    hess: A + A'\n    vars: {A: \"n,n\", x: n}\n")
	f.Add("formulas:\n  - name: j\n    f: A*x\n    wrt: x\n    jac: A\n    vars: {A: \"m,n\", x: n}\n    sizes: {m: 3}\n")
	f.Add("formulas:\n  - name: g\n    f: tr(X)\n    wrt: X\n    gard: eye(n)\n    vars: {X: {shape: \"n,n\", dist: orth}}\n")
	f.Add("formulas:\n  - name: e\n    f: expm(X)\n    wrt: X\n    diff: integral(a, 0, 1, expm(a*X)*dX*expm((1-a)*X))\n    vars: {X: {shape: \"n,n\", dist: small}}\n")
	f.Add("formulas: [{name: x, f: tr(X), equals: tr(X'), vars: &v {X: \"n,n\"}}, {name: y, f: det(X), equals: det(X'), vars: *v}]\n")
	f.Add("formulas:\n  - name: w\n    f: r'*r\n    where: {r: A*x - b, s: 2*r}\n    wrt: x\n    grad: s'*A\n    vars: {A: \"m,n\", x: n, b: m}\n")
	f.Add("formulas:\n  - name: v\n    f: vec(X*P)\n    where: {P: dX}\n    wrt: X\n    jac: kron(eye(n), X)\n    vars: {X: \"n,n\"}\n")
	f.Add("formulas:\n\t- name: x\n")
	f.Add("---\n...\n---\n")
	f.Add("")
	f.Fuzz(func(t *testing.T, data string) {
		claims, err := LoadSpec("fuzz.yaml", []byte(data))
		if err != nil {
			if claims != nil {
				t.Fatalf("LoadSpec returned both claims and %v", err)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("LoadSpec error is not one line: %q", err)
			}
			return
		}
		if len(claims) == 0 {
			t.Fatalf("LoadSpec returned no claims and no error")
		}
		for _, c := range claims {
			sizes, err := c.ResolveSizes(nil)
			if err != nil {
				t.Fatalf("%s: ResolveSizes: %v", c.Name, err)
			}
			if _, err := c.Check(sizes); err != nil {
				t.Fatalf("%s: Check: %v", c.Name, err)
			}
		}
	})
}
