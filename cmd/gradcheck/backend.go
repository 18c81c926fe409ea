package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
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

// engine verifies claims on one backend, in this process or in workers.
type engine interface {
	// name is the backend's name for reports.
	name() string
	// slots is how many verifications the engine runs at once (verify
	// may be called that many times concurrently).
	slots() int
	// verify checks one claim; an error means the engine itself failed
	// (the worker died), not the claim.
	verify(ctx context.Context, c *formulas.Claim, s gradcheck.Settings) (gradcheck.Result, error)
	close() error
}

// localEngine verifies in this process, on the CPU.
type localEngine struct{}

func (localEngine) name() string { return "cpu" }

// slots is 1: the CPU backend already spreads one verification over
// every core.
func (localEngine) slots() int { return 1 }

func (localEngine) verify(ctx context.Context, c *formulas.Claim, s gradcheck.Settings) (gradcheck.Result, error) {
	return verify(ctx, cpu.New(), c, s), nil
}

func (localEngine) close() error { return nil }

// workerEngine verifies in a GPU worker process on one device. A worker
// that dies fails the job it was running; the next job starts a new
// worker. It runs one job at a time.
type workerEngine struct {
	path   string
	device int
	stderr io.Writer
	client *worker.Client
}

func (w *workerEngine) name() string { return "gpu" }

func (w *workerEngine) slots() int { return 1 }

// start starts a worker. What the worker writes to stderr is held back
// until it has started, so that a worker that cannot start (no driver, no
// device) is reported in one line, which quotes its words (worker.Start).
func (w *workerEngine) start(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, workerStartTimeout)
	defer cancel()
	args := []string{"worker"}
	if w.device > 0 {
		args = append(args, "--device", strconv.Itoa(w.device))
	}
	cmd := exec.Command(w.path, args...)
	log := &startLog{}
	cmd.Stderr = log
	c, err := worker.Start(ctx, cmd)
	if err != nil {
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
// GPU worker, and then one more for each other GPU its hello counts; when
// the first cannot start, gpu fails (exit 1) with the reason and auto falls
// back to the CPU with one line on stderr. A GPU whose worker cannot start
// is left out, with one line on stderr.
func selectBackend(ctx context.Context, name string, stderr io.Writer) (engine, error) {
	if name == "cpu" {
		return localEngine{}, nil
	}
	path, err := findWorker()
	if err == nil {
		first := &workerEngine{path: path, stderr: stderr}
		if err = first.start(ctx); err == nil {
			return startPool(ctx, first, stderr), nil
		}
	}
	if name == "gpu" {
		return nil, failErrorf("gpu backend: %v", err)
	}
	fmt.Fprintf(stderr, "gradcheck: no GPU (%v); using the CPU\n", oneLine(err.Error()))
	return localEngine{}, nil
}

// workerPool verifies on one worker per GPU, as many claims at once as it
// has workers.
type workerPool struct {
	workers []*workerEngine
	free    chan *workerEngine
}

// startPool starts a worker for each GPU after first's (which runs on
// device 0) and returns the pool of those that started.
func startPool(ctx context.Context, first *workerEngine, stderr io.Writer) *workerPool {
	p := &workerPool{workers: []*workerEngine{first}}
	for d := 1; d < first.client.Hello.Devices; d++ {
		w := &workerEngine{path: first.path, device: d, stderr: stderr}
		if err := w.start(ctx); err != nil {
			fmt.Fprintf(stderr, "gradcheck: GPU %d left out: %v\n", d, oneLine(err.Error()))
			continue
		}
		p.workers = append(p.workers, w)
	}
	p.free = make(chan *workerEngine, len(p.workers))
	for _, w := range p.workers {
		p.free <- w
	}
	return p
}

func (p *workerPool) name() string { return "gpu" }

func (p *workerPool) slots() int { return len(p.workers) }

// verify runs the claim on the first worker free.
func (p *workerPool) verify(ctx context.Context, c *formulas.Claim, s gradcheck.Settings) (gradcheck.Result, error) {
	select {
	case w := <-p.free:
		defer func() { p.free <- w }()
		return w.verify(ctx, c, s)
	case <-ctx.Done():
		return gradcheck.Result{}, ctx.Err()
	}
}

func (p *workerPool) close() error {
	var errs []error
	for _, w := range p.workers {
		errs = append(errs, w.close())
	}
	return errors.Join(errs...)
}
