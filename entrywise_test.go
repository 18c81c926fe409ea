package gradcheck

import (
	"context"
	"reflect"
	"runtime"
	"testing"

	"github.com/gradcheck/gradcheck/cpu"
	"github.com/gradcheck/gradcheck/formulas"
)

// TestEntrywiseBlocksDoNotMatter checks that an entrywise check streamed in
// blocks of a few directions gives the same result, to the bit, as one
// block holding every direction: for a right and a wrong gradient (whose
// failing entries and diagnosis come from the comparisons) and for a
// matrix-valued f, whose instances make n⁴ comparisons.
func TestEntrywiseBlocksDoNotMatter(t *testing.T) {
	claims := chunkClaims(t, "tr-axb", "tr-axb-wrong", "diff-inv")
	s := DefaultSettings()
	s.Mode, s.Batch, s.Sizes = Entrywise, 3, map[string]int{"n": 7}
	defer func(b int64) { entrywiseBytes = b }(entrywiseBytes)
	for _, c := range claims {
		entrywiseBytes = 1 << 40 // one block
		whole := Verify(context.Background(), cpu.New(), c, s)
		entrywiseBytes = 1 // one direction per block
		blocks := Verify(context.Background(), cpu.New(), c, s)
		if !reflect.DeepEqual(whole, blocks) {
			t.Errorf("%s: in one block %+v\nin blocks of one direction %+v", c.Name, whole, blocks)
		}
		want := map[string]Verdict{"tr-axb": Pass, "tr-axb-wrong": Fail, "diff-inv": Pass}[c.Name]
		if whole.Verdict != want || (want == Fail && len(whole.Entries) == 0) {
			t.Errorf("%s: verdict %s with %d entries, want %s", c.Name, whole.Verdict, len(whole.Entries), want)
		}
	}
}

// TestCoresDoNotMatter checks that the comparisons formed and judged on
// several cores, in parts of one comparison up, give the same result, to
// the bit, as on one core: entrywise (where an instance of a matrix-valued
// f makes n⁴ comparisons, a million at n = 32) and along random
// directions, for right and wrong claims.
func TestCoresDoNotMatter(t *testing.T) {
	claims := chunkClaims(t, "tr-axb", "tr-axb-wrong", "diff-inv", "quad-form-hess")
	defer func(p, m int) { minComparisonPart = p; runtime.GOMAXPROCS(m) }(minComparisonPart, runtime.GOMAXPROCS(0))
	for _, mode := range []Mode{Entrywise, Directional} {
		s := DefaultSettings()
		s.Mode, s.Batch, s.Sizes = mode, 2, map[string]int{"n": 9}
		for _, c := range claims {
			runtime.GOMAXPROCS(1)
			one := Verify(context.Background(), cpu.New(), c, s)
			runtime.GOMAXPROCS(5)
			minComparisonPart = 1
			several := Verify(context.Background(), cpu.New(), c, s)
			minComparisonPart = 1 << 13
			if !reflect.DeepEqual(one, several) {
				t.Errorf("%s %s: on one core %+v\non five %+v", mode, c.Name, one, several)
			}
			if want := map[string]Verdict{"tr-axb-wrong": Fail}[c.Name]; want == Fail && one.Verdict != Fail {
				t.Errorf("%s %s: %s, want fail", mode, c.Name, one.Verdict)
			}
		}
	}
}

// TestStepGroupsDoNotMatter checks that a directional check whose
// perturbed points are evaluated one step at a time gives the same result,
// to the bit, as one evaluation of all steps, for a gradient, a
// matrix-valued differential reduced by W, and a Hessian (twelve points of mixed differences).
func TestStepGroupsDoNotMatter(t *testing.T) {
	claims := chunkClaims(t, "tr-axb", "diff-inv", "quad-form-hess")
	s := DefaultSettings()
	s.Sizes = map[string]int{"n": 9}
	defer func(b int) { perturbedBytes = b }(perturbedBytes)
	for _, c := range claims {
		perturbedBytes = 1 << 40
		whole := Verify(context.Background(), cpu.New(), c, s)
		perturbedBytes = 1
		steps := Verify(context.Background(), cpu.New(), c, s)
		if !reflect.DeepEqual(whole, steps) || whole.Verdict != Pass {
			t.Errorf("%s: all steps at once %+v\none step at a time %+v", c.Name, whole, steps)
		}
	}
}

