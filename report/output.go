package report

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"syscall"

	"github.com/gradcheck/gradcheck/internal/wholefile"
	"github.com/gradcheck/gradcheck/run"
)

// Output delivers the report of a run where gradcheck's --format and --out
// say: the text table streams to stdout as results arrive (Header, Row),
// unless stdout gets the report in another format; Finish writes the
// report in its format to the file path, or else to stdout, and then,
// when stdout got JSON, JUnit or markdown, the summary line and the
// re-run commands to stderr.
type Output struct {
	*Table
	stdout, stderr io.Writer
	format, path   string
	textCopy       *bytes.Buffer // the text report for path
}

// NewOutput prepares the output of a report on claims in format to path
// ("" for stdout); color says whether the table may colour stdout, verbose
// whether it shows the worst comparison of each failure.
func NewOutput(stdout, stderr io.Writer, format, path string, claims []run.ClaimRef, verbose, color bool) *Output {
	o := &Output{stdout: stdout, stderr: stderr, format: format, path: path}
	var sinks []Sink
	if path != "" || format == "text" {
		sinks = append(sinks, Sink{W: stdout, Color: color})
	}
	if path != "" && format == "text" {
		o.textCopy = new(bytes.Buffer)
		sinks = append(sinks, Sink{W: o.textCopy})
	}
	o.Table = NewTable(claims, verbose, sinks...)
	return o
}

// WriteError is Output's error when the results or the report could not
// be written (a full disk, a closed pipe).
type WriteError struct {
	What string // what was written: "writing the report"
	Err  error
}

func (e *WriteError) Error() string { return e.What + ": " + e.Err.Error() }

func (e *WriteError) Unwrap() error { return e.Err }

// Finish ends the table and writes the report. A run's summary gives its
// time; a merged report's has none. With a file to write, a failed table
// on stdout loses nothing: the report is written all the same, and a
// closed pipe (gradcheck run --out r.json | head) is no error at all, as
// the reader has what it wanted; another failure is returned once the
// report is written. The file is written whole or not at all (wholefile.Write).
func (o *Output) Finish(rep *run.Report) error {
	summary := SummaryLine(rep, rep.Elapsed > 0)
	cmds := rep.Reruns()
	o.Footer(summary, cmds)
	tableErr := o.Err()
	if tableErr != nil && o.path == "" {
		return &WriteError{"writing the results", tableErr}
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
		if err := Write(&b, o.format, rep); err != nil {
			return err
		}
		data = b.Bytes()
	}
	if o.path != "" {
		if err := wholefile.Write(o.path, data); err != nil {
			return &WriteError{"writing the report", err}
		}
		if tableErr != nil && !errors.Is(tableErr, syscall.EPIPE) {
			return &WriteError{"writing the results", tableErr}
		}
		return nil
	}
	if _, err := o.stdout.Write(data); err != nil {
		return &WriteError{"writing the report", err}
	}
	var b strings.Builder
	fmt.Fprintln(&b, summary)
	if len(cmds) > 0 {
		b.WriteString("Re-run a claim that did not pass:\n")
		for _, cmd := range cmds {
			fmt.Fprintf(&b, "  %s\n", Printable(cmd))
		}
	}
	io.WriteString(o.stderr, b.String())
	return nil
}
