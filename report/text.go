package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"unicode/utf8"

	"github.com/fatih/color"
	"golang.org/x/term"

	"github.com/gradcheck/gradcheck"
)

// table writes the text report. Its rows stream as results arrive, so the
// column widths are fixed beforehand from the claims' names and sizes
// (text/tabwriter would hold every row back until the last one). It writes
// to any number of sinks, each with or without colour; with none it
// discards everything.
type table struct {
	sinks   []sink
	verbose bool
	widths  [6]int // NAME KIND SIZES VERDICT REL-ERR TOL; NOTE is last
	details []string
	// entries are the failed results that name the entries that disagree
	// most, printed under the table.
	entries []gradcheck.Result
	err     error
}

// sink is one destination of the text report.
type sink struct {
	w     io.Writer
	color bool
}

// The headings of the text report.
var headings = [7]string{"NAME", "KIND", "SIZES", "VERDICT", "REL-ERR", "TOL", "NOTE"}

// verdictColors colour the VERDICT column on a terminal.
var verdictColors = map[gradcheck.Verdict]*color.Color{
	gradcheck.Pass:         color.New(color.FgGreen),
	gradcheck.Fail:         color.New(color.FgRed, color.Bold),
	gradcheck.Inconclusive: color.New(color.FgYellow),
	gradcheck.Error:        color.New(color.FgMagenta, color.Bold),
}

func init() {
	// Whether to colour is decided per writer (useColor), not by the
	// package's global guess about stdout.
	for _, c := range verdictColors {
		c.EnableColor()
	}
}

// useColor reports whether text written to w may be coloured: only when w
// is a terminal, and never when NO_COLOR is set (https://no-color.org) or
// TERM is dumb.
func useColor(w io.Writer) bool {
	if getenv("NO_COLOR") != "" || getenv("TERM") == "dumb" {
		return false
	}
	return isTerminal(w)
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// newTable prepares a table for claims.
func newTable(claims []claimRef, verbose bool, sinks ...sink) *table {
	t := &table{sinks: sinks, verbose: verbose}
	for i := range t.widths {
		t.widths[i] = len(headings[i])
	}
	t.widths[1] = max(t.widths[1], len("equals"))
	t.widths[3] = len("inconclusive")
	t.widths[4] = len("-1.0e-300")
	t.widths[5] = t.widths[4]
	for _, c := range claims {
		t.widths[0] = max(t.widths[0], utf8.RuneCountInString(c.Name))
		t.widths[2] = max(t.widths[2], len(formatSizes(c.Sizes)))
	}
	return t
}

// print writes s to every sink, coloured where the sink takes colour,
// remembering the first error.
func (t *table) print(plain, colored string) {
	for _, s := range t.sinks {
		if t.err != nil {
			return
		}
		out := plain
		if s.color {
			out = colored
		}
		_, t.err = io.WriteString(s.w, out)
	}
}

// printf writes the same text to every sink.
func (t *table) printf(format string, args ...any) {
	s := fmt.Sprintf(format, args...)
	t.print(s, s)
}

// line writes one row of cells, padded to the column widths; the verdict
// cell is coloured by verdict v where colour is on.
func (t *table) line(cells [7]string, v gradcheck.Verdict) {
	var plain, colored strings.Builder
	for i, c := range cells[:6] {
		pad := strings.Repeat(" ", t.widths[i]-utf8.RuneCountInString(c)+2)
		plain.WriteString(c + pad)
		if col := verdictColors[v]; i == 3 && col != nil {
			colored.WriteString(col.Sprint(c) + pad)
		} else {
			colored.WriteString(c + pad)
		}
	}
	plain.WriteString(cells[6])
	colored.WriteString(cells[6])
	t.print(strings.TrimRight(plain.String(), " ")+"\n", strings.TrimRight(colored.String(), " ")+"\n")
}

// header writes the column headings.
func (t *table) header() { t.line(headings, "") }

// row writes the row of one result.
func (t *table) row(r gradcheck.Result) {
	relErr, tol := "-", "-"
	if decisive(r) {
		relErr, tol = fmt.Sprintf("%.1e", r.MaxRelErr), fmt.Sprintf("%.1e", r.Tolerance)
	}
	t.line([7]string{r.Name, string(r.Kind), formatSizes(r.Sizes), string(r.Verdict), relErr, tol, note(r)}, r.Verdict)
	if r.Verdict == gradcheck.Fail && len(r.Entries) > 0 {
		t.entries = append(t.entries, r)
	}
	if t.verbose && r.Verdict != gradcheck.Pass && decisive(r) {
		w := r.Worst
		t.details = append(t.details, fmt.Sprintf("%s: worst comparison at instance %d, direction %d: finite difference %.6g, claimed %.6g",
			r.Name, w.Instance, w.Direction, w.FiniteDiff, w.Claimed))
	}
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

// footer writes the worst entries of the failures, the details (--verbose),
// the summary line and the commands that re-run the claims that did not
// pass.
func (t *table) footer(summary string, reruns []string) {
	for _, r := range t.entries {
		t.printf("\n%s", entriesText(r))
	}
	if len(t.details) > 0 {
		t.printf("\n%s\n", strings.Join(t.details, "\n"))
	}
	t.printf("\n%s\n", summary)
	if len(reruns) > 0 {
		t.printf("\nRe-run a claim that did not pass:\n")
		for _, r := range reruns {
			t.printf("  %s\n", r)
		}
	}
}

// entriesText lists the entries of failed result r that disagree most.
func entriesText(r gradcheck.Result) string {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s %s: the entries that disagree most\n", r.Name, formatSizes(r.Sizes))
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
