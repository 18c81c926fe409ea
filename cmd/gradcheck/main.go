// Command gradcheck verifies matrix-calculus claims (gradients,
// differentials, Jacobians, Hessians and identities) against finite
// differences on batches of random matrices.
//
// Usage:
//
//	gradcheck list                     the built-in registry of claims
//	gradcheck run [NAME|GLOB ...]      verify registry claims (default: all)
//	gradcheck check --spec FILE        verify the claims of a YAML spec file
//	gradcheck check --f EXPR --wrt V --grad EXPR --var X=n,n ...
//	                                   verify one claim given inline
//	gradcheck merge REPORT.json ...    combine the reports of the shards
//	                                   of one run (--shard I/N)
//	gradcheck bench [NAME|GLOB ...]    measure verification speed against
//	                                   the machine's peak
//
// Exit codes:
//
//	0  every claim passed
//	1  at least one claim failed, was inconclusive or could not be evaluated
//	2  the invocation was wrong (bad flag or value, unknown command, parse or
//	   shape error in a claim, unreadable or invalid YAML); nothing ran
//	3  gradcheck itself failed (an internal error)
//	130  interrupted (Ctrl-C); the report of what finished is written,
//	   marked incomplete
//
// Run 'gradcheck COMMAND --help' for the flags of a command.
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
// interrupt (Ctrl-C, SIGINT, or SIGTERM as a Kubernetes pod or Slurm job
// gets when cancelled) stops a run: it writes the report of what finished
// and returns 130.
func run(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// After the first interrupt, a second one ends the process at once.
	context.AfterFunc(ctx, stop)
	return runContext(ctx, args, stdout, stderr)
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
	return exitCode(dispatch(ctx, &env{stdout: stdout, stderr: stderr}, args), stderr)
}
