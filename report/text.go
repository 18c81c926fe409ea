package report

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/fatih/color"

	"github.com/gradcheck/gradcheck"
	"github.com/gradcheck/gradcheck/formulas"
	"github.com/gradcheck/gradcheck/run"
)

// Table writes the text report. Its rows stream as results arrive, so the
// column widths are fixed beforehand from the claims' names and sizes
// (text/tabwriter would hold every row back until the last one). It writes
// to any number of sinks, each with or without colour; with none it
// discards everything. A sink whose write fails (a closed pipe) gets
// nothing more, and the others go on; Err returns the first error.
type Table struct {
	sinks []Sink
	// errs holds each sink's write error.
	errs    []error
	verbose bool
	widths  [6]int // NAME KIND SIZES VERDICT REL-ERR TOL; NOTE is last
	details []string
	// entries are the failed results that name the entries that disagree
	// most, printed under the table.
	entries []gradcheck.Result
	// expected are the lines "name: kind expr" of the failures whose
	// expected result was derived from f.
	expected []string
}

// Sink is one destination of the text report: W, coloured (ANSI escapes
// on the verdicts) when Color is set.
type Sink struct {
	W     io.Writer
	Color bool
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
	// Whether to colour is decided per sink, not by the package's global
	// guess about stdout.
	for _, c := range verdictColors {
		c.EnableColor()
	}
}

// NewTable prepares a table of the results of claims, writing to sinks.
// Verbose lists the worst comparison of each result that did not pass
// under the table.
func NewTable(claims []run.ClaimRef, verbose bool, sinks ...Sink) *Table {
	t := &Table{sinks: sinks, errs: make([]error, len(sinks)), verbose: verbose}
	for i := range t.widths {
		t.widths[i] = len(headings[i])
	}
	t.widths[1] = max(t.widths[1], len("equals"))
	t.widths[3] = len("inconclusive")
	t.widths[4] = len("-1.0e-300")
	t.widths[5] = t.widths[4]
	for _, c := range claims {
		t.widths[0] = max(t.widths[0], utf8.RuneCountInString(Printable(c.Name)))
		t.widths[2] = max(t.widths[2], len(formulas.FormatSizes(c.Sizes)))
	}
	return t
}

// print writes s to every sink that has not failed, coloured where the
// sink takes colour, remembering each one's error.
func (t *Table) print(plain, colored string) {
	for i, s := range t.sinks {
		if t.errs[i] != nil {
			continue
		}
		out := plain
		if s.Color {
			out = colored
		}
		_, t.errs[i] = io.WriteString(s.W, out)
	}
}

// printf writes the same text to every sink.
func (t *Table) printf(format string, args ...any) {
	s := fmt.Sprintf(format, args...)
	t.print(s, s)
}

// line writes one row of cells, padded to the column widths; the verdict
// cell is coloured by verdict v where colour is on. Each cell is
// Printable: a control character of a claim name is written escaped. A
// cell wider than its column (a result of no claim the table was made
// for) widens it for this row and the rows after.
func (t *Table) line(cells [7]string, v gradcheck.Verdict) {
	for i := range cells {
		cells[i] = Printable(cells[i])
	}
	var plain, colored strings.Builder
	for i, c := range cells[:6] {
		t.widths[i] = max(t.widths[i], utf8.RuneCountInString(c))
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

// Header writes the column headings.
func (t *Table) Header() { t.line(headings, "") }

// Row writes the row of one result.
func (t *Table) Row(r gradcheck.Result) {
	relErr, tol := "-", "-"
	if decisive(r) {
		relErr, tol = fmt.Sprintf("%.1e", r.MaxRelErr), fmt.Sprintf("%.1e", r.Tolerance)
	}
	t.line([7]string{r.Name, string(r.Kind), formulas.FormatSizes(r.Sizes), string(r.Verdict), relErr, tol, note(r)}, r.Verdict)
	if r.Verdict == gradcheck.Fail && len(r.Entries) > 0 {
		t.entries = append(t.entries, r)
	}
	if r.Verdict == gradcheck.Fail && r.Expected != "" {
		t.expected = append(t.expected, expectedText(r))
	}
	if t.verbose && r.Verdict != gradcheck.Pass && decisive(r) {
		t.details = append(t.details, worstText(r))
	}
}

// Footer writes the worst entries of the failures, their expected results
// derived from f, the details (verbose),
// the summary line and the commands that re-run the claims that did not
// pass.
func (t *Table) Footer(summary string, reruns []string) {
	for _, r := range t.entries {
		t.printf("\n%s", entriesText(r))
	}
	if len(t.expected) > 0 {
		t.printf("\n%s\n  %s\n", expectedHeading, strings.Join(t.expected, "\n  "))
	}
	if len(t.details) > 0 {
		t.printf("\n%s\n", strings.Join(t.details, "\n"))
	}
	t.printf("\n%s\n", summary)
	if len(reruns) > 0 {
		t.printf("\nRe-run a claim that did not pass:\n")
		for _, r := range reruns {
			t.printf("  %s\n", Printable(r))
		}
	}
}

// Err returns the error of the first sink that failed, in the order the
// sinks were given, or nil.
func (t *Table) Err() error {
	for _, err := range t.errs {
		if err != nil {
			return err
		}
	}
	return nil
}

var textFormat = format{name: "text", write: writeText, help: `a table NAME KIND SIZES VERDICT REL-ERR TOL NOTE (NOTE is the
diagnosis of a failure, else the reason for the verdict; the
verdict is coloured on a terminal unless NO_COLOR is set), the
entries that disagree most, a summary line, and for every claim
that did not pass the command that re-runs it alone.`}

// writeText writes the report as the text table, without colour; its
// columns fit the results as well as the claims (a Report made by hand
// may list no claims).
func writeText(w io.Writer, rep *run.Report) error {
	claims := slices.Clone(rep.Claims)
	for _, r := range rep.Results {
		claims = append(claims, run.ClaimRef{Name: r.Name, Sizes: r.Sizes})
	}
	t := NewTable(claims, false, Sink{W: w})
	t.Header()
	for _, r := range rep.Results {
		t.Row(r)
	}
	t.Footer(SummaryLine(rep, rep.Elapsed > 0), rep.Reruns())
	return t.Err()
}

// worstText describes the worst comparison of r, for --verbose: the
// values compared are a finite difference and the claim's value along one
// direction, or for an identity the Frobenius norms of its two sides,
// whose difference (often below the digits shown) the relative error
// gives.
func worstText(r gradcheck.Result) string {
	w := r.Worst
	if r.Kind == formulas.Equals {
		return fmt.Sprintf("%s: worst comparison at instance %d: ‖f‖ %.6g, ‖claimed‖ %.6g, ‖f − claimed‖ %.2g times the larger",
			Printable(r.Name), w.Instance, w.FiniteDiff, w.Claimed, r.MaxRelErr)
	}
	return fmt.Sprintf("%s: worst comparison at instance %d, direction %d: finite difference %.6g, claimed %.6g",
		Printable(r.Name), w.Instance, w.Direction, w.FiniteDiff, w.Claimed)
}
