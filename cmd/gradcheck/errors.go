package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/gradcheck/gradcheck/report"
	gcrun "github.com/gradcheck/gradcheck/run"
)

// Exit codes (see the package documentation).
const (
	exitOK       = 0 // every claim passed
	exitFail     = 1 // a claim failed, was inconclusive or errored
	exitUsage    = 2 // the invocation was wrong; nothing ran
	exitInternal = 3 // gradcheck itself failed
	// exitInterrupted ends a run stopped by an interrupt (Ctrl-C), as
	// shells report a process that SIGINT ended: 128 + 2.
	exitInterrupted = 130
)

// exitError is an error that ends the program with a given exit code.
type exitError struct {
	code int
	// msg is the one-line message; empty for errNotAllPassed, whose
	// results already say what went wrong.
	msg string
	// help, when set, is the command whose --help the message points to
	// ("" for none, "gradcheck" for the overview).
	help string
}

func (e *exitError) Error() string { return e.msg }

// errNotAllPassed ends a run in which some claim did not pass.
var errNotAllPassed = &exitError{code: exitFail}

// usageErrorf reports a bad flag, value or argument of command cmd: exit 2,
// with a pointer to 'gradcheck cmd --help'.
func usageErrorf(cmd, format string, args ...any) error {
	return &exitError{code: exitUsage, msg: oneLine(fmt.Sprintf(format, args...)), help: cmd}
}

// inputErrorf reports a bad claim or spec file: exit 2.
func inputErrorf(format string, args ...any) error {
	return &exitError{code: exitUsage, msg: oneLine(fmt.Sprintf(format, args...))}
}

// failErrorf reports a failure to verify that is not the invocation's
// fault: exit 1.
func failErrorf(format string, args ...any) error {
	return &exitError{code: exitFail, msg: oneLine(fmt.Sprintf(format, args...))}
}

// noGPUError reports that --backend gpu found no GPU to run on (see
// run.ErrNoGPU): the tool cannot run here, and nothing ran (exit 3). It
// was exit 1, a claim's failure, which the CI recipes of the README take
// for a run whose report is written: a GPU pod built from a broken image
// passed, its shard found missing only at the merge (found by the
// walkthrough).
func noGPUError(err error) error {
	return &exitError{code: exitInternal, msg: oneLine(err.Error())}
}

// exitCode prints err, if any, to stderr and returns its exit code. Errors
// that are not exitErrors are internal failures.
func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return exitOK
	}
	var e *exitError
	if !errors.As(err, &e) {
		fmt.Fprintf(stderr, "gradcheck: internal error: %s\n", oneLine(err.Error()))
		return exitInternal
	}
	if e.msg != "" {
		fmt.Fprintf(stderr, "gradcheck: %s\n", e.msg)
	}
	switch e.help {
	case "":
	case "gradcheck":
		fmt.Fprintln(stderr, "run 'gradcheck --help' for usage")
	default:
		fmt.Fprintf(stderr, "run 'gradcheck %s --help' for usage\n", e.help)
	}
	return e.code
}

// oneLine joins the lines of s, so that every message is one line, and
// escapes what is left that a terminal would not print (report.Printable):
// a file name or unknown flag given with an ESC in it is written \x1b.
func oneLine(s string) string {
	return report.Printable(strings.Join(strings.Fields(s), " "))
}

// toolError reports that gradcheck could not finish its job (exit 3),
// saying what failed and why: a failure to write the results or a report
// (a full disk, a closed pipe: "writing the report: write /dev/full: no
// space left on device"), through no bug of its own, or a fault of
// derive's own (formulas.ErrInternal: "derive: internal error: …"; it
// exited 1, a claim's failure).
func toolError(what string, err error) error {
	return &exitError{code: exitInternal, msg: oneLine(fmt.Sprintf("%s: %v", what, err))}
}

// selectError reports an error of selecting the claims of command cmd: a
// pattern that matches nothing is the invocation's fault (exit 2, with a
// pointer to --help), a spec file that does not load the input's (exit 2),
// a registry that does not load gradcheck's own (exit 3).
func selectError(cmd string, err error) error {
	var pat *gcrun.PatternError
	switch {
	case errors.As(err, &pat) && (cmd == "run" || cmd == "bench"):
		return usageErrorf(cmd, "%v (see 'gradcheck list')", err)
	case errors.As(err, &pat):
		return usageErrorf(cmd, "%v", err)
	case cmd == "check":
		return inputErrorf("%v", err)
	}
	return err
}
