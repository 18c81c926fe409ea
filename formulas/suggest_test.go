package formulas

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestSuggest(t *testing.T) {
	commands := []string{"list", "run", "check", "merge", "bench", "derive", "selftest", "help", "version"}
	funcs := []string{"sign", "sigmoid", "softmax", "softplus", "sqrt", "sum", "tr"}
	tests := []struct {
		name       string
		candidates []string
		want       string
	}{
		{"chek", commands, "check"},
		{"CHECK", commands, "check"},
		{"drive", commands, "derive"},
		{"self", commands, "selftest"},
		{"sel", commands, "selftest"},
		{"frobnicate", commands, ""},
		// A unique completion beats a closer edit.
		{"sigm", funcs, "sigmoid"},
		{"sigmo", funcs, "sigmoid"},
		{"softp", funcs, "softplus"},
		// An ambiguous start, or one too short, falls back to edits.
		{"sig", funcs, "sign"},
		{"soft", funcs, ""},
		{"si", funcs, ""},
		{"s", funcs, ""},
		{"sqr", funcs, "sqrt"},
		// Edits: one up to five letters, two beyond.
		{"sise", []string{"size", "seed", "batch"}, "size"},
		{"sumx", funcs, "sum"},
		{"tracee", funcs, ""},
		{"sigmiod", funcs, "sigmoid"},
		{"x", []string{"f"}, ""},
	}
	for _, tt := range tests {
		if got := Suggest(tt.name, tt.candidates); got != tt.want {
			t.Errorf("Suggest(%q, %q) = %q, want %q", tt.name, tt.candidates, got, tt.want)
		}
	}
}

func TestFuncHint(t *testing.T) {
	tests := []struct {
		name, want string
	}{
		// Genuine typos and names used elsewhere keep their suggestion.
		{"lgodet", "did you mean logdet?"},
		{"sigmiod", "did you mean sigmoid?"},
		{"trace", "did you mean tr?"},
		{"Inverse", "did you mean inv?"},
		{"matrix_exp", "did you mean expm?"},
		{"mexp", "did you mean expm?"},
		{"diagm", "did you mean diag?"},
		{"mlog", "did you mean logm?"},
		{"transpose", "the transpose is the postfix ', as in X'"},
		// The nearest name is another function: say what to write, or
		// that it is not offered.
		{"sqrtm", "the matrix square root is not in the language; sqrt is elementwise"},
		{"SQRTM", "the matrix square root is not in the language; sqrt is elementwise"},
		{"exp2", "write 2.^x"},
		{"log10", "write log(x)/log(10)"},
		{"log2", "write log(x)/log(2)"},
		{"dot", "write x'*y, or sum(x.*y)"},
		{"sinh", "write (exp(x) - exp(-x))/2"},
		{"cosh", "write (exp(x) + exp(-x))/2"},
		{"tan", "write sin(x)./cos(x)"},
		{"min", "min and max are not in the language: max(x, y) is relu(x - y) + y, min(x, y) is y - relu(y - x)"},
		{"max", "min and max are not in the language: max(x, y) is relu(x - y) + y, min(x, y) is y - relu(y - x)"},
		{"cof", "the cofactor matrix is not in the language; for invertible X it is det(X)*inv(X)'"},
		{"trace_norm", "the trace (nuclear) norm is not in the language"},
		{"pinv", "the pseudo-inverse is not in the language; for X of full column rank it is (X'*X)\\X'"},
		{"qr", "matrix decompositions are not in the language"},
		{"norm1", "the entrywise 1-norm is sum(abs(x)); induced matrix norms are not in the language"},
		// A matrix function made of an elementwise name that the table
		// lacks; other variants get no suggestion rather than the base.
		{"sinm", "sinm, a matrix function, is not in the language; sin is elementwise"},
		{"msin", "msin, a matrix function, is not in the language; sin is elementwise"},
		{"tanhm", "tanhm, a matrix function, is not in the language; tanh is elementwise"},
		{"sqrt3", ""},
		{"asign", ""},
		{"arcsigmoid", ""},
		{"foo", ""},
	}
	for _, tt := range tests {
		if got := funcHint(tt.name); got != tt.want {
			t.Errorf("funcHint(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
}

// TestAbsentFuncs checks the table of names the language lacks: none is a
// function or an alias, and every expression it tells the user to write
// (between backquotes) parses and type-checks, with x, y, p scalars or n
// vectors and A, B, X n×n matrices.
func TestAbsentFuncs(t *testing.T) {
	aliases := map[string]bool{}
	for _, f := range Funcs() {
		for _, a := range f.Aliases {
			aliases[a] = true
		}
	}
	for name, hint := range absentFuncs {
		if name != strings.ToLower(name) || IsFunc(name) || aliases[name] || slices.Contains(transposeNames, name) {
			t.Errorf("absentFuncs[%q]: not a lower-case name the language lacks", name)
		}
		checkHintExprs(t, "absentFuncs["+name+"]", hint)
	}
}

// checkHintExprs fails the test where an expression that hint, said of
// what, tells the user to write (between backquotes) does not parse or
// type-check with x and y n-vectors, p a scalar, and A, B, X, Y n×n
// matrices, at two n.
func checkHintExprs(t *testing.T, what, hint string) {
	t.Helper()
	exprs := regexp.MustCompile("`([^`]*)`").FindAllStringSubmatch(hint, -1)
	if strings.Count(hint, "`") != 2*len(exprs) {
		t.Errorf("%s: %q: unbalanced backquotes", what, hint)
	}
	for _, m := range exprs {
		e, err := Parse(m[1])
		if err != nil {
			t.Errorf("%s: %q: %v", what, m[1], err)
			continue
		}
		for _, n := range []int{2, 3} {
			vec, mat := Shape{n, 1}, Shape{n, n}
			env := map[string]Shape{"x": vec, "y": vec, "p": {1, 1}, "A": mat, "B": mat, "X": mat, "Y": mat}
			if _, err := Infer(e, env, nil); err != nil {
				t.Errorf("%s: %q at n = %d: %v", what, m[1], n, err)
			}
		}
	}
}

// TestNormHint checks that the expressions of normHint, for each kind of
// norm(x, p), parse and type-check.
func TestNormHint(t *testing.T) {
	checkHintExprs(t, "normAny", normAny)
	for _, p := range []string{"", "1", "2", "3", "0.5", "'fro'", "inf", "'nuc'", "p", "-1"} {
		toks, err := lex(p)
		if err != nil {
			t.Fatalf("lex(%q): %v", p, err)
		}
		h := normHint(toks[:len(toks)-1])
		if h == "" {
			t.Errorf("normHint(%q) is empty", p)
		}
		checkHintExprs(t, "normHint("+p+")", h)
	}
}
