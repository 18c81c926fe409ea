package main

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/gradcheck/gradcheck"
	"github.com/gradcheck/gradcheck/flagvalue"
	gcrun "github.com/gradcheck/gradcheck/run"
	"github.com/gradcheck/gradcheck/selftest"
)

const selftestHelp = `Usage: gradcheck selftest [--claims N] [--seed S] [--first I] [--depth D] [--mode M] [--hess] [--backend B] [--format json]

Measure how well gradcheck judges. Draw N random functions f over the whole
expression language (every function; scalar, vector and matrix variables;
nested to depth D) with inputs in each function's domain, derive their true
differential (and gradient, for scalar f) as 'gradcheck derive' does, and
mutate those into wrong claims people write: a transposed factor, a swapped
product, a dropped term, a flipped sign, a result scaled by 2, 1/2 or
(1+1e-6), a subterm replaced by its transpose, a symmetrized result. Verify
the true claims and the mutants as 'check' would, and count false alarms
(a true claim that fails or errs) and missed mutants (one that does not
fail or err). A mutant that equals the truth on the verifier's inputs,
compared directly, is equivalent and not counted; a missed one that differs
from the truth by less than the tolerance is marked so; the mutants of an inconclusive true claim
are not run. Each false alarm and missed mutant is listed with the claim
and the command that re-runs it. Function i depends on (S, i) alone:
--first I --claims 1 draws function I by itself. --mode entrywise verifies
the derivative claims entry by entry, as 'check --mode entrywise' does,
instead of along random directions. --hess adds, for each scalar f, its
true second derivative D²f[dX, dX2] ('derive --hess') and its mutants,
where it is not 0 and holds no integral inside another.

Output: a summary (text), or with --format json
  {"true_claims", "false_alarms", "inconclusive", "mutants", "equivalent",
   "detected", "missed": [...], "alarms": [...]}
Exit status 0 only when there is no false alarm and every non-equivalent
mutant is detected, else 1.

Examples:
  gradcheck selftest --claims 100
  gradcheck selftest --claims 10000 --seed 1 --format json > selftest.json
  gradcheck selftest --seed 1 --first 42 --claims 1
  gradcheck selftest --claims 1000 --mode entrywise
  gradcheck selftest --claims 1000 --hess

Flags:
`

// maxSelftestClaims is the most functions one self-test draws: it keeps
// the outcome of each until the end (ten million take days to run).
const maxSelftestClaims = 10_000_000

// selftestExitHelp documents the exit codes of selftest, which judges the
// verifier rather than claims.
const selftestExitHelp = `
Exit codes:
  0  no false alarm and no missed mutant
  1  a false alarm (a true claim that did not pass) or a missed mutant
     (one that did not fail or err), each listed
  2  the invocation was wrong: bad flag or value; nothing ran
  3  gradcheck itself failed (an internal error), or --backend gpu found
     no GPU (no worker, driver or device)
  130  interrupted (Ctrl-C): no report, as the rates need every function
`

// selftestCommand runs the self-test of the verifier: random true claims
// and their mutants, verified as check would.
func selftestCommand(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("selftest", e.stderr)
	o := selftest.Options{Claims: 100, Seed: 1, Depth: 3}
	onceVar(fs, flagvalue.NewIntRange(&o.Claims, 1, maxSelftestClaims), "claims", "the number of random functions `N`")
	onceVar(fs, flagvalue.NewUint64(&o.Seed), "seed", "seed of the functions and of the verifier's inputs")
	onceVar(fs, flagvalue.NewInt(&o.First, 0), "first", "the index of the first function `I`")
	onceVar(fs, flagvalue.NewIntRange(&o.Depth, 1, selftest.MaxDepth), "depth", fmt.Sprintf("the deepest nesting `D` of a function, at most %d", selftest.MaxDepth))
	mode := flagvalue.NewEnum(string(gradcheck.Directional), string(gradcheck.Directional), string(gradcheck.Entrywise))
	fs.BoolVar(&o.Hessians, "hess", false, "also a true hess claim, D²f[dX, dX2] derived from f, for each scalar f, and its mutants")
	onceVar(fs, mode, "mode", "directional: random directions; entrywise: every entry of the variable (grad, jac and diff claims, the others directional)")
	backend := flagvalue.NewEnum("auto", "auto", "cpu", "gpu")
	onceVar(fs, backend, "backend", "where to evaluate: auto (the GPU when there is one, else the CPU), cpu or gpu")
	format := flagvalue.NewEnum("text", "text", "json")
	onceVar(fs, format, "format", "report format: text or json")
	if done, err := parseFlags(e, fs, args, selftestHelp, selftestExitHelp); done || err != nil {
		return err
	}
	if rest := fs.Args(); len(rest) > 0 {
		return usageErrorf("selftest", "unexpected argument %q (selftest takes flags only)", rest[0])
	}
	if o.First > math.MaxInt-(o.Claims-1) {
		return usageErrorf("selftest", "--first %d with --claims %d goes past the last function, %d", o.First, o.Claims, math.MaxInt)
	}
	o.Mode = gradcheck.Mode(mode.Value)
	eng, err := selectEngine(ctx, backend.Value, e.stderr)
	if errors.Is(err, gcrun.ErrNoGPU) {
		return noGPUError(err)
	} else if err != nil {
		return err
	}
	defer eng.Close()
	// Re-run commands name the backend that judged, so that pasted on a
	// machine with a GPU they do not go to another one.
	o.Backend = eng.Name()
	if eng.Name() != "cpu" {
		// Claims run in this process on the CPU (several at once: the
		// self-test's matrices are small); on the GPU in the workers,
		// which resolve each claim at the settings' sizes.
		o.Workers = eng.Slots()
		o.Verify = selftest.Resolving(eng.Verify)
	}
	start := time.Now()
	r, err := selftest.Run(ctx, o)
	if ctx.Err() != nil {
		// The rates mean something only over every function drawn.
		return &exitError{code: exitInterrupted, msg: "interrupted: the self-test reports only when every function has run"}
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "gradcheck selftest: functions %d to %d of seed %d on %s in %.1fs\n",
		o.First, o.First+o.Claims-1, o.Seed, eng.Name(), time.Since(start).Seconds())
	write := selftest.WriteText
	if format.Value == "json" {
		write = selftest.WriteJSON
	}
	if err := write(e.stdout, r); err != nil {
		return toolError("writing the report", err)
	}
	if !r.OK() {
		return errNotAllPassed
	}
	return nil
}
