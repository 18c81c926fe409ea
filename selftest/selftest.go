package selftest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/gradcheck/gradcheck"
	"github.com/gradcheck/gradcheck/cpu"
	"github.com/gradcheck/gradcheck/formulas"
)

// VerifyFunc verifies one claim; an error means the verifier itself failed
// (a GPU worker died), not the claim.
type VerifyFunc func(ctx context.Context, c *formulas.Claim, s gradcheck.Settings) (gradcheck.Result, error)

// CPU verifies on the CPU backend in this process.
func CPU(ctx context.Context, c *formulas.Claim, s gradcheck.Settings) (gradcheck.Result, error) {
	return gradcheck.Verify(ctx, cpu.New(), c, s), nil
}

// guarded calls verify and turns a panic into an Error verdict that says
// so: the self-test reports the claim instead of ending.
func guarded(verify VerifyFunc) VerifyFunc {
	return func(ctx context.Context, c *formulas.Claim, s gradcheck.Settings) (res gradcheck.Result, err error) {
		defer func() {
			if p := recover(); p != nil {
				res = gradcheck.Result{Name: c.Name, Kind: c.Kind, Verdict: gradcheck.Error, Reason: fmt.Sprintf("%s%v", panicReason, p)}
				err = nil
			}
		}()
		return verify(ctx, c, s)
	}
}

// Options are the settings of a self-test.
type Options struct {
	// Claims is the number of random functions, at least 1; each gives
	// a true differential claim, a gradient claim when it is scalar, and
	// their mutants.
	Claims int
	// First is the index of the first function: functions First to
	// First+Claims−1 are drawn (function i from (Seed, i) alone, so that
	// one can be re-run by itself).
	First int
	// Seed seeds the functions and the verifier's inputs.
	Seed uint64
	// Depth bounds the nesting of the functions: from 1 to MaxDepth, or
	// 0 for the default, 3.
	Depth int
	// Verify verifies a claim (CPU if nil); Workers is how many claims it
	// may verify at once (GOMAXPROCS if 0).
	Verify  VerifyFunc
	Workers int
	// Backend names the backend in re-run commands ("" for the default).
	Backend string
	// Mode is how derivative claims are verified: along random directions
	// (gradcheck.Directional, the default where empty) or entry by entry
	// (gradcheck.Entrywise), each mode its own code path to measure.
	Mode gradcheck.Mode
	// Hessians adds, for each scalar f, a true hess claim, the second
	// derivative D²f[dX, dX2] derived from f (formulas.SecondDerivative),
	// and its mutants, where it holds no integral inside another (whose
	// quadrature, up to 64 panels at each node of the outer one's, would
	// take most of the run) and is not 0 (f linear, which finite
	// differences cannot tell from a small value).
	Hessians bool
}

// Report holds the counts of a self-test; its JSON fields are those issue
// 14 fixes.
type Report struct {
	// TrueClaims counts the true claims verified; FalseAlarms those that
	// failed or could not be evaluated (listed in Alarms); Inconclusive
	// those the verifier could not decide (not alarms; their mutants are
	// not run, for a mutant of an undecidable claim is undecidable too).
	TrueClaims   int `json:"true_claims"`
	FalseAlarms  int `json:"false_alarms"`
	Inconclusive int `json:"inconclusive"`
	// Mutants counts the well-typed mutants of true claims that passed;
	// Equivalent those that equal the truth on the verifier's inputs (not
	// counted further); Detected those of the others that the verifier
	// rejected (fail, or error: the claim cannot be evaluated where f
	// can). The rest are listed in Missed.
	Mutants    int       `json:"mutants"`
	Equivalent int       `json:"equivalent"`
	Detected   int       `json:"detected"`
	Missed     []Finding `json:"missed"`
	Alarms     []Finding `json:"alarms"`
	// Undecided lists the inconclusive true claims.
	Undecided []Finding `json:"-"`
}

// OK reports whether the verifier made no false alarm and detected every
// mutant.
func (r *Report) OK() bool { return r.FalseAlarms == 0 && len(r.Missed) == 0 }

