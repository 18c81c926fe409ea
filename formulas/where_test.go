package formulas

import (
	"strings"
	"testing"
	"time"
)

// leastSquares returns the spec of ∇‖r‖² = 2Aᵀr with r = Ax − b defined,
// for the tests to vary.
func leastSquares() Spec {
	return Spec{
		Name: "ls", F: "r'*r", Wrt: "x", Grad: "2*A'*r",
		Where: []Definition{{Name: "r", Text: "A*x - b"}},
		Vars:  []SpecVar{{"A", VarSpec{Shape: "m,n"}}, {"x", VarSpec{Shape: "n"}}, {"b", VarSpec{Shape: "m"}}},
	}
}

// TestWhereWritesOut checks that a claim with definitions is the claim
// typed out: its F and Rhs print as the typed-out claim's, its texts keep
// the names, and its sizes are those of the typed-out claim.
func TestWhereWritesOut(t *testing.T) {
	attention := Spec{
		Name: "attention", F: "sum(G.*(V'*P))", Wrt: "Q", Grad: "(P.*(M - ones(k,k)*(P.*M)))'*K/sqrt(d)",
		Where: []Definition{{Name: "P", Text: "softmax(K*Q'/sqrt(d))"}, {Name: "M", Text: "V*G"}},
		Vars: []SpecVar{{"Q", VarSpec{Shape: "m,d"}}, {"K", VarSpec{Shape: "k,d"}},
			{"V", VarSpec{Shape: "k,n"}}, {"G", VarSpec{Shape: "n,m"}}},
	}
	chain := Spec{
		Name: "chain", F: "tr(B)", Wrt: "X", Grad: "2*X'",
		Where: []Definition{{Name: "A", Text: "X*X"}, {Name: "B", Text: "A + 0*eye(k)"}},
		Vars:  []SpecVar{{"X", VarSpec{Shape: "k,k"}}},
	}
	dirs := Spec{
		Name: "dinv", F: "Y", Wrt: "X", Diff: "-Y*dX*Y",
		Where: []Definition{{Name: "Y", Text: "inv(X)"}},
		Vars:  []SpecVar{{"X", VarSpec{Shape: "n,n"}}},
	}
	dirDef := Spec{
		Name: "dsq", F: "X*X", Wrt: "X", Diff: "E*X + X*E",
		Where: []Definition{{Name: "E", Text: "dX"}},
		Vars:  []SpecVar{{"X", VarSpec{Shape: "n,n"}}},
	}
	hessVector := Spec{
		Name: "quartic", F: "(x'*x)^2", Wrt: "x", Hess: "8*p*q + 4*s*dx'*dx2",
		Where: []Definition{{Name: "s", Text: "x'*x"}, {Name: "p", Text: "x'*dx"}, {Name: "q", Text: "x'*dx2"}},
		Vars:  []SpecVar{{"x", VarSpec{Shape: "n"}}},
	}
	for _, tc := range []struct {
		spec             Spec
		f, rhs, describe string
		symbols          string
	}{
		{leastSquares(), "(A*x - b)'*(A*x - b)", "2*A'*(A*x - b)", "grad_x r'*r = 2*A'*r where r = A*x - b", "m,n"},
		{attention, "sum(G.*(V'*softmax(K*Q'/sqrt(d))))",
			"(softmax(K*Q'/sqrt(d)).*(V*G - ones(k, k)*(softmax(K*Q'/sqrt(d)).*(V*G))))'*K/sqrt(d)",
			"grad_Q sum(G.*(V'*P)) = (P.*(M - ones(k,k)*(P.*M)))'*K/sqrt(d) where P = softmax(K*Q'/sqrt(d)), M = V*G", "m,d,k,n"},
		{chain, "tr(X*X + 0*eye(k))", "2*X'", "grad_X tr(B) = 2*X' where A = X*X, B = A + 0*eye(k)", "k"},
		{dirs, "inv(X)", "-inv(X)*dX*inv(X)", "d(Y)[dX] = -Y*dX*Y where Y = inv(X)", "n"},
		{dirDef, "X*X", "dX*X + X*dX", "d(X*X)[dX] = E*X + X*E where E = dX", "n"},
		{hessVector, "(x'*x)^2", "8*(x'*dx)*(x'*dx2) + 4*(x'*x)*dx'*dx2", "hess_x (x'*x)^2 = 8*p*q + 4*s*dx'*dx2 where s = x'*x, p = x'*dx, q = x'*dx2", "n"},
	} {
		c, err := Build(tc.spec)
		if err != nil {
			t.Errorf("%s: %v", tc.spec.Name, err)
			continue
		}
		if got := c.F.String(); got != tc.f {
			t.Errorf("%s: F = %s, want %s", tc.spec.Name, got, tc.f)
		}
		if got := c.Rhs.String(); got != tc.rhs {
			t.Errorf("%s: Rhs = %s, want %s", tc.spec.Name, got, tc.rhs)
		}
		if got := c.String(); got != tc.describe {
			t.Errorf("%s: String() = %s, want %s", tc.spec.Name, got, tc.describe)
		}
		if got := strings.Join(c.Symbols(), ","); got != tc.symbols {
			t.Errorf("%s: Symbols() = %s, want %s", tc.spec.Name, got, tc.symbols)
		}
		if c.FText != tc.spec.F || len(c.Where) != len(tc.spec.Where) {
			t.Errorf("%s: FText %q, %d definitions; want the texts as written", tc.spec.Name, c.FText, len(c.Where))
		}
	}
}

