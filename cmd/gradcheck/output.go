package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
)

// output sends a report where the flags say: the report in its format to
// the --out file, or else to stdout; the text table to stdout whenever
// stdout does not get the report in another format. When stdout gets JSON,
// JUnit or markdown, the summary line and the re-run commands go to stderr.
type output struct {
	e        *env
	format   string
	out      string
	table    *table
	textCopy *bytes.Buffer
}

// newOutput prepares the output of a report on claims; color says whether
// the table may colour stdout.
func newOutput(e *env, format, out string, claims []claimRef, verbose, color bool) *output {
	o := &output{e: e, format: format, out: out}
	var sinks []sink
	if out != "" || format == "text" {
		sinks = append(sinks, sink{w: e.stdout, color: color})
	}
	if out != "" && format == "text" {
		o.textCopy = new(bytes.Buffer)
		sinks = append(sinks, sink{w: o.textCopy})
	}
	o.table = newTable(claims, verbose, sinks...)
	return o
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
func (o *output) finish(rep *runReport) error {
	summary := summaryLine(rep, rep.elapsed > 0)
	reruns := rep.reruns()
	o.table.footer(summary, reruns)
	if err := o.table.err; err != nil {
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
		var err error
		if data, err = encodeReport(o.format, rep); err != nil {
			return err
		}
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

// encodeReport writes the report in format json, junit or markdown.
func encodeReport(format string, rep *runReport) ([]byte, error) {
	switch format {
	case "json":
		return reportJSON(rep)
	case "junit":
		return reportJUnit(rep)
	case "markdown":
		return reportMarkdown(rep), nil
	}
	return nil, fmt.Errorf("unknown report format %q", format)
}
