package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
)

// WorkerError is OnWorker's error when the worker ended without a report.
type WorkerError struct {
	Path string // the worker
	Err  error  // how it ended
}

func (e *WorkerError) Error() string { return e.Path + ": " + e.Err.Error() }

func (e *WorkerError) Unwrap() error { return e.Err }

// OnWorker measures in another process, the GPU worker's bench command:
// it runs path with args (which must ask for --format json), passes the
// worker's log on to stderr, and reads the JSON report the worker writes
// on stdout. An interrupt (ctx cancelled) is passed on to the worker as
// SIGINT; a worker that ends with exit code 130 gives an Incomplete report.
// A worker that measured and found a claim not passing exits 1; the report
// says which, and that is no error here.
func OnWorker(ctx context.Context, path string, args []string, stderr io.Writer) (Report, error) {
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Stdout, cmd.Stderr = &out, stderr
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	runErr := cmd.Run()
	var rep Report
	if err := ReadJSON(&out, &rep); err != nil {
		if runErr != nil {
			return rep, &WorkerError{Path: path, Err: runErr}
		}
		return rep, fmt.Errorf("reading the report of %s: %w", path, err)
	}
	var exit *exec.ExitError
	if runErr != nil && errors.As(runErr, &exit) && exit.ExitCode() == interrupted {
		rep.Incomplete = true
	}
	return rep, nil
}

// interrupted is the exit code of an interrupted gradcheck: 128 + SIGINT.
const interrupted = 130
