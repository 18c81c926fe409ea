package formulas

import (
	"maps"
	"path"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// logdetSpec is a valid spec that tests modify.
func logdetSpec() Spec {
	return Spec{
		Name: "logdet",
		F:    "logdet(X)",
		Wrt:  "X",
		Grad: "inv(X)'",
		Vars: []SpecVar{{Name: "X", VarSpec: VarSpec{Shape: "n,n", Dist: "spd"}}},
	}
}

func TestBuild(t *testing.T) {
	c, err := Build(Spec{
		Name:   "tr-axb",
		F:      "tr(A*X*B)",
		Wrt:    "X",
		Grad:   "A'*B'",
		Vars:   []SpecVar{{"A", VarSpec{Shape: "m,n"}}, {"X", VarSpec{Shape: "n,k", Dist: "small"}}, {"B", VarSpec{Shape: "k, m"}}},
		Sizes:  map[string]int{"k": 7},
		Source: "Matrix cookbook (2012), eq. 100",
	})
	if err != nil {
		t.Fatal(err)
	}
	want := &Claim{
		Name: "tr-axb", FText: "tr(A*X*B)", Wrt: "X", Kind: Grad, RhsText: "A'*B'",
		Layout: Denominator,
		Vars: []Var{
			{Name: "A", Dims: [2]string{"m", "n"}, Dist: Gauss},
			{Name: "X", Dims: [2]string{"n", "k"}, Dist: Small},
			{Name: "B", Dims: [2]string{"k", "m"}, Dist: Gauss},
		},
		Sizes:  map[string]int{"k": 7},
		Source: "Matrix cookbook (2012), eq. 100",
	}
	if c.F.String() != "tr(A*X*B)" || c.Rhs.String() != "A'*B'" {
		t.Errorf("F, Rhs = %v, %v", c.F, c.Rhs)
	}
	c.F, c.Rhs = nil, nil
	if !reflect.DeepEqual(c, want) {
		t.Errorf("Build = %+v\nwant %+v", c, want)
	}

	// Each kind, and the layouts.
	for _, s := range []Spec{
		{Name: "n", F: "tr(A*X)", Wrt: "X", Grad: "A", Layout: "numerator", Vars: []SpecVar{{"A", VarSpec{Shape: "m,n"}}, {"X", VarSpec{Shape: "n,m"}}}},
		{Name: "d", F: "tr(A*X)", Wrt: "X", Grad: "A'", Layout: "denominator", Vars: []SpecVar{{"A", VarSpec{Shape: "m,n"}}, {"X", VarSpec{Shape: "n,m"}}}},
		{Name: "diff", F: "inv(X)", Wrt: "X", Diff: "-inv(X)*dX*inv(X)", Vars: []SpecVar{{"X", VarSpec{Shape: "n,n", Dist: "wellcond"}}}},
		{Name: "jac", F: "A*x", Wrt: "x", Jac: "A", Vars: []SpecVar{{"A", VarSpec{Shape: "m,n"}}, {"x", VarSpec{Shape: "n"}}}},
		{Name: "hess-vec", F: "x'*A*x", Wrt: "x", Hess: "A + A'", Vars: []SpecVar{{"A", VarSpec{Shape: "n,n"}}, {"x", VarSpec{Shape: "n"}}}},
		{Name: "hess-mat", F: "logdet(X)", Wrt: "X", Hess: "-tr(inv(X)*dX*inv(X)*dX)", Vars: []SpecVar{{"X", VarSpec{Shape: "n,n", Dist: "spd", Space: "sym"}}}},
		{Name: "equals", F: "tr(A*B)", Equals: "tr(B*A)", Vars: []SpecVar{{"A", VarSpec{Shape: "m,n"}}, {"B", VarSpec{Shape: "n,m"}}}},
		{Name: "scalar", F: "s^2", Wrt: "s", Grad: "2*s", Vars: []SpecVar{{"s", VarSpec{Shape: "1"}}}},
		{Name: "literal", F: "sum(A)", Wrt: "A", Grad: "ones(3, 4)", Vars: []SpecVar{{"A", VarSpec{Shape: "3,4"}}}},
		{Name: "eye", F: "tr(eye(p)*X)", Wrt: "X", Grad: "eye(p)", Vars: []SpecVar{{"X", VarSpec{Shape: "p,p"}}}, Sizes: map[string]int{"p": 6}},
	} {
		c, err := Build(s)
		if err != nil {
			t.Errorf("Build(%s): %v", s.Name, err)
			continue
		}
		wantLayout := Layout(s.Layout)
		if c.Kind == Grad && s.Layout == "" {
			wantLayout = Denominator
		}
		if c.Layout != wantLayout {
			t.Errorf("Build(%s).Layout = %q, want %q", s.Name, c.Layout, wantLayout)
		}
	}
}

func TestBuildErrors(t *testing.T) {
	tests := []struct {
		edit func(*Spec)
		want string
	}{
		{func(s *Spec) { s.Name = "" }, "formula has no name"},
		{func(s *Spec) { s.F = "" }, `formula "logdet": f is missing`},
		{func(s *Spec) { s.F = "logdet(X" }, `formula "logdet": f: 1:9: expected ')'`},
		{func(s *Spec) { s.Grad = "inv(X'" }, `formula "logdet": grad: 1:7: expected ')'`},
		{func(s *Spec) { s.Grad = "trace(X)" }, `formula "logdet": grad: 1:1: unknown function 'trace' (did you mean tr?)`},
		// A declared name called as a function: this said "unknown
		// function 'X'".
		{func(s *Spec) { s.F = "X(1,1)" }, `formula "logdet": f: 1:1: X is a variable: indexing X(...) is not supported; write X*(...) for a product`},
		{func(s *Spec) { s.Grad = "inv(X)'/n(2)" }, `formula "logdet": grad: 1:9: n is a size symbol, not a function; write n*(...) for a product`},
		{func(s *Spec) { s.Grad, s.Diff = "", "tr(inv(X)*dX(1))" }, `formula "logdet": diff: 1:11: dX is a direction of X: indexing dX(...) is not supported; write dX*(...) for a product`},
		{func(s *Spec) { s.Grad = "dX(1)" }, `formula "logdet": grad: 1:1: unknown function 'dX'`},
		{func(s *Spec) { s.F = "Y(1)" }, `formula "logdet": f: 1:1: unknown function 'Y'`},
		{func(s *Spec) { s.Hess = "X" }, `formula "logdet": has both grad and hess; a claim states exactly one`},
		{func(s *Spec) { s.Diff, s.Jac = "X", "X" }, `formula "logdet": has grad, diff and jac; a claim states exactly one`},
		{func(s *Spec) { s.Grad = "" }, `formula "logdet": states no claim (grad, diff, jac, hess or equals)`},
		{func(s *Spec) { s.Grad = "  " }, `formula "logdet": states no claim (grad, diff, jac, hess or equals)`},
		{func(s *Spec) { s.Layout = "numerater" }, `formula "logdet": unknown layout "numerater" (did you mean numerator?)`},
		{func(s *Spec) { s.Layout = "row" }, `formula "logdet": unknown layout "row" (numerator or denominator)`},
		{func(s *Spec) { s.Grad, s.Diff, s.Layout = "", "tr(inv(X)*dX)", "numerator" }, `formula "logdet": layout applies only to grad claims, not diff`},
		{func(s *Spec) { s.Wrt = "" }, `formula "logdet": wrt is missing (the variable grad is taken with respect to)`},
		{func(s *Spec) { s.Wrt = "Y" }, `formula "logdet": wrt Y is not a declared variable`},
		{func(s *Spec) { s.Grad, s.Equals = "", "logdet(X')" }, `formula "logdet": wrt does not apply to equals`},
		{func(s *Spec) { s.Grad = "inv(Z)'" }, `formula "logdet": grad: 1:5: undeclared variable 'Z'`},
		{func(s *Spec) { s.Grad = "dX" }, `formula "logdet": grad: 1:1: undeclared variable 'dX'`},
		{func(s *Spec) { s.F = "log(X)" }, `formula "logdet": grad needs a scalar f, but f is 48×48 (use diff or jac)`},
		{func(s *Spec) { s.Vars[0].Dist = "spdd" }, `formula "logdet": variable X: unknown dist "spdd" (did you mean spd?)`},
		{func(s *Spec) { s.Vars[0].Dist = "normal" }, `formula "logdet": variable X: unknown dist "normal" (write gauss)`},
		{func(s *Spec) { s.Vars[0].Dist = "onehot" }, `formula "logdet": variable X: unknown dist "onehot" (write simplex (each column a probability vector, one-hot labels among them: a claim that holds at simplex samples holds for one-hot labels))`},
		{func(s *Spec) { s.Vars[0].Dist = "uniform" }, `formula "logdet": variable X: unknown dist "uniform" (one of ` + distList() + `)`},
		{func(s *Spec) { s.Vars[0].Shape = "n,m" }, `formula "logdet": variable X: dist spd needs a square matrix, got shape n×m`},
		{func(s *Spec) { s.Vars[0].Dist, s.Vars[0].Space = "", "sym"; s.Vars[0].Shape = "n" }, `formula "logdet": variable X: space sym needs a square matrix, got shape n×1`},
		{func(s *Spec) { s.Vars[0].Dist, s.Vars[0].Space = "wellcond", "sym" }, `formula "logdet": variable X: space sym needs a symmetric dist, sym or spd, not wellcond: the claim is about symmetric matrices, and so are its samples`},
		{func(s *Spec) { s.Vars[0].Space = "symmetric" }, `formula "logdet": variable X: unknown space "symmetric" (the only space is sym)`},
		// A number is 1×1: a constant gradient is written at its shape.
		{func(s *Spec) { s.Grad = "0" }, `formula "logdet": grad is 1×1, but X is 48×48 (a gradient has the shape of its variable); a constant gradient has that shape too, as zeros(n, n) or 2*ones(n, n)`},
		{func(s *Spec) { s.F, s.Grad, s.Vars[0].Shape, s.Vars[0].Dist = "sum(X)", "-1", "m", "" }, `formula "logdet": grad is 1×1, but X is 40×1 (a gradient has the shape of its variable); a constant gradient has that shape too, as zeros(m) or 2*ones(m)`},
		// A 1×1 orth variable is the constant 1, at any shape that is 1×1.
		{func(s *Spec) { s.Vars[0].Shape, s.Vars[0].Dist = "1", "orth" }, `formula "logdet": variable X: dist orth of a 1×1 variable is the constant 1, so the claim would be checked at that one point; use another dist`},
		{func(s *Spec) { s.Vars[0].Dist, s.Sizes = "orth", map[string]int{"n": 1} }, `formula "logdet": variable X: dist orth of a 1×1 variable is the constant 1, so the claim would be checked at that one point; use another dist`},
		{func(s *Spec) { s.Vars[0].Shape = "" }, `formula "logdet": variable X: bad shape "": want "rows,cols", "n" (a vector) or "1" (a scalar)`},
		{func(s *Spec) { s.Vars[0].Shape = "n,n,n" }, `formula "logdet": variable X: bad shape "n,n,n": want "rows,cols", "n" (a vector) or "1" (a scalar)`},
		{func(s *Spec) { s.Vars[0].Shape = "n,0" }, `formula "logdet": variable X: bad shape "n,0": dimension "0" is not a positive integer`},
		{func(s *Spec) { s.Vars[0].Shape = "n,-1" }, `formula "logdet": variable X: bad shape "n,-1": dimension "-1" is neither a size symbol nor a positive integer`},
		{func(s *Spec) { s.Vars[0].Shape = "n,1.5" }, `formula "logdet": variable X: bad shape "n,1.5": dimension "1.5" is not a positive integer`},
		{func(s *Spec) { s.Vars[0].Shape = "n,99999999999" }, `formula "logdet": variable X: bad shape "n,99999999999": dimension 99999999999 is out of range: sizes are from 1 to 2147483647`},
		{func(s *Spec) { s.Vars[0].Shape = "n,99999999999999999999" }, `formula "logdet": variable X: bad shape "n,99999999999999999999": dimension 99999999999999999999 is out of range: sizes are from 1 to 2147483647`},
		{func(s *Spec) { s.Vars[0].Shape = "n," }, `formula "logdet": variable X: bad shape "n,": dimension "" is neither a size symbol nor a positive integer`},
		{func(s *Spec) { s.Vars[0].Shape = "tr,tr" }, `formula "logdet": variable X: bad shape "tr,tr": dimension "tr" is a reserved name, not a size symbol`},
		// rows×cols in one dimension: nxn read as one size symbol, and the
		// error came later, from the shape check, of a vector.
		{func(s *Spec) { s.Vars[0].Shape = "nxn" }, `formula "logdet": variable X: shape "nxn" reads as one size symbol; write "n,n" for an n×n matrix`},
		{func(s *Spec) { s.Vars[0].Shape = " 3x3 " }, `formula "logdet": variable X: shape "3x3" is not a dimension; write "3,3" for a 3×3 matrix`},
		{func(s *Spec) { s.Vars[0].Shape = "n×n" }, `formula "logdet": variable X: shape "n×n" is not a dimension; write "n,n" for an n×n matrix`},
		{func(s *Spec) { s.Vars[0].Shape = "n,nxn" }, `formula "logdet": variable X: bad shape "n,nxn": dimension "nxn" is written n×n; a dimension is one size symbol or a positive integer`},
		{func(s *Spec) { s.Vars[0].Shape = "3x3, n" }, `formula "logdet": variable X: bad shape "3x3, n": dimension "3x3" is written 3×3; a dimension is one size symbol or a positive integer`},
		{func(s *Spec) { s.Vars[0].Shape = "11×n" }, `formula "logdet": variable X: shape "11×n" is not a dimension; write "11,n" for an 11×n matrix`},
		{func(s *Spec) { s.Vars = append(s.Vars, s.Vars[0]) }, `formula "logdet": variable X is declared twice`},
		{func(s *Spec) { s.Vars[0].Name = "det" }, `formula "logdet": variable name det is a function name`},
		{func(s *Spec) { s.Vars[0].Name = "inf" }, `formula "logdet": variable name inf is reserved`},
		{func(s *Spec) { s.Vars[0].Name = "2X" }, `formula "logdet": variable name "2X" is not a name (a letter, then letters, digits or _)`},
		{func(s *Spec) {
			s.Grad, s.Diff = "", "tr(inv(X)*dX)"
			s.Vars = append(s.Vars, SpecVar{"dX", VarSpec{Shape: "n,n"}})
		}, `formula "logdet": the direction dX of X clashes with the variable dX`},
		{func(s *Spec) {
			s.Grad, s.Hess = "", "tr(dX*dX2)"
			s.Vars = append(s.Vars, SpecVar{"dX2", VarSpec{Shape: "n,n"}})
		}, `formula "logdet": the direction dX2 of X clashes with the variable dX2`},
		{func(s *Spec) {
			*s = Spec{Name: "logdet", F: "sum(et)", Wrt: "et", Hess: "0", Vars: []SpecVar{{"et", VarSpec{Shape: "n"}}}}
		}, `formula "logdet": the direction of et would be det, which is a function name; rename the variable`},
		{func(s *Spec) { s.Sizes = map[string]int{"p": 3} }, `formula "logdet": sizes: p is not a size symbol of this formula`},
		{func(s *Spec) { s.Sizes = map[string]int{"n": 0} }, `formula "logdet": sizes: n = 0: sizes must be at least 1 (and at most 2147483647)`},
		// Kind compatibility.
		{func(s *Spec) { s.Vars[0].Shape, s.Vars[0].Dist, s.F, s.Grad = "n,m", "", "sum(X)", "X(:,1)" }, `formula "logdet": grad: 1:3: unexpected character ':'`},
		{func(s *Spec) { s.Vars[0].Shape, s.Vars[0].Dist, s.F, s.Grad = "n,m", "", "sum(X)", "sum(X)" },
			`formula "logdet": grad is 1×1, but X is 48×40 (a gradient has the shape of its variable)`},
		{func(s *Spec) {
			s.Vars[0].Shape, s.Vars[0].Dist, s.F, s.Grad, s.Layout = "n,m", "", "sum(X)", "ones(n, n)", "numerator"
		},
			`formula "logdet": grad is 48×48, but in numerator layout it must be 40×48, the shape of X'`},
		{func(s *Spec) {
			*s = Spec{Name: "logdet", F: "A*x", Wrt: "x", Jac: "A*A'", Vars: []SpecVar{{"A", VarSpec{Shape: "m,n"}}, {"x", VarSpec{Shape: "n"}}}}
		}, `formula "logdet": jac is 40×40, but f is 40×1 and x is 48×1, so it must be 40×48`},
		{func(s *Spec) { s.Grad, s.Diff = "", "inv(X)" }, `formula "logdet": diff is 48×48, but f is 1×1 (a differential has the shape of f)`},
		{func(s *Spec) { s.Grad, s.Diff = "", "tr(A*dX)" }, `formula "logdet": diff: 1:4: undeclared variable 'A'`},
		{func(s *Spec) { s.Grad, s.Jac = "", "X" },
			`formula "logdet": jac is 48×48, but f is 1×1 and X is 48×48, so it must be 1×2304: a row for each entry of f, a column for each entry of vec(X)`},
		{func(s *Spec) {
			*s = Spec{Name: "logdet", F: "x*x'", Wrt: "x", Jac: "x", Vars: []SpecVar{{"x", VarSpec{Shape: "n"}}}}
		}, `formula "logdet": jac needs a vector f, but f is 48×48 (use diff, or the Jacobian of vec(f))`},
		{func(s *Spec) { s.F, s.Grad, s.Hess = "inv(X)", "", "X" }, `formula "logdet": hess needs a scalar f, but f is 48×48`},
		{func(s *Spec) { s.Grad, s.Hess = "", "X" },
			`formula "logdet": hess is 48×48, but X is the matrix 48×48, so it must be the scalar D²f[dX,dX] (or the bilinear form D²f[dX,dX2]), 1×1`},
		{func(s *Spec) {
			*s = Spec{Name: "logdet", F: "x'*x", Wrt: "x", Hess: "2", Vars: []SpecVar{{"x", VarSpec{Shape: "n"}}}}
		}, `formula "logdet": hess is 1×1, but x is 48×1, so it must be 48×48`},
		{func(s *Spec) { s.Grad, s.Wrt, s.Equals = "", "", "X" }, `formula "logdet": equals is 48×48, but f is 1×1`},
		// A name that means two things: a variable used as a size, a size
		// symbol that is also a variable, an integration variable named as
		// a variable, a direction or a size symbol.
		{func(s *Spec) { s.F = "logdet(X) + tr(eye(X))" }, `formula "logdet": f: 1:16: eye(X): X is a variable, not a size: eye takes a size symbol or a positive integer`},
		{func(s *Spec) { s.Grad = "inv(X)' + 0*ones(X)" }, `formula "logdet": grad: 1:13: ones(X): X is a variable, not a size: ones takes a size symbol or a positive integer`},
		{func(s *Spec) { s.Vars = append(s.Vars, SpecVar{"n", VarSpec{Shape: "1"}}) }, `formula "logdet": variable X: the size n is the name of a variable; rename one`},
		{func(s *Spec) { s.Vars[0].Shape = "dX,dX" }, `formula "logdet": the size dX is the name of a direction of X; rename it`},
		{func(s *Spec) { s.Vars[0].Shape, s.Grad, s.Hess = "dX2,dX2", "", "0" }, `formula "logdet": the size dX2 is the name of a direction of X; rename it`},
		{func(s *Spec) { s.F = "logdet(X) + tr(integral(X, 0, 1, X))" }, `formula "logdet": f: 1:16: integral(X, 0, 1, X): the integration variable X is the name of a variable; give it a name of its own`},
		{func(s *Spec) { s.F = "logdet(X)*integral(dX, 0, 1, dX)" }, `formula "logdet": f: 1:11: integral(dX, 0, 1, dX): the integration variable dX is the name of a direction of X; give it a name of its own`},
		{func(s *Spec) { s.Grad, s.Hess = "", "tr(integral(dX2, 0, 1, inv(X)*dX*inv(X)*dX))" }, `formula "logdet": hess: 1:4: integral(dX2, 0, 1, inv(X)*dX*inv(X)*dX): the integration variable dX2 is the name of a direction of X; give it a name of its own`},
		{func(s *Spec) { s.F = "logdet(X)*integral(n, 0, 1, n)" }, `formula "logdet": f: 1:11: integral(n, 0, 1, n): the integration variable n is the name of a size symbol; give it a name of its own`},
	}
	for i, tt := range tests {
		s := logdetSpec()
		tt.edit(&s)
		c, err := Build(s)
		if err == nil {
			t.Errorf("%d: Build = %+v, want error %q", i, c, tt.want)
			continue
		}
		if err.Error() != tt.want {
			t.Errorf("%d: Build error\n got %q\nwant %q", i, err, tt.want)
		}
	}
}

func TestParseVarFlag(t *testing.T) {
	tests := []struct {
		in   string
		name string
		v    VarSpec
	}{
		{"X=n,n:wellcond", "X", VarSpec{Shape: "n,n", Dist: "wellcond"}},
		{"X=n,n:spd:sym", "X", VarSpec{Shape: "n,n", Dist: "spd", Space: "sym"}},
		{"x=n", "x", VarSpec{Shape: "n"}},
		{" A = m,n : small ", "A", VarSpec{Shape: "m,n", Dist: "small"}},
		{"s=1", "s", VarSpec{Shape: "1"}},
		{"B=3,4", "B", VarSpec{Shape: "3,4"}},
		// Symbols with an x that do not read as rows×cols.
		{"y=nx", "y", VarSpec{Shape: "nx"}},
		{"y=xx,n_x", "y", VarSpec{Shape: "xx,n_x"}},
		{"y=nxn2", "y", VarSpec{Shape: "nxn2"}},
		{"y=box", "y", VarSpec{Shape: "box"}},
		{"y=nXn", "y", VarSpec{Shape: "nXn"}},
	}
	for _, tt := range tests {
		name, v, err := ParseVarFlag(tt.in)
		if err != nil {
			t.Errorf("ParseVarFlag(%q): %v", tt.in, err)
			continue
		}
		if name != tt.name || v != tt.v {
			t.Errorf("ParseVarFlag(%q) = %q, %+v; want %q, %+v", tt.in, name, v, tt.name, tt.v)
		}
	}

	// ParseVarFlags parses them all, in order, and stops at a bad one.
	var flags []string
	var want []SpecVar
	for _, tt := range tests {
		flags = append(flags, tt.in)
		want = append(want, SpecVar{Name: tt.name, VarSpec: tt.v})
	}
	if got, err := ParseVarFlags(flags); err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("ParseVarFlags(%q) = %+v, %v; want %+v", flags, got, err, want)
	}
	if _, err := ParseVarFlags([]string{"x=n", "X"}); err == nil {
		t.Errorf("ParseVarFlags accepts a bad declaration")
	}

	errs := []struct {
		in, want string
	}{
		{"X", `bad variable "X": want NAME=SHAPE[:DIST[:sym]], as in X=n,n:wellcond`},
		{"=n,n", `bad variable "=n,n": want NAME=SHAPE[:DIST[:sym]], as in X=n,n:wellcond`},
		{"X=n,n:spd:sym:x", `bad variable "X=n,n:spd:sym:x": want NAME=SHAPE[:DIST[:sym]], as in X=n,n:spd:sym`},
		{"X=n,n:spd:symmetric", `bad variable "X=n,n:spd:symmetric": the third part must be sym, got "symmetric"`},
		// An empty part is no default: it says what to write.
		{"X=n,n:", `bad variable "X=n,n:": the distribution after ':' is empty; write X=n,n for gauss, or name one of ` + distList()},
		{"X=n,n: ", `bad variable "X=n,n: ": the distribution after ':' is empty; write X=n,n for gauss, or name one of ` + distList()},
		{"X=n,n::", `bad variable "X=n,n::": the distribution after ':' is empty; write X=n,n for gauss, or name one of ` + distList()},
		{"X=n,n::sym", `bad variable "X=n,n::sym": the distribution between the ':'s is empty; write X=n,n:sym:sym (or X=n,n:spd:sym) for a claim about symmetric matrices`},
		{"X=n,n:spd:", `bad variable "X=n,n:spd:": the part after the second ':' is empty; write X=n,n:spd, or X=n,n:spd:sym for a claim about symmetric matrices`},
		{"X=n,n:wellcnd", `bad variable "X=n,n:wellcnd": variable X: unknown dist "wellcnd" (did you mean wellcond?)`},
		{"X=", `bad variable "X=": variable X: bad shape "": want "rows,cols", "n" (a vector) or "1" (a scalar)`},
		{"x=n:gauss:sym", `bad variable "x=n:gauss:sym": variable x: space sym needs a square matrix, got shape n×1`},
		{"tr=n", `bad variable "tr=n": variable name tr is a function name`},
		{"X=nxn", `bad variable "X=nxn": "nxn" reads as one size symbol; write X=n,n for an n×n matrix`},
		{"X=mxn:wellcond", `bad variable "X=mxn:wellcond": "mxn" reads as one size symbol; write X=m,n:wellcond for an m×n matrix`},
		{"X=kx3", `bad variable "X=kx3": "kx3" reads as one size symbol; write X=k,3 for a k×3 matrix`},
		{"X=8x1", `bad variable "X=8x1": "8x1" is not a dimension; write X=8,1 for an 8×1 matrix`},
		{"X=1xn:gauss", `bad variable "X=1xn:gauss": "1xn" is not a dimension; write X=1,n:gauss for a 1×n matrix`},
		{"X=n,n:gauss:sym", `bad variable "X=n,n:gauss:sym": variable X: space sym needs a symmetric dist, sym or spd, not gauss: the claim is about symmetric matrices, and so are its samples`},
	}
	for _, tt := range errs {
		_, _, err := ParseVarFlag(tt.in)
		if err == nil || err.Error() != tt.want {
			t.Errorf("ParseVarFlag(%q) error = %v, want %q", tt.in, err, tt.want)
		}
	}
}

