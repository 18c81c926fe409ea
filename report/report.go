package report

import (
	"bytes"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"unicode"
	"unicode/utf8"

	"github.com/gradcheck/gradcheck"
	"github.com/gradcheck/gradcheck/formulas"
	"github.com/gradcheck/gradcheck/run"
)

// format is one format of Write.
type format struct {
	name  string
	write func(w io.Writer, rep *run.Report) error
	// exts are the extensions of the file names that ask for the format.
	exts []string
	// help describes the format in --help, in lines of at most 64
	// characters.
	help string
}

// formats are the formats of Write, in the order help texts list them. A
// new format is a file with its format value, writer and golden test, and
// a line here.
var formats = []format{textFormat, jsonFormat, junitFormat, markdownFormat}

// Formats returns the names of the formats Write writes.
func Formats() []string {
	names := make([]string, len(formats))
	for i, f := range formats {
		names[i] = f.name
	}
	return names
}

// FormatOf returns the format that the extension of the file name path
// asks for (.json, .xml for junit, .md or .markdown), if any.
func FormatOf(path string) (string, bool) {
	ext := strings.ToLower(filepath.Ext(path))
	for _, f := range formats {
		if slices.Contains(f.exts, ext) {
			return f.name, true
		}
	}
	return "", false
}

// FormatsHelp describes the formats for --help: a paragraph per format,
// its name in the first column.
func FormatsHelp() string {
	var b strings.Builder
	for _, f := range formats {
		fmt.Fprintf(&b, "  %-10s%s\n", f.name, strings.ReplaceAll(f.help, "\n", "\n"+strings.Repeat(" ", 12)))
	}
	return b.String()
}

// Write writes rep to w in format: text (the table of Table with its
// footer), json (the schema of run.Report, which run.ReadReport reads),
// junit (JUnit XML) or markdown.
func Write(w io.Writer, format string, rep *run.Report) error {
	for _, f := range formats {
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
	fmt.Fprintf(&b, "%s %s: the entries that disagree most\n", Printable(r.Name), formulas.FormatSizes(r.Sizes))
	tw := tabwriter.NewWriter(&b, 0, 8, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "  INSTANCE\tI\tJ\tCLAIMED\tFINITE-DIFF\t")
	digits := entryDigits(r.Entries)
	for _, e := range r.Entries {
		fmt.Fprintf(tw, "  %d\t%d\t%d\t%.*g\t%.*g\t\n", e.Instance, e.I, e.J, digits, e.Claimed, digits, e.FiniteDiff)
	}
	tw.Flush()
	return b.String()
}

// entryDigits is the number of significant digits the entries table
// prints: 6, or as many more as it takes for every claimed value that
// differs from its finite difference to print differently (a claim
// 1.000001 times the truth printed 0.556709 on both sides), at most 17.
func entryDigits(entries []gradcheck.Entry) int {
	digits := 6
	for _, e := range entries {
		for digits < 17 && e.Claimed != e.FiniteDiff &&
			strconv.FormatFloat(e.Claimed, 'g', digits, 64) == strconv.FormatFloat(e.FiniteDiff, 'g', digits, 64) {
			digits++
		}
	}
	return digits
}

// decisive reports whether some comparison of r agreed or disagreed, so
// that its worst relative error and tolerance mean something: not for a
// claim with the transposed shape, whose numbers are its transpose's (a
// fail showed 2.0e-10 against a tolerance of 3.8e-06, read as a pass;
// the statistician's walkthrough).
func decisive(r gradcheck.Result) bool {
	return r.Counts.Agreed+r.Counts.Disagreed > 0 && r.ShapeMismatch == ""
}

// oneLine joins the lines of s, so that every cell and message is one line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// Printable returns s with each character that is not printable written
// as its escape in a Go string literal: control characters (\n, \t,
// \x1b), format characters such as the bidirectional override U+202E
// (\u202e), and bytes that are not UTF-8 (\xff). A claim name of a spec
// file, or given with --name, may hold any of them; raw, they would break
// a table's rows and columns or reach a terminal as escape sequences.
// Printable characters, spaces and backslashes included, stay as they are.
func Printable(s string) string {
	if strings.IndexFunc(s, func(r rune) bool { return r == utf8.RuneError || !unicode.IsPrint(r) }) < 0 {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, width := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && width == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case unicode.IsPrint(r):
			b.WriteString(s[i : i+width])
		default:
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		}
		i += width
	}
	return b.String()
}

// expectedHeading introduces the expected results of failed claims.
const expectedHeading = "Expected, derived from f (gradcheck derive):"

// expectedText is "name: kind expr", the result a failed claim should have
// claimed.
func expectedText(r gradcheck.Result) string {
	return fmt.Sprintf("%s: %s %s", Printable(r.Name), r.Kind, r.Expected)
}
