//go:build cuda

package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/gradcheck/gradcheck/backend"
	"github.com/gradcheck/gradcheck/flagvalue"
	"github.com/gradcheck/gradcheck/gpu"
	"github.com/gradcheck/gradcheck/gpu/cuda"
	"github.com/gradcheck/gradcheck/gpu/worker"
)

// The cuda build (gradcheck-cuda, make gpu) adds the worker command that
// `gradcheck --backend gpu|auto` starts, one per GPU: it verifies the
// claims it reads on stdin and writes the results to stdout. It also runs
// `bench --backend gpu` in process, on GPU 0.
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

// workerCommand serves verification requests on one GPU (--device, from
// 0) until stdin closes. Its hello says how many GPUs there are, and
// gradcheck starts a worker for each of the others.
func workerCommand(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("worker", e.stderr)
	device := 0
	verbose := false
	fs.Var(flagvalue.NewInt(&device, 0), "device", "the GPU to verify on (CUDA ordinal)")
	fs.BoolVar(&verbose, "verbose", false, "say on stderr the GPU's compute capability and how long the CUDA context and loading the kernels took")
	if done, err := parseFlags(e, fs, args, workerHelp, ""); done || err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErrorf("worker", "worker takes no arguments, got %q", fs.Args())
	}
	count, err := cuda.Count()
	if err != nil {
		return &exitError{code: exitInternal, msg: oneLine(err.Error())}
	}
	dev, err := cuda.New(device)
	if err != nil {
		return &exitError{code: exitInternal, msg: oneLine(err.Error())}
	}
	if verbose {
		t := dev.Timing()
		fmt.Fprintf(e.stderr, "worker: %s (GPU %d of %d, compute capability %d.%d, products by %s): context %v, %d modules (%d kernels; %d as machine code, %d from PTX) loaded in %v\n",
			dev.Name(), device, count, dev.Arch()/10, dev.Arch()%10, dev.Limits().Products.Kernel(), t.Context.Round(time.Millisecond),
			t.Modules, t.Kernels, t.Cubins, t.Modules-t.Cubins, t.Load.Round(time.Millisecond))
	}
	b := gpu.New(dev)
	defer b.Close()
	if err := worker.Serve(ctx, os.Stdin, e.stdout, b, count); err != nil {
		return &exitError{code: exitInternal, msg: oneLine(err.Error())}
	}
	return nil
}

const workerHelp = `Usage: gradcheck-cuda worker [--device N]

Serve verification requests (JSON lines, package gpu/worker) read on stdin
on GPU N, answering on stdout, until stdin closes. 'gradcheck --backend gpu'
starts one per visible GPU; there is no need to run it by hand.

With --verbose it says on stderr the GPU's compute capability, the kernel
of the products (on the FP64 tensor cores from compute capability 8.0 on;
GRADCHECK_GPU_GEMM=fma|dmma|dmma-async chooses), and how long creating the CUDA
context and loading the kernels took: as machine code assembled ahead of
time for compute capability 8.x and 9.0 (unless GRADCHECK_GPU_PTX=1), else
as PTX, which the driver compiles on first use.

Example:
  gradcheck-cuda worker --device 1

Flags:
`
