package main

import (
	"errors"
	"io"
	"os"

	"github.com/gradcheck/gradcheck/progress"
	"github.com/gradcheck/gradcheck/report"
)

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

// stdoutPath is the --out value that means stdout, as no --out does.
const stdoutPath = "-"

// outPath is the file an --out value names: "" (stdout) for "-".
func outPath(out string) string {
	if out == stdoutPath {
		return ""
	}
	return out
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
		return writeError(failed.What, failed.Err)
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