// distList lists the distributions as the error message does.
func distList() string {
	var names []string
	for _, d := range Dists {
		names = append(names, string(d))
	}
	return strings.Join(names, ", ")
}

func buildOrFatal(t *testing.T, s Spec) *Claim {
	t.Helper()
	c, err := Build(s)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestResolveSizes(t *testing.T) {
	c := buildOrFatal(t, Spec{
		Name: "many", F: "sum(A) + sum(B) + tr(eye(q)) + tr(eye(5)) + sum(C)", Wrt: "A", Grad: "A*sum(D)",
		Vars: []SpecVar{
			{"A", VarSpec{Shape: "p,n"}},
			{"B", VarSpec{Shape: "k,m"}},
			{"C", VarSpec{Shape: "r,24"}},
			{"D", VarSpec{Shape: "s,1"}},
		},
		Sizes: map[string]int{"s": 20},
	})
	tests := []struct {
		user map[string]int
		want map[string]int
	}{
		// p and r take the first unused of 24 (taken by a literal), 20
		// (taken by the claim's s), 16, 12...; eye's q comes after the
		// variables' symbols; 5 is taken by eye(5).
		{nil, map[string]int{"p": 16, "n": 48, "k": 32, "m": 40, "r": 12, "s": 20, "q": 10}},
		// The user's values win, also over the claim's (so 20 is free), and
		// defaults avoid them.
		{map[string]int{"n": 16, "s": 3, "unused": 7}, map[string]int{"p": 20, "n": 16, "k": 32, "m": 40, "r": 12, "s": 3, "q": 10}},
		// A default already in use moves n to the next free value.
		{map[string]int{"p": 48}, map[string]int{"p": 48, "n": 16, "k": 32, "m": 40, "r": 12, "s": 20, "q": 10}},
	}
	for _, tt := range tests {
		got, err := c.ResolveSizes(tt.user)
		if err != nil {
			t.Errorf("ResolveSizes(%v): %v", tt.user, err)
			continue
		}
		if !maps.Equal(got, tt.want) {
			t.Errorf("ResolveSizes(%v) = %v, want %v", tt.user, got, tt.want)
		}
	}

	if _, err := c.ResolveSizes(map[string]int{"n": 0}); err == nil || err.Error() != "size n = 0: sizes must be at least 1 (and at most 2147483647)" {
		t.Errorf("ResolveSizes(n=0) error = %v", err)
	}
	if _, err := c.ResolveSizes(map[string]int{"zz": -1}); err == nil {
		t.Errorf("ResolveSizes(zz=-1) succeeded")
	}

	// With more symbols than default values, the defaults stay distinct.
	var vars []SpecVar
	f := "0"
	for _, name := range []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "l", "o", "u", "v"} {
		vars = append(vars, SpecVar{"V" + name, VarSpec{Shape: name + ",n"}})
		f += " + sum(V" + name + ")"
	}
	c = buildOrFatal(t, Spec{Name: "wide", F: f, Equals: f, Vars: vars})
	got, err := c.ResolveSizes(nil)
	if err != nil {
		t.Fatal(err)
	}
	seen := make(map[int]string)
	for sym, v := range got {
		if other, ok := seen[v]; ok {
			t.Errorf("%s and %s both default to %d", sym, other, v)
		}
		if v < 2 {
			t.Errorf("%s defaults to %d", sym, v)
		}
		seen[v] = sym
	}
	if len(got) != 15 {
		t.Errorf("got %d sizes, want 15: %v", len(got), got)
	}
}

