package gradcheck

import (
	"context"
	"fmt"
	"math"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/gradcheck/gradcheck/cpu"
	"github.com/gradcheck/gradcheck/formulas"
)

// expectations reads the `# expect:` comment that precedes each claim of a
// spec file: "transpose", "factor 0.5", "sign", "symmetric A" or "none".
func expectations(t *testing.T, data []byte) map[string]string {
	t.Helper()
	want := map[string]string{}
	name := regexp.MustCompile(`^\s*- name:\s*(\S+)`)
	pending := ""
	for _, line := range strings.Split(string(data), "\n") {
		if e, ok := strings.CutPrefix(strings.TrimSpace(line), "# expect:"); ok {
			pending = strings.TrimSpace(e)
		}
		if m := name.FindStringSubmatch(line); m != nil {
			want[m[1]] = pending
			pending = ""
		}
	}
	return want
}

// TestWrongClaimsDiagnosed checks that every claim of examples/wrong.yaml
// fails with exactly the diagnosis its comment names, and none where the
// comment says none, at the default sizes and at n = 5. GRADCHECK_SEEDS
// sets the number of seeds (default 1).
func TestWrongClaimsDiagnosed(t *testing.T) {
	claims, data := loadSpecFile(t, "examples/wrong.yaml")
	want := expectations(t, data)
	seeds := seedCount(1)
	b := cpu.New()
	for _, c := range claims {
		t.Run(c.Name, func(t *testing.T) {
			for seed := 1; seed <= seeds; seed++ {
				for _, sz := range []map[string]int{nil, {"n": 5, "m": 4, "k": 3}} {
					s := DefaultSettings()
					s.Seed, s.Sizes = uint64(seed), sz
					checkDiagnosis(t, Verify(context.Background(), b, c, s), seed, want[c.Name])
				}
			}
		})
	}
}

// loadSpecFile returns the claims of a spec file and its text.
func loadSpecFile(t *testing.T, path string) ([]*formulas.Claim, []byte) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	claims, err := formulas.LoadSpec(path, data)
	if err != nil {
		t.Fatal(err)
	}
	return claims, data
}

// seedCount is the number of seeds a test runs: GRADCHECK_SEEDS when set,
// else def.
func seedCount(def int) int {
	if s, err := strconv.Atoi(os.Getenv("GRADCHECK_SEEDS")); err == nil {
		return s
	}
	return def
}

// checkDiagnosis checks that res, of seed and sizes, is a failure with the
// diagnosis of an `# expect:` comment.
func checkDiagnosis(t *testing.T, res Result, seed int, exp string) {
	t.Helper()
	at := fmt.Sprintf("seed %d, sizes %v", seed, res.Sizes)
	if res.Verdict != Fail {
		t.Fatalf("%s: verdict %s (%s), want fail", at, res.Verdict, res.Reason)
	}
	if exp == "" {
		t.Fatalf("no `# expect:` comment")
	}
	kind, arg, _ := strings.Cut(exp, " ")
	if kind == "none" {
		kind = ""
	}
	if res.Diagnosis != kind {
		t.Fatalf("%s: diagnosis %q (%s), want %q", at, res.Diagnosis, res.Detail, exp)
	}
	switch kind {
	case DiagFactor:
		f, err := strconv.ParseFloat(arg, 64)
		if err != nil || res.Factor != f {
			t.Errorf("%s: factor %g, want %s", at, res.Factor, arg)
		}
	case DiagSymmetric:
		if !strings.Contains(res.Detail, arg+" ") {
			t.Errorf("%s: detail %q does not name %s", at, res.Detail, arg)
		}
	case DiagTerm:
		if !strings.HasPrefix(res.Detail, "the term "+arg+" ") {
			t.Errorf("%s: detail %q does not name the term %s", at, res.Detail, arg)
		}
	}
}

