package formulas

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// logdetEntry is a valid claim of a spec file.
const logdetEntry = `  - name: logdet
    f: logdet(X)
    wrt: X
    grad: inv(X)'
    vars:
      X: {shape: "n,n", dist: spd}
    source: "Matrix cookbook (2012), eq. 57"
`

const validSpec = `# a comment
formulas:
` + logdetEntry + `
  - name: tr-axb
    f: tr(A*X*B)
    wrt: X
    grad: B*A
    layout: numerator
    vars:
      A: {shape: "m,n"}
      X:
        shape: n,p
        dist: small
      B: p,m
    sizes: {p: 6}

  - name: d-inv
    f: inv(X)
    wrt: X
    diff: -inv(X)*dX*inv(X)
    vars:
      X: {shape: "n,n", dist: spd, space: sym}

  - name: trace-identity
    f: tr(A*B)
    equals: tr(B*A)
    vars: {A: [m, n], B: {shape: [n, m]}}
`

func TestLoadSpec(t *testing.T) {
	claims, err := LoadSpec("spec.yaml", []byte(validSpec))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range claims {
		var vars []string
		for _, v := range c.Vars {
			s := v.Name + ":" + v.Dims[0] + "×" + v.Dims[1] + ":" + string(v.Dist)
			if v.SymSpace {
				s += ":sym"
			}
			vars = append(vars, s)
		}
		got = append(got, strings.Join([]string{c.Name, string(c.Kind), c.F.String(), c.Wrt, c.Rhs.String(),
			string(c.Layout), strings.Join(vars, " "), c.Source}, " | "))
	}
	want := []string{
		"logdet | grad | logdet(X) | X | inv(X)' | denominator | X:n×n:spd | Matrix cookbook (2012), eq. 57",
		"tr-axb | grad | tr(A*X*B) | X | B*A | numerator | A:m×n:gauss X:n×p:small B:p×m:gauss | ",
		"d-inv | diff | inv(X) | X | -inv(X)*dX*inv(X) |  | X:n×n:spd:sym | ",
		"trace-identity | equals | tr(A*B) |  | tr(B*A) |  | A:m×n:gauss B:n×m:gauss | ",
	}
	sameLines(t, "LoadSpec", got, want)
	if claims[1].Sizes["p"] != 6 || claims[1].RhsText != "B*A" || claims[1].FText != "tr(A*X*B)" {
		t.Errorf("tr-axb: Sizes %v, RhsText %q, FText %q", claims[1].Sizes, claims[1].RhsText, claims[1].FText)
	}
}