func TestCheck(t *testing.T) {
	c := buildOrFatal(t, Spec{
		Name: "diff-product", F: "X*W", Wrt: "X", Diff: "dX*W",
		Vars: []SpecVar{{"X", VarSpec{Shape: "m,n"}}, {"W", VarSpec{Shape: "n,k"}}},
	})
	shapes, err := c.Check(map[string]int{"m": 2, "n": 3, "k": 4})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]Shape{"X": {2, 3}, "W": {3, 4}}
	if !maps.Equal(shapes, want) {
		t.Errorf("Check = %v, want %v", shapes, want)
	}
	if c.Direction() != "dX" {
		t.Errorf("Direction() = %q", c.Direction())
	}
	// A size may make a claim ill-shaped only through its own symbols;
	// missing sizes are reported.
	if _, err := c.Check(map[string]int{"m": 2, "n": 3}); err == nil || err.Error() != `formula "diff-product": variable W: size k has no value` {
		t.Errorf("Check without k: %v", err)
	}
	if _, err := c.Check(map[string]int{"m": 2, "n": 0, "k": 4}); err == nil || err.Error() != `formula "diff-product": variable X: size n = 0 is not a positive size` {
		t.Errorf("Check with n=0: %v", err)
	}

	// Equal sizes may make a wrong claim pass the shape check, which is why
	// the defaults are distinct.
	c = buildOrFatal(t, Spec{
		Name: "tr-ax", F: "tr(A*X)", Wrt: "X", Grad: "A'",
		Vars: []SpecVar{{"A", VarSpec{Shape: "m,n"}}, {"X", VarSpec{Shape: "n,m"}}},
	})
	c.Rhs, _ = Parse("A")
	if _, err := c.Check(map[string]int{"m": 3, "n": 3}); err != nil {
		t.Errorf("square sizes: %v", err)
	}
	rc, err := c.Resolve(nil)
	if err != nil || rc.ShapeMismatch == "" {
		t.Errorf("default sizes: %v, shape mismatch %q", err, rc.ShapeMismatch)
	}
}

