package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/gradcheck/gradcheck"
)

// verify is gradcheck.Verify; tests replace it.
var verify = gradcheck.Verify

// verifyTargets checks every target's sizes and shapes, then verifies the
// targets one after another and writes the report. Nothing runs when any
// target is malformed at the requested sizes.
func verifyTargets(ctx context.Context, e *env, cmd string, targets []target, cf *commonFlags, s gradcheck.Settings) error {
	if err := resolve(e, targets, s); err != nil {
		return err
	}
	b, err := selectBackend(cf.backend.val)
	if err != nil {
		return err
	}
	format := cf.reportFormat()
	if cf.out != "" {
		// Find an unwritable --out before the run, not after it.
		f, err := os.OpenFile(cf.out, os.O_WRONLY|os.O_CREATE, 0o644)
		if err != nil {
			return usageErrorf(cmd, "--out: %v", err)
		}
		f.Close()
	}

	// The text table streams to stdout unless stdout gets JSON; an --out
	// file in text gets a copy.
	var text io.Writer
	var textCopy bytes.Buffer
	switch {
	case cf.out == "" && format == "text":
		text = e.stdout
	case cf.out != "" && format == "text":
		text = io.MultiWriter(e.stdout, &textCopy)
	case cf.out != "":
		text = e.stdout
	}
	tt := newTable(text, targets, cf.verbose)
	tt.header()

	rep := gradcheck.Report{Version: gradcheck.ReportVersion, Backend: b.Name(), Seed: s.Seed, Results: []gradcheck.Result{}}
	var reruns []string
	start := time.Now()
	for i, t := range targets {
		if ctx.Err() != nil {
			fmt.Fprintf(e.stderr, "gradcheck: interrupted after %d of %d claims\n", i, len(targets))
			break
		}
		t0 := time.Now()
		r := verify(ctx, b, t.claim, s)
		if r.Sizes == nil {
			r.Sizes = t.sizes
		}
		if cf.verbose {
			fmt.Fprintf(e.stderr, "gradcheck: [%d/%d] %s %s: %s in %.2fs\n",
				i+1, len(targets), t.claim.Name, formatSizes(t.sizes), r.Verdict, time.Since(t0).Seconds())
		}
		rep.Results = append(rep.Results, r)
		rep.Summary.Add(r.Verdict)
		tt.row(r)
		if r.Verdict != gradcheck.Pass {
			reruns = append(reruns, shellJoin(rerunArgs(t, r, s)))
		}
	}
	summary := summaryLine(rep.Summary, time.Since(start))
	tt.footer(summary, reruns)
	if err := tt.err; err != nil {
		return fmt.Errorf("writing the results: %w", err)
	}

	if format == "json" {
		data, err := reportJSON(rep)
		if err != nil {
			return err
		}
		if cf.out == "" {
			if _, err := e.stdout.Write(data); err != nil {
				return fmt.Errorf("writing the report: %w", err)
			}
			fmt.Fprintln(e.stderr, summary)
		} else if err := os.WriteFile(cf.out, data, 0o644); err != nil {
			return fmt.Errorf("writing the report: %w", err)
		}
	} else if cf.out != "" {
		if err := os.WriteFile(cf.out, textCopy.Bytes(), 0o644); err != nil {
			return fmt.Errorf("writing the report: %w", err)
		}
	}
	if ctx.Err() != nil || !rep.Summary.OK() {
		return errNotAllPassed
	}
	return nil
}

// resolve gives every target its sizes and shape-checks it there; a size
// symbol of --size that no target uses is worth a warning.
func resolve(e *env, targets []target, s gradcheck.Settings) error {
	used := make(map[string]bool)
	for i := range targets {
		c := targets[i].claim
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

// summaryLine writes "31 passed, 2 failed, 0 inconclusive, 0 errors in 3.2s".
func summaryLine(s gradcheck.Summary, d time.Duration) string {
	errs := "errors"
	if s.Error == 1 {
		errs = "error"
	}
	return fmt.Sprintf("%d passed, %d failed, %d inconclusive, %d %s in %.1fs",
		s.Pass, s.Fail, s.Inconclusive, s.Error, errs, d.Seconds())
}