func TestLoadSpecErrors(t *testing.T) {
	// Each case replaces one line of base, or gives a whole file.
	const base = "formulas:\n" + logdetEntry
	replace := func(old, new string) string {
		if !strings.Contains(base, old) {
			panic("no " + old)
		}
		return strings.Replace(base, old, new, 1)
	}
	tests := []struct {
		data, want string
	}{
		{replace("    grad:", "    gard:"), `spec.yaml:5: unknown key "gard" in formula "logdet" (did you mean grad?)`},
		{replace("    source:", "    sorce:"), `spec.yaml:8: unknown key "sorce" in formula "logdet" (did you mean source?)`},
		{replace("    vars:\n      X:", "    vars:\n    X:"), `spec.yaml:7: unknown key "X" in formula "logdet" (a variable? indent it under vars:)`},
		{replace("    source:", "    comment:"), `spec.yaml:8: unknown key "comment" in formula "logdet" (known keys: name, f, wrt, grad, diff, jac, hess, equals, layout, where, vars, sizes, source)`},
		{replace("  - name: logdet\n", "  - nme: logdet\n"), `spec.yaml:2: unknown key "nme" in the formula at line 2 (did you mean name?)`},
		{replace("formulas:", "formula:"), `spec.yaml:1: unknown key "formula" at the top level (did you mean formulas?)`},
		// Parentheses in a key of a block mapping are no expression cut
		// at a comma (the review helper).
		{replace("    grad:", "    grad(X):"), `spec.yaml:5: unknown key "grad(X)" in formula "logdet" (known keys: name, f, wrt, grad, diff, jac, hess, equals, layout, where, vars, sizes, source)`},
		// A backslash in double quotes (the statistician's walkthrough).
		{replace("    f: logdet(X)", `    f: "sum(X\y)"`), `spec.yaml:3: found unknown escape character: in double quotes a backslash starts an escape: write \\ for one (A\\b), or quote the expression with ' ' ('A\b')`},
		// A flow mapping is split at the comma of an unquoted expression
		// (the robustness helper).
		{"formulas:\n  - {name: a, f: sum(X), wrt: X, grad: ones(n,n), vars: {X: [n, n]}}\n",
			`spec.yaml:2: unknown key "n)" in formula "a" (the rest of an expression cut at a comma: in { … } quote an expression that has one, as "ones(n, n)")`},
		{replace("{shape:", "{shap:"), `spec.yaml:7: unknown key "shap" in variable X of formula "logdet" (did you mean shape?)`},
		{replace(`{shape: "n,n", dist: spd}`, `{dist: spd}`), `spec.yaml:7: no shape in variable X of formula "logdet"`},
		// A shape is a string or a list of one or two dimensions; a
		// number that is no dimension is a constant given as a variable
		// (found by the walkthrough).
		{replace(`{shape: "n,n", dist: spd}`, `[n, n, n]`), `spec.yaml:7: shape in variable X of formula "logdet": want 1 or 2 dimensions ([n] or [m, n]), got 3`},
		{replace(`{shape: "n,n", dist: spd}`, `{shape: [n, [n]]}`), `spec.yaml:7: shape in variable X of formula "logdet": a dimension must be a size symbol or an integer, got a list`},
		{replace(`{shape: "n,n", dist: spd}`, `0.1`), `spec.yaml:7: shape in variable X of formula "logdet" is the number 0.1: a variable is declared by its shape ("1" for a scalar); write a constant into the formula as a number`},
		{replace(`{shape: "n,n", dist: spd}`, `{shape: -2}`), `spec.yaml:7: shape in variable X of formula "logdet" is the number -2: a variable is declared by its shape ("1" for a scalar); write a constant into the formula as a number`},
		{replace("    wrt: X\n", "    wrt: X\n    wrt: Y\n"), `spec.yaml:5: duplicate key "wrt" in formula "logdet" (first at line 4)`},
		{replace("    f: logdet(X)", "    f: [logdet(X)]"), `spec.yaml:3: f in formula "logdet" must be a string, got a list`},
		// Malformed YAML.
		{replace(`dist: spd}`, `dist: spd`), `spec.yaml:6: did not find expected ',' or '}'`},
		{replace("    wrt: X", "    wrt: X: Y"), `spec.yaml:4: mapping values are not allowed in this context`},
		{"formulas:\n\t- name: x\n", `spec.yaml:2: found character that cannot start any token: a tab (YAML indents with spaces)`},
		{"formulas:\n  - name: x\n    f: tr(X)\t# a tab in a comment\n    grad: X\n    grad: Y\n", `spec.yaml:5: duplicate key "grad" in formula "x" (first at line 4)`},
		// Bytes the YAML parser refuses without a line: where and which.
		{"formulas:\n  - name: caf\xe9\n", `spec.yaml:2:14: byte 0xe9 is not UTF-8 (a spec file is UTF-8)`},
		// A key that is not a name is quoted: messages stay one line.
		{"formulas:\n  - vars: {0\n\n0}", `spec.yaml:2: variable "0\n0": want {shape: ..., dist: ...} or a shape, got null`},
		{replace(`X: {shape: "n,n", dist: spd}`, `"X\e[2J": {shape: "n,n", dist: spd}`), `spec.yaml:2: formula "logdet": variable name "X\x1b[2J" is not a name (a letter, then letters, digits or _)`},
		{replace(`X: {shape: "n,n", dist: spd}`, `"X\tY": {shape: "n,n", dist: spdd}`), `spec.yaml:2: formula "logdet": variable name "X\tY" is not a name (a letter, then letters, digits or _)`},
		{replace(`X: {shape: "n,n", dist: spd}`, `"a b": {shap: "n,n"}`), `spec.yaml:7: unknown key "shap" in variable "a b" of formula "logdet" (did you mean shape?)`},
		{replace("    source:", "    sizes: {\"n\\nm\": 3}\n    source:"), `spec.yaml:8: formula "logdet": sizes: "n\nm" is not a size symbol of this formula`},
		// A sizes error is at the line of the sizes key, not the formula's.
		{replace("    source:", "    sizes:\n      p: 6\n    source:"), `spec.yaml:8: formula "logdet": sizes: p is not a size symbol of this formula`},
		// A constant named in f and given as a size (the statistician's
		// walkthrough).
		{strings.Replace(replace("    f: logdet(X)", "    f: N*logdet(X)"), "    source:", "    sizes:\n      N: 30\n    source:", 1),
			`spec.yaml:8: formula "logdet": sizes: N is not a size symbol of this formula (a size symbol is a dimension of a variable, or of eye, ones or zeros: write a number in a formula as it is, or declare a 1×1 variable)`},
		{replace("    source:", "    sizes: {\"n\\nm\": x}\n    source:"), `spec.yaml:8: size "n\nm" in formula "logdet" must be an integer, got "x"`},
		{"formulas:\n  - name: a\n    f: tr(X)\x00\n", `spec.yaml:3:13: control character U+0000 is not allowed in YAML`},
		{"formulas:\n  - name: \"√2\x1b[2J\"\n", `spec.yaml:2:14: control character U+001B is not allowed in YAML`},
		{replace("    source:", "    sizes: {n: 99999999999999999999}\n    source:"), `spec.yaml:8: size n in formula "logdet" is out of range: 99999999999999999999 (sizes are from 1 to 2147483647)`},
		{base + "---\nformulas: []\n", `spec.yaml:9: more than one YAML document (remove the ---)`},
		// Empty files and lists.
		{"", `spec.yaml: empty file (want a "formulas:" list)`},
		{"# nothing\n", `spec.yaml: empty file (want a "formulas:" list)`},
		{"~\n", `spec.yaml: empty file (want a "formulas:" list)`},
		{"formulas:\n", `spec.yaml:1: no formulas in the "formulas:" list`},
		{"formulas: []\n", `spec.yaml:1: no formulas in the "formulas:" list`},
		{"- name: x\n", `spec.yaml:1: want a mapping with a "formulas:" list, got a list`},
		{"formulas: logdet\n", `spec.yaml:1: formulas must be a list (- name: ...), got "logdet"`},
		{"formulas:\n  - logdet\n", `spec.yaml:2: a formula must be a mapping (name: ..., f: ...), got "logdet"`},
		{"other: 1\n", `spec.yaml:1: unknown key "other" at the top level (known keys: formulas)`},
		// Claims.
		{replace("    grad: inv(X)'\n", "    grad: inv(X)'\n    hess: -tr(inv(X)*dX*inv(X)*dX)\n"), `spec.yaml:2: formula "logdet": has both grad and hess; a claim states exactly one`},
		{replace("    grad: inv(X)'\n", ""), `spec.yaml:2: formula "logdet": states no claim (grad, diff, jac, hess or equals)`},
		{replace("    grad: inv(X)'", "    grad: inv(Y)'"), `spec.yaml:5:15: formula "logdet": grad: 1:5: undeclared variable 'Y'`},
		{replace("    grad: inv(X)'", "    grad: tr(inv(X)"), `spec.yaml:5:20: formula "logdet": grad: 1:10: expected ')'`},
		{replace("dist: spd", "dist: spf"), `spec.yaml:2: formula "logdet": variable X: unknown dist "spf" (did you mean spd?)`},
		// An empty dist or space is no default: it says what to write.
		{replace("dist: spd", `dist: ""`), `spec.yaml:7: dist in variable X of formula "logdet" is empty; leave dist out for gauss, or name one of ` + distList()},
		{replace(`{shape: "n,n", dist: spd}`, "\n        shape: n,n\n        dist:"), `spec.yaml:9: dist in variable X of formula "logdet" is empty; leave dist out for gauss, or name one of ` + distList()},
		{replace("dist: spd", `dist: ~, space: sym`), `spec.yaml:7: dist in variable X of formula "logdet" is empty; leave dist out for sym (the default in space sym), or write dist: spd`},
		{replace("dist: spd", `dist: spd, space: ''`), `spec.yaml:7: space in variable X of formula "logdet" is empty; leave space out, or write space: sym for a claim about symmetric matrices`},
		{replace(`"n,n"`, `"n;n"`), `spec.yaml:2: formula "logdet": variable X: bad shape "n;n": dimension "n;n" is neither a size symbol nor a positive integer`},
		{replace(`"n,n"`, `"nxn"`), `spec.yaml:2: formula "logdet": variable X: shape "nxn" reads as one size symbol; write "n,n" for an n×n matrix`},
		{replace("  - name: logdet\n", "  - layout: ~\n"), `spec.yaml:2: formula has no name`},
		{replace("    source:", "    sizes: {n: six}\n    source:"), `spec.yaml:8: size n in formula "logdet" must be an integer, got "six"`},
		{replace("    source:", "    sizes: {n: 0}\n    source:"), `spec.yaml:8: formula "logdet": sizes: n = 0: sizes must be at least 1 (and at most 2147483647)`},
		{replace("    source:", "    sizes: [6]\n    source:"), `spec.yaml:8: sizes in formula "logdet" must be a mapping ({n: 6}), got a list`},
		{replace("    source:", "    vars: {}\n    source:"), `spec.yaml:8: duplicate key "vars" in formula "logdet" (first at line 6)`},
		{replace("    source:", "    where: [r]\n    source:"), `spec.yaml:8: where in formula "logdet" must be a mapping of names to expressions (r: A*x - b), got a list`},
		{replace("    source:", "    where: {r: [X]}\n    source:"), `spec.yaml:8: definition r in formula "logdet" must be a string, got a list`},
		{replace("    source:", "    where: {r: X, r: X}\n    source:"), `spec.yaml:8: duplicate key "r" in where in formula "logdet" (first at line 8)`},
		{base + base, `spec.yaml:9: duplicate key "formulas" at the top level (first at line 1)`},
		{base + strings.TrimPrefix(base, "formulas:\n"), `spec.yaml:9: duplicate formula name "logdet" (first at line 2)`},
	}
	for _, tt := range tests {
		claims, err := LoadSpec("spec.yaml", []byte(tt.data))
		if err == nil {
			t.Errorf("LoadSpec(%q) = %d claims, want error %q", tt.data, len(claims), tt.want)
			continue
		}
		if err.Error() != tt.want {
			t.Errorf("LoadSpec(%q) error\n got %q\nwant %q", tt.data, err, tt.want)
		}
		if strings.Contains(err.Error(), "\n") {
			t.Errorf("LoadSpec(%q) error is not one line: %q", tt.data, err)
		}
	}
}