// TestShapeMismatch checks that a grad or jac claim with the transposed
// shape of what its kind needs resolves, as a claim to verify (and fail),
// with words that say so and name the remedy in the claim's own terms.
func TestShapeMismatch(t *testing.T) {
	tests := []struct {
		spec Spec
		want string
	}{
		{Spec{F: "sum(X)", Wrt: "X", Grad: "ones(m, n)", Vars: []SpecVar{{"X", VarSpec{Shape: "n,m"}}}},
			`grad is 40×48, the shape of X', but X is 48×40 (a gradient has the shape of its variable): for numerator layout set layout: numerator`},
		{Spec{F: "sum(X)", Wrt: "X", Grad: "ones(m, n)", Vars: []SpecVar{{"X", VarSpec{Shape: "n,m"}}}, Source: CommandLine},
			`grad is 40×48, the shape of X', but X is 48×40 (a gradient has the shape of its variable): for numerator layout give --layout numerator`},
		{Spec{F: "sum(X)", Wrt: "X", Grad: "ones(n, m)", Layout: "numerator", Vars: []SpecVar{{"X", VarSpec{Shape: "n,m"}}}},
			`grad is 48×40, the shape of X; in numerator layout it is 40×48, the shape of X': for denominator layout remove layout: numerator`},
		{Spec{F: "sum(X)", Wrt: "X", Grad: "ones(n, m)", Layout: "numerator", Vars: []SpecVar{{"X", VarSpec{Shape: "n,m"}}}, Source: CommandLine},
			`grad is 48×40, the shape of X; in numerator layout it is 40×48, the shape of X': for denominator layout leave out --layout numerator`},
		{Spec{F: "A*x", Wrt: "x", Jac: "A'", Vars: []SpecVar{{"A", VarSpec{Shape: "m,n"}}, {"x", VarSpec{Shape: "n"}}}},
			`jac is 48×40, but f is 40×1 and x is 48×1, so it must be 40×48, a row for each entry of f (48×40 is the denominator layout, a column for each)`},
		// The right shapes, and a square variable, whose transpose has
		// its shape: the values tell.
		{Spec{F: "sum(X)", Wrt: "X", Grad: "ones(n, m)", Vars: []SpecVar{{"X", VarSpec{Shape: "n,m"}}}}, ""},
		{Spec{F: "A*x", Wrt: "x", Jac: "A", Vars: []SpecVar{{"A", VarSpec{Shape: "m,n"}}, {"x", VarSpec{Shape: "n"}}}}, ""},
		{Spec{F: "tr(A*X)", Wrt: "X", Grad: "A", Vars: []SpecVar{{"A", VarSpec{Shape: "n,n"}}, {"X", VarSpec{Shape: "n,n"}}}}, ""},
	}
	for _, tt := range tests {
		tt.spec.Name = "t"
		c := buildOrFatal(t, tt.spec)
		rc, err := c.Resolve(nil)
		if err != nil {
			t.Errorf("%v: %v", c, err)
			continue
		}
		if rc.ShapeMismatch != tt.want {
			t.Errorf("%v: shape mismatch\n got %q\nwant %q", c, rc.ShapeMismatch, tt.want)
		}
		if _, err := c.Check(rc.Sizes); err != nil {
			t.Errorf("%v: Check: %v", c, err)
		}
	}
}

