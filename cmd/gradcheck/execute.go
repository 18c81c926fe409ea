package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/gradcheck/gradcheck"
	"github.com/gradcheck/gradcheck/flagvalue"
	"github.com/gradcheck/gradcheck/formulas"
	"github.com/gradcheck/gradcheck/progress"
	"github.com/gradcheck/gradcheck/report"
	gcrun "github.com/gradcheck/gradcheck/run"
)

// progressOptions are those of the progress bar of run and check: it shows
// after a second, so that quick runs print none, and off a terminal writes
// a line every 5 seconds, naming a claim that has run 10 seconds; tests
// shorten them.
var progressOptions = progress.Options{Description: "verifying", Unit: "claims", Prefix: "gradcheck: ",
	Delay: time.Second, Refresh: 250 * time.Millisecond, PlainInterval: 5 * time.Second, CurrentAfter: 10 * time.Second}

// selectEngine is gcrun.StartEngine; tests replace it.
var selectEngine = gcrun.StartEngine

// warnSharedNames warns of a claim name that two spec files both use:
// each is verified, but the table shows two rows of that name, and only
// the re-run commands (the report's select) tell them apart. (Within one
// file the second is an error, as --name could not pick it.)
func warnSharedNames(stderr io.Writer, targets []gcrun.Target) {
	first := map[string][]string{}
	warned := map[string]bool{}
	for _, t := range targets {
		name := t.Claim.Name
		prev, seen := first[name]
		switch {
		case !seen:
			first[name] = t.Select
		case !warned[name] && !slices.Equal(prev, t.Select):
			warned[name] = true
			fmt.Fprintf(stderr, "gradcheck: warning: claim name %q is in %s and in %s: the table shows both under it; give them distinct names\n",
				name, specOf(prev), specOf(t.Select))
		}
	}
}

// specOf is the spec file a target's re-run arguments select it from, or
// the arguments themselves where they name none.
func specOf(selectArgs []string) string {
	if i := slices.Index(selectArgs, "--spec"); i >= 0 && i+1 < len(selectArgs) {
		return selectArgs[i+1]
	}
	return strings.Join(selectArgs, " ")
}

// verifyTargets resolves and shape-checks every target, then runs the jobs
// of this shard (all of them when unsharded) with gcrun.Run, streaming the
// text table and progress as results arrive, and writes the report.
// Nothing runs when the only target is malformed at the requested sizes;
// among others it is an error row (see gcrun.Resolve). An
// interrupt stops the run at once: the report of the jobs that finished is
// written, marked incomplete, and the exit code is 130.
func verifyTargets(ctx context.Context, e *env, cmd string, targets []gcrun.Target, cf *commonFlags, s gradcheck.Settings) error {
	format, err := cf.reportFormat(cmd)
	if err != nil {
		return err
	}
	unused, err := gcrun.Resolve(targets, s.Sizes)
	if err != nil {
		return inputErrorf("%v", err)
	}
	if len(unused) > 0 {
		fmt.Fprintf(e.stderr, "gradcheck: warning: --size %s: no selected claim uses %s\n",
			strings.Join(unused, ","), flagvalue.OrList(unused))
	}
	warnSharedNames(e.stderr, targets)
	if err := gcrun.CheckMemory(targets, s); err != nil {
		return &exitError{code: exitInternal, msg: err.Error()}
	}
	sh, err := cf.shardOf(cmd)
	if err != nil {
		return err
	}
	eng, err := selectEngine(ctx, cf.backend.Value, e.stderr)
	if errors.Is(err, gcrun.ErrNoGPU) {
		return noGPUError(err)
	} else if err != nil {
		return err
	}
	defer eng.Close()
	if err := checkOut(cmd, cf.out); err != nil {
		return err
	}
	defer surviveClosedStdout(cf.out)()
	cfg := gcrun.Config{Engine: eng, Targets: targets, Settings: s, Shard: sh, Version: version}
	all, mine, err := cfg.Jobs()
	if err != nil {
		return err
	}
	if sh != nil {
		fmt.Fprintf(e.stderr, "gradcheck: shard %s (from %s): %d of %d jobs\n", sh, sh.From, len(mine), len(all))
	}
	claims := make([]gcrun.ClaimRef, len(targets))
	for i, t := range targets {
		claims[i] = t.Ref()
	}

	// While the bar shows, every line written to the terminal goes above it.
	bar := progress.Start(e.stderr, cf.progress.Value, len(mine), progressOptions)
	stdout, stderr := bar.Writer(e.stdout), bar.Writer(e.stderr)
	o := report.NewOutput(stdout, stderr, format, cf.out, claims, cf.verbose, useColor(e.stdout))
	o.Header()
	cfg.OnStart = func(name string) { bar.Current(report.Printable(name)) }
	cfg.OnResult = func(done, total int, r gradcheck.Result, d time.Duration) {
		if cf.verbose {
			fmt.Fprintf(stderr, "gradcheck: [%d/%d] %s %s: %s in %.2fs\n",
				done, total, report.Printable(r.Name), formulas.FormatSizes(r.Sizes), r.Verdict, d.Seconds())
		}
		o.Row(r)
		bar.Step()
	}
	rep, runErr := gcrun.Run(ctx, cfg)
	bar.Finish()
	if rep == nil {
		return runErr
	}
	if err := o.Finish(rep); err != nil {
		return outputError(err)
	}
	if rep.Incomplete {
		return &exitError{code: exitInterrupted,
			msg: fmt.Sprintf("interrupted: %d of %d claims finished; the report is incomplete", len(rep.Results), len(mine))}
	}
	if runErr != nil {
		return &exitError{code: exitInternal, msg: runErr.Error()}
	}
	if !rep.Summary.OK() {
		return errNotAllPassed
	}
	return nil
}