// TestLoadSpecErrorPositions checks that an error in the expression of a
// field is placed at that field's value, not at the formula's "- name:":
// at the line and column of the error where the file shows the expression
// as it is, at the value's line where it does not.
func TestLoadSpecErrorPositions(t *testing.T) {
	const head = "formulas:\n  - name: a\n    wrt: X\n    vars: {X: \"n,n\"}\n"
	tests := []struct {
		fields, want string
	}{
		// A parse error in f, plain, double-quoted and single-quoted.
		{"    f: tr(X\n    grad: eye(n)\n", `s.yaml:5:12: formula "a": f: 1:5: expected ')'`},
		{"    f: \"tr(X\"\n    grad: eye(n)\n", `s.yaml:5:13: formula "a": f: 1:5: expected ')'`},
		{"    f: 'tr(X'\n    grad: eye(n)\n", `s.yaml:5:13: formula "a": f: 1:5: expected ')'`},
		// In a literal block, the line of the error within it.
		{"    grad: eye(n)\n    f: |\n      tr(X) +\n        2*$\n", `s.yaml:8:11: formula "a": f: 2:5: unexpected character '$'`},
		// The claim's field, after f; a shape error; an unknown function.
		{"    f: tr(X)\n    grad: 2*eye(n\n", `s.yaml:6:18: formula "a": grad: 1:8: expected ')'`},
		{"    f: tr(X)\n    grad: eye(n) + X*ones(m)\n", `s.yaml:6:20: formula "a": grad: 1:10: X*ones(m): cannot multiply 48×48 by 40×1`},
		{"    f: sum(X*ones(m))\n    grad: eye(n)\n", `s.yaml:5:12: formula "a": f: 1:5: X*ones(m): cannot multiply 48×48 by 40×1`},
		{"    grad: eye(n)\n    f: trace(X)+foo(X)\n", `s.yaml:6:8: formula "a": f: 1:1: unknown function 'trace' (did you mean tr?)`},
		{"    f: tr(X)\n    grad: eye(n) + X(1,1)\n", `s.yaml:6:20: formula "a": grad: 1:10: X is a variable: indexing X(...) is not supported; write X*(...) for a product`},
		// Folded over two lines, plain or as a folded block, and cut
		// short in a literal block: where the text is in the file (the
		// line of the value alone, before).
		{"    f: tr(X) +\n      tr(X\n    grad: eye(n)\n", `s.yaml:6:11: formula "a": f: 1:13: expected ')'`},
		{"    f: tr(X) + $ +\n      tr(X)\n    grad: eye(n)\n", `s.yaml:5:16: formula "a": f: 1:9: unexpected character '$'`},
		{"    f: >\n      tr(X) +\n      tr(X $\n    grad: eye(n)\n", `s.yaml:7:12: formula "a": f: 1:14: unexpected character '$'`},
		{"    f: |\n      tr(X) +\n      tr(X\n    grad: eye(n)\n", `s.yaml:7:11: formula "a": f: 3:1: expected ')'`},
		{"    f: \"tr(X) +\n      tr(X $\"\n    grad: eye(n)\n", `s.yaml:6:12: formula "a": f: 1:14: unexpected character '$'`},
		// Where the file does not show the expression as it is (an
		// escape), the value's line alone.
		{"    f: \"tr(\\x58\"\n    grad: eye(n)\n", `s.yaml:5: formula "a": f: 1:5: expected ')'`},
		// In a definition (where:): at the definition's value, a parse
		// error, a shape error, or a name refused (at its key).
		{"    f: tr(P)\n    where:\n      P: X*X +\n    grad: 2*X'\n", `s.yaml:7:15: formula "a": where P: 1:6: expected an operand, found end of input`},
		{"    f: tr(P)\n    where:\n      Q: X\n      P: \"X*ones(m)\"\n    grad: 2*X'\n", `s.yaml:8:11: formula "a": where P: 1:1: X*ones(m): cannot multiply 48×48 by 40×1`},
		{"    f: tr(X)\n    where: {X: eye(n)}\n    grad: eye(n)\n", `s.yaml:6: formula "a": where X: X is a declared variable; give the definition a name of its own`},
		// An error of no one field: the formula's line.
		{"    f: tr(X)\n    grad: eye(n)\n    diff: tr(dX)\n", `s.yaml:2: formula "a": has both grad and diff; a claim states exactly one`},
	}
	for _, tt := range tests {
		_, err := LoadSpec("s.yaml", []byte(head+tt.fields))
		if err == nil || err.Error() != tt.want {
			t.Errorf("LoadSpec(%q) error\n got %v\nwant %s", tt.fields, err, tt.want)
		}
	}
}

