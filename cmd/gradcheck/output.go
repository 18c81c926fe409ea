package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"

	"github.com/gradcheck/gradcheck/progress"
	"github.com/gradcheck/gradcheck/report"
)

// formats are the values of --format.
var formats = report.Formats()

// formatFor returns the report format of command cmd: format when it was
// given (changed) or there is no --out file, else the one the extension of
// the --out file names (report.FormatOf, or text for textExts). An --out
// file of another extension, or none, is a usage error that names the
// extensions known: gradcheck run --out report.junit wrote the text table
// there, which a JUnit uploader rejects (found by the walkthrough). A file
// that is there and is not a regular file (/dev/null, a named pipe, the
// /dev/fd/63 of a shell's >(...)), or a standard stream's name (isStream),
// gets format, as a name it was not given.
func formatFor(cmd, format string, changed bool, out string) (string, error) {
	if changed || out == "" {
		return format, nil
	}
	if f, ok := report.FormatOf(out); ok {
		return f, nil
	}
	ext := strings.ToLower(filepath.Ext(out))
	if slices.Contains(textExts, ext) {
		return "text", nil
	}
	if fi, err := os.Stat(out); err == nil && !fi.Mode().IsRegular() || isStream(out) {
		return format, nil
	}
	what := fmt.Sprintf("extension %q is not one gradcheck knows", ext)
	if ext == "" {
		what = "no extension to choose the format by"
	}
	return "", usageErrorf(cmd, "--out %s: %s: name it .json, .xml (junit), .md (markdown) or .txt (text), or give --format", out, what)
}

// isStream reports whether out names a standard stream or descriptor
// (/dev/stdout, /dev/fd/1, /proc/self/fd/1), which a shell that redirects
// it to a file makes a regular file of no extension: refused, it broke
// --out /dev/stdout (the second review helper). Other names under /dev
// (/dev/shm/r.jsn) are files like any.
func isStream(out string) bool {
	out = filepath.Clean(out)
	return out == "/dev/stdout" || out == "/dev/stderr" ||
		strings.HasPrefix(out, "/dev/fd/") || strings.HasPrefix(out, "/proc/self/fd/")
}

// textExts are the extensions of an --out file that ask for the text
// table, which no extension of report.FormatOf names.
var textExts = []string{".txt", ".text", ".log"}

// stdoutPath is the --out value that means stdout, as no --out does.
const stdoutPath = "-"

// outPath is the file an --out value names: "" (stdout) for "-", and for
// a name of stdout itself where stdout is a pipe or a terminal
// (/dev/stdout, /dev/fd/1): the report then goes to stdout alone, as
// with "-", where it followed the text table on the same pipe
// (`--out /dev/stdout --format junit | ...` was no XML).
func outPath(out string, stdout io.Writer) string {
	if out == stdoutPath {
		return ""
	}
	if f, ok := stdout.(*os.File); ok && out != "" {
		so, serr := f.Stat()
		fo, ferr := os.Stat(out)
		if serr == nil && ferr == nil && !fo.Mode().IsRegular() && os.SameFile(so, fo) {
			return ""
		}
	}
	return out
}

// checkOut finds an unwritable --out file before the run, not after it.
// It leaves no file behind: one it had to create to try is removed, so
// that a run that does not finish leaves no empty report.
func checkOut(cmd, out string) error {
	if out == "" {
		return nil
	}
	f, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	created := err == nil
	if errors.Is(err, fs.ErrExist) {
		// A file that is there, or a symbolic link (whose file, if
		// missing, is made as before).
		f, err = os.OpenFile(out, os.O_WRONLY|os.O_CREATE, 0o644)
	}
	if err != nil {
		return usageErrorf(cmd, "--out: %v", err)
	}
	f.Close()
	if created {
		os.Remove(out)
	}
	return nil
}

// surviveClosedStdout makes a write to a closed stdout pipe fail with
// EPIPE instead of ending gradcheck by SIGPIPE, for a command that writes
// its report to an --out file: the table on stdout is then a copy, and
// 'gradcheck run --out r.json | head' must not lose r.json (see
// report.Output.Finish). Without --out, stdout is the report, and a
// closed pipe ends gradcheck at once, as it does other Unix tools. The
// function returned restores that.
func surviveClosedStdout(out string) (restore func()) {
	if out == "" {
		return func() {}
	}
	signal.Ignore(syscall.SIGPIPE)
	return func() { signal.Reset(syscall.SIGPIPE) }
}

// checkNotInput refuses an --out file that is also an input of cmd (a
// --spec file, a shard report to merge): the report would overwrite it.
func checkNotInput(cmd, out string, inputs []string) error {
	if out == "" {
		return nil
	}
	fo, err := os.Stat(out)
	if err != nil {
		return nil // not there yet: no input
	}
	for _, in := range inputs {
		if fi, err := os.Stat(in); err == nil && os.SameFile(fo, fi) {
			return usageErrorf(cmd, "--out %s is the input %s: the report would overwrite it", out, in)
		}
	}
	return nil
}

// outputError gives an error of report.Output its exit code: a failed
// write is exit 3 with what failed and why, as in "writing the report:
// write /dev/full: no space left on device".
func outputError(err error) error {
	var failed *report.WriteError
	if errors.As(err, &failed) {
		return toolError(failed.What, failed.Err)
	}
	return err
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