// Finding is one claim the verifier judged wrongly, or could not decide.
type Finding struct {
	Name string `json:"name"`
	// Mutation is the mutation of a missed mutant, empty for a true claim.
	Mutation Mutation          `json:"mutation,omitempty"`
	Verdict  gradcheck.Verdict `json:"verdict"`
	Reason   string            `json:"reason,omitempty"`
	// MaxRelErr and Tolerance are the verifier's worst relative error and
	// the tolerance it was held to.
	MaxRelErr float64 `json:"max_rel_err"`
	Tolerance float64 `json:"tolerance"`
	// Difference is, for a missed mutant, its largest relative difference
	// from the truth on the verifier's inputs: below Tolerance, finite
	// differences cannot tell the two apart.
	Difference float64 `json:"difference,omitempty"`
	// Claim is the claim as a check command line's flags would state it,
	// and Rerun the command that verifies it alone.
	Claim string `json:"claim"`
	Rerun string `json:"rerun"`
}

// Run draws o.Claims random functions, verifies their true claims and
// mutants and counts the outcome. It stops early when ctx is cancelled,
// returning ctx's error; an error of o.Verify also ends it. Claims below
// 1 (a self-test of no function would pass) or Depth outside [0,
// MaxDepth] is an error.
func Run(ctx context.Context, o Options) (*Report, error) {
	switch {
	case o.Claims < 1:
		return nil, fmt.Errorf("selftest: Claims is %d: a self-test draws at least 1 function", o.Claims)
	case o.Depth < 0 || o.Depth > MaxDepth:
		return nil, fmt.Errorf("selftest: Depth is %d: functions nest to depth 1 to %d (0 for the default, %d)", o.Depth, MaxDepth, defaultDepth)
	case o.Depth == 0:
		o.Depth = defaultDepth
	}
	if o.Verify == nil {
		o.Verify = CPU
	}
	o.Verify = guarded(o.Verify)
	if o.Workers < 1 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	outcomes := make([]outcome, o.Claims)
	var wg sync.WaitGroup
	next := make(chan int)
	errs := make(chan error, o.Workers)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for range o.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				out, err := o.function(ctx, o.First+i)
				if err != nil {
					errs <- err
					cancel()
					return
				}
				outcomes[i] = out
			}
		}()
	}