// TestLoadSpecUnknownKeys checks that every unknown key of a formula, and
// of its variables, is reported in the one error of that formula, each with
// its line.
func TestLoadSpecUnknownKeys(t *testing.T) {
	tests := []struct {
		data, want string
	}{
		{"formulas:\n  - name: a\n    f: tr(X)\n    gard: eye(n)\n    wrt: X\n    dsit: spd\n    vars: {X: \"n,n\"}\n",
			`s.yaml:4: unknown keys in formula "a": "gard" at line 4 (did you mean grad?) and "dsit" at line 6 ` +
				`(known keys: name, f, wrt, grad, diff, jac, hess, equals, layout, where, vars, sizes, source)`},
		{"formulas:\n  - name: a\n    f: tr(X)\n    gard: eye(n)\n    wrt: X\n    vars:\n      X: {shap: \"n,n\"}\n    sorce: x\n",
			`s.yaml:4: unknown keys in formula "a": "gard" at line 4 (did you mean grad?), "shap" at line 7 in variable X (did you mean shape?) ` +
				`and "sorce" at line 8 (did you mean source?)`},
		// One unknown key of a variable, the shape misspelt: that key, not "no shape".
		{"formulas:\n  - name: a\n    f: tr(X)\n    grad: eye(n)\n    wrt: X\n    vars:\n      X: {shap: \"n,n\"}\n",
			`s.yaml:7: unknown key "shap" in variable X of formula "a" (did you mean shape?)`},
	}
	for _, tt := range tests {
		_, err := LoadSpec("s.yaml", []byte(tt.data))
		if err == nil || err.Error() != tt.want {
			t.Errorf("LoadSpec(%q) error\n got %v\nwant %s", tt.data, err, tt.want)
		}
	}
}

