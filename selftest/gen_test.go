package selftest

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/gradcheck/gradcheck/formulas"
)

// language lists every function and operator of the expression language
// that a generated function must be able to contain.
var language = []string{
	"tr", "det", "logdet", "inv", "kron", "expm", "logm", "sum", "norm2", "diag", "eye", "sym",
	"exp", "log", "sqrt", "abs", "tanh", "lgamma", "integral",
	"+", "-", "*", ".*", "./", "/", "^", ".^", "'", "neg",
}

// TestGenerateCovers draws functions and checks that each is well typed at
// its sizes, depends on X, and that together they use the whole language,
// every shape class of X and of f.
func TestGenerateCovers(t *testing.T) {
	seen := map[string]int{}
	xShapes, fShapes := map[string]bool{}, map[formulas.Shape]bool{}
	for i := range 600 {
		fn, c, d, err := Draw(7, i, 3)
		if err != nil {
			t.Fatalf("function %d (%s): %v", i, fn.F, err)
		}
		sizes, err := c.ResolveSizes(nil)
		if err != nil {
			t.Fatal(err)
		}
		if c.Sizes["n"] == c.Sizes["m"] && c.Sizes["n"] != 0 {
			t.Errorf("function %d: n = m = %d: a transposed mutant could pass on shape", i, c.Sizes["n"])
		}
		dc, err := claimAs(c, formulas.Diff, "", d.Diff)
		if err != nil {
			t.Fatal(err)
		}
		env, err := dc.Check(sizes)
		if err != nil {
			t.Fatalf("function %d: %v", i, err)
		}
		fs, err := formulas.Infer(c.F, env, sizes)
		if err != nil {
			t.Fatalf("function %d: %v", i, err)
		}
		if !hasIdent(d.Diff, "dX") {
			t.Errorf("function %d: f = %s does not depend on X", i, c.FText)
		}
		fShapes[classOf(fs)] = true
		xShapes[shapeText(fn.Wrt.sh)] = true
		for _, e := range nodes(fn.F) {
			switch e := e.(type) {
			case *formulas.Call:
				seen[e.Func]++
				if (e.Func == "abs" || e.Func == "relu") && (&generator{x: fn.Wrt}).nonnegativeByConstruction(e.Args[0]) {
					t.Errorf("function %d: %s of a non-negative argument is the identity: %s", i, e, fn.F)
				}
				if bad := zeroMaker(e); bad != "" {
					t.Errorf("function %d: %s of an argument built with %s, zero on part of the sample (no derivative there): %s", i, e.Func, bad, fn.F)
				}
			case *formulas.Integral:
				seen["integral"]++
			case *formulas.Binary:
				seen[e.Op]++
				if e.Op == "+" || e.Op == "-" {
					l, errL := formulas.Infer(e.L, env, sizes)
					r, errR := formulas.Infer(e.R, env, sizes)
					if errL == nil && errR == nil && l.IsScalar() != r.IsScalar() {
						seen["broadcast"]++
					}
				}
				if (e.Op == "+" || e.Op == "-") && (&generator{x: fn.Wrt}).cancels(e) {
					t.Errorf("function %d: %s is zero by construction: %s", i, e, fn.F)
				}
				if (e.Op == "\\" || e.Op == "./") && e.L.String() == e.R.String() {
					t.Errorf("function %d: %s is constant by construction: %s", i, e, fn.F)
				}
			case *formulas.Unary:
				seen[map[string]string{"-": "neg", "'": "'"}[e.Op]]++
			}
		}
	}
	for _, name := range append(slices.Clone(language), "broadcast") {
		if seen[name] == 0 {
			t.Errorf("no generated function uses %s", name)
		}
	}
	for _, x := range []string{"1", "n", "n,n", "m,n"} {
		if !xShapes[x] {
			t.Errorf("no generated function of an X shaped %s", x)
		}
	}
	if len(fShapes) < 3 {
		t.Errorf("generated f have only the shape classes %v (want scalar, vector, matrix)", fShapes)
	}
}

// zeroMaker returns the function that makes the argument of c zero on part
// of the sample where c has no derivative at zero (abs: entries; norm2: the
// whole argument), or "".
func zeroMaker(c *formulas.Call) string {
	avoid := map[string][]string{"abs": {"diag", "eye", "relu"}, "norm2": {"relu"}}[c.Func]
	for _, n := range nodes(c.Args[0]) {
		if a, ok := n.(*formulas.Call); ok && slices.Contains(avoid, a.Func) {
			return a.Func
		}
	}
	return ""
}

// classOf returns the shape class of s: each dimension 1, or 2 for any
// size above 1, so that scalars, vectors and matrices differ.
func classOf(s formulas.Shape) formulas.Shape {
	c := func(k int) int { return min(k, 2) }
	return formulas.Shape{Rows: c(s.Rows), Cols: c(s.Cols)}
}

