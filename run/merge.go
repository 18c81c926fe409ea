package main

import (
	"context"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/gradcheck/gradcheck"
)

// mergeCommand combines the JSON reports of the shards of one run into the
// report of the whole run.
func mergeCommand(_ context.Context, e *env, args []string) error {
	fs := newFlagSet("merge", e.stderr)
	format := newEnum("text", formats...)
	var out string
	var verbose bool
	fs.Var(format, "format", "report format: text, json, junit (JUnit XML for CI) or markdown")
	fs.StringVar(&out, "out", "", "write the report to `FILE` and the text table to stdout")
	fs.BoolVar(&verbose, "verbose", false, "report the worst comparison of each failure")
	if done, err := parseFlags(e, fs, args, mergeHelp, exitCodesHelp); done || err != nil {
		return err
	}
	files := fs.Args()
	if len(files) == 0 {
		return usageErrorf("merge", "merge needs the JSON reports of the shards, as in 'gradcheck merge shard-*.json'")
	}
	reps := make([]*runReport, len(files))
	for i, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return inputErrorf("cannot read the report: %v", err)
		}
		if reps[i], err = readReport(f, data); err != nil {
			return inputErrorf("%v", err)
		}
	}
	merged, err := mergeReports(files, reps)
	if err != nil {
		return inputErrorf("%v", err)
	}
	if err := checkOut("merge", out); err != nil {
		return err
	}
	o := newOutput(e, formatFor(format.val, fs.Changed("format"), out), out, merged.Claims, verbose, useColor(e.stdout))
	o.table.header()
	for _, r := range merged.Results {
		o.table.row(r)
	}
	if err := o.finish(merged); err != nil {
		return err
	}
	if !merged.Summary.OK() {
		return errNotAllPassed
	}
	return nil
}

// mergeReports combines the reports of the shards of one run, read from
// files, into the report the unsharded run gives: the results of each claim
// are merged with gradcheck.Merge and listed in the order of the run. It
// refuses reports of different runs (seed, settings, claims, backend or
// gradcheck version), incomplete ones, and a set of shards with one
// missing or twice.
func mergeReports(files []string, reps []*runReport) (*runReport, error) {
	first := reps[0]
	count := shardOf(first).Count
	byIndex := make([]int, count)
	for i := range byIndex {
		byIndex[i] = -1
	}
	for i, rep := range reps {
		sh := shardOf(rep)
		switch d := differ(first, rep); {
		case rep.Incomplete:
			return nil, fmt.Errorf("%s is incomplete (its run was interrupted): run shard %s again", files[i], sh)
		case d != "":
			return nil, fmt.Errorf("cannot merge %s and %s: they were made with different %s; merge the shards of one run", files[0], files[i], d)
		case sh.Count != count:
			return nil, fmt.Errorf("cannot merge %s (shard %s) and %s (shard %s): the shard counts differ", files[0], shardOf(first), files[i], sh)
		case byIndex[sh.Index] >= 0:
			return nil, fmt.Errorf("%s and %s are both shard %s", files[byIndex[sh.Index]], files[i], sh)
		}
		byIndex[sh.Index] = i
	}
	var missing []string
	for i, k := range byIndex {
		if k < 0 {
			missing = append(missing, shardSpec{Index: i, Count: count}.String())
		}
	}
	switch len(missing) {
	case 0:
	case 1:
		return nil, fmt.Errorf("shard %s is missing", missing[0])
	default:
		return nil, fmt.Errorf("shards %s are missing", strings.Join(missing, ", "))
	}

	// Every shard must hold the results of its jobs of the run's plan.
	jobs := plan(len(first.Claims), first.settings(), count)
	parts := make([][]gradcheck.Result, len(first.Claims))
	for idx, k := range byIndex {
		rep, sh := reps[k], shardSpec{Index: idx, Count: count}
		mine := jobsOf(jobs, sh)
		if len(rep.Results) != len(mine) {
			return nil, fmt.Errorf("%s has %d results, but shard %s of this run has %d jobs", files[k], len(rep.Results), sh, len(mine))
		}
		for j, jb := range mine {
			r, c := rep.Results[j], first.Claims[jb.target]
			if r.Name != c.Name || !maps.Equal(r.Sizes, c.Sizes) {
				return nil, fmt.Errorf("%s: result %d is %s %s, but job %d of shard %s is %s %s",
					files[k], j, r.Name, formatSizes(r.Sizes), j, sh, c.Name, formatSizes(c.Sizes))
			}
			parts[jb.target] = append(parts[jb.target], r)
		}
	}

	merged := &runReport{
		Version: first.Version, Gradcheck: first.Gradcheck, Backend: first.Backend, Seed: first.Seed,
		Settings: first.Settings, Claims: first.Claims, Results: []gradcheck.Result{},
	}
	for t, ps := range parts {
		r := ps[0]
		if len(ps) > 1 {
			var err error
			if r, err = gradcheck.Merge(ps); err != nil {
				return nil, fmt.Errorf("%v", err)
			}
		}
		merged.add(r, t, 0)
	}
	return merged, nil
}

// shardOf returns the shard a report holds: 0/1 for an unsharded one.
func shardOf(rep *runReport) shardSpec {
	if rep.Shard == nil {
		return shardSpec{Index: 0, Count: 1}
	}
	return *rep.Shard
}

// differ names what differs between two reports that must come from one
// run, as in "seeds (1 and 2)", or returns "".
func differ(a, b *runReport) string {
	sa, sb := a.Settings, b.Settings
	both := func(what string, x, y any) string { return fmt.Sprintf("%s (%v and %v)", what, x, y) }
	switch {
	case a.Seed != b.Seed:
		return both("seeds", a.Seed, b.Seed)
	case !maps.Equal(sa.Sizes, sb.Sizes):
		return both("--size", formatSizes(sa.Sizes), formatSizes(sb.Sizes))
	case sa.Batch != sb.Batch:
		return both("--batch", sa.Batch, sb.Batch)
	case sa.Dirs != sb.Dirs:
		return both("--dirs", sa.Dirs, sb.Dirs)
	case sa.Mode != sb.Mode:
		return both("--mode", sa.Mode, sb.Mode)
	case sa.RTol != sb.RTol:
		return both("--rtol", sa.RTol, sb.RTol)
	case sa.ATol != sb.ATol:
		return both("--atol", sa.ATol, sb.ATol)
	case sa.Instance != sb.Instance:
		return both("--instance", sa.Instance, sb.Instance)
	case a.Backend != b.Backend:
		return both("backends", a.Backend, b.Backend)
	case a.Gradcheck != b.Gradcheck:
		return both("gradcheck versions", a.Gradcheck, b.Gradcheck)
	case !slices.EqualFunc(a.Claims, b.Claims, sameClaim):
		return "claims (selected by different arguments, or from changed spec files)"
	}
	return ""
}

// sameClaim reports whether two claim references are equal.
func sameClaim(a, b claimRef) bool {
	return a.Name == b.Name && a.Kind == b.Kind && a.Claim == b.Claim && maps.Equal(a.Sizes, b.Sizes) && slices.Equal(a.Select, b.Select)
}