// TestBilinear checks which hess claims are bilinear forms: those that use
// the second direction dX2, and no claim of another kind.
func TestBilinear(t *testing.T) {
	tests := []struct {
		spec Spec
		want bool
	}{
		{Spec{Name: "q", F: "logdet(X)", Wrt: "X", Hess: "-tr(inv(X)*dX*inv(X)*dX)"}, false},
		{Spec{Name: "b", F: "logdet(X)", Wrt: "X", Hess: "-tr(inv(X)*dX*inv(X)*dX2)"}, true},
		{Spec{Name: "d", F: "inv(X)", Wrt: "X", Diff: "-inv(X)*dX*inv(X)"}, false},
	}
	for _, tt := range tests {
		tt.spec.Vars = []SpecVar{{"X", VarSpec{Shape: "n,n", Dist: "spd"}}}
		c, err := Build(tt.spec)
		if err != nil {
			t.Fatal(err)
		}
		if got := c.Bilinear(); got != tt.want {
			t.Errorf("%s: Bilinear() = %v, want %v", tt.spec.Hess+tt.spec.Diff, got, tt.want)
		}
	}
}

func TestEscapeGlob(t *testing.T) {
	if got := EscapeGlob("a*b[c]"); got != `a\*b\[c\]` {
		t.Errorf("EscapeGlob = %s", got)
	}
	// As a pattern the escaped name matches the name and no other.
	for _, other := range []string{"a*b[c]", "axb[c]", "a*bc"} {
		if ok, err := path.Match(EscapeGlob("a*b[c]"), other); err != nil || ok != (other == "a*b[c]") {
			t.Errorf("path.Match(EscapeGlob(a*b[c]), %s) = %v, %v", other, ok, err)
		}
	}
}