func TestLoadSpecDuplicateNames(t *testing.T) {
	const data = `formulas:
  - name: a
    f: tr(X)
    equals: tr(X')
    vars: {X: "n,n"}
  - name: a
    f: tr(X)
    equals: tr(X)
    vars: {X: "n,n"}
`
	_, err := LoadSpec("dup.yaml", []byte(data))
	if err == nil || err.Error() != `dup.yaml:6: duplicate formula name "a" (first at line 2)` {
		t.Errorf("LoadSpec error = %v", err)
	}
}

func TestLoadSpecAliases(t *testing.T) {
	const data = `formulas:
  - name: a
    f: tr(X)
    equals: tr(X')
    vars: &v {X: "n,n"}
  - name: b
    f: det(X)
    equals: det(X')
    vars: *v
`
	claims, err := LoadSpec("alias.yaml", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	if len(claims) != 2 || claims[1].Vars[0].Name != "X" {
		t.Errorf("claims = %+v", claims)
	}
}

// TestLoadSpecMerge checks YAML's merge key: a formula or a vars mapping
// that merges another (<<: *base) has its entries, its own winning, and
// a merged name counts as the formula's for duplicates and --name.
func TestLoadSpecMerge(t *testing.T) {
	const head = `formulas:
  - &quad
    name: quad
    f: x'*A*x
    wrt: x
    grad: (A + A')*x
    vars: &v
      x: n
      A: {shape: "n,n"}
`
	tests := []struct {
		more string
		want []string // name | claim | vars, or the error
	}{
		{"  - <<: *quad\n    name: quad-sym\n    grad: 2*A*x\n    vars:\n      <<: *v\n      A: {shape: \"n,n\", dist: sym}\n",
			[]string{"quad | grad_x x'*A*x = (A + A')*x | x:gauss A:gauss", "quad-sym | grad_x x'*A*x = 2*A*x | x:gauss A:sym"}},
		// A list of mappings: the first that has a key gives it.
		{"  - <<: [{name: first, source: s}, *quad]\n    grad: A'*x + A*x\n",
			[]string{"quad | grad_x x'*A*x = (A + A')*x | x:gauss A:gauss", "first | grad_x x'*A*x = A'*x + A*x | x:gauss A:gauss"}},
		{"  - <<: *quad\n", []string{`m.yaml:10: duplicate formula name "quad" (first at line 2)`}},
		{"  - <<: 5\n    name: b\n", []string{`m.yaml:10: << in formula "b" must merge a mapping or a list of mappings (<<: *base), got "5"`}},
		{"  - <<: [*quad, 5]\n    name: b\n", []string{`m.yaml:10: << in formula "b" must merge a mapping or a list of mappings (<<: *base), got a list`}},
		// A quoted "<<" is a key like any other, and unknown.
		{"  - \"<<\": *quad\n    name: b\n", []string{`m.yaml:10: unknown key "<<" in formula "b" (known keys: name, f, wrt, grad, diff, jac, hess, equals, layout, where, vars, sizes, source)`}},
		{"  - <<: *quad\n    name: b\n    gard: x\n", []string{`m.yaml:12: unknown key "gard" in formula "b" (did you mean grad?)`}},
	}
	for _, tt := range tests {
		claims, err := LoadSpec("m.yaml", []byte(head+tt.more))
		var got []string
		if err != nil {
			got = []string{err.Error()}
		}
		for _, c := range claims {
			var vars []string
			for _, v := range c.Vars {
				vars = append(vars, v.Name+":"+string(v.Dist))
			}
			got = append(got, c.Name+" | "+c.String()+" | "+strings.Join(vars, " "))
		}
		sameLines(t, tt.more, got, tt.want)
	}
	// Mappings that each merge the one before twice: each is merged
	// once, not 2^40 times.
	var b strings.Builder
	b.WriteString("formulas:\n  - &a0 {name: a0, f: tr(X), equals: tr(X'), vars: {X: \"n,n\"}}\n")
	for i := 1; i <= 40; i++ {
		fmt.Fprintf(&b, "  - &a%d {<<: [*a%d, *a%d], name: a%d}\n", i, i-1, i-1, i)
	}
	if claims, err := LoadSpec("m.yaml", []byte(b.String())); err != nil || len(claims) != 41 || claims[40].Name != "a40" {
		t.Errorf("LoadSpec of doubling merges: %d claims, %v", len(claims), err)
	}
	// --name picks a formula by a merged name.
	claims, err := LoadSpecAt("m.yaml", []byte(head+"  - <<: [{name: other}, *quad]\n"), LoadOptions{Select: func(name string) bool { return name == "other" }})
	if err != nil || len(claims) != 1 || claims[0].Name != "other" || claims[0].Invalid != nil {
		t.Errorf("LoadSpecAt selecting a merged name: %+v, %v", claims, err)
	}
}

func TestRegistry(t *testing.T) {
	claims, err := Registry()
	if err != nil {
		t.Fatal(err)
	}
	if len(claims) == 0 {
		t.Fatal("empty registry")
	}
	for _, c := range claims {
		if strings.TrimSpace(c.Source) == "" {
			t.Errorf("registry formula %q cites no source", c.Name)
		}
		sizes, err := c.ResolveSizes(nil)
		if err != nil {
			t.Errorf("%s: %v", c.Name, err)
			continue
		}
		if _, err := c.Check(sizes); err != nil {
			t.Errorf("%s: %v", c.Name, err)
		}
	}
}

// TestRegistrySelected checks that selecting registry claims by name
// builds those and only those, as Registry builds them.
func TestRegistrySelected(t *testing.T) {
	all, err := Registry()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]*Claim{}
	for _, c := range all {
		if strings.HasPrefix(c.Name, "det") {
			want[c.Name] = c
		}
	}
	if len(want) < 2 || len(want) == len(all) {
		t.Fatalf("%d of %d registry claims start with det: not a test of selection", len(want), len(all))
	}
	got, err := RegistrySelected(func(name string) bool { return strings.HasPrefix(name, "det") })
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Errorf("selected %d claims, want %d", len(got), len(want))
	}
	for _, c := range got {
		w, ok := want[c.Name]
		switch {
		case !ok:
			t.Errorf("selected %q", c.Name)
		case c.String() != w.String() || c.Source != w.Source:
			t.Errorf("%s: selected %q (%s), Registry gives %q (%s)", c.Name, c, c.Source, w, w.Source)
		}
	}
}

