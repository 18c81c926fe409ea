package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// version is the version that --version prints; release builds set it with
// -ldflags "-X main.version=1.2.3".
var version = "0.1.0-dev"

func main() {
	stopProfile := startProfile(os.Getenv(profileEnv), os.Stderr)
	code := run(os.Args[1:], os.Stdout, os.Stderr)
	stopProfile()
	os.Exit(code)
}

// run executes the command line args (without the program name), writing
// results to stdout and messages to stderr, and returns the exit code. An
// interrupt (one of interruptSignals) stops a run: it writes the report of
// what finished and returns 130.
func run(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), interruptSignals()...)
	defer stop()
	// After the first interrupt, a second one ends the process at once.
	context.AfterFunc(ctx, stop)
	return runContext(ctx, args, stdout, stderr)
}

// interruptSignals are the signals that interrupt a run: Ctrl-C (SIGINT),
// SIGTERM (as a Kubernetes pod or Slurm job gets when cancelled) and
// SIGHUP (the terminal or the ssh session closed), which would otherwise
// end gradcheck without its report. SIGHUP only where it is not ignored
// at start: under nohup it stays ignored.
func interruptSignals() []os.Signal {
	sigs := []os.Signal{os.Interrupt, syscall.SIGTERM}
	if !signal.Ignored(syscall.SIGHUP) {
		sigs = append(sigs, syscall.SIGHUP)
	}
	return sigs
}

// runContext is run, interrupted when ctx is cancelled. It never panics: a
// panic is reported as an internal error (exit 3) without a stack trace.
func runContext(ctx context.Context, args []string, stdout, stderr io.Writer) (code int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "gradcheck: internal error: %s (please report this bug)\n", oneLine(fmt.Sprint(r)))
			code = exitInternal
		}
	}()
	return exitCode(dispatch(ctx, &env{stdin: os.Stdin, stdout: stdout, stderr: stderr}, args), stderr)
}
