package report

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

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
// report is written. The file is written whole or not at all (writeFile).
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
		if err := writeFile(o.path, data); err != nil {
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

// writeFile writes data to the file path whole or not at all: into a new
// file beside it (beside the file a symbolic link names), renamed over it,
// so that a full disk or a killed process leaves the old file or none,
// never part of a report. A file that is there keeps its permissions. A
// path that is not a regular file (/dev/stdout, a named pipe), or a file
// in a directory gradcheck may not write to, is written in place.
func writeFile(path string, data []byte) error {
	target := path
	if resolved, err := filepath.EvalSymlinks(path); err == nil {
		target = resolved
	}
	perm := os.FileMode(0o644)
	if fi, err := os.Stat(target); err == nil {
		if !fi.Mode().IsRegular() {
			return os.WriteFile(path, data, perm)
		}
		perm = fi.Mode().Perm()
	}
	tmp, f, err := createBeside(target, perm)
	if err != nil {
		if _, serr := os.Stat(target); serr == nil {
			return os.WriteFile(target, data, perm)
		}
		var pe *fs.PathError
		if errors.As(err, &pe) {
			pe.Path = path // the temporary file's name would puzzle
		}
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		// The umask applied when the file was made; an existing file's
		// permissions are kept as they were.
		if _, serr := os.Stat(target); serr == nil {
			err = os.Chmod(tmp, perm)
		}
	}
	if err == nil {
		err = os.Rename(tmp, target)
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

// createBeside creates a new, empty file with permissions perm (less the
// umask) in the directory of path, with a name of its own.
func createBeside(path string, perm os.FileMode) (string, *os.File, error) {
	dir, base := filepath.Split(path)
	for i := 0; ; i++ {
		tmp := filepath.Join(dir, fmt.Sprintf(".%s.%d-%d.tmp", base, os.Getpid(), i))
		f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
		if errors.Is(err, fs.ErrExist) && i < 100 {
			continue
		}
		return tmp, f, err
	}
}
