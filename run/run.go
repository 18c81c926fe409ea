package run

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"slices"
	"time"

	"github.com/gradcheck/gradcheck"
	"github.com/gradcheck/gradcheck/formulas"
)

// Target is one claim of a run, with the arguments after "gradcheck" that
// select it and no other (as in ["run", "logdet-spd"]), for the command
// that re-runs it. Resolve fills in Resolved.
type Target struct {
	Claim    *formulas.Claim
	Select   []string
	Resolved *formulas.Resolved
}

// ErrEngine is returned by Run, beside the report, when the engine itself
// failed (a GPU worker died): the claims it was running are marked error.
var ErrEngine = errors.New("the GPU worker failed; the claims it was running are marked error")

// Config says what Run runs and how.
type Config struct {
	// Engine verifies the jobs.
	Engine Engine
	// Targets are the claims, resolved (see Resolve).
	Targets []Target
	// Settings are the verifier's; Shard, when set, the part of the plan
	// to run.
	Settings gradcheck.Settings
	Shard    *Shard
	// Version is gradcheck's version, written in the report. When it is
	// empty, Run writes the version of module github.com/gradcheck/gradcheck
	// in the program's build information, or "devel" where that has none
	// (a build from a work tree, a test): ReadReport, and so Merge, refuse
	// a report without a version.
	Version string
	// OnStart, when set, is called with each job's claim name as the run
	// begins to wait for its result, in order: the job a slow run is on.
	OnStart func(name string)
	// OnResult, when set, is called after each job, in order, with the
	// number of jobs done and to do, the job's result and its time.
	OnResult func(done, total int, r gradcheck.Result, elapsed time.Duration)
}

// Jobs returns the jobs of the whole plan and those this run runs: all of
// them when unsharded, else the shard's. No targets, a batch below 1 or a
// shard out of range is an error (see Plan and JobsOf).
func (cfg *Config) Jobs() (all, mine []Job, err error) {
	if all, err = Plan(len(cfg.Targets), cfg.Settings, cfg.shards()); err != nil {
		return nil, nil, err
	}
	if cfg.Shard == nil {
		return all, all, nil
	}
	if mine, err = JobsOf(all, *cfg.Shard); err != nil {
		return nil, nil, err
	}
	return all, mine, nil
}

// shards is the number of shards of the run: 1 when unsharded.
func (cfg *Config) shards() int {
	if cfg.Shard == nil {
		return 1
	}
	return cfg.Shard.Count
}

// Run verifies the jobs of cfg's plan that are this run's, as many at once
// as the engine runs (one per GPU), and returns the report, its results in
// the order of the jobs. An interrupt (ctx cancelled) stops the run at
// once: the report holds the jobs that finished, is marked Incomplete, and
// Run returns ctx.Err() beside it (context.Canceled or
// context.DeadlineExceeded). A job whose engine failed is an error result,
// the run goes on, and Run returns ErrEngine beside the report (joined
// with ctx.Err() when the run was also interrupted: errors.Is tells
// either). A panic in the verifier is passed on. A Config that cannot run
// (see Jobs), or a target that was not resolved, is an error, with no
// report. Whether everything passed is Report.OK, not a nil error: a fail
// is a result, not an error.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	eng, targets, s := cfg.Engine, cfg.Targets, cfg.Settings
	_, mine, err := cfg.Jobs()
	if err != nil {
		return nil, err
	}
	for i, t := range targets {
		if t.Resolved == nil {
			name := fmt.Sprintf("number %d", i)
			if t.Claim != nil {
				name = t.Claim.Name
			}
			return nil, fmt.Errorf("target %s is not resolved: call run.Resolve", name)
		}
	}
	count := cfg.shards()
	version := cfg.Version
	if version == "" {
		version = buildVersion()
	}
	rep := newReport(version, eng.Name(), targets, s, cfg.Shard)
	start := time.Now()
	toolFailed := false
	var stopped error // ctx.Err() when the run stopped early
	// Up to eng.Slots() jobs run at once (one per GPU); they are reported
	// in order.
	running := make([]chan outcome, len(mine))
	for k, jb := range mine {
		for next := k; next < min(k+eng.Slots(), len(mine)); next++ {
			if running[next] == nil {
				j := mine[next]
				running[next] = startJob(ctx, eng, targets[j.Target].Resolved, settingsFor(j, s, count))
			}
		}
		t := targets[jb.Target].Resolved
		if cfg.OnStart != nil {
			cfg.OnStart(t.Claim.Name)
		}
		r, d, ok, err := awaitJob(ctx, running[k])
		if err != nil {
			// The engine failed, not the claim: this job errs, the run
			// goes on, and the exit code says the tool failed.
			r = gradcheck.Result{Name: t.Claim.Name, Kind: t.Claim.Kind, Verdict: gradcheck.Error, Reason: oneLine(err.Error())}
			toolFailed = true
		}
		if !ok {
			rep.Incomplete, stopped = true, ctx.Err()
			for _, rest := range mine[k:] {
				rep.NotRun = append(rep.NotRun, rep.Claims[rest.Target])
			}
			break
		}
		if r.Sizes == nil {
			r.Sizes = t.Sizes
		}
		rep.add(r, jb.Target, d)
		if cfg.OnResult != nil {
			cfg.OnResult(k+1, len(mine), r, d)
		}
	}
	rep.Elapsed = time.Since(start)
	if toolFailed {
		return rep, errors.Join(ErrEngine, stopped)
	}
	return rep, stopped
}