func TestUnread(t *testing.T) {
	vars := func(names ...string) []SpecVar {
		var vs []SpecVar
		for _, n := range names {
			vs = append(vs, SpecVar{Name: n, VarSpec: VarSpec{Shape: "n,n"}})
		}
		return vs
	}
	tests := []struct {
		s    Spec
		want []string
	}{
		{Spec{F: "tr(A*X)", Wrt: "X", Grad: "A'", Vars: vars("A", "X")}, nil},
		{Spec{F: "tr(A*X)", Wrt: "X", Grad: "A'", Vars: vars("A", "X", "h", "B", "k")}, []string{"h", "B", "k"}},
		// Read by the claim alone, or inside an integral, is read.
		{Spec{F: "tr(X)", Wrt: "X", Grad: "eye(n) + 0*B", Vars: vars("X", "B")}, nil},
		{Spec{F: "tr(integral(t, 0, 1, t*B*X))", Wrt: "X", Diff: "tr(integral(t, 0, 1, t*B*dX))", Vars: vars("X", "B")}, nil},
		// The variable of differentiation is named by wrt.
		{Spec{F: "tr(A)", Wrt: "X", Grad: "zeros(n, n)", Vars: vars("A", "X")}, nil},
		{Spec{F: "tr(A*B)", Equals: "tr(B*A)", Vars: vars("A", "B", "C")}, []string{"C"}},
	}
	for _, tt := range tests {
		c := buildU(t, tt.s)
		if c == nil {
			continue
		}
		if got := c.Unread(); !slices.Equal(got, tt.want) {
			t.Errorf("%s, %s: Unread() = %q, want %q", tt.s.F, c.RhsText, got, tt.want)
		}
	}
	// derive's function alone: only f is read.
	c, err := BuildFunction(Spec{Name: "u", F: "tr(A*X)", Wrt: "X", Vars: vars("A", "X", "h")})
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Unread(); !slices.Equal(got, []string{"h"}) {
		t.Errorf("BuildFunction: Unread() = %q, want [h]", got)
	}
}