// TestHessFormThroughDefinition checks that a vector's hess claim that
// reads its directions only through a definition is the form D²f[dx, dx2],
// not the Hessian matrix (whose shape check would refuse the 1×1 result).
func TestHessFormThroughDefinition(t *testing.T) {
	s := Spec{
		Name: "q", F: "x'*A*x", Wrt: "x", Hess: "p",
		Where: []Definition{{Name: "p", Text: "dx'*(A + A')*dx2"}},
		Vars:  []SpecVar{{"A", VarSpec{Shape: "n,n"}}, {"x", VarSpec{Shape: "n"}}},
	}
	c, err := Build(s)
	if err != nil {
		t.Fatal(err)
	}
	if !c.SecondDerivativeForm(Shape{48, 1}) || !c.Bilinear() {
		t.Errorf("hess %s read as the Hessian matrix, want the bilinear form", c.Rhs)
	}
}

// TestWhereErrors checks the errors of definitions: each names the
// formula and the definition (or the field that reads one) and says what
// is wrong in the names the user wrote.
func TestWhereErrors(t *testing.T) {
	with := func(edit func(*Spec)) Spec {
		s := leastSquares()
		edit(&s)
		return s
	}
	def := func(defs ...string) func(*Spec) {
		return func(s *Spec) {
			s.Where = nil
			for _, d := range defs {
				name, text, _ := strings.Cut(d, "=")
				s.Where = append(s.Where, Definition{Name: name, Text: text})
			}
		}
	}
	big := func(s *Spec) {
		// Each definition reads the one before twice: written out, the
		// 30th would have 2³⁰ nodes.
		s.Where = []Definition{{Name: "r", Text: "A*x - b"}}
		prev := "r"
		for i := range 30 {
			name := "r" + strings.Repeat("x", i+1)
			s.Where = append(s.Where, Definition{Name: name, Text: prev + " + " + prev})
			prev = name
		}
		s.F = prev + "'*" + prev
	}
	for _, tc := range []struct {
		name string
		spec Spec
		want string
	}{
		{"not a name", with(def("2r=A*x - b")), `formula "ls": where: "2r" is not a name`},
		{"function", with(def("tr=A*x - b")), `formula "ls": where tr: tr is a reserved name`},
		{"variable", with(def("b=A*x")), `formula "ls": where b: b is a declared variable`},
		{"size", with(def("m=A*x - b")), `formula "ls": where m: m is a size symbol`},
		{"size of eye", with(func(s *Spec) {
			s.F, s.Where = "r'*r + tr(eye(k))", []Definition{{Name: "r", Text: "A*x - b"}, {Name: "k", Text: "2"}}
		}),
			`formula "ls": where k: k is a size symbol`},
		{"twice", with(def("r=A*x - b", "r=A*x")), `formula "ls": where r: r is defined twice`},
		{"empty", with(def("r= ")), `formula "ls": where r: the definition is empty`},
		{"parse", with(def("r=A*x - ")), `formula "ls": where r: 1:7: expected an operand, found end of input`},
		{"shape in definition", with(def("r=A*b")), `formula "ls": where r: 1:1: A*b: cannot multiply 40×48 by 40×1`},
		{"undeclared", with(def("r=A*x - c")), `formula "ls": where r: 1:7: undeclared variable 'c'`},
		{"itself", with(def("r=A*x - r")), `formula "ls": where r: 1:7: r reads itself`},
		{"indexed", with(func(s *Spec) { s.F = "r(1)" }), `formula "ls": f: 1:1: r is a definition (where): indexing r(...) is not supported`},
		{"later", with(def("r=A*x - c", "c=b")), `formula "ls": where r: 1:7: r reads c, which is defined after it; define c first`},
		// A shape error of f or the claim quotes them as written.
		{"shape in claim", with(func(s *Spec) { s.Grad = "2*A*r" }), `formula "ls": grad: 1:1: 2*A*r: cannot multiply 40×48 by 40×1`},
		{"integral variable", with(func(s *Spec) { s.F = "integral(r, 0, 1, r*x'*x)" }),
			`formula "ls": f: 1:1: integral(r, 0, 1, r*x'*x): the integration variable r is the name of a definition (where)`},
		{"too large", with(big), `formula "ls": where rxxxxxxxxxxxxxx: 1:1: written out, with the definitions it reads, it is longer than the longest expression`},
		{"direction", Spec{Name: "d", F: "X*X", Wrt: "X", Diff: "dX*X + X*dX", Where: []Definition{{Name: "dX", Text: "X"}},
			Vars: []SpecVar{{"X", VarSpec{Shape: "n,n"}}}}, `formula "d": where dX: dX is the name of a direction of X`},
		{"f reads the direction", Spec{Name: "d", F: "E", Wrt: "X", Diff: "E", Where: []Definition{{Name: "E", Text: "X*dX"}},
			Vars: []SpecVar{{"X", VarSpec{Shape: "n,n"}}}},
			`formula "d": f: 1:1: E reads the direction dX (where E = X*dX): f is a function of the variables alone; only the claimed diff reads dX`},
		{"direction of a grad", Spec{Name: "g", F: "tr(X)", Wrt: "X", Grad: "E", Where: []Definition{{Name: "E", Text: "dX"}},
			Vars: []SpecVar{{"X", VarSpec{Shape: "n,n"}}}}, `formula "g": where E: 1:1: undeclared variable 'dX'`},
	} {
		_, err := Build(tc.spec)
		if err == nil {
			t.Errorf("%s: no error, want %q", tc.name, tc.want)
			continue
		}
		if !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%s: error\n%v\nwant it to start\n%s", tc.name, err, tc.want)
		}
	}
}

