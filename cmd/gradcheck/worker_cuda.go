//go:build cuda

package main

import (
	"context"
	"os"

	"github.com/gradcheck/gradcheck/backend"
	"github.com/gradcheck/gradcheck/gpu"
	"github.com/gradcheck/gradcheck/gpu/cuda"
	"github.com/gradcheck/gradcheck/gpu/worker"
)

// The cuda build (gradcheck-cuda, make gpu) adds the worker command that
// `gradcheck --backend gpu|auto` starts: it verifies the claims it reads
// on stdin on GPU 0 and writes the results to stdout.
// It also runs `bench --backend gpu` in process, on GPU 0.
func init() {
	commands = append(commands, command{name: "worker", run: workerCommand})
	inProcessGPU = func() (backend.Backend, error) {
		dev, err := cuda.New(0)
		if err != nil {
			return nil, err
		}
		return gpu.New(dev), nil
	}
}

// workerCommand serves verification requests on the first GPU until stdin
// closes.
func workerCommand(ctx context.Context, e *env, args []string) error {
	if len(args) > 0 {
		return usageErrorf("worker", "worker takes no arguments, got %q", args)
	}
	dev, err := cuda.New(0)
	if err != nil {
		return &exitError{code: exitInternal, msg: oneLine(err.Error())}
	}
	b := gpu.New(dev)
	defer b.Close()
	if err := worker.Serve(ctx, os.Stdin, e.stdout, b); err != nil {
		return &exitError{code: exitInternal, msg: oneLine(err.Error())}
	}
	return nil
}
