package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/gradcheck/gradcheck"
	"github.com/gradcheck/gradcheck/cpu"
	"github.com/gradcheck/gradcheck/formulas"
	"github.com/gradcheck/gradcheck/gpu/worker"
)

// workerName is the GPU worker: this command built with -tags cuda (make
// gpu). gradcheck itself never links CUDA, because gorgonia.org/cu ends any
// process that loads it on a machine without a GPU.
const workerName = "gradcheck-cuda"

// workerStartTimeout bounds the worker's start: loading the driver and
// JIT-compiling the PTX for the device.
const workerStartTimeout = 60 * time.Second

// engine verifies claims on one backend, in this process or in a worker.
type engine interface {
	// name is the backend's name for reports.
	name() string
	// verify checks one claim; an error means the engine itself failed
	// (the worker died), not the claim.
	verify(ctx context.Context, c *formulas.Claim, s gradcheck.Settings) (gradcheck.Result, error)
	close() error
}

// localEngine verifies in this process, on the CPU.
type localEngine struct{}

func (localEngine) name() string { return "cpu" }

func (localEngine) verify(ctx context.Context, c *formulas.Claim, s gradcheck.Settings) (gradcheck.Result, error) {
	return verify(ctx, cpu.New(), c, s), nil
}

func (localEngine) close() error { return nil }

// workerEngine verifies in a GPU worker process. A worker that dies fails
// the job it was running; the next job starts a new worker.
type workerEngine struct {
	path   string
	stderr io.Writer
	client *worker.Client
}

func (w *workerEngine) name() string { return "gpu" }

// start starts a worker. What the worker writes to stderr is held back
// until it has started, so that a worker that cannot start (no driver, no
// device) is reported in one line that quotes its last words.
func (w *workerEngine) start(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, workerStartTimeout)
	defer cancel()
	cmd := exec.Command(w.path, "worker")
	log := &startLog{}
	cmd.Stderr = log
	c, err := worker.Start(ctx, cmd)
	if err != nil {
		if last := log.lastLine(); last != "" {
			err = fmt.Errorf("%w: %s", err, last)
		}
		return err
	}
	log.forward(w.stderr)
	w.client = c
	return nil
}

// startLog keeps a worker's stderr until the worker has started, then
// passes it on.
type startLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
	out io.Writer
}

func (l *startLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.out != nil {
		return l.out.Write(p)
	}
	return l.buf.Write(p)
}

// forward writes what was kept to out, and everything later too.
func (l *startLog) forward(out io.Writer) {
	l.mu.Lock()
	defer l.mu.Unlock()
	out.Write(l.buf.Bytes())
	l.out = out
}

// lastLine returns the last non-empty line kept.
func (l *startLog) lastLine() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	lines := strings.Split(strings.TrimSpace(l.buf.String()), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

func (w *workerEngine) verify(ctx context.Context, c *formulas.Claim, s gradcheck.Settings) (gradcheck.Result, error) {
	if w.client == nil {
		if err := w.start(ctx); err != nil {
			return gradcheck.Result{}, err
		}
	}
	r, err := w.client.Verify(ctx, c, s)
	if err != nil {
		w.client.Close()
		w.client = nil
	}
	return r, err
}

func (w *workerEngine) close() error {
	if w.client == nil {
		return nil
	}
	return w.client.Close()
}

// findWorker returns the path of the GPU worker: $GRADCHECK_WORKER, else
// gradcheck-cuda next to this executable, else on PATH.
func findWorker() (string, error) {
	if p := os.Getenv("GRADCHECK_WORKER"); p != "" {
		return p, nil
	}
	if self, err := os.Executable(); err == nil {
		p := filepath.Join(filepath.Dir(self), workerName)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	if p, err := exec.LookPath(workerName); err == nil {
		return p, nil
	}
	return "", fmt.Errorf("no %s worker next to gradcheck or on PATH (build it with 'make gpu' on a machine with a CUDA 11.8 or 12.x toolkit)", workerName)
}

// selectBackend returns the engine --backend names. gpu and auto start the
// GPU worker; when it cannot start, gpu fails (exit 1) with the reason and
// auto falls back to the CPU with one line on stderr.
func selectBackend(ctx context.Context, name string, stderr io.Writer) (engine, error) {
	if name == "cpu" {
		return localEngine{}, nil
	}
	path, err := findWorker()
	if err == nil {
		w := &workerEngine{path: path, stderr: stderr}
		if err = w.start(ctx); err == nil {
			return w, nil
		}
	}
	if name == "gpu" {
		return nil, failErrorf("gpu backend: %v", err)
	}
	fmt.Fprintf(stderr, "gradcheck: no GPU (%v); using the CPU\n", oneLine(err.Error()))
	return localEngine{}, nil
}
