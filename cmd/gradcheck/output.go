package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/gradcheck/gradcheck/progress"
	"github.com/gradcheck/gradcheck/report"
	gcrun "github.com/gradcheck/gradcheck/run"
)

// output sends a report where the flags say: the report in its format to
// the --out file, or else to stdout; the text table to stdout whenever
// stdout does not get the report in another format. When stdout gets JSON,
// JUnit or markdown, the summary line and the re-run commands go to stderr.
type output struct {
	e        *env
	format   string
	out      string
	table    *report.Table
	textCopy *bytes.Buffer
}

// newOutput prepares the output of a report on claims; color says whether
// the table may colour stdout.
func newOutput(e *env, format, out string, claims []gcrun.ClaimRef, verbose, color bool) *output {
	o := &output{e: e, format: format, out: out}
	var sinks []report.Sink
	if out != "" || format == "text" {
		sinks = append(sinks, report.Sink{W: e.stdout, Color: color})
	}
	if out != "" && format == "text" {
		o.textCopy = new(bytes.Buffer)
		sinks = append(sinks, report.Sink{W: o.textCopy})
	}
	o.table = report.NewTable(claims, verbose, sinks...)
	return o
}

// formats are the values of --format.
var formats = report.Formats()

// formatFor returns the report format: format when it was given (changed),
// else the one the extension of the --out file names (report.FormatOf),
// else format.
func formatFor(format string, changed bool, out string) string {
	if f, ok := report.FormatOf(out); ok && !changed {
		return f
	}
	return format
}

// checkOut finds an unwritable --out file before the run, not after it.
func checkOut(cmd, out string) error {
	if out == "" {
		return nil
	}
	f, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE, 0o644)
	if err != nil {
		return usageErrorf(cmd, "--out: %v", err)
	}
	return f.Close()
}

// finish ends the table and writes the report. A run's summary gives its
// time; a merged report's has none.
func (o *output) finish(rep *gcrun.Report) error {
	summary := report.SummaryLine(rep, rep.Elapsed > 0)
	reruns := rep.Reruns()
	o.table.Footer(summary, reruns)
	if err := o.table.Err(); err != nil {
		return writeError("writing the results", err)
	}
	var data []byte
	switch o.format {
	case "text":
		if o.textCopy == nil {
			return nil
		}
		data = o.textCopy.Bytes()
	default:
		var b bytes.Buffer
		if err := report.Write(&b, o.format, rep); err != nil {
			return err
		}
		data = b.Bytes()
	}
	if o.out != "" {
		if err := os.WriteFile(o.out, data, 0o644); err != nil {
			return writeError("writing the report", err)
		}
		return nil
	}
	if _, err := o.e.stdout.Write(data); err != nil {
		return writeError("writing the report", err)
	}
	var b strings.Builder
	fmt.Fprintln(&b, summary)
	if len(reruns) > 0 {
		fmt.Fprintf(&b, "Re-run a claim that did not pass:\n  %s\n", strings.Join(reruns, "\n  "))
	}
	io.WriteString(o.e.stderr, b.String())
	return nil
}

// useColor reports whether text written to w may be coloured: only when w
// is a terminal, and never when NO_COLOR is set (https://no-color.org) or
// TERM is dumb.
func useColor(w io.Writer) bool {
	if getenv("NO_COLOR") != "" || getenv("TERM") == "dumb" {
		return false
	}
	return progress.IsTerminal(w)
}
