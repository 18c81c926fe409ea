package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gradcheck/gradcheck"
	"github.com/gradcheck/gradcheck/formulas"
)

// verify is gradcheck.Verify; tests replace it.
var verify = gradcheck.Verify

// verifyTargets checks every target's sizes and shapes, then verifies the
// jobs of this shard (all of them when unsharded), as many at once as the
// engine runs (one per GPU), and writes the report in their order. Nothing runs when any target is malformed at the
// requested sizes. An interrupt stops the run at once: the report of the
// jobs that finished is written, marked incomplete, and the exit code is
// 130.
func verifyTargets(ctx context.Context, e *env, cmd string, targets []target, cf *commonFlags, s gradcheck.Settings) error {
	if err := resolve(e, targets, s); err != nil {
		return err
	}
	if err := checkMemory(targets, s); err != nil {
		return err
	}
	sh, err := cf.shardOf(cmd)
	if err != nil {
		return err
	}
	eng, err := selectBackend(ctx, cf.backend.val, e.stderr)
	if err != nil {
		return err
	}
	defer eng.close()
	if err := checkOut(cmd, cf.out); err != nil {
		return err
	}
	count := 1
	if sh != nil {
		count = sh.Count
	}
	jobs := plan(len(targets), s, count)
	mine := jobs
	if sh != nil {
		mine = jobsOf(jobs, *sh)
		fmt.Fprintf(e.stderr, "gradcheck: shard %s (from %s): %d of %d jobs\n", sh, sh.from, len(mine), len(jobs))
	}
	rep := newReport(eng.name(), targets, s, sh)

	// While the bar shows, every line written to the terminal goes above it.
	bar := startProgress(e.stderr, cf.progress.val, len(mine))
	we := &env{stdout: e.stdout, stderr: e.stderr}
	if bar != nil {
		we.stdout, we.stderr = progressWriter{bar, e.stdout}, progressWriter{bar, e.stderr}
	}
	o := newOutput(we, cf.reportFormat(), cf.out, rep.Claims, cf.verbose, useColor(e.stdout))
	o.table.header()
	start := time.Now()
	toolFailed := false
	// Up to eng.slots() jobs run at once (one per GPU); they are reported
	// in order.
	running := make([]chan outcome, len(mine))
	for k, jb := range mine {
		for next := k; next < min(k+eng.slots(), len(mine)); next++ {
			if running[next] == nil {
				j := mine[next]
				running[next] = startJob(ctx, eng, targets[j.target].claim, settingsFor(j, s, count))
			}
		}
		t := targets[jb.target]
		r, d, ok, err := awaitJob(ctx, running[k])
		if err != nil {
			// The engine failed, not the claim: this job errs, the run
			// goes on, and the exit code says the tool failed.
			r = gradcheck.Result{Name: t.claim.Name, Kind: t.claim.Kind, Verdict: gradcheck.Error, Reason: oneLine(err.Error())}
			toolFailed = true
		}
		if !ok {
			rep.Incomplete = true
			for _, rest := range mine[k:] {
				rep.notRun = append(rep.notRun, rep.Claims[rest.target])
			}
			break
		}
		if r.Sizes == nil {
			r.Sizes = t.sizes
		}
		if cf.verbose {
			fmt.Fprintf(we.stderr, "gradcheck: [%d/%d] %s %s: %s in %.2fs\n",
				k+1, len(mine), t.claim.Name, formatSizes(t.sizes), r.Verdict, d.Seconds())
		}
		rep.add(r, jb.target, d)
		o.table.row(r)
		bar.step()
	}
	bar.finish()
	rep.elapsed = time.Since(start)
	if err := o.finish(rep); err != nil {
		return err
	}
	if rep.Incomplete {
		return &exitError{code: exitInterrupted,
			msg: fmt.Sprintf("interrupted: %d of %d claims finished; the report is incomplete", len(rep.Results), len(mine))}
	}
	if toolFailed {
		return &exitError{code: exitInternal, msg: "the GPU worker failed; the claims it was running are marked error"}
	}
	if !rep.Summary.OK() {
		return errNotAllPassed
	}
	return nil
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
func startJob(ctx context.Context, eng engine, c *formulas.Claim, s gradcheck.Settings) chan outcome {
	done := make(chan outcome, 1)
	go func() {
		start := time.Now()
		defer func() {
			if p := recover(); p != nil {
				done <- outcome{panicky: p}
			}
		}()
		if c.Invalid != nil {
			// An invalid claim of a spec file is an error result of its
			// own; no engine sees it.
			done <- outcome{r: gradcheck.Verify(ctx, nil, c, s)}
			return
		}
		r, err := eng.verify(ctx, c, s)
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

// resolve gives every target its sizes and shape-checks it there; a size
// symbol of --size that no target uses is worth a warning.
func resolve(e *env, targets []target, s gradcheck.Settings) error {
	used := make(map[string]bool)
	for i := range targets {
		c := targets[i].claim
		if c.Invalid != nil {
			// Its error result quotes the sizes in force: --size.
			targets[i].sizes = s.Sizes
			for k := range s.Sizes {
				used[k] = true
			}
			continue
		}
		sizes, err := c.ResolveSizes(s.Sizes)
		if err != nil {
			return inputErrorf("%v", err)
		}
		if _, err := c.Check(sizes); err != nil {
			return inputErrorf("%v", err)
		}
		targets[i].sizes = sizes
		for k := range sizes {
			used[k] = true
		}
	}
	var unused []string
	for k := range s.Sizes {
		if !used[k] {
			unused = append(unused, k)
		}
	}
	if len(unused) > 0 {
		slices.Sort(unused)
		fmt.Fprintf(e.stderr, "gradcheck: warning: --size %s: no selected claim uses %s\n",
			strings.Join(unused, ","), orList(unused))
	}
	return nil
}

// summaryLine writes "31 passed, 2 failed, 0 inconclusive, 0 errors in 3.2s";
// a merged report has no time, and an incomplete one says so.
func summaryLine(rep *runReport, timed bool) string {
	sm := rep.Summary
	errs := "errors"
	if sm.Error == 1 {
		errs = "error"
	}
	line := fmt.Sprintf("%d passed, %d failed, %d inconclusive, %d %s", sm.Pass, sm.Fail, sm.Inconclusive, sm.Error, errs)
	if timed {
		line += fmt.Sprintf(" in %.1fs", rep.elapsed.Seconds())
	}
	if rep.Incomplete {
		line += fmt.Sprintf(" (incomplete: interrupted, %d not run)", len(rep.notRun))
	}
	return line
}