// chunkClaims builds the claims, by name, of the tests that cut the work
// into chunks, blocks or steps.
func chunkClaims(t *testing.T, names ...string) []*formulas.Claim {
	t.Helper()
	square := vars(t, "A=n,n", "X=n,n", "B=n,n")
	specs := map[string]formulas.Spec{
		"tr-axb":         {F: "tr(A*X*B)", Wrt: "X", Grad: "A'*B'", Vars: square},
		"tr-axb-wrong":   {F: "tr(A*X*B)", Wrt: "X", Grad: "B*A", Vars: square},
		"diff-inv":       {F: "inv(X)", Wrt: "X", Diff: "-inv(X)*dX*inv(X)", Vars: vars(t, "X=n,n:wellcond")},
		"det":            {F: "det(X)", Wrt: "X", Grad: "det(X)*inv(X)'", Vars: vars(t, "X=n,n:wellcond")},
		"quad-form-hess": {F: "x'*A*x", Wrt: "x", Hess: "A + A'", Vars: vars(t, "A=n,n", "x=n")},
	}
	claims := make([]*formulas.Claim, len(names))
	for i, name := range names {
		spec := specs[name]
		spec.Name = name
		claims[i] = inline(t, spec)
	}
	return claims
}

// TestGradEntriesAreTheDotProducts checks that a grad claim's values along
// the unit directions of an entrywise block, read off the gradient's
// entries, are to the bit the dot products ⟨G, u·E_k⟩ of the general path:
// for a gradient that depends on X, one in numerator layout, one that does
// not depend on X (stored once for the chunk), a symmetric variable (whose
// off-diagonal directions have two nonzero entries) and a vector variable
// (no transposed values); and so are those of a block that reads the
// gradient an earlier block kept.
func TestGradEntriesAreTheDotProducts(t *testing.T) {
	tests := []formulas.Spec{
		{F: "tr(A*X*B)", Wrt: "X", Grad: "A'*B'", Vars: vars(t, "A=n,n", "X=n,n", "B=n,n")},
		{F: "tr(A*X*B)", Wrt: "X", Grad: "B*A", Layout: "numerator", Vars: vars(t, "A=n,n", "X=n,n", "B=n,n")},
		{F: "tr(X)", Wrt: "X", Grad: "eye(n)", Vars: vars(t, "X=n,n")},
		{F: "logdet(X)", Wrt: "X", Grad: "inv(X)", Vars: vars(t, "X=n,n:spd:sym")},
		{F: "x'*A*x", Wrt: "x", Grad: "(A + A')*x", Vars: vars(t, "A=n,n", "x=n")},
	}
	s := DefaultSettings()
	s.Mode, s.Batch = Entrywise, 3
	for _, spec := range tests {
		spec.Name = spec.F + " grad " + spec.Grad
		rc, err := inline(t, spec).Resolve(map[string]int{"n": 5})
		if err != nil {
			t.Fatal(err)
		}
		v, err := newVerification(cpu.New(), rc, s)
		if err != nil {
			t.Fatal(err)
		}
		ev, _, err := v.newChunk(context.Background(), 0, s.Batch)
		if err != nil {
			t.Fatal(err)
		}
		x := ev.vars[v.c.Wrt]
		accs := []instanceComparisons{{unit: 1}, {unit: 2.5}, {unit: 7.25}}
		k0, k1 := 2, v.directionsPerInstance()
		h, err := ev.unitDirections(x, accs, v.wrt.SymSpace, indices(k0, k1), 0)
		if err != nil {
			t.Fatal(err)
		}
		ev.bind(v.c.Direction(), h)
		summed, err := v.claimedValues(ev, h, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		// The first block evaluates G and keeps it for the chunk, the
		// next reads it; a lone block keeps nothing.
		var grad hostGradient
		for _, kept := range []*hostGradient{&grad, &grad, nil} {
			read, err := v.claimedValues(ev, h, nil, &entryBlock{accs, k0, k1, kept})
			if err != nil {
				t.Fatal(err)
			}
			if want := len(accs) * (k1 - k0); len(read.vals) != want {
				t.Errorf("%s: %d values, want %d", spec.Name, len(read.vals), want)
			}
			if !reflect.DeepEqual(read, summed) {
				t.Errorf("%s: read off the entries %+v\nsummed as dot products %+v", spec.Name, read, summed)
			}
		}
		if grad.g == nil {
			t.Errorf("%s: the gradient was not kept for the next blocks", spec.Name)
		}
		ev.close()
	}
}

// TestExamplesEntrywise verifies every claim of the examples entrywise at
// n = 6, where several variables are larger than the 64 entries below which
// a failure is followed by an entrywise look at its worst instance, so that
// failures are localized by block probes (which once panicked in entrywise
// mode). No claim may end in an error, no correct claim fail, and no wrong
// claim pass but wrong-det-axinvb-rect: at n = 6 its k is 32, A·X⁻¹·B is a
// 32×32 matrix of rank 6, f is identically 0, and so is its claim.
func TestExamplesEntrywise(t *testing.T) {
	s := DefaultSettings()
	s.Mode, s.Batch, s.Sizes = Entrywise, 2, map[string]int{"n": 6}
	for _, file := range []string{"examples/correct.yaml", "examples/wrong.yaml"} {
		claims, _ := loadSpecFile(t, file)
		for _, c := range claims {
			res := Verify(context.Background(), cpu.New(), c, s)
			wrong := file == "examples/wrong.yaml"
			switch {
			case res.Verdict == Error:
				t.Errorf("%s %s: error: %s", file, c.Name, res.Reason)
			case !wrong && res.Verdict == Fail:
				t.Errorf("%s %s: fails: %s", file, c.Name, res.Reason)
			case wrong && res.Verdict == Pass && c.Name != "wrong-det-axinvb-rect":
				t.Errorf("%s %s passes", file, c.Name)
			}
		}
	}
}

// TestEntrywiseSettled checks the stencil of entrywise checks, entry by
// entry: besides one evaluation of f at the base point, two evaluations for
// an entry along which f is affine (its forward differences at h and h/2
// agree to rounding level), four for one along which it is quadratic (its
// central differences do) or does not change at all (where the forward
// stage's tolerance would be too uncertain), six for the others; the count
// is exact, so that a mixed f (cubic along the diagonal, affine elsewhere)
// takes six for the n diagonal entries alone. Each right claim passes and
// each claim scaled by 1 + 10⁻⁶ fails: the shorter stencils keep a
// tolerance near rounding level.
func TestEntrywiseSettled(t *testing.T) {
	const n, batch = 5, 2
	tests := []struct {
		f, grad, wrt string
		vars         []formulas.SpecVar
		// The number of entries of the variable that take two, four
		// and six evaluations.
		two, four, six int
	}{
		{"det(X)", "det(X)*inv(X)'", "X", vars(t, "X=n,n:wellcond"), n * n, 0, 0},
		{"tr(A*X*B)", "A'*B'", "X", vars(t, "A=n,n", "X=n,n", "B=n,n"), n * n, 0, 0},
		{"x'*A*x", "(A + A')*x", "x", vars(t, "A=n,n", "x=n"), 0, n, 0},
		{"tr(X)", "eye(n)", "X", vars(t, "X=n,n"), n, n*n - n, 0},
		{"sum(X.^2) + det(X)", "2*X + det(X)*inv(X)'", "X", vars(t, "X=n,n:wellcond"), 0, n * n, 0},
		{"logdet(X)", "inv(X)'", "X", vars(t, "X=n,n:wellcond"), 0, 0, n * n},
		{"sum(X.^3)", "3*X.^2", "X", vars(t, "X=n,n"), 0, 0, n * n},
		{"sum(X.^3.*eye(n)) + det(X)", "3*X.^2.*eye(n) + det(X)*inv(X)'", "X", vars(t, "X=n,n:wellcond"), n*n - n, 0, n},
	}
	s := DefaultSettings()
	s.Mode, s.Batch, s.Sizes = Entrywise, batch, map[string]int{"n": n}
	for _, tc := range tests {
		for _, scale := range []string{"", "1.000001*"} {
			spec := formulas.Spec{Name: tc.f, F: tc.f, Wrt: tc.wrt, Grad: scale + "(" + tc.grad + ")", Vars: tc.vars}
			res := Verify(context.Background(), cpu.New(), inline(t, spec), s)
			if want := batch * (1 + 2*tc.two + 4*tc.four + 6*tc.six); res.Evaluations != want {
				t.Errorf("grad %s = %s: %d evaluations, want %d", tc.f, spec.Grad, res.Evaluations, want)
			}
			if wantVerdict := map[string]Verdict{"": Pass, "1.000001*": Fail}[scale]; res.Verdict != wantVerdict {
				t.Errorf("grad %s = %s: %s (%s), want %s", tc.f, spec.Grad, res.Verdict, res.Reason, wantVerdict)
			}
		}
	}
}

// TestEntrywiseNearlyAffine checks the forward stage's bound where it is
// tight: f = det(X) + c·sum(X.^3) is affine along every entry but for a
// curvature 6c·X_ij, so as c grows from below rounding level to well above
// it, the entries move from the forward stage (two evaluations, estimate
// F(h), whose truncation error c₂h its bound 2|F(h) − F(h/2)| must cover)
// to the full stencil. At every c the right claim's error is within the
// bound (the tolerance before its safety factor: dropping from the forward
// stage's bound the 8ε_f/h of rounding error that 2|F(h) − F(h/2)| may
// hide breaks this at c = 10⁻⁸), the claim scaled by
// 1 + 10⁻⁶ fails, and the evaluations lie between those of the two
// extremes.
func TestEntrywiseNearlyAffine(t *testing.T) {
	const n, batch = 5, 4
	s := DefaultSettings()
	s.Mode, s.Batch, s.Sizes = Entrywise, batch, map[string]int{"n": n}
	for _, c := range []string{"1e-16", "1e-14", "1e-13", "1e-12", "1e-11", "1e-10", "1e-8", "1e-6"} {
		f := "det(X) + " + c + "*sum(X.^3)"
		for _, scale := range []string{"", "1.000001*"} {
			spec := formulas.Spec{Name: f, F: f, Wrt: "X", Grad: scale + "(det(X)*inv(X)' + 3*" + c + "*X.^2)",
				Vars: vars(t, "X=n,n:wellcond")}
			res := Verify(context.Background(), cpu.New(), inline(t, spec), s)
			if lo, hi := batch*(1+2*n*n), batch*(1+6*n*n); res.Evaluations < lo || res.Evaluations > hi {
				t.Errorf("grad %s = %s: %d evaluations, want %d to %d", f, spec.Grad, res.Evaluations, lo, hi)
			}
			if want := map[string]Verdict{"": Pass, "1.000001*": Fail}[scale]; res.Verdict != want {
				t.Errorf("grad %s = %s: %s (%s), want %s", f, spec.Grad, res.Verdict, res.Reason, want)
			}
			if scale == "" && res.MaxRelErr > res.Tolerance/safety {
				t.Errorf("grad %s = %s: error %.3g, more than the bound %.3g without the safety factor", f, spec.Grad, res.MaxRelErr, res.Tolerance/safety)
			}
		}
	}
}