// TestReadSizes checks that a report's sizes are those of the symbols the
// claim reads: a size only an unread --var has is left out, one named in
// an expression or by the variable of differentiation is kept.
func TestReadSizes(t *testing.T) {
	tests := []struct {
		s    Spec
		want map[string]int
	}{
		{Spec{F: "tr(X)", Wrt: "X", Grad: "eye(n)", Vars: []SpecVar{{Name: "X", VarSpec: VarSpec{Shape: "n,n"}}, {Name: "A", VarSpec: VarSpec{Shape: "m,k"}}}},
			map[string]int{"n": 48}},
		{Spec{F: "m*tr(X)", Wrt: "X", Grad: "m*eye(n)", Vars: []SpecVar{{Name: "X", VarSpec: VarSpec{Shape: "n,n"}}, {Name: "A", VarSpec: VarSpec{Shape: "m,k"}}}},
			map[string]int{"n": 48, "m": 40}},
		{Spec{F: "sum(x)", Wrt: "x", Grad: "ones(n)", Vars: []SpecVar{{Name: "x", VarSpec: VarSpec{Shape: "n"}}, {Name: "B", VarSpec: VarSpec{Shape: "n,k"}}}},
			map[string]int{"n": 48}},
		{Spec{F: "tr(A)", Wrt: "X", Grad: "zeros(m, k)", Vars: []SpecVar{{Name: "A", VarSpec: VarSpec{Shape: "n,n"}}, {Name: "X", VarSpec: VarSpec{Shape: "m,k"}}}},
			map[string]int{"n": 48, "m": 40, "k": 32}},
	}
	for _, tt := range tests {
		c := buildU(t, tt.s)
		if c == nil {
			continue
		}
		rc, err := c.Resolve(nil)
		if err != nil {
			t.Errorf("%s: %v", tt.s.F, err)
			continue
		}
		if got := c.ReadSizes(rc.Sizes); !maps.Equal(got, tt.want) {
			t.Errorf("%s, %s: ReadSizes(%v) = %v, want %v", tt.s.F, c.RhsText, rc.Sizes, got, tt.want)
		}
	}
}

