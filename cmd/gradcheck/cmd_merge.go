package main

import (
	"context"

	"github.com/gradcheck/gradcheck/flagvalue"
	"github.com/gradcheck/gradcheck/internal/wholefile"
	"github.com/gradcheck/gradcheck/report"
	gcrun "github.com/gradcheck/gradcheck/run"
)

// maxReportBytes bounds the size of a shard's report that merge reads: a
// report takes about 1 KB a claim (more with the entries of an entrywise
// failure), so 256 MiB hold a quarter of a million; merge /dev/zero read
// until the process ran out of memory (found by the exploratory helper).
const maxReportBytes = 256 << 20

// mergeCommand combines the JSON reports of the shards of one run into the
// report of the whole run.
func mergeCommand(_ context.Context, e *env, args []string) error {
	fs := newFlagSet("merge", e.stderr)
	format := flagvalue.NewEnum("text", formats...)
	var out string
	var verbose bool
	onceVar(fs, format, "format", "report format: text, json, junit (JUnit XML for CI) or markdown")
	outVar(fs, &out, "write the report to `FILE` (-: stdout, as without --out) and the text table to stdout")
	fs.BoolVar(&verbose, "verbose", false, "report the worst comparison of each failure")
	if done, err := parseFlags(e, fs, args, mergeHelp, mergeExitHelp); done || err != nil {
		return err
	}
	files := fs.Args()
	if len(files) == 0 {
		return usageErrorf("merge", "merge needs the JSON reports of the shards, as in 'gradcheck merge shard-*.json'")
	}
	out = outPath(out, e.stdout)
	if err := checkNotInput("merge", out, files); err != nil {
		return err
	}
	repFormat, err := formatFor("merge", format.Value, fs.Changed("format"), out)
	if err != nil {
		return err
	}
	reps := make([]*gcrun.Report, len(files))
	for i, f := range files {
		data, err := wholefile.Read(f, maxReportBytes)
		if err != nil {
			return inputErrorf("cannot read the report: %v", err)
		}
		if reps[i], err = gcrun.ReadReport(f, data); err != nil {
			return inputErrorf("%v", err)
		}
	}
	merged, err := gcrun.Merge(files, reps)
	if err != nil {
		return inputErrorf("%v", err)
	}
	if err := checkOut("merge", out); err != nil {
		return err
	}
	defer surviveClosedStdout(out)()
	o := report.NewOutput(e.stdout, e.stderr, repFormat, out, merged.Claims, verbose, useColor(e.stdout))
	o.Header()
	for _, r := range merged.Results {
		o.Row(r)
	}
	if err := o.Finish(merged); err != nil {
		return outputError(err)
	}
	if !merged.Summary.OK() {
		return errNotAllPassed
	}
	return nil
}