// TestRegistryEntries checks the split of registry.yaml that
// RegistrySelected decodes one formula at a time: every formula of the file
// is one entry, in order, under its name; each entry alone builds the claim
// that the whole file builds; and each sits on the lines it has in the
// file, so that a position in an error is the file's.
func TestRegistryEntries(t *testing.T) {
	all, err := Registry()
	if err != nil {
		t.Fatal(err)
	}
	entries := registryEntries()
	if len(entries) != len(all) {
		t.Fatalf("%d entries for the %d formulas of registry.yaml: a formula does not start with %q", len(entries), len(all), entryPrefix)
	}
	lines := strings.Split(string(registryYAML), "\n")
	for i, e := range entries {
		w := all[i]
		if e.name != w.Name {
			t.Errorf("entry %d is %q, the file's formula %d is %q", i, e.name, i, w.Name)
			continue
		}
		got, err := RegistrySelected(func(name string) bool { return name == e.name })
		switch {
		case err != nil:
			t.Errorf("%s: %v", e.name, err)
		case len(got) != 1:
			t.Errorf("%s: selected %d claims, want 1", e.name, len(got))
		case got[0].String() != w.String() || got[0].Source != w.Source:
			t.Errorf("%s: alone %q (%s), in the file %q (%s)", e.name, got[0], got[0].Source, w, w.Source)
		}
		var doc yaml.Node
		if err := yaml.Unmarshal(e.spec, &doc); err != nil {
			t.Errorf("%s: %v", e.name, err)
			continue
		}
		item := doc.Content[0].Content[1].Content[0]
		if line := lines[item.Line-1]; line != entryPrefix+e.name {
			t.Errorf("%s: its entry puts it on line %d of registry.yaml, which reads %q", e.name, item.Line, line)
		}
	}
}

