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
	// Said is the last line the worker wrote on stderr, its own words
	// for why (the loader's "cannot open shared object file"), or "".
	Said string
}

func (e *WorkerError) Error() string {
	if e.Said != "" {
		return e.Path + ": " + e.Err.Error() + "; it said: " + e.Said
	}
	return e.Path + ": " + e.Err.Error()
}

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
	said := &lastLine{}
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Stdout, cmd.Stderr = &out, io.MultiWriter(stderr, said)
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	runErr := cmd.Run()
	var rep Report
	if err := ReadJSON(&out, &rep); err != nil {
		if runErr != nil {
			return rep, &WorkerError{Path: path, Err: runErr, Said: said.String()}
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

// lastLine keeps the last non-empty line written to it, at most
// maxSaid bytes of it.
type lastLine struct{ line, partial []byte }

// maxSaid bounds the line lastLine keeps.
const maxSaid = 1 << 10

func (l *lastLine) Write(p []byte) (int, error) {
	for _, c := range p {
		switch {
		case c == '\n':
			if len(bytes.TrimSpace(l.partial)) > 0 {
				l.line = append(l.line[:0], l.partial...)
			}
			l.partial = l.partial[:0]
		case len(l.partial) < maxSaid:
			l.partial = append(l.partial, c)
		}
	}
	return len(p), nil
}

// String is the last complete line, or the unfinished one after it.
func (l *lastLine) String() string {
	if len(bytes.TrimSpace(l.partial)) > 0 {
		return string(bytes.TrimSpace(l.partial))
	}
	return string(bytes.TrimSpace(l.line))
}