// buildU builds s named "u", or reports why it does not and returns nil.
func buildU(t *testing.T, s Spec) *Claim {
	t.Helper()
	s.Name = "u"
	c, err := Build(s)
	if err != nil {
		t.Errorf("Build(%+v): %v", s, err)
		return nil
	}
	return c
}

// TestArraySizes checks the sizes of the arrays a claim builds: those of
// eye, ones and zeros, symbols at their sizes or literals, and not a size
// used as a number.
func TestArraySizes(t *testing.T) {
	for _, tt := range []struct {
		s    Spec
		want []int
	}{
		{Spec{F: "sum(exp(X*ones(n, m)/m)*ones(m, n))", Wrt: "X", Grad: "n*exp(X*ones(n, m)/m)*ones(m, n)/m", Vars: []SpecVar{{Name: "X", VarSpec: VarSpec{Shape: "n,n"}}, {Name: "Y", VarSpec: VarSpec{Shape: "m"}}}},
			[]int{48, 40, 40, 48, 48, 40, 40, 48}},
		{Spec{F: "sum(X.^2)/m", Wrt: "X", Grad: "2*X/m", Vars: []SpecVar{{Name: "X", VarSpec: VarSpec{Shape: "n,n"}}, {Name: "Y", VarSpec: VarSpec{Shape: "m"}}}}, nil},
		{Spec{F: "tr(X*eye(3))", Wrt: "X", Grad: "eye(3)", Vars: []SpecVar{{Name: "X", VarSpec: VarSpec{Shape: "3,3"}}}}, []int{3, 3}},
	} {
		c := buildU(t, tt.s)
		if c == nil {
			continue
		}
		rc, err := c.Resolve(nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := c.ArraySizes(rc.Sizes); !slices.Equal(got, tt.want) {
			t.Errorf("%s, %s: ArraySizes = %v, want %v", tt.s.F, c.RhsText, got, tt.want)
		}
	}
}

// TestSizeGivenToConstant checks that a name f reads as a number and a
// size gives a value, as --size N=30 with N*tr(S), says what a size
// symbol is: it said only "undeclared variable 'N'" (the statistician's
// walkthrough). A name no size is given keeps the plain message.
func TestSizeGivenToConstant(t *testing.T) {
	spec := Spec{Name: "t", F: "N*tr(S)", Wrt: "S", Grad: "N*eye(n)", Vars: []SpecVar{{"S", VarSpec{Shape: "n,n"}}}}
	for _, tt := range []struct {
		sizes map[string]int
		want  string
	}{
		{map[string]int{"N": 30}, `formula "t": f: 1:1: undeclared variable 'N' (N is given a size, but a size symbol is a dimension of a variable, or of eye, ones or zeros: write a number in a formula as it is, or declare a 1×1 variable)`},
		{nil, `formula "t": f: 1:1: undeclared variable 'N'`},
	} {
		if _, err := BuildAt(spec, tt.sizes); err == nil || err.Error() != tt.want {
			t.Errorf("BuildAt(sizes %v) error\n got %v\nwant %s", tt.sizes, err, tt.want)
		}
	}
}
