package report

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/gradcheck/gradcheck"
	"github.com/gradcheck/gradcheck/formulas"
	"github.com/gradcheck/gradcheck/run"
)

// writers are the formats of Write, in the order help texts list them. A
// new format is a file with its writer and golden test, and a line here.
var writers = []struct {
	name  string
	write func(w io.Writer, rep *run.Report) error
}{
	{"text", writeText},
	{"json", writeJSON},
	{"junit", writeJUnit},
	{"markdown", writeMarkdown},
}

// Formats returns the names of the formats Write writes.
func Formats() []string {
	names := make([]string, len(writers))
	for i, f := range writers {
		names[i] = f.name
	}
	return names
}

// Write writes rep to w in format: text (the table of Table with its
// footer), json (the schema of run.Report, which run.ReadReport reads),
// junit (JUnit XML) or markdown.
func Write(w io.Writer, format string, rep *run.Report) error {
	for _, f := range writers {
		if f.name == format {
			return f.write(w, rep)
		}
	}
	return fmt.Errorf("unknown report format %q (formats: %s)", format, strings.Join(Formats(), ", "))
}

// SummaryLine writes "31 passed, 2 failed, 0 inconclusive, 0 errors in
// 3.2s": with the run's time when timed (a merged report has none), and
// saying so when the report is incomplete.
func SummaryLine(rep *run.Report, timed bool) string {
	sm := rep.Summary
	errs := "errors"
	if sm.Error == 1 {
		errs = "error"
	}
	line := fmt.Sprintf("%d passed, %d failed, %d inconclusive, %d %s", sm.Pass, sm.Fail, sm.Inconclusive, sm.Error, errs)
	if timed {
		line += fmt.Sprintf(" in %.1fs", rep.Elapsed.Seconds())
	}
	if rep.Incomplete {
		line += fmt.Sprintf(" (incomplete: interrupted, %d not run)", len(rep.NotRun))
	}
	return line
}

// note is the NOTE cell: for a failure its diagnosis in words ("factor 0.5:
// the claim is 0.5 times the truth"), or the detail or reason when there is
// none; for another verdict the reason.
func note(r gradcheck.Result) string {
	if r.Verdict == gradcheck.Fail {
		diag := r.Diagnosis
		if diag == gradcheck.DiagFactor && r.Factor != 0 {
			diag = fmt.Sprintf("%s %g", diag, r.Factor)
		}
		switch {
		case diag != "" && r.Detail != "":
			return oneLine(diag + ": " + r.Detail)
		case diag != "":
			return diag
		case r.Detail != "":
			return oneLine(r.Detail)
		}
	}
	return oneLine(r.Reason)
}

// entriesText lists the entries of failed result r that disagree most.
func entriesText(r gradcheck.Result) string {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s %s: the entries that disagree most\n", r.Name, formulas.FormatSizes(r.Sizes))
	tw := tabwriter.NewWriter(&b, 0, 8, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "  INSTANCE\tI\tJ\tCLAIMED\tFINITE-DIFF\t")
	for _, e := range r.Entries {
		fmt.Fprintf(tw, "  %d\t%d\t%d\t%.6g\t%.6g\t\n", e.Instance, e.I, e.J, e.Claimed, e.FiniteDiff)
	}
	tw.Flush()
	return b.String()
}

// decisive reports whether some comparison of r agreed or disagreed, so
// that its worst relative error and tolerance mean something.
func decisive(r gradcheck.Result) bool {
	return r.Counts.Agreed+r.Counts.Disagreed > 0
}

// oneLine joins the lines of s, so that every cell and message is one line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
