package run

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
	"strings"
	"sync"
	"time"

	"github.com/gradcheck/gradcheck"
	"github.com/gradcheck/gradcheck/cpu"
	"github.com/gradcheck/gradcheck/formulas"
	"github.com/gradcheck/gradcheck/gpu/worker"
)

// WorkerName is the GPU worker: this command built with -tags cuda (make
// gpu). gradcheck itself never links CUDA, because gorgonia.org/cu ends any
// process that loads it on a machine without a GPU.
const WorkerName = "gradcheck-cuda"

// workerStartTimeout bounds the worker's start: loading the driver and the
// kernels (which the driver compiles from PTX where no machine code in
// kernels/sass fits the GPU).
const workerStartTimeout = 60 * time.Second

// Engine verifies claims on one backend, in this process or in other
// processes: a new place to run claims (a cluster scheduler, another
// accelerator's worker) implements it.
type Engine interface {
	// Name is the backend's name for reports ("cpu", "gpu").
	Name() string
	// Slots is how many verifications the engine runs at once (Verify
	// may be called that many times concurrently).
	Slots() int
	// Verify checks one resolved claim with settings s; an error means
	// the engine itself failed (a worker died), not the claim.
	Verify(ctx context.Context, rc *formulas.Resolved, s gradcheck.Settings) (gradcheck.Result, error)
	// Close releases the engine (stops its workers).
	Close() error
}

// Local verifies in this process, on the CPU backend.
type Local struct{}

// Name returns "cpu".
func (Local) Name() string { return "cpu" }

// Slots is 1: the CPU backend already spreads one verification over
// every core.
func (Local) Slots() int { return 1 }

// Verify verifies rc on a CPU backend; it never fails itself.
func (Local) Verify(ctx context.Context, rc *formulas.Resolved, s gradcheck.Settings) (gradcheck.Result, error) {
	return gradcheck.VerifyResolved(ctx, cpu.New(), rc, s), nil
}

// Close does nothing.
func (Local) Close() error { return nil }

// Worker verifies in a GPU worker process (package gpu/worker) on one
// device. A worker that dies fails the job it was running; the next job
// starts a new worker. It runs one job at a time.
type Worker struct {
	// Path is the worker's executable (see FindWorker), Device the GPU it
	// verifies on, and Stderr where its log goes once it has started.
	Path   string
	Device int
	Stderr io.Writer
	client *worker.Client
}

// Name returns "gpu".
func (w *Worker) Name() string { return "gpu" }

// Slots is 1: a worker verifies one claim at a time.
func (w *Worker) Slots() int { return 1 }

// Start starts the worker process; Verify starts it when it is not
// running. What the worker writes to stderr is held back
// until it has started, so that a worker that cannot start (no driver, no
// device) is reported in one line, which quotes its words (worker.Start).
func (w *Worker) Start(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, workerStartTimeout)
	defer cancel()
	args := []string{"worker"}
	if w.Device > 0 {
		args = append(args, "--device", strconv.Itoa(w.Device))
	}
	cmd := exec.Command(w.Path, args...)
	log := &startLog{}
	cmd.Stderr = log
	c, err := worker.Start(ctx, cmd)
	if err != nil {
		return err
	}
	log.forward(w.Stderr)
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

// Verify sends rc's claim with settings s to the worker, which resolves it
// at the same sizes in its own process.
func (w *Worker) Verify(ctx context.Context, rc *formulas.Resolved, s gradcheck.Settings) (gradcheck.Result, error) {
	if w.client == nil {
		if err := w.Start(ctx); err != nil {
			return gradcheck.Result{}, err
		}
	}
	r, err := w.client.Verify(ctx, rc.Claim, s)
	if err != nil {
		w.client.Close()
		w.client = nil
	}
	return r, err
}

// Close stops the worker process.
func (w *Worker) Close() error {
	if w.client == nil {
		return nil
	}
	return w.client.Close()
}