// TestLoadSpecAtInvalid checks that LoadSpecAt returns every formula of a
// file in order, the invalid ones with their file:line and reason (a shape
// error at the sizes in force), and a duplicate name as invalid after the
// first.
func TestLoadSpecAtInvalid(t *testing.T) {
	data := []byte(`formulas:
  - name: a
    f: tr(A*X)
    wrt: X
    grad: A'
    vars: {A: "m,n", X: "m,n"}
  - f: tr(X
    wrt: X
    grad: eye(n)
    vars: {X: "n,n"}
  - name: b
    f: tr(X)
    wrt: X
    grad: eye(n)
    vars: {X: "n,n"}
  - name: b
    f: tr(X)
    wrt: X
    grad: eye(n)
    vars: {X: "n,n"}
`)
	claims, err := LoadSpecAt("s.yaml", data, LoadOptions{Sizes: map[string]int{"m": 3, "n": 2}})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct{ name, invalid string }{
		{"a", `s.yaml:3:11: formula "a": f: 1:4: A*X: cannot multiply 3×2 by 3×2`},
		{"s.yaml:7", `s.yaml:7: formula has no name`},
		{"b", ""},
		{"b", `s.yaml:16: duplicate formula name "b" (first at line 11)`},
	}
	if len(claims) != len(want) {
		t.Fatalf("%d claims, want %d", len(claims), len(want))
	}
	for i, w := range want {
		c := claims[i]
		got := ""
		if c.Invalid != nil {
			got = c.Invalid.Error()
		}
		if c.Name != w.name || got != w.invalid {
			t.Errorf("claim %d: %s, invalid %q; want %s, %q", i, c.Name, got, w.name, w.invalid)
		}
	}
	if _, err := LoadSpec("s.yaml", data); err == nil || err.Error() != want[0].invalid[:len("s.yaml:3:11: ")]+`formula "a": f: 1:4: A*X: cannot multiply 40×48 by 40×48` {
		t.Errorf("LoadSpec: %v, want the first error at the default sizes", err)
	}
	// A formula without a name is selected by its stand-in, as its re-run
	// command (check --spec s.yaml --name s.yaml:7) selects it, the path
	// cleaned as that command's is.
	for _, file := range []string{"s.yaml", "./s.yaml"} {
		selected, err := LoadSpecAt(file, data, LoadOptions{Select: func(name string) bool { return name == "s.yaml:7" }})
		if err != nil || len(selected) != 1 || selected[0].Name != "s.yaml:7" {
			t.Errorf("LoadSpecAt(%s) selecting s.yaml:7: %+v, %v; want the formula at line 7", file, selected, err)
		}
	}
}

