package selftest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gradcheck/gradcheck"
	"github.com/gradcheck/gradcheck/formulas"
)

// TestSelftestFixedSeed runs the self-test of functions 0 to 39 of seed 1
// on the CPU (about 10 s of CPU time): no false alarm, at most one
// inconclusive true claim, and every non-equivalent mutant detected, a
// result scaled by 1+10⁻⁶ included.
func TestSelftestFixedSeed(t *testing.T) {
	claims := 40
	if testing.Short() {
		claims = 10
	}
	r, err := Run(context.Background(), Options{Claims: claims, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	checkReport(t, r, claims, func(Finding) bool { return false })
}

// TestRunOptions checks that Run refuses options it cannot run, at once:
// Claims −1 panicked in makeslice, and Depth −1 looped for ever, past the
// context's deadline, drawing functions of depth 0; Claims 0 passed.
func TestRunOptions(t *testing.T) {
	for _, tt := range []struct {
		name string
		o    Options
		want string
	}{
		{"no claims", Options{}, "Claims is 0"},
		{"negative claims", Options{Claims: -1}, "Claims is -1"},
		{"negative depth", Options{Claims: 1, Depth: -1}, "Depth is -1"},
		// Deeper functions outgrow the longest formula: depth 15 ended in
		// an internal error (found by the exploratory helper).
		{"too deep", Options{Claims: 1, Depth: MaxDepth + 1}, "Depth is 9"},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		r, err := Run(ctx, tt.o)
		cancel()
		if r != nil || err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: Run = %v, %v; want an error with %q", tt.name, r, err, tt.want)
		}
	}
}

// checkReport checks the report of a self-test of claims functions: at
// least a true claim and five live mutants per function, no false alarm, at
// most one inconclusive true claim, no missed mutant but those allowed,
// and the mutants all counted.
func checkReport(t *testing.T, r *Report, claims int, allowed func(Finding) bool) {
	t.Helper()
	t.Logf("true claims %d, false alarms %d, inconclusive %d; mutants %d, equivalent %d, detected %d, missed %d",
		r.TrueClaims, r.FalseAlarms, r.Inconclusive, r.Mutants, r.Equivalent, r.Detected, len(r.Missed))
	if r.TrueClaims < claims || r.Mutants-r.Equivalent < 5*claims {
		t.Errorf("only %d true claims and %d live mutants from %d functions", r.TrueClaims, r.Mutants-r.Equivalent, claims)
	}
	for _, a := range r.Alarms {
		t.Errorf("false alarm %s: %s (%s)\n  %s", a.Name, a.Verdict, a.Reason, a.Rerun)
	}
	if r.Inconclusive > 1 {
		for _, u := range r.Undecided {
			t.Errorf("inconclusive %s: %s\n  %s", u.Name, u.Reason, u.Rerun)
		}
	}
	for _, m := range r.Missed {
		if !allowed(m) {
			t.Errorf("missed %s: %s, differs from the truth by %.2e, tol %.2e\n  %s", m.Name, m.Verdict, m.Difference, m.Tolerance, m.Rerun)
		}
	}
	if r.Detected+len(r.Missed) != r.Mutants-r.Equivalent {
		t.Errorf("detected %d + missed %d ≠ mutants %d − equivalent %d", r.Detected, len(r.Missed), r.Mutants, r.Equivalent)
	}
}

// TestSelftestHessians runs functions 0 to 39 of seed 1 with their true
// second derivatives (Options.Hessians): hess claims reach the verifier,
// none fails, at most one claim is inconclusive, and the only mutants
// missed are hess results scaled by 1+10⁻⁶ (a Hessian check resolves
// relative errors of about 10⁻⁶; README, "Numerics").
func TestSelftestHessians(t *testing.T) {
	claims := 40
	if testing.Short() {
		claims = 10
	}
	plain, err := Run(context.Background(), Options{Claims: claims, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	r, err := Run(context.Background(), Options{Claims: claims, Seed: 1, Hessians: true})
	if err != nil {
		t.Fatal(err)
	}
	if r.TrueClaims < plain.TrueClaims+2 {
		t.Errorf("%d true claims with Hessians, %d without", r.TrueClaims, plain.TrueClaims)
	}
	checkReport(t, r, claims, func(m Finding) bool {
		return strings.Contains(m.Name, "/hess/") && m.Mutation == "scale-1.000001"
	})
}

// TestSelftestEntrywise runs functions 0 to 39 of seed 1 with the claims
// verified entry by entry: every derivative claim reaches the verifier in
// that mode, no true claim fails, at most one is inconclusive, and the only
// mutants missed are results scaled by 1+10⁻⁶ that differ from the truth
// by less than the tolerance on the verifier's inputs (finite differences
// cannot tell those apart; README, "How we know it is right"), each with a
// re-run command in entrywise mode.
func TestSelftestEntrywise(t *testing.T) {
	claims := 40
	if testing.Short() {
		claims = 10
	}
	var mu sync.Mutex
	modes := map[gradcheck.Mode]int{}
	verify := func(ctx context.Context, c *formulas.Claim, s gradcheck.Settings) (gradcheck.Result, error) {
		if c.Kind != formulas.Equals {
			mu.Lock()
			modes[s.Mode]++
			mu.Unlock()
		}
		return CPU(ctx, c, s)
	}
	r, err := Run(context.Background(), Options{Claims: claims, Seed: 1, Mode: gradcheck.Entrywise, Verify: verify})
	if err != nil {
		t.Fatal(err)
	}
	if len(modes) != 1 || modes[gradcheck.Entrywise] < r.TrueClaims {
		t.Errorf("claims verified in modes %v, want all %d and more entrywise", modes, r.TrueClaims)
	}
	checkReport(t, r, claims, func(m Finding) bool {
		return m.Mutation == Nudge && m.Difference < m.Tolerance && strings.HasSuffix(m.Rerun, "--mode entrywise")
	})
}

// TestSelftestEntrywiseAlarms re-runs, entry by entry, functions of seed
// 1 whose true claims once failed there on rounding noise, each for a
// magnitude rule that missed the error an operand carries in: tanh's
// (tanh(C'*C*(X'*D'))) and a quotient's (logm(X) over a norm or an
// exponential, whose entries near 0 keep the error of the logarithm). They
// are the functions the generator drew at these indices before it drew
// broadcast terms, written out, with the mutants and samples of their
// indices. Each must raise no alarm and still reject its mutants.
func TestSelftestEntrywiseAlarms(t *testing.T) {
	for _, tc := range []struct {
		rule  string
		index int
		f     string
		x     variable
		vars  string
		sizes map[string]int
	}{
		{"tanh", 2001, "tanh(C'*C*(X'*D'))", variable{"X", shape{"m", "n"}, formulas.Positive}, "C D", map[string]int{"m": 6, "n": 5}},
		{"tanh", 4465, "relu(B*X + sin(X))", variable{"X", shape{"m", "n"}, formulas.Positive}, "B", map[string]int{"m": 2, "n": 6}},
		{"quotient", 2147, "logm(X)./exp(tanh(abs(X) + X*A))", variable{"X", shape{"n", "n"}, formulas.WellCond}, "A", map[string]int{"n": 4}},
		{"quotient", 2519, "inv((A*X)')", variable{"X", shape{"n", "n"}, formulas.WellCond}, "A", map[string]int{"n": 3}},
		{"quotient", 2586, "inv(A)\\logm(X)./exp(tanh(log1p(exp(tanh(cos(S))))))", variable{"X", shape{"n", "n"}, formulas.WellCond}, "A S", map[string]int{"n": 5}},
		{"quotient", 2604, "logm(X)/sqrt(p'*S*p)", variable{"X", shape{"n", "n"}, formulas.WellCond}, "S p", map[string]int{"n": 5}},
	} {
		t.Run(fmt.Sprintf("%s/%d", tc.rule, tc.index), func(t *testing.T) {
			f, err := formulas.Parse(tc.f)
			if err != nil {
				t.Fatal(err)
			}
			fn := &Function{F: f, Wrt: tc.x, Vars: []variable{tc.x}, Sizes: tc.sizes}
			for _, name := range strings.Fields(tc.vars) {
				i := slices.IndexFunc(constants, func(v variable) bool { return v.name == name })
				fn.Vars = append(fn.Vars, constants[i])
			}
			c, err := formulas.BuildFunction(fn.Spec(fmt.Sprintf("selftest-1-%d", tc.index)))
			if err != nil {
				t.Fatal(err)
			}
			d, err := c.Derive()
			if err != nil {
				t.Fatal(err)
			}
			o := Options{Seed: 1, Mode: gradcheck.Entrywise, Depth: defaultDepth, Verify: guarded(CPU)}
			out, err := o.verifyFunction(context.Background(), tc.index, fn, c, d)
			if err != nil {
				t.Fatal(err)
			}
			r := &Report{}
			r.add(out)
			checkReport(t, r, 1, func(m Finding) bool { return m.Mutation == Nudge && m.Difference < m.Tolerance })
		})
	}
}

// TestSelftestJudgesTheVerifier runs the self-test against verifiers that
// are wrong on purpose: one that passes everything misses every mutant; one
// that fails everything raises a false alarm on every true claim.
func TestSelftestJudgesTheVerifier(t *testing.T) {
	always := func(v gradcheck.Verdict) VerifyFunc {
		return func(_ context.Context, c *formulas.Claim, _ gradcheck.Settings) (gradcheck.Result, error) {
			if c.Kind == formulas.Equals {
				// Equivalence is decided by the real evaluation.
				return CPU(context.Background(), c, gradcheck.DefaultSettings())
			}
			return gradcheck.Result{Name: c.Name, Kind: c.Kind, Verdict: v}, nil
		}
	}
	lax, err := Run(context.Background(), Options{Claims: 5, Seed: 2, Verify: always(gradcheck.Pass)})
	if err != nil {
		t.Fatal(err)
	}
	if lax.OK() || lax.Detected != 0 || len(lax.Missed) != lax.Mutants-lax.Equivalent || len(lax.Missed) == 0 {
		t.Errorf("a verifier that passes everything: detected %d, missed %d of %d mutants (%d equivalent)",
			lax.Detected, len(lax.Missed), lax.Mutants, lax.Equivalent)
	}
	for _, m := range lax.Missed {
		if !strings.HasPrefix(m.Rerun, "gradcheck check --name "+m.Name+" --f ") || !strings.Contains(m.Rerun, "--seed 2") {
			t.Errorf("missed %s: re-run command %q", m.Name, m.Rerun)
		}
	}
	strict, err := Run(context.Background(), Options{Claims: 5, Seed: 2, Verify: always(gradcheck.Fail)})
	if err != nil {
		t.Fatal(err)
	}
	if strict.OK() || strict.FalseAlarms != strict.TrueClaims || strict.Mutants != 0 {
		t.Errorf("a verifier that fails everything: %d false alarms of %d true claims, %d mutants",
			strict.FalseAlarms, strict.TrueClaims, strict.Mutants)
	}
	panicky := func(context.Context, *formulas.Claim, gradcheck.Settings) (gradcheck.Result, error) {
		panic("boom")
	}
	crash, err := Run(context.Background(), Options{Claims: 2, Seed: 2, Verify: panicky})
	if err != nil {
		t.Fatal(err)
	}
	if crash.FalseAlarms != crash.TrueClaims || !strings.Contains(crash.Alarms[0].Reason, "panic: boom") {
		t.Errorf("a verifier that panics: %+v", crash)
	}
}

// TestSelftestCancel stops a self-test through its context.
func TestSelftestCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Run(ctx, Options{Claims: 1000, Seed: 1}); err == nil {
		t.Error("a cancelled self-test returned no error")
	}
}
