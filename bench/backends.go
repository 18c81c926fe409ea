package bench

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/gradcheck/gradcheck/backend"
	"github.com/gradcheck/gradcheck/cpu"
	"github.com/gradcheck/gradcheck/formulas"
)

// GPU says how RunBackends reaches the GPU.
type GPU struct {
	// Open, when set (the cuda build), opens the GPU backend in this
	// process; otherwise "gpu" is measured by the bench command of the GPU
	// worker that FindWorker finds (see OnWorker).
	Open func() (backend.Backend, error)
	// FindWorker returns the path of the GPU worker.
	FindWorker func() (string, error)
}

// BackendError is RunBackends' error when a backend cannot be had: no
// GPU, no GPU worker, or a worker that ended without a report.
type BackendError struct {
	Backend string
	Err     error
}

func (e *BackendError) Error() string { return e.Backend + " backend: " + e.Err.Error() }

func (e *BackendError) Unwrap() error { return e.Err }

// RunBackends measures cfg (its Backends aside) on each backend that names
// says in turn, "cpu" or "gpu" (a name repeated next to itself counts
// once), and joins the reports in that order. It stops at the first
// error, returning the measurements made so far; an interrupted
// measurement (ctx cancelled) gives an Incomplete report and no error.
func RunBackends(ctx context.Context, names []string, cfg Config, gpu GPU) (Report, error) {
	var rep Report
	for i, name := range slices.Compact(slices.Clone(names)) {
		var r Report
		var err error
		switch {
		case name == "cpu":
			r, err = runIn(ctx, cpu.New(), cfg)
		case name == "gpu" && gpu.Open != nil:
			var b backend.Backend
			if b, err = gpu.Open(); err != nil {
				return rep, &BackendError{Backend: name, Err: err}
			}
			r, err = runIn(ctx, b, cfg)
			if c, ok := b.(interface{ Close() error }); ok {
				c.Close()
			}
		case name == "gpu":
			r, err = runOnWorker(ctx, cfg, gpu.FindWorker)
		default:
			return rep, fmt.Errorf("bench: unknown backend %q (want cpu or gpu)", name)
		}
		if i == 0 {
			rep = r
		} else {
			rep.Add(r)
		}
		if err != nil {
			return rep, err
		}
	}
	return rep, nil
}

// runIn measures cfg on b in this process.
func runIn(ctx context.Context, b backend.Backend, cfg Config) (Report, error) {
	cfg.Backends = []backend.Backend{b}
	rep, err := Run(ctx, cfg)
	if err != nil && !rep.Incomplete {
		return rep, fmt.Errorf("bench: %w", err)
	}
	return rep, nil
}

// runOnWorker measures cfg in the GPU worker's bench command.
func runOnWorker(ctx context.Context, cfg Config, find func() (string, error)) (Report, error) {
	path, err := find()
	if err != nil {
		return Report{}, &BackendError{Backend: "gpu", Err: err}
	}
	rep, err := OnWorker(ctx, path, WorkerArgs(cfg), cfg.Log)
	var failed *WorkerError
	if errors.As(err, &failed) {
		return rep, &BackendError{Backend: "gpu", Err: err}
	}
	return rep, err
}

// WorkerArgs are the arguments of gradcheck's bench command that measure
// cfg on the GPU and report in JSON on stdout: what OnWorker runs.
// cfg.Claims and cfg.Sizes must be set.
func WorkerArgs(cfg Config) []string {
	args := []string{"bench"}
	for _, c := range cfg.Claims {
		args = append(args, formulas.EscapeGlob(c.Name))
	}
	s := cfg.Settings
	args = append(args, "--backend", "gpu", "--sizes", ints(cfg.Sizes),
		"--runs", strconv.Itoa(max(1, cfg.Runs)), "--batch", strconv.Itoa(s.Batch), "--dirs", strconv.Itoa(s.Dirs),
		"--mode", string(s.Mode), "--seed", strconv.FormatUint(s.Seed, 10), "--mem", strconv.FormatInt(s.MemBytes, 10),
		"--format", "json")
	if cfg.Peak != nil {
		args = append(args, "--peak")
	}
	return args
}