feed:
	for i := range o.Claims {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	select {
	case err := <-errs:
		return nil, err
	default:
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r := &Report{Missed: []Finding{}, Alarms: []Finding{}}
	for _, out := range outcomes {
		r.add(out)
	}
	return r, nil
}

// outcome is what one function gave.
type outcome struct {
	trueClaims, mutants, equivalent, detected int
	alarms, undecided, missed                 []Finding
}

// add counts one function's outcome.
func (r *Report) add(o outcome) {
	r.TrueClaims += o.trueClaims
	r.FalseAlarms += len(o.alarms)
	r.Inconclusive += len(o.undecided)
	r.Mutants += o.mutants
	r.Equivalent += o.equivalent
	r.Detected += o.detected
	r.Alarms = append(r.Alarms, o.alarms...)
	r.Undecided = append(r.Undecided, o.undecided...)
	r.Missed = append(r.Missed, o.missed...)
}

// settings returns the verifier settings of a self-test: the defaults,
// with the seed.
func (o *Options) settings() gradcheck.Settings {
	s := gradcheck.DefaultSettings()
	s.Seed = o.Seed
	if o.Mode != "" {
		s.Mode = o.Mode
	}
	return s
}

// modeFlags are the flags that select o.Mode in a re-run command: none for
// the default.
func (o *Options) modeFlags() []string {
	if o.Mode == "" || o.Mode == gradcheck.Directional {
		return nil
	}
	return []string{"--mode", string(o.Mode)}
}

// Draw returns function i of the self-test with seed seed, the claim that
// states it (no result yet) and its derivatives. It draws again while f
// does not depend on X after all (X − X): a differential without dX is not
// a claim about X. A depth below 1 is taken as 1, as Generate takes it.
func Draw(seed uint64, i, depth int) (*Function, *formulas.Claim, formulas.Derivation, error) {
	rng := rand.New(rand.NewPCG(seed, uint64(i)))
	for {
		fn := Generate(rng, depth)
		c, err := formulas.BuildFunction(fn.Spec(fmt.Sprintf("selftest-%d-%d", seed, i)))
		if err != nil {
			return fn, nil, formulas.Derivation{}, err
		}
		d, err := c.Derive()
		if err != nil || hasIdent(d.Diff, c.Direction()) {
			return fn, c, d, err
		}
	}
}

// zero reports whether e is 0 as derive writes it: 0, or a product whose
// first factor is 0 (0*dx'*dx2, a zero second derivative of a vector;
// derive writes no other product with a factor 0).
func zero(e formulas.Expr) bool {
	for {
		switch x := e.(type) {
		case *formulas.Num:
			return x.Value == 0
		case *formulas.Binary:
			if x.Op != "*" {
				return false
			}
			e = x.L
		default:
			return false
		}
	}
}

// nestedIntegral reports whether e holds an integral inside another.
func nestedIntegral(e formulas.Expr) bool {
	for _, n := range nodes(e) {
		if in, ok := n.(*formulas.Integral); ok {
			for _, m := range nodes(in.Body) {
				if _, ok := m.(*formulas.Integral); ok {
					return true
				}
			}
		}
	}
	return false
}

// hasIdent reports whether e names name.
func hasIdent(e formulas.Expr, name string) bool {
	for _, n := range nodes(e) {
		if id, ok := n.(*formulas.Ident); ok && id.Name == name {
			return true
		}
	}
	return false
}

// function verifies the true claims of function i and their mutants.
func (o *Options) function(ctx context.Context, i int) (outcome, error) {
	fn, c, d, err := Draw(o.Seed, i, o.Depth)
	if err != nil {
		// The generator or the differential is at fault: an alarm.
		var out outcome
		out.alarms = append(out.alarms, Finding{Name: fmt.Sprintf("selftest-%d-%d", o.Seed, i), Verdict: gradcheck.Error,
			Reason: err.Error(), Claim: "f: " + fn.F.String(), Rerun: o.selftestCommand(i)})
		return out, nil
	}
	return o.verifyFunction(ctx, i, fn, c, d)
}

// verifyFunction verifies the true claims of fn, function i, stated by c
// with the derivatives d, and their mutants, drawn for i: a function of
// an earlier generator can be checked again as it was (see
// TestSelftestEntrywiseAlarms).
func (o *Options) verifyFunction(ctx context.Context, i int, fn *Function, c *formulas.Claim, d formulas.Derivation) (outcome, error) {
	var out outcome
	rng := rand.New(rand.NewPCG(o.Seed, uint64(i)^0x9e3779b97f4a7c15))
	type truthOf struct {
		kind formulas.Kind
		rhs  formulas.Expr
	}
	truths := []truthOf{{formulas.Diff, d.Diff}}
	if d.Grad != nil {
		truths = append(truths, truthOf{formulas.Grad, d.Grad})
	}
	if o.Hessians && d.Grad != nil {
		second, err := c.SecondDerivativeAt(nil)
		if err != nil {
			// derive's fault: an alarm, as a differential that fails.
			out.alarms = append(out.alarms, Finding{Name: fmt.Sprintf("selftest-%d-%d/hess", o.Seed, i), Verdict: gradcheck.Error,
				Reason: err.Error(), Claim: "f: " + fn.F.String(), Rerun: o.selftestCommand(i)})
		} else if !nestedIntegral(second) && !zero(second) {
			// A second derivative of 0 (f linear): finite differences
			// cannot tell it from a small one, and the claim is
			// inconclusive by design.
			truths = append(truths, truthOf{formulas.Hess, second})
		}
	}
	s := o.settings()
	for _, t := range truths {
		truth, err := claimAs(c, t.kind, "", t.rhs)
		if err != nil {
			return out, err
		}
		out.trueClaims++
		res, err := o.Verify(ctx, truth, s)
		if err != nil {
			return out, err
		}
		switch res.Verdict {
		case gradcheck.Pass:
		case gradcheck.Inconclusive:
			out.undecided = append(out.undecided, o.finding(truth, "", res))
			continue
		default:
			out.alarms = append(out.alarms, o.finding(truth, "", res))
			continue
		}
		if err := o.mutants(ctx, rng, truth, t.rhs, &out); err != nil {
			return out, err
		}
	}
	return out, nil
}

// mutants verifies the mutants of the true claim truth, whose result is
// rhs.
func (o *Options) mutants(ctx context.Context, rng *rand.Rand, truth *formulas.Claim, rhs formulas.Expr, out *outcome) error {
	sizes, err := truth.ResolveSizes(nil)
	if err != nil {
		return err
	}
	env, err := truth.Check(sizes)
	if err != nil {
		return err
	}
	switch truth.Kind {
	case formulas.Diff:
		env[truth.Direction()] = env[truth.Wrt]
	case formulas.Hess:
		env[truth.Direction()], env[truth.SecondDirection()] = env[truth.Wrt], env[truth.Wrt]
	}
	square := func(e formulas.Expr) bool {
		sh, err := formulas.Infer(e, env, sizes)
		return err == nil && sh.IsSquare() && !sh.IsScalar()
	}
	s := o.settings()
	for _, m := range Mutations {
		var mutant *formulas.Claim
		for _, cand := range mutate(rng, m, rhs, square) {
			c, err := claimAs(truth, truth.Kind, m, cand)
			if err != nil {
				continue
			}
			if _, err := c.Check(sizes); err == nil {
				mutant = c
				break
			}
		}
		if mutant == nil {
			continue
		}
		out.mutants++
		same, difference, err := o.equivalent(ctx, truth, mutant)
		if err != nil {
			return err
		}
		if same {
			out.equivalent++
			continue
		}
		res, err := o.Verify(ctx, mutant, s)
		if err != nil {
			return err
		}
		if rejected(res) {
			out.detected++
		} else {
			f := o.finding(mutant, m, res)
			f.Difference = difference
			out.missed = append(out.missed, f)
		}
	}
	return nil
}

// rejected reports whether the verifier rejected a claim: it failed, or
// it could not be evaluated where f can (an error that is not the
// verifier's own: a panic is not a rejection).
func rejected(res gradcheck.Result) bool {
	return res.Verdict == gradcheck.Fail || res.Verdict == gradcheck.Error && !strings.HasPrefix(res.Reason, panicReason)
}

// panicReason starts the reason of a verification that panicked.
const panicReason = "panic: "

// equivalent compares mutant with truth by evaluating both on the inputs
// the verifier draws for the mutant (the identity claim has the mutant's
// name, seed and batch; the direction is a variable of its own). It
// returns whether they agree within rounding, and their largest relative
// difference. When either has no variable (eye(n)), both get a variable
// Z of the result's shape added: a side without variables evaluates to a
// single matrix for the whole batch, which the verifier does not expect
// (reported; see README).
func (o *Options) equivalent(ctx context.Context, truth, mutant *formulas.Claim) (bool, float64, error) {
	id := *mutant
	id.Kind, id.F, id.Rhs, id.Wrt, id.Layout = formulas.Equals, truth.Rhs, mutant.Rhs, "", ""
	id.Vars = append([]formulas.Var(nil), truth.Vars...)
	dims := [2]string{}
	for _, v := range truth.Vars {
		if v.Name == truth.Wrt {
			dims = v.Dims
		}
	}
	switch truth.Kind {
	case formulas.Diff:
		id.Vars = append(id.Vars, formulas.Var{Name: truth.Direction(), Dims: dims, Dist: formulas.Gauss})
		dims = resultDims(truth)
	case formulas.Hess:
		// D²f[dX, dX2] of a scalar f: a scalar in two directions.
		id.Vars = append(id.Vars, formulas.Var{Name: truth.Direction(), Dims: dims, Dist: formulas.Gauss},
			formulas.Var{Name: truth.SecondDirection(), Dims: dims, Dist: formulas.Gauss})
		dims = [2]string{"1", "1"}
	}
	// Both sides get a random Z: a side that names no drawn variable is
	// then one value per instance like the other, and a truth that is 0
	// on these inputs (a saturated tanh, relu of a negative argument) is
	// compared at the scale of Z, where the verifier calls two zeros equal
	// instead of inconclusive.
	const z = "Z_"
	id.F, id.Rhs = bin("+", id.F, ident(z)), bin("+", id.Rhs, ident(z))
	id.Vars = append(id.Vars, formulas.Var{Name: z, Dims: dims, Dist: formulas.Gauss})
	id.FText, id.RhsText = id.F.String(), id.Rhs.String()
	res, err := o.Verify(ctx, &id, o.settings())
	return res.Verdict == gradcheck.Pass, res.MaxRelErr, err
}

// claimAs returns c claiming rhs as its result of the given kind, named
// after c, the kind and the mutation.
func claimAs(c *formulas.Claim, kind formulas.Kind, m Mutation, rhs formulas.Expr) (*formulas.Claim, error) {
	out, err := c.With(kind, rhs.String())
	if err != nil {
		return nil, err
	}
	out.Name = strings.Join(strings.Fields(strings.Join([]string{baseName(c.Name), string(kind), string(m)}, " ")), "/")
	return out, nil
}

// baseName strips the kind and mutation from a claim name.
func baseName(name string) string {
	base, _, _ := strings.Cut(name, "/")
	return base
}

// finding describes a claim the verifier judged wrongly or could not
// decide, with the command that re-runs it.
func (o *Options) finding(c *formulas.Claim, m Mutation, res gradcheck.Result) Finding {
	flags := claimFlags(c)
	args := append([]string{"gradcheck", "check", "--name", c.Name}, flags...)
	args = append(args, "--seed", fmt.Sprint(o.Seed))
	args = append(args, o.modeFlags()...)
	if o.Backend != "" {
		args = append(args, "--backend", o.Backend)
	}
	return Finding{Name: c.Name, Mutation: m, Verdict: res.Verdict, Reason: res.Reason,
		MaxRelErr: res.MaxRelErr, Tolerance: res.Tolerance, Claim: quoteAll(flags), Rerun: quoteAll(args)}
}

// MaxDepth bounds Options.Depth: the true claims of deeper functions grow
// past the longest formula (formulas.MaxTokens) — at depth 15 a gradient
// had 110,000 tokens and the self-test stopped with an internal error —
// and at depth 8 fifteen functions took 112 s where depth 6 took 3 s.
const MaxDepth = 8

// defaultDepth is the nesting of the functions when Options.Depth is 0,
// and the default of selftest --depth.
const defaultDepth = 3

// selftestCommand re-runs function i of the self-test alone: the same
// seed and depth draw the same function, and the mode and backend verify
// it the same way.
func (o *Options) selftestCommand(i int) string {
	args := []string{"gradcheck", "selftest", "--seed", fmt.Sprint(o.Seed), "--first", fmt.Sprint(i), "--claims", "1"}
	if o.Depth != defaultDepth {
		args = append(args, "--depth", fmt.Sprint(o.Depth))
	}
	args = append(args, o.modeFlags()...)
	if o.Hessians {
		args = append(args, "--hess")
	}
	if o.Backend != "" {
		args = append(args, "--backend", o.Backend)
	}
	return quoteAll(args)
}

// claimFlags states c as the flags of an inline check.
func claimFlags(c *formulas.Claim) []string {
	args := []string{"--f", c.FText, "--wrt", c.Wrt, "--" + string(c.Kind), c.RhsText}
	for _, v := range c.Vars {
		shape := v.Dims[0] + "," + v.Dims[1]
		switch {
		case v.Dims == [2]string{"1", "1"}:
			shape = "1"
		case v.Dims[1] == "1":
			shape = v.Dims[0]
		}
		args = append(args, "--var", v.Name+"="+shape+":"+string(v.Dist))
	}
	if len(c.Sizes) > 0 {
		var sizes []string
		for k, v := range c.Sizes {
			sizes = append(sizes, fmt.Sprintf("%s=%d", k, v))
		}
		sort.Strings(sizes)
		args = append(args, "--size", strings.Join(sizes, ","))
	}
	return args
}

// quoteAll joins args for a POSIX shell, quoting those that need it.
func quoteAll(args []string) string {
	out := make([]string, len(args))
	for i, a := range args {
		if strings.ContainsAny(a, " '\"()*,;&|<>$`\\!?[]{}~#") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		out[i] = a
	}
	return strings.Join(out, " ")
}

// resultDims writes the shape of c's f in size symbols (the self-test's
// sizes are distinct, so a value names its symbol).
func resultDims(c *formulas.Claim) [2]string {
	sizes, err := c.ResolveSizes(nil)
	if err != nil {
		return [2]string{"1", "1"}
	}
	env, err := c.Check(sizes)
	if err != nil {
		return [2]string{"1", "1"}
	}
	sh, err := formulas.Infer(c.F, env, sizes)
	if err != nil {
		return [2]string{"1", "1"}
	}
	name := func(n int) string {
		for sym, v := range sizes {
			if v == n {
				return sym
			}
		}
		return fmt.Sprint(n)
	}
	return [2]string{name(sh.Rows), name(sh.Cols)}
}
