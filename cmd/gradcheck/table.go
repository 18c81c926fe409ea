package main

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/gradcheck/gradcheck"
)

// table writes the text report. Its rows stream as results arrive; the
// column widths are fixed beforehand from the claims' names and sizes, so
// that the streamed rows line up. A nil writer discards everything.
type table struct {
	w       io.Writer
	verbose bool
	widths  [6]int // NAME KIND SIZES VERDICT REL-ERR TOL; NOTE is last
	details []string
	err     error
}

// The headings of the text report.
var headings = [7]string{"NAME", "KIND", "SIZES", "VERDICT", "REL-ERR", "TOL", "NOTE"}

// newTable prepares a table for targets.
func newTable(w io.Writer, targets []target, verbose bool) *table {
	t := &table{w: w, verbose: verbose}
	for i := range t.widths {
		t.widths[i] = len(headings[i])
	}
	t.widths[1] = max(t.widths[1], len("equals"))
	t.widths[3] = len("inconclusive")
	t.widths[4] = len("-1.0e-300")
	t.widths[5] = t.widths[4]
	for _, tg := range targets {
		t.widths[0] = max(t.widths[0], utf8.RuneCountInString(tg.claim.Name))
		t.widths[2] = max(t.widths[2], len(formatSizes(tg.sizes)))
	}
	return t
}

// printf writes to the table's writer, remembering the first error.
func (t *table) printf(format string, args ...any) {
	if t.w == nil || t.err != nil {
		return
	}
	_, t.err = fmt.Fprintf(t.w, format, args...)
}

// line writes one row of cells, padded to the column widths.
func (t *table) line(cells [7]string) {
	var b strings.Builder
	for i, c := range cells[:6] {
		b.WriteString(c)
		b.WriteString(strings.Repeat(" ", t.widths[i]-utf8.RuneCountInString(c)+2))
	}
	b.WriteString(cells[6])
	t.printf("%s\n", strings.TrimRight(b.String(), " "))
}

// header writes the column headings.
func (t *table) header() { t.line(headings) }

// row writes the row of one result.
func (t *table) row(r gradcheck.Result) {
	relErr, tol := "-", "-"
	if r.Comparisons > 0 {
		relErr, tol = fmt.Sprintf("%.1e", r.MaxRelErr), fmt.Sprintf("%.1e", r.Tolerance)
	}
	t.line([7]string{r.Name, string(r.Kind), formatSizes(r.Sizes), string(r.Verdict), relErr, tol, note(r)})
	if t.verbose && r.Verdict != gradcheck.Pass && r.Comparisons > 0 {
		w := r.Worst
		t.details = append(t.details, fmt.Sprintf("%s: worst comparison at instance %d, direction %d: finite difference %.6g, claimed %.6g",
			r.Name, w.Instance, w.Direction, w.FiniteDiff, w.Claimed))
		for _, en := range r.Entries {
			t.details = append(t.details, fmt.Sprintf("%s:   instance %d, entry (%d,%d): finite difference %.6g, claimed %.6g",
				r.Name, en.Instance, en.I, en.J, en.FiniteDiff, en.Claimed))
		}
	}
}

// note is the NOTE cell: the diagnosis of a failure, else the reason.
func note(r gradcheck.Result) string {
	switch {
	case r.Diagnosis != "" && r.Reason != "":
		return r.Diagnosis + " (" + oneLine(r.Reason) + ")"
	case r.Diagnosis != "":
		return r.Diagnosis
	}
	return oneLine(r.Reason)
}

// footer writes the details (--verbose), the summary line and the commands
// that re-run the claims that did not pass.
func (t *table) footer(summary string, reruns []string) {
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