// FindWorker returns the path of the GPU worker: $GRADCHECK_WORKER, else
// gradcheck-cuda next to this executable, else on PATH.
func FindWorker() (string, error) {
	if p := os.Getenv("GRADCHECK_WORKER"); p != "" {
		return p, nil
	}
	if self, err := os.Executable(); err == nil {
		p := filepath.Join(filepath.Dir(self), WorkerName)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	if p, err := exec.LookPath(WorkerName); err == nil {
		return p, nil
	}
	return "", fmt.Errorf("no %s worker next to gradcheck or on PATH (build it with 'make gpu' on a machine with a CUDA 11.8 or 12.x toolkit)", WorkerName)
}

// ErrNoGPU is returned by StartEngine for the gpu backend when no GPU worker
// starts; the error wraps it with the reason.
var ErrNoGPU = errors.New("gpu backend")

// StartEngine returns the engine of the backend called name: cpu, gpu or
// auto.
// gpu and auto start the GPU worker, and then one more for each other GPU
// its hello counts; when the first cannot start, gpu fails with ErrNoGPU
// and the reason, and auto falls back to the CPU, with one line on stderr
// where a worker was found (and silently where none is installed).
// A GPU whose worker cannot start is left out, with one line on stderr.
// A nil stderr discards those lines. Any other name is an error.
func StartEngine(ctx context.Context, name string, stderr io.Writer) (Engine, error) {
	if stderr == nil {
		stderr = io.Discard
	}
	switch name {
	case "cpu":
		return Local{}, nil
	case "gpu", "auto":
	default:
		return nil, fmt.Errorf("unknown backend %q: want cpu, gpu or auto", name)
	}
	path, err := FindWorker()
	if err == nil {
		first := &Worker{Path: path, Stderr: stderr}
		if err = first.Start(ctx); err == nil {
			return StartPool(ctx, first, stderr), nil
		}
	}
	switch {
	case name == "gpu":
		return nil, fmt.Errorf("%w: %v", ErrNoGPU, err)
	case path != "":
		// A worker is installed and did not start: something the user
		// would want to know is wrong. Without one (a CPU build, CI)
		// the line said the same on every run; the report names the
		// backend.
		fmt.Fprintf(stderr, "gradcheck: no GPU (%v); using the CPU\n", oneLine(err.Error()))
	}
	return Local{}, nil
}

// Pool verifies on one worker per GPU, as many claims at once as it has
// workers.
type Pool struct {
	workers []*Worker
	free    chan *Worker
}

// StartPool starts a worker for each GPU after first's (which has started,
// on device 0) and returns the pool of those that started; a GPU whose
// worker does not start is left out with one line on stderr.
func StartPool(ctx context.Context, first *Worker, stderr io.Writer) *Pool {
	p := &Pool{workers: []*Worker{first}}
	for d := 1; d < first.client.Hello.Devices; d++ {
		w := &Worker{Path: first.Path, Device: d, Stderr: stderr}
		if err := w.Start(ctx); err != nil {
			fmt.Fprintf(stderr, "gradcheck: GPU %d left out: %v\n", d, oneLine(err.Error()))
			continue
		}
		p.workers = append(p.workers, w)
	}
	p.free = make(chan *Worker, len(p.workers))
	for _, w := range p.workers {
		p.free <- w
	}
	return p
}

// Name returns "gpu".
func (p *Pool) Name() string { return "gpu" }

// Slots is the number of workers.
func (p *Pool) Slots() int { return len(p.workers) }

// Verify runs the claim on the first worker free.
func (p *Pool) Verify(ctx context.Context, rc *formulas.Resolved, s gradcheck.Settings) (gradcheck.Result, error) {
	select {
	case w := <-p.free:
		defer func() { p.free <- w }()
		return w.Verify(ctx, rc, s)
	case <-ctx.Done():
		return gradcheck.Result{}, ctx.Err()
	}
}

// Close stops every worker.
func (p *Pool) Close() error {
	var errs []error
	for _, w := range p.workers {
		errs = append(errs, w.Close())
	}
	return errors.Join(errs...)
}

// oneLine joins the lines of s, so that every message is one line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