// inline builds a claim from YAML-like fields for a test.
func inline(t *testing.T, spec formulas.Spec) *formulas.Claim {
	t.Helper()
	c, err := formulas.Build(spec)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func squareVars(names ...string) []formulas.SpecVar {
	var vs []formulas.SpecVar
	for _, n := range names {
		vs = append(vs, formulas.SpecVar{Name: n, VarSpec: formulas.VarSpec{Shape: "n,n"}})
	}
	return vs
}

// TestEntrywise checks entrywise mode against the known gradient of
// tr(AX), which is Aᵀ: a claim of A disagrees exactly off the diagonal, and
// the finite-difference entries reported are the entries of Aᵀ.
func TestEntrywise(t *testing.T) {
	s := DefaultSettings()
	s.Mode = Entrywise
	s.Sizes = map[string]int{"n": 3}
	b := cpu.New()
	right := inline(t, formulas.Spec{Name: "tr-ax", F: "tr(A*X)", Wrt: "X", Grad: "A'", Vars: squareVars("A", "X")})
	if res := Verify(context.Background(), b, right, s); res.Verdict != Pass || res.Comparisons != 9*s.Batch {
		t.Fatalf("correct claim: %s after %d comparisons (%s)", res.Verdict, res.Comparisons, res.Reason)
	}
	wrong := inline(t, formulas.Spec{Name: "tr-ax", F: "tr(A*X)", Wrt: "X", Grad: "A", Vars: squareVars("A", "X")})
	res := Verify(context.Background(), b, wrong, s)
	if res.Verdict != Fail || res.Diagnosis != DiagTranspose || len(res.Entries) == 0 {
		t.Fatalf("wrong claim: %s %q with %d entries", res.Verdict, res.Diagnosis, len(res.Entries))
	}
	// Claimed entry (i,j) is A_ij; the truth there is A_ji, the claimed
	// value of entry (j,i).
	claimedAt := map[[3]int]float64{}
	for _, e := range res.Entries {
		claimedAt[[3]int{e.Instance, e.I, e.J}] = e.Claimed
	}
	for _, e := range res.Entries {
		if e.I == e.J {
			t.Errorf("diagonal entry (%d,%d) reported, but A and Aᵀ agree there", e.I, e.J)
		}
		if c, ok := claimedAt[[3]int{e.Instance, e.J, e.I}]; ok && math.Abs(c-e.FiniteDiff) > 1e-9*math.Max(1, math.Abs(c)) {
			t.Errorf("entry (%d,%d): finite difference %g, want A_ji = %g", e.I, e.J, e.FiniteDiff, c)
		}
	}
}

// TestEntrywiseStreamed checks an entrywise check too large to keep its
// comparisons (a matrix-valued f at n = 16: 65,536 per instance): a correct
// claim passes having judged every comparison, and a wrong one, verified
// again to be diagnosed, gets the same diagnosis and worst entries as a
// check small enough to keep them (one instance).
func TestEntrywiseStreamed(t *testing.T) {
	s := DefaultSettings()
	s.Mode, s.Sizes = Entrywise, map[string]int{"n": 16}
	if per := int64(16 * 16 * 16 * 16); per*int64(s.Batch) <= maxKept || per > maxKept {
		t.Fatalf("n = 16 no longer tests the streamed path: %d comparisons per instance, %d kept", per, maxKept)
	}
	b := cpu.New()
	right := inline(t, formulas.Spec{Name: "d-xw", F: "X*W", Wrt: "X", Diff: "dX*W", Vars: squareVars("X", "W")})
	if res := Verify(context.Background(), b, right, s); res.Verdict != Pass || res.Comparisons != 16*16*16*16*s.Batch {
		t.Fatalf("correct claim: %s after %d comparisons (%s)", res.Verdict, res.Comparisons, res.Reason)
	}
	wrong := inline(t, formulas.Spec{Name: "d-xw", F: "X*W", Wrt: "X", Diff: "2*dX*W", Vars: squareVars("X", "W")})
	res := Verify(context.Background(), b, wrong, s)
	if res.Verdict != Fail || res.Diagnosis != DiagFactor || res.Factor != 2 || len(res.Entries) != 5 {
		t.Fatalf("wrong claim: %s %q factor %g with %d entries", res.Verdict, res.Diagnosis, res.Factor, len(res.Entries))
	}
	one := s
	one.Instance = res.Entries[0].Instance
	kept := Verify(context.Background(), b, wrong, one)
	if kept.Diagnosis != res.Diagnosis || kept.Entries[0] != res.Entries[0] {
		t.Errorf("streamed: %q, worst entry %+v; kept: %q, %+v", res.Diagnosis, res.Entries[0], kept.Diagnosis, kept.Entries[0])
	}
}

// TestEntrywiseTooLargeToKeep checks the diagnosis of an entrywise check
// whose single instance makes more comparisons than are kept (a
// matrix-valued f at n = 24: 331,776): it fits the first maxKept of the
// worst instance's, and still names a factor and a sign.
func TestEntrywiseTooLargeToKeep(t *testing.T) {
	s := DefaultSettings()
	s.Mode, s.Sizes, s.Batch = Entrywise, map[string]int{"n": 24}, 2
	if per := 24 * 24 * 24 * 24; per <= maxKept {
		t.Fatalf("n = 24 no longer tests an instance too large to keep: %d comparisons, %d kept", per, maxKept)
	}
	b := cpu.New()
	for _, c := range []struct {
		diff, diagnosis string
		factor          float64
	}{
		{"2*dX*W", DiagFactor, 2},
		{"-dX*W", DiagSign, 0},
	} {
		wrong := inline(t, formulas.Spec{Name: "d-xw", F: "X*W", Wrt: "X", Diff: c.diff, Vars: squareVars("X", "W")})
		res := Verify(context.Background(), b, wrong, s)
		if res.Verdict != Fail || res.Diagnosis != c.diagnosis || res.Factor != c.factor || len(res.Entries) != 5 {
			t.Errorf("%s: %s %q factor %g with %d entries", c.diff, res.Verdict, res.Diagnosis, res.Factor, len(res.Entries))
		}
	}
	// What the diagnosis is given: the first limit comparisons, in order.
	rc, err := inline(t, formulas.Spec{Name: "d-xw", F: "X*W", Wrt: "X", Diff: "dX*W", Vars: squareVars("X", "W")}).Resolve(s.Sizes)
	if err != nil {
		t.Fatal(err)
	}
	s.Batch = 1
	v, err := newVerification(b, rc, s)
	if err != nil {
		t.Fatal(err)
	}
	for _, limit := range []int{1000, 24 * 24 * 24 * 24} {
		comps, complete, err := v.collect(context.Background(), limit)
		if err != nil || len(comps) != limit || complete != (limit == 24*24*24*24) ||
			comps[limit-1].direction != (limit-1)/(24*24) || comps[limit-1].output != (limit-1)%(24*24) {
			t.Errorf("collect(%d): %d comparisons, complete %v, %v", limit, len(comps), complete, err)
		}
	}
}

// TestOnlyDiagonal checks that a gradient or Jacobian wrong only on the
// diagonal at small n says so (a Jacobian did not; found by the
// exploratory helper), and one wrong elsewhere does not.
func TestOnlyDiagonal(t *testing.T) {
	s := DefaultSettings()
	s.Sizes = map[string]int{"n": 4}
	for _, tc := range []struct {
		spec formulas.Spec
		only bool
	}{
		{formulas.Spec{Name: "frob", F: "tr(X'*X)", Wrt: "X", Grad: "2*X + eye(n)", Vars: squareVars("X")}, true},
		{formulas.Spec{Name: "exp", F: "exp(x)", Wrt: "x", Jac: "diag(exp(x)) + eye(n)", Vars: vars(t, "x=n")}, true},
		{formulas.Spec{Name: "exp-off", F: "exp(x)", Wrt: "x", Jac: "diag(exp(x)) + ones(n,n)", Vars: vars(t, "x=n")}, false},
	} {
		res := Verify(context.Background(), cpu.New(), inline(t, tc.spec), s)
		if res.Verdict != Fail || strings.Contains(res.Detail, "only the diagonal") != tc.only {
			t.Errorf("%s: %s, detail %q", tc.spec.Name, res.Verdict, res.Detail)
			continue
		}
		for _, e := range res.Entries {
			if tc.only && (e.I != e.J || math.Abs(e.Claimed-e.FiniteDiff-1) > 1e-8) {
				t.Errorf("%s: entry (%d,%d): claimed %g, fd %g; want a diagonal entry off by 1", tc.spec.Name, e.I, e.J, e.Claimed, e.FiniteDiff)
			}
		}
	}
}

// TestBisect checks the block-probe search against a probe that knows which
// rows are wrong: it finds them, in a number of rounds logarithmic in n, and
// gives up when too many rows are wrong.
func TestBisect(t *testing.T) {
	const n = 1000
	tests := []struct {
		wrong []int
		ok    bool
	}{
		{[]int{3}, true},
		{[]int{0, 999}, true},
		{[]int{17, 18, 512, 700}, true},
		{[]int{1, 2, 3, 4, 5}, false},
	}
	for _, tt := range tests {
		rounds := 0
		probe := func(masks [][]bool) ([]bool, error) {
			rounds++
			bad := make([]bool, len(masks))
			for i, m := range masks {
				for _, r := range tt.wrong {
					bad[i] = bad[i] || m[r]
				}
			}
			return bad, nil
		}
		mask := func(lo, hi int) []bool {
			m := make([]bool, n)
			for i := lo; i < hi; i++ {
				m[i] = true
			}
			return m
		}
		got, ok := bisect(probe, n, mask)
		if ok != tt.ok || (ok && !slices.Equal(got, tt.wrong)) {
			t.Errorf("wrong rows %v: got %v, %v", tt.wrong, got, ok)
		}
		if rounds > 10 { // ⌈log2 1000⌉
			t.Errorf("wrong rows %v: %d rounds of probes", tt.wrong, rounds)
		}
	}
}

// diagonalOff is the gradient of tr(X'*X) wrong on its diagonal alone, as
// one term: written 2*X + 0.1*eye(n), its extra term is diagnosed (term)
// and nothing is left to locate.
const diagonalOff = "2*X.*(1 + 0.1*eye(n))"

// TestLocalizeDiagonal checks that a claim wrong only on the diagonal of a
// variable too large for an entrywise check is located by block probes.
func TestLocalizeDiagonal(t *testing.T) {
	s := DefaultSettings()
	s.Sizes = map[string]int{"n": 12}
	c := inline(t, formulas.Spec{Name: "frob", F: "tr(X'*X)", Wrt: "X", Grad: diagonalOff, Vars: squareVars("X")})
	res := Verify(context.Background(), cpu.New(), c, s)
	if res.Verdict != Fail || !strings.Contains(res.Detail, "only the diagonal") || res.Rows != nil {
		t.Fatalf("%s, detail %q, rows %v", res.Verdict, res.Detail, res.Rows)
	}
}

// TestLocalizeEntrywise checks the same in entrywise mode, whose block
// probes are directional: they once indexed the entries' comparisons by
// direction and panicked (wrong-tr-xaxt-missing of examples/wrong.yaml at
// n = 6, entrywise, crashed the run and lost its report).
func TestLocalizeEntrywise(t *testing.T) {
	s := DefaultSettings()
	s.Sizes = map[string]int{"n": 12}
	s.Mode = Entrywise
	c := inline(t, formulas.Spec{Name: "frob", F: "tr(X'*X)", Wrt: "X", Grad: diagonalOff, Vars: squareVars("X")})
	res := Verify(context.Background(), cpu.New(), c, s)
	if res.Verdict != Fail || !strings.Contains(res.Detail, "only the diagonal") || res.Comparisons != 8*144 {
		t.Fatalf("%s, detail %q, %d comparisons", res.Verdict, res.Detail, res.Comparisons)
	}
}

// TestExpectedOfWrongClaims checks that each failed grad, diff or hess
// claim of examples/wrong.yaml names, in Expected, a result derived from
// f (for a grad claim, whenever f is scalar) and that this result,
// claimed in its place, passes: the report's "expected" is itself
// verified. An identity names none.
func TestExpectedOfWrongClaims(t *testing.T) {
	claims, _ := loadSpecFile(t, "examples/wrong.yaml")
	b := cpu.New()
	s := DefaultSettings()
	s.Sizes = map[string]int{"n": 5, "m": 4, "k": 3}
	named := 0
	for _, c := range claims {
		res := Verify(context.Background(), b, c, s)
		if res.Verdict != Fail {
			t.Fatalf("%s: verdict %s, want fail", c.Name, res.Verdict)
		}
		if c.Kind == formulas.Equals || c.Kind == formulas.Jac {
			if res.Expected != "" {
				t.Errorf("%s: a %s claim names an expected %q", c.Name, c.Kind, res.Expected)
			}
			continue
		}
		if res.Expected == "" {
			t.Errorf("%s: no expected %s", c.Name, c.Kind)
			continue
		}
		named++
		right, err := c.With(c.Kind, res.Expected)
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		if r := Verify(context.Background(), b, right, s); r.Verdict != Pass {
			t.Errorf("%s: the expected %s %s gave %s (%s)", c.Name, c.Kind, res.Expected, r.Verdict, r.Reason)
		}
	}
	if named < 10 {
		t.Errorf("only %d claims named an expected result", named)
	}
}

// TestExpectedInSymSpace checks the expected result a failure prints for
// a claim about symmetric matrices: derived knowing that a variable in
// space sym is symmetric (inv(S), where it printed inv(S)', and
// 2*inv(S)*x for inv(S)*x + inv(S)'*x), and still in general for one
// merely drawn spd or sym, where S' = S would hide the very mistake the
// check finds. Each expected result, claimed in its place, passes.
func TestExpectedInSymSpace(t *testing.T) {
	for _, tt := range []struct {
		f, wrt, grad string
		vars         []string
		want         string
	}{
		{"logdet(S)", "S", "2*inv(S)", []string{"S=n,n:spd:sym"}, "inv(S)"},
		{"x'*inv(S)*x", "S", "inv(S)*x*x'*inv(S)", []string{"S=n,n:spd:sym", "x=n"}, "-(inv(S)*x*x'*inv(S))"},
		{"x'*inv(S)*x", "x", "inv(S)*x", []string{"S=n,n:spd:sym", "x=n"}, "2*inv(S)*x"},
		{"logdet(S)", "S", "2*inv(S)", []string{"S=n,n:spd"}, "inv(S)'"},
		{"x'*inv(S)*x", "x", "inv(S)*x", []string{"S=n,n:spd", "x=n"}, "inv(S)*x + inv(S)'*x"},
		{"x'*A*x", "x", "A*x", []string{"A=n,n:sym", "x=n"}, "A*x + A'*x"},
	} {
		name := tt.f + " wrt " + tt.wrt + " " + strings.Join(tt.vars, " ")
		c := inline(t, formulas.Spec{Name: "c", F: tt.f, Wrt: tt.wrt, Grad: tt.grad, Vars: vars(t, tt.vars...)})
		res := Verify(context.Background(), cpu.New(), c, DefaultSettings())
		if res.Verdict != Fail || res.Expected != tt.want {
			t.Errorf("%s: %s, expected %q; want fail, expected %q", name, res.Verdict, res.Expected, tt.want)
			continue
		}
		right, err := c.With(formulas.Grad, res.Expected)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if r := Verify(context.Background(), cpu.New(), right, DefaultSettings()); r.Verdict != Pass {
			t.Errorf("%s: the expected grad %s gave %s (%s)", name, res.Expected, r.Verdict, r.Reason)
		}
	}
}

// TestFactorAtOneInstance checks that a factor fitted to one instance, as
// the printed re-run of a failed claim compares, says it holds there: the
// missing 1/‖x‖ of ∇‖x‖ read "factor 1.40204475" alone, as if constant.
func TestFactorAtOneInstance(t *testing.T) {
	s := DefaultSettings()
	s.Sizes, s.Instance = map[string]int{"n": 7}, 7
	res := Verify(context.Background(), cpu.New(), inline(t, formulas.Spec{Name: "norm", F: "norm2(x)", Wrt: "x", Grad: "x", Vars: vars(t, "x=n")}), s)
	if res.Verdict != Fail || res.Diagnosis != DiagFactor || !strings.Contains(res.Detail, "at instance 7, the one compared") {
		t.Errorf("%s %q (%s), want a factor at instance 7", res.Verdict, res.Diagnosis, res.Detail)
	}
}

// TestTransposeFromOneComparison checks that a transposed gradient is
// diagnosed so where one comparison is all there is to fit (a shard of one
// instance with --dirs 1): the symmetric re-check passes for it as well,
// and it was diagnosed "holds only when A is symmetric" (found by the
// exploratory helper, in merged shards).
func TestTransposeFromOneComparison(t *testing.T) {
	s := DefaultSettings()
	s.Batch, s.Dirs, s.Sizes = 1, 1, map[string]int{"n": 4}
	for _, spec := range []formulas.Spec{
		{Name: "tr-ax", F: "tr(A*X)", Wrt: "X", Grad: "A", Vars: vars(t, "A=n,n", "X=n,n")},
		// A square Jacobian (found by the exploratory helper).
		{Name: "ax", F: "A*x", Wrt: "x", Jac: "A'", Vars: vars(t, "A=n,n", "x=n")},
	} {
		res := Verify(context.Background(), cpu.New(), inline(t, spec), s)
		if res.Verdict != Fail || res.Diagnosis != DiagTranspose {
			t.Errorf("%s: %s %q (%s), want a transpose", spec.Name, res.Verdict, res.Diagnosis, res.Detail)
		}
	}
}

// TestReversedProducts checks the right side that the order diagnosis
// re-checks an identity with: each run of square factors of a product
// reversed, scalars and a minus kept in their places, products inside
// calls and factors reversed too, and the same right side, unchanged, where
// no run has two factors (a vector or a rectangular factor between them,
// a palindrome, an integral).
func TestReversedProducts(t *testing.T) {
	tests := []struct {
		rhs, want string // want "" where nothing changes
	}{
		{"A'*B'", "B'*A'"},
		{"inv(A)*inv(B)*inv(C)", "inv(C)*inv(B)*inv(A)"},
		{"-A'*B'", "-B'*A'"},
		{"2*A*s*B", "2*B*s*A"},
		{"x'*A'*B'", "x'*B'*A'"},
		{"A*B*x*y'*C*A", "B*A*x*y'*A*C"},
		{"A*(B*C)", "C*(B*A)"},
		{"A'*inv(B'*C')", "inv(C'*B')*A'"},
		{"A*B + C*A", "B*A + A*C"},
		{"sum(A*B)", "sum(B*A)"},
		{"A*x", ""},
		{"x*y'", ""},
		{"A*B*A", ""},
		{"P*Q", ""},
		{"A*P*Q*A", ""},
		{"integral(t, 0, 1, t*A*B)", ""},
	}
	for _, tt := range tests {
		c := inline(t, formulas.Spec{Name: "reversed", F: tt.rhs, Equals: tt.rhs,
			Vars: vars(t, "A=n,n", "B=n,n", "C=n,n", "P=n,m", "Q=m,n", "x=n", "y=n", "s=1")})
		rc, err := c.Resolve(nil)
		if err != nil {
			t.Fatal(err)
		}
		v, err := newVerification(cpu.New(), rc, DefaultSettings())
		if err != nil {
			t.Fatal(err)
		}
		e := c.Rhs
		got := v.reversedProducts(e)
		switch {
		case tt.want == "" && got != e:
			t.Errorf("%s: reversed to %s, want it unchanged", tt.rhs, got)
		case tt.want != "" && got.String() != tt.want:
			t.Errorf("%s: reversed to %s, want %s", tt.rhs, got, tt.want)
		}
	}
}

// TestScalarDetail checks that the range of a scalar diagnosis prints as
// many digits as tell its ends apart ("from 1 to 1 times it" was printed
// for factors 1 − 10⁻⁵ to 1 + 10⁻⁵), and three where they are far apart.
func TestScalarDetail(t *testing.T) {
	tests := []struct {
		lo, hi float64
		want   string
	}{
		{0.737, 1.95, "from 0.737 to 1.95 times it"},
		{0.99999, 1.00001, "from 0.99999 to 1.00001 times it"},
		{1.0000012, 1.0000034, "from 1.000001 to 1.000003 times it"},
		{2, 2, "from 2 to 2 times it"},
	}
	for _, tt := range tests {
		if got := scalarDetail(tt.lo, tt.hi); !strings.Contains(got, tt.want) {
			t.Errorf("scalarDetail(%g, %g) = %q, want it to say %q", tt.lo, tt.hi, got, tt.want)
		}
	}
}