// TestLoadSpecBounded checks the bounds of loading (issue 11, item 10): a
// file beyond MaxSpecBytes is refused before it is parsed, and a selection
// builds only the formulas it names, so that a mistake elsewhere in the
// file is not read.
func TestLoadSpecBounded(t *testing.T) {
	huge := make([]byte, MaxSpecBytes+1)
	if _, err := LoadSpecAt("huge.yaml", huge, LoadOptions{}); err == nil || !strings.Contains(err.Error(), "huge.yaml: 16 MiB, more than the 16 MiB a spec file may have") {
		t.Errorf("huge file: %v", err)
	}
	data := []byte(`formulas:
  - name: wanted
    f: tr(X)
    wrt: X
    grad: eye(n)
    vars: {X: "n,n"}
  - name: other
    f: tr(X
    wrt: X
    grad: eye(n)
    vars: {X: "n,n"}
`)
	claims, err := LoadSpecAt("s.yaml", data, LoadOptions{Select: func(name string) bool { return name == "wanted" }})
	if err != nil || len(claims) != 1 || claims[0].Name != "wanted" || claims[0].Invalid != nil {
		t.Errorf("selected: %v, %v", claims, err)
	}
}

// TestReadSpec checks that ReadSpec loads a file as LoadSpec loads its
// bytes, and says when it cannot read one.
func TestReadSpec(t *testing.T) {
	path := filepath.Join(t.TempDir(), "spec.yaml")
	if err := os.WriteFile(path, []byte(validSpec), 0o644); err != nil {
		t.Fatal(err)
	}
	claims, err := ReadSpec(path)
	want, _ := LoadSpec(path, []byte(validSpec))
	if err != nil || len(claims) != len(want) || len(claims) == 0 || claims[0].Name != want[0].Name {
		t.Errorf("ReadSpec: %d claims, %v; want %d", len(claims), err, len(want))
	}
	if _, err := ReadSpec(path + ".missing"); err == nil || !strings.HasPrefix(err.Error(), "cannot read spec file: ") {
		t.Errorf("ReadSpec of a missing file: %v", err)
	}
}