// TestWhereChainOfDirections checks that a diff or hess claim whose
// definitions each read the one before twice is refused at once, as a
// grad claim's is: the check of which definitions read a direction walked
// each definition at every use, 2^k walks for k links, and with 40 links
// Build did not return (nor heed SIGTERM).
func TestWhereChainOfDirections(t *testing.T) {
	for _, kind := range []Kind{Diff, Hess} {
		s := Spec{Name: "chain", F: "x'*x", Wrt: "x", Vars: []SpecVar{{"x", VarSpec{Shape: "n"}}}}
		prev := "x"
		for i := range 40 {
			name := "a" + strings.Repeat("x", i+1)
			s.Where = append(s.Where, Definition{Name: name, Text: prev + " + " + prev})
			prev = name
		}
		if kind == Diff {
			s.Diff = "2*x'*dx + 0*sum(" + prev + ")"
		} else {
			s.Hess = "2*dx'*dx2 + 0*sum(" + prev + ")"
		}
		done := make(chan error, 1)
		go func() {
			_, err := Build(s)
			done <- err
		}()
		select {
		case err := <-done:
			if err == nil || !strings.Contains(err.Error(), "longer than the longest expression") {
				t.Errorf("%s: %v, want the written-out definition refused as too long", kind, err)
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("%s: Build of a chain of 40 definitions did not return in 20 s", kind)
		}
	}
}

// TestWhereFlag checks the parsing of --where NAME=EXPR.
func TestWhereFlag(t *testing.T) {
	for _, tc := range []struct {
		flag, name, text, err string
	}{
		{flag: "r=A*x - b", name: "r", text: "A*x - b"},
		{flag: " r = A*x", name: "r", text: " A*x"},
		{flag: "lam=0.1", name: "lam", text: "0.1"},
		{flag: "r", err: `bad definition "r": want NAME=EXPR, as in r='A*x - b'`},
		{flag: "=A*x", err: `bad definition "=A*x": want NAME=EXPR`},
	} {
		d, err := ParseWhereFlag(tc.flag)
		switch {
		case tc.err != "" && (err == nil || !strings.HasPrefix(err.Error(), tc.err)):
			t.Errorf("%q: error %v, want %q", tc.flag, err, tc.err)
		case tc.err == "" && (err != nil || d.Name != tc.name || d.Text != tc.text):
			t.Errorf("%q: %+v, %v; want %s = %q", tc.flag, d, err, tc.name, tc.text)
		}
	}
}

// TestFold checks that Fold names the definitions in results derived from
// a claim's f, the largest first, and that With reads those names back.
func TestFold(t *testing.T) {
	c, err := Build(leastSquares())
	if err != nil {
		t.Fatal(err)
	}
	d, err := c.Derive()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.Fold(d.Grad).String(), "2*A'*r"; got != want {
		t.Errorf("Fold(grad) = %s, want %s", got, want)
	}
	back, err := c.With(Grad, c.Fold(d.Grad).String())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := back.Rhs.String(), "2*A'*(A*x - b)"; got != want {
		t.Errorf("With(Fold(grad)).Rhs = %s, want %s", got, want)
	}

	nested := leastSquares()
	nested.Where = append(nested.Where, Definition{Name: "s", Text: "r'*r"})
	nested.F, nested.Grad = "s + tr(x*x')", "2*A'*r + 2*x"
	c, err = Build(nested)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ in, want string }{
		{"(A*x - b)'*(A*x - b)", "s"}, // s, not r'*r
		{"exp((A*x - b)'*(A*x - b))*A'*(A*x - b)", "exp(s)*A'*r"},
		{"A'*(A*x + b)", "A'*(A*x + b)"},
		{"integral(t, 0, 1, t*(A*x - b))", "integral(t, 0, 1, t*r)"},
	} {
		if got := c.Fold(mustParse(t, tc.in)).String(); got != tc.want {
			t.Errorf("Fold(%s) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

// TestFoldPastesBack checks that the result Fold names in the
// definitions pastes back into the claim: the claim with the folded
// gradient (and differential) builds, and writes out to the derived result.
// An integral over a variable with the name of a definition is written
// over another (the differential of expm(X) is an integral over t: with t =
// sum(X), the gradient printed integral(t, 0, 1, t*expm(t*X)'*…), reading
// its own variable for t, and was refused); a size of eye stays a size
// (c*eye(c) with c = n was refused); a definition that is a number is
// not named (X^c with c = 2 was refused; with lam = 2, 2*A'*r, the
// gradient of r'*r, printed lam*A'*r).
func TestFoldPastesBack(t *testing.T) {
	matrix := []SpecVar{{"X", VarSpec{Shape: "n,n"}}}
	for _, tc := range []struct {
		spec        Spec
		grad, diff  string // the folded results; "" to skip
		sameWritten bool   // the pasted claim writes out to the derived result, text for text
	}{
		{Spec{Name: "expm", F: "tr(expm(X))*t", Wrt: "X", Where: []Definition{{Name: "t", Text: "sum(X)"}}, Vars: matrix},
			"integral(t1, 0, 1, t*expm(t1*X)'*expm((1 - t1)*X)') + tr(expm(X))*ones(n, n)",
			"tr(integral(t1, 0, 1, expm(t1*X)*dX*expm((1 - t1)*X)))*t + tr(expm(X))*sum(dX)", false},
		{Spec{Name: "expm of a definition", F: "tr(expm(t))", Wrt: "X", Where: []Definition{{Name: "t", Text: "X"}}, Vars: matrix},
			"", "tr(integral(t1, 0, 1, expm(t1*t)*dX*expm((1 - t1)*t)))", false},
		{Spec{Name: "logm", F: "tr(logm(X))*v", Wrt: "X", Where: []Definition{{Name: "v", Text: "sum(X)"}, {Name: "z", Text: "X"}},
			Vars: []SpecVar{{"X", VarSpec{Shape: "n,n", Dist: "spd"}}}}, "", "", false},
		{Spec{Name: "power", F: "tr(X^3)", Wrt: "X", Where: []Definition{{Name: "c", Text: "2"}}, Vars: matrix},
			"(X^2)' + X'*X' + (X^2)'", "tr(dX*X^2 + X*dX*X + X^2*dX)", true},
		{Spec{Name: "size", F: "tr(X)*c", Wrt: "X", Where: []Definition{{Name: "c", Text: "n"}}, Vars: matrix},
			"c*eye(n)", "tr(dX)*c", true},
		{Spec{Name: "constant", F: "r'*r + lam*x'*x", Wrt: "x", Where: []Definition{{Name: "r", Text: "A*x - b"}, {Name: "lam", Text: "2"}},
			Vars: []SpecVar{{"A", VarSpec{Shape: "m,n"}}, {"x", VarSpec{Shape: "n"}}, {"b", VarSpec{Shape: "m"}}}},
			"2*A'*r + 4*x", "", true},
	} {
		c, err := BuildFunctionAt(tc.spec, nil)
		if err != nil {
			t.Errorf("%s: %v", tc.spec.Name, err)
			continue
		}
		d, err := c.Derive()
		if err != nil {
			t.Errorf("%s: derive: %v", tc.spec.Name, err)
			continue
		}
		for _, r := range []struct {
			kind    Kind
			derived Expr
			want    string
		}{{Grad, d.Grad, tc.grad}, {Diff, d.Diff, tc.diff}} {
			folded := c.Fold(r.derived).String()
			if r.want != "" && folded != r.want {
				t.Errorf("%s: folded %s %s, want %s", tc.spec.Name, r.kind, folded, r.want)
			}
			s := tc.spec
			if r.kind == Grad {
				s.Grad = folded
			} else {
				s.Diff = folded
			}
			back, err := Build(s)
			if err != nil {
				t.Errorf("%s: the folded %s %s does not paste back: %v", tc.spec.Name, r.kind, folded, err)
				continue
			}
			if tc.sameWritten && back.Rhs.String() != r.derived.String() {
				t.Errorf("%s: the folded %s writes out to %s, want %s", tc.spec.Name, r.kind, back.Rhs, r.derived)
			}
		}
	}
}

// TestUnused checks that Unused lists the definitions that neither f nor
// the claim reads, directly or through another definition.
func TestUnused(t *testing.T) {
	s := leastSquares()
	s.Where = append(s.Where, Definition{Name: "u", Text: "x + 1"}, Definition{Name: "s", Text: "r'*r"}, Definition{Name: "q", Text: "2*s"})
	s.F = "q"
	c, err := Build(s)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(c.Unused(), ","); got != "u" {
		t.Errorf("Unused() = %q, want u", got)
	}
}

// TestWherePositions checks that an error of derive within a definition
// is placed at the name in f that reads it, not at the definition's own
// place in its text (1:1 for P below, which f reads at 1:8).
func TestWherePositions(t *testing.T) {
	for _, where := range [][]Definition{
		{{Name: "P", Text: "integral(t, 0, x'*x, t)"}},
		{{Name: "Q", Text: "integral(t, 0, x'*x, t)"}, {Name: "P", Text: "2*Q"}},
	} {
		c, err := BuildFunction(Spec{Name: "p", F: "x'*x + P", Wrt: "x", Where: where, Vars: []SpecVar{{"x", VarSpec{Shape: "n"}}}})
		if err != nil {
			t.Fatal(err)
		}
		want := "1:8: cannot differentiate integral(t, 0, x'*x, t)"
		if _, err := c.Derive(); err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%v: derive: %v, want %s", where, err, want)
		}
	}
}

// TestWhereSecondDirectionOfFunction checks that derive, which writes a
// second derivative in dX and dX2, refuses a definition named dX2, as a
// diff claim does: it would name the second direction's place in the
// result (with dx2 = x, derive --hess of (x'*x)^2 printed
// (2*dx2'*dx2 + ...)*(dx'*dx2 + dx2'*dx)).
func TestWhereSecondDirectionOfFunction(t *testing.T) {
	_, err := BuildFunction(Spec{Name: "d", F: "x'*x", Wrt: "x", Where: []Definition{{Name: "dx2", Text: "x"}},
		Vars: []SpecVar{{"x", VarSpec{Shape: "n"}}}})
	if want := `formula "d": where dx2: dx2 is the name of a direction of x`; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("%v, want %s", err, want)
	}
}
