package run

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/gradcheck/gradcheck"
	"github.com/gradcheck/gradcheck/formulas"
)

// Merge combines the reports of the shards of one run, read from files
// (which name them in errors), into the report the unsharded run gives: the results of each claim
// are merged with gradcheck.Merge and listed in the order of the run. It
// refuses reports of different runs (seed, settings, claims, backend or
// gradcheck version), incomplete ones, and a set of shards with one
// missing or twice. No reports, a nil one, or a number of files other
// than of reports, is an error.
func Merge(files []string, reps []*Report) (*Report, error) {
	switch {
	case len(reps) == 0:
		return nil, fmt.Errorf("merge: no reports")
	case len(files) != len(reps):
		return nil, fmt.Errorf("merge: %d file names for %d reports", len(files), len(reps))
	}
	if i := slices.Index(reps, nil); i >= 0 {
		return nil, fmt.Errorf("merge: %s: no report (nil)", files[i])
	}
	first := reps[0]
	count := shardOf(first).Count
	// byIndex maps a shard index to its report; a map, as a shard count
	// read from a file may be far larger than the files given.
	byIndex := make(map[int]int, len(reps))
	for i, rep := range reps {
		sh := shardOf(rep)
		k, twice := byIndex[sh.Index]
		switch d := differ(first, rep); {
		case rep.Incomplete:
			return nil, fmt.Errorf("%s is incomplete (its run was interrupted): run shard %s again", files[i], sh)
		case d != "":
			return nil, fmt.Errorf("cannot merge %s and %s: they were made with different %s; merge the shards of one run", files[0], files[i], d)
		case sh.Count != count:
			return nil, fmt.Errorf("cannot merge %s (shard %s) and %s (shard %s): the shard counts differ", files[0], shardOf(first), files[i], sh)
		case sh.Index < 0 || sh.Index >= count:
			return nil, fmt.Errorf("%s: shard %s is out of range", files[i], sh)
		case twice:
			return nil, fmt.Errorf("%s and %s are both shard %s", files[k], files[i], sh)
		}
		byIndex[sh.Index] = i
	}
	if len(byIndex) < count {
		// Name the first few shards missing, and how many more.
		const named = 8
		var missing []string
		for i := 0; i < count && len(missing) < named; i++ {
			if _, ok := byIndex[i]; !ok {
				missing = append(missing, Shard{Index: i, Count: count}.String())
			}
		}
		switch n := count - len(byIndex); {
		case n == 1:
			return nil, fmt.Errorf("shard %s is missing", missing[0])
		case n <= named:
			return nil, fmt.Errorf("shards %s are missing", strings.Join(missing, ", "))
		default:
			return nil, fmt.Errorf("%d of %d shards are missing: %s and %d more", n, count, strings.Join(missing, ", "), n-len(missing))
		}
	}

	// Every shard must hold the results of its jobs of the run's plan.
	jobs, err := Plan(len(first.Claims), first.settings(), count)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", files[0], err)
	}
	parts := make([][]gradcheck.Result, len(first.Claims))
	for idx := range count {
		k := byIndex[idx]
		rep, sh := reps[k], Shard{Index: idx, Count: count}
		mine, err := JobsOf(jobs, sh)
		if err != nil {
			return nil, err
		}
		if len(rep.Results) != len(mine) {
			return nil, fmt.Errorf("%s has %d results, but shard %s of this run has %d jobs", files[k], len(rep.Results), sh, len(mine))
		}
		for j, jb := range mine {
			r, c := rep.Results[j], first.Claims[jb.Target]
			if r.Name != c.Name || !maps.Equal(r.Sizes, c.Sizes) {
				return nil, fmt.Errorf("%s: result %d is %s, but job %d of shard %s is %s",
					files[k], j, nameAt(r.Name, r.Sizes), j, sh, nameAt(c.Name, c.Sizes))
			}
			if err := r.Consistent(); err != nil {
				return nil, fmt.Errorf("%s: result %d, %s: %v; it was not written by gradcheck as it is", files[k], j, nameAt(r.Name, r.Sizes), err)
			}
			parts[jb.Target] = append(parts[jb.Target], r)
		}
	}

	merged := &Report{
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

// nameAt names a claim at its sizes, as in "det n=4", or "det" with none.
func nameAt(name string, sizes map[string]int) string {
	if len(sizes) == 0 {
		return name
	}
	return name + " " + formulas.FormatSizes(sizes)
}

// shardOf returns the shard a report holds: 0/1 for an unsharded one.
func shardOf(rep *Report) Shard {
	if rep.Shard == nil {
		return Shard{Index: 0, Count: 1}
	}
	return *rep.Shard
}

// differ names what differs between two reports that must come from one
// run, as in "seeds (1 and 2)", or returns "".
func differ(a, b *Report) string {
	sa, sb := a.Settings, b.Settings
	for _, d := range []struct {
		what string
		x, y any
	}{
		{"seeds", a.Seed, b.Seed},
		{"--size", formulas.FormatSizes(sa.Sizes), formulas.FormatSizes(sb.Sizes)},
		{"--batch", sa.Batch, sb.Batch},
		{"--dirs", sa.Dirs, sb.Dirs},
		{"--mode", sa.Mode, sb.Mode},
		{"--rtol", sa.RTol, sb.RTol},
		{"--atol", sa.ATol, sb.ATol},
		{"--instance", sa.Instance, sb.Instance},
		{"backends", a.Backend, b.Backend},
		{"gradcheck versions", a.Gradcheck, b.Gradcheck},
	} {
		if d.x != d.y {
			return fmt.Sprintf("%s (%v and %v)", d.what, d.x, d.y)
		}
	}
	if !slices.EqualFunc(a.Claims, b.Claims, sameClaim) {
		return "claims (selected by different arguments, or from changed spec files)"
	}
	return ""
}

// sameClaim reports whether two claim references are equal.
func sameClaim(a, b ClaimRef) bool {
	return a.Name == b.Name && a.Kind == b.Kind && a.Claim == b.Claim && maps.Equal(a.Sizes, b.Sizes) && slices.Equal(a.Select, b.Select)
}