// TestCancels checks the sums that cancel term by term, products with
// scalar factors in another order or through kron, and that terms equal
// only up to algebra, or with other coefficients, do not (X is n×n, c and
// r scalars).
func TestCancels(t *testing.T) {
	g := &generator{x: variable{"X", shape{"n", "n"}, formulas.WellCond}}
	for _, tc := range []struct {
		src  string
		want bool
	}{
		{"A - A", true},
		{"(A - S) + (S - A)", true},
		{"-X + X", true},
		{"(A - S) - (A - S)", true},
		{"X*Y + -(X*Y)", true},
		{"kron(X, c) - c*X", true},
		{"kron(c, X) - X*c", true},
		{"X*c - c*X", true},
		{"r*X*c - c*(r*X)", true},
		{"tr(A)*X - kron(X, tr(A))", true},
		{"A - S", false},
		{"A + A", false},
		{"(A - S) + (A - S)", false},
		{"A - S + (S - A) + X", false},
		{"A*X - X*A", false}, // matrices do not commute
		{"kron(X, A) - A*X", false},
		{"A*(B + C) - (A*B + A*C)", false}, // equal by algebra only: not seen
	} {
		e, err := formulas.Parse(tc.src)
		if err != nil {
			t.Fatal(err)
		}
		if got := g.cancels(e); got != tc.want {
			t.Errorf("cancels(%s) = %v, want %v", tc.src, got, tc.want)
		}
	}
}

// TestDrawDeterministic checks that function i depends on (seed, i) alone.
func TestDrawDeterministic(t *testing.T) {
	a, _, _, _ := Draw(3, 17, 3)
	b, _, _, _ := Draw(3, 17, 3)
	c, _, _, _ := Draw(3, 18, 3)
	if a.F.String() != b.F.String() {
		t.Errorf("Draw(3, 17) gave %s, then %s", a.F, b.F)
	}
	if a.F.String() == c.F.String() {
		t.Errorf("Draw(3, 17) and Draw(3, 18) both gave %s", a.F)
	}
}

func TestMutate(t *testing.T) {
	square := func(e formulas.Expr) bool {
		s := e.String()
		return s == "A" || s == "X" || s == "dX" || s == "A*dX" || s == "dX*X"
	}
	e, err := formulas.Parse("A*dX + dX*X")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		m    Mutation
		want []string // every candidate is one of these
	}{
		{TransposeFactor, []string{"A'*dX + dX*X", "A*dX' + dX*X", "A*dX + dX'*X", "A*dX + dX*X'"}},
		{SwapProduct, []string{"dX*A + dX*X", "A*dX + X*dX"}},
		{DropTerm, []string{"A*dX", "dX*X"}},
		{FlipSign, []string{"A*dX - dX*X"}},
		{Double, []string{"2*(A*dX + dX*X)"}},
		{Halve, []string{"0.5*(A*dX + dX*X)"}},
		{Nudge, []string{"1.000001*(A*dX + dX*X)"}},
		{TransposeSubterm, []string{"(A*dX)' + dX*X", "A'*dX + dX*X", "A*dX' + dX*X", "A*dX + (dX*X)'", "A*dX + dX'*X", "A*dX + dX*X'"}},
		{Symmetrize, []string{"sym(A*dX) + dX*X", "sym(A)*dX + dX*X", "A*sym(dX) + dX*X", "A*dX + sym(dX*X)", "A*dX + sym(dX)*X", "A*dX + dX*sym(X)"}},
	}
	rng := rand.New(rand.NewPCG(1, 1))
	for _, tc := range tests {
		for range 5 {
			got := mutate(rng, tc.m, e, square)
			if len(got) == 0 {
				t.Errorf("%s: no mutant", tc.m)
			}
			for _, g := range got {
				if !slices.Contains(tc.want, g.String()) {
					t.Errorf("%s: mutant %s, want one of %q", tc.m, g, tc.want)
				}
			}
		}
	}
	if got := e.String(); got != "A*dX + dX*X" {
		t.Errorf("mutate changed its input to %s", got)
	}
}

// TestGenerateShallow checks that a depth below 1 draws as depth 1:
// Generate and Draw looped for ever, as a function of depth 0 is a
// variable alone, which they draw again.
func TestGenerateShallow(t *testing.T) {
	for _, depth := range []int{0, -1, -100} {
		for i := range 5 {
			fn := Generate(rand.New(rand.NewPCG(1, uint64(i))), depth)
			if want := Generate(rand.New(rand.NewPCG(1, uint64(i))), 1); fn.F.String() != want.F.String() {
				t.Errorf("Generate(depth %d) = %s, want %s as at depth 1", depth, fn.F, want.F)
			}
			dfn, _, _, err := Draw(1, i, depth)
			if want, _, _, _ := Draw(1, i, 1); err != nil || dfn.F.String() != want.F.String() {
				t.Errorf("Draw(1, %d, depth %d) = %s, %v; want %s as at depth 1", i, depth, dfn.F, err, want.F)
			}
		}
	}
}