// modulePath is gradcheck's module.
const modulePath = "github.com/gradcheck/gradcheck"

// buildVersion returns the version of modulePath that this program was
// built with, as its build information records it (the main module, or a
// dependency, replaced or not), or "devel" when it records none.
func buildVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	for _, m := range append([]*debug.Module{&bi.Main}, bi.Deps...) {
		if m.Path != modulePath {
			continue
		}
		if m.Replace != nil {
			m = m.Replace
		}
		if m.Version != "" && m.Version != "(devel)" {
			return m.Version
		}
	}
	return "devel"
}

// outcome is what a job started by startJob came to.
type outcome struct {
	r       gradcheck.Result
	elapsed time.Duration
	err     error
	panicky any
}

// startJob starts verifying claim c with settings s on eng and returns
// where its outcome will be sent. err in the outcome reports a failure of
// the engine itself; a panic in the verifier is caught and passed on.
func startJob(ctx context.Context, eng Engine, rc *formulas.Resolved, s gradcheck.Settings) chan outcome {
	done := make(chan outcome, 1)
	go func() {
		start := time.Now()
		defer func() {
			if p := recover(); p != nil {
				done <- outcome{panicky: p}
			}
		}()
		if rc.Claim.Invalid != nil {
			// An invalid claim (of a spec file, or one that does not
			// resolve at the sizes) is an error result of its own; no
			// engine sees it.
			done <- outcome{r: gradcheck.Verify(ctx, nil, rc.Claim, s)}
			return
		}
		r, err := eng.Verify(ctx, rc, s)
		done <- outcome{r: r, err: err, elapsed: time.Since(start)}
	}()
	return done
}

// awaitJob waits for the outcome of a job. It returns ok = false as soon as
// ctx is cancelled, even while one chunk of a large claim is still being
// computed: an interrupted run must stop within a second, so the
// verification is left to end by itself while gradcheck writes its report
// and exits. A panic in the verifier is passed on to the caller.
func awaitJob(ctx context.Context, done chan outcome) (r gradcheck.Result, elapsed time.Duration, ok bool, err error) {
	if ctx.Err() != nil {
		return r, 0, false, nil
	}
	select {
	case o := <-done:
		if o.panicky != nil {
			panic(o.panicky)
		}
		// A verification that saw the interrupt may be cut short.
		return o.r, o.elapsed, ctx.Err() == nil, o.err
	case <-ctx.Done():
		return r, 0, false, nil
	}
}

// Resolve gives every target its sizes, the values of sizes first, and
// shape-checks it there (see formulas.Claim.Resolve), filling in
// t.Resolved. A target that does not resolve is an error: returned, when
// it is the only one (its Resolved is then nil), else its Resolved holds
// an invalid copy of its claim, so that it verifies as an error result
// and the others still run (`run --size n=1`: softmax needs two rows, and
// the whole registry stopped at logsumexp-gradient). The failure belongs
// to that resolution: t.Claim is left as it was, and a later Resolve at
// sizes where it does resolve verifies it.
// unused lists, sorted, the symbols of sizes that no target uses; a
// target that does not resolve at sizes uses its claim's symbols all the
// same (--size n=1 is no mistake of spelling for softmax).
func Resolve(targets []Target, sizes map[string]int) (unused []string, err error) {
	used := make(map[string]bool)
	for i := range targets {
		c := targets[i].Claim
		if c.Invalid != nil {
			// An invalid claim of a spec file verifies as an error result;
			// it quotes the sizes in force (--size).
			targets[i].Resolved = &formulas.Resolved{Claim: c, Sizes: sizes}
			for k := range sizes {
				used[k] = true
			}
			continue
		}
		rc, err := c.Resolve(sizes)
		if err != nil && len(targets) == 1 {
			targets[i].Resolved = nil
			return nil, err
		}
		if err != nil {
			invalid := *c
			invalid.Invalid = err
			targets[i].Resolved = &formulas.Resolved{Claim: &invalid, Sizes: sizes}
			for _, k := range c.Symbols() {
				used[k] = true
			}
			continue
		}
		targets[i].Resolved = rc
		for k := range rc.Sizes {
			used[k] = true
		}
	}
	for k := range sizes {
		if !used[k] {
			unused = append(unused, k)
		}
	}
	slices.Sort(unused)
	return unused, nil
}
