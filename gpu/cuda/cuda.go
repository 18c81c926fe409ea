//go:build cuda

package cuda

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"sync"
	"time"
	"unsafe"

	"github.com/gradcheck/gradcheck/gpu"
	"github.com/gradcheck/gradcheck/kernels"
	"github.com/gradcheck/gradcheck/kernels/sass"
	"gorgonia.org/cu"
)

// Device is a gpu.Device on one NVIDIA GPU.
//
// A CUDA context belongs to the OS thread on which it is current, so every
// driver call runs on one goroutine locked to one thread, which owns the
// context; the methods hand their work to it and wait. Launch returns once
// the kernel is queued: kernels run in order on the context's stream while
// the host goes on, and the next copy to the host waits for them. A fault
// of a kernel is then reported by a later call, naming the last kernel
// launched; with GRADCHECK_GPU_SYNC=1 in the environment every launch
// waits for its kernel, so that a fault is reported by the launch that
// caused it (for debugging, and in scripts/gpu-check.sh's tests).
type Device struct {
	name   string
	arch   int
	lim    gpu.Limits
	sync   bool
	timing Timing
	// pending names the last kernel launched since the device was last
	// known idle; used on the context's goroutine only.
	pending string
	// funcs maps kernel names to their functions; written before the
	// device is returned, read-only after.
	funcs map[string]cu.Function

	// work carries calls to the context's goroutine; a nil func stops it.
	work      chan func()
	closeOnce sync.Once
	// closed is closed once the context is destroyed, with closeErr.
	closed   chan struct{}
	closeErr error
}

var _ gpu.Device = (*Device)(nil)

// SyncEnv is the environment variable that, set to 1, makes every launch
// wait for its kernel.
const SyncEnv = "GRADCHECK_GPU_SYNC"

// ProductsEnv is the environment variable that chooses the kernels of the
// products (gpu.ParseProducts): fma, dmma or dmma-async. Unset, they are
// gpu.TensorCoreDefault where the GPU has FP64 tensor cores (compute
// capability 8.0 and newer), else fma; set, it compares kernels or rules
// one out.
const ProductsEnv = "GRADCHECK_GPU_GEMM"

// PTXEnv is the environment variable that, set to 1, makes the device load
// the kernels' PTX, which the driver compiles, even where machine code for
// the GPU is at hand (package kernels/sass): to compare the two, or to rule
// the machine code out.
const PTXEnv = "GRADCHECK_GPU_PTX"

// Timing is how long the device took to start.
type Timing struct {
	// Context is the creation of the CUDA context, and Load the loading of
	// the modules: machine code as it is, PTX compiled by the driver's JIT
	// compiler for the GPU at hand (or taken from its compute cache).
	Context, Load time.Duration
	// Modules and Kernels count what was loaded, Cubins the modules loaded
	// as machine code.
	Modules, Kernels, Cubins int
}

// Count returns the number of GPUs this process can see (as
// CUDA_VISIBLE_DEVICES leaves them).
func Count() (int, error) {
	n, err := cu.NumDevices()
	if err != nil {
		return 0, fmt.Errorf("cuda: counting devices: %w", named(err))
	}
	return n, nil
}

// New creates a context on the GPU with the given ordinal and loads the
// kernels into it.
func New(ordinal int) (*Device, error) {
	d := &Device{funcs: map[string]cu.Function{}, work: make(chan func()), closed: make(chan struct{}),
		sync: os.Getenv(SyncEnv) == "1"}
	ready := make(chan error)
	go d.serve(ordinal, ready)
	if err := <-ready; err != nil {
		return nil, fmt.Errorf("cuda: device %d: %w", ordinal, named(err))
	}
	return d, nil
}

// serve owns the context: it creates it on its locked thread, reports on
// ready, runs the work it is sent until it receives nil, and then destroys
// the context.
func (d *Device) serve(ordinal int, ready chan<- error) {
	// The thread stays locked for the goroutine's life and ends with it,
	// taking the context's thread state along.
	runtime.LockOSThread()
	t0 := time.Now()
	dev, err := cu.GetDevice(ordinal)
	if err != nil {
		ready <- err
		return
	}
	ctx, err := dev.MakeContext(cu.SchedAuto)
	if err != nil {
		ready <- err
		return
	}
	d.timing.Context = time.Since(t0)
	if err := d.setup(dev); err != nil {
		ready <- errors.Join(err, ctx.Destroy())
		return
	}
	ready <- nil
	for f := range d.work {
		if f == nil {
			break
		}
		f()
	}
	d.closeErr = ctx.Destroy()
	close(d.closed)
}

// setup reads the device's name and limits, loads the modules its compute
// capability runs (machine code or PTX, load) and chooses the kernels of
// the products.
func (d *Device) setup(dev cu.Device) error {
	name, err := dev.Name()
	if err != nil {
		return err
	}
	attrs, err := dev.Attributes(cu.MaxThreadsPerBlock, cu.MaxSharedMemoryPerBlock, cu.MultiprocessorCount,
		cu.ComputeCapabilityMajor, cu.ComputeCapabilityMinor)
	if err != nil {
		return err
	}
	d.name = name
	d.arch = 10*attrs[3] + attrs[4]
	d.lim = gpu.Limits{
		MaxThreads: attrs[0],
		MaxShared:  attrs[1],
		Threads:    256,
		Blocks:     32 * attrs[2],
		Tile:       16,
		LUThreads:  256,
		// Not yet measured against gc_lu_panel on a GPU: BenchmarkKernels
		// times both (scripts/gpu-check.sh, step kernels).
		PanelInRegisters: true,
	}
	mods, err := kernels.Modules()
	if err != nil {
		return err
	}
	t0 := time.Now()
	defer func() { d.timing.Load = time.Since(t0) }()
	ptxOnly := os.Getenv(PTXEnv) == "1"
	for _, m := range mods {
		if m.Arch > d.arch {
			continue
		}
		d.timing.Modules++
		mod, err := d.load(m, ptxOnly)
		if err != nil {
			return err
		}
		for _, k := range m.Kernels {
			fn, err := mod.Function(k.Name)
			if err != nil {
				return fmt.Errorf("%s: kernel %s: %w", m.Name, k.Name, err)
			}
			d.funcs[k.Name] = fn
			d.timing.Kernels++
		}
	}
	return d.chooseProducts()
}

// chooseProducts sets the kernels of the products: those that ProductsEnv
// names, else the tensor cores' where the GPU has them.
func (d *Device) chooseProducts() error {
	d.lim.Products = gpu.FMA
	if _, ok := d.funcs[gpu.TensorCoreDefault.Kernel()]; ok {
		d.lim.Products = gpu.TensorCoreDefault
	}
	name := os.Getenv(ProductsEnv)
	if name == "" {
		return nil
	}
	p, err := gpu.ParseProducts(name)
	if err != nil {
		return fmt.Errorf("%s: %w", ProductsEnv, err)
	}
	if _, ok := d.funcs[p.Kernel()]; !ok {
		return fmt.Errorf("%s=%s: a GPU of compute capability %d.%d has no FP64 tensor cores", ProductsEnv, name, d.arch/10, d.arch%10)
	}
	d.lim.Products = p
	return nil
}

// load loads the module m: its machine code for the GPU where there is one
// (and ptxOnly is false), else, or if the driver refuses the machine code,
// its PTX.
func (d *Device) load(m kernels.Module, ptxOnly bool) (cu.Module, error) {
	if code, ok := sass.Cubin(m.Name, d.arch); ok && !ptxOnly {
		if mod, err := cu.LoadData(string(code)); err == nil {
			d.timing.Cubins++
			return mod, nil
		}
	}
	mod, err := cu.LoadData(m.PTX)
	if err != nil {
		return mod, fmt.Errorf("loading %s: %w", m.Name, err)
	}
	return mod, nil
}

// Arch returns the GPU's compute capability as major·10 + minor, e.g. 90
// for an H100 or H200.
func (d *Device) Arch() int { return d.arch }

// errClosed is returned by the methods of a closed device.
var errClosed = errors.New("cuda: device closed")

// do runs f on the context's thread and returns its error.
func (d *Device) do(f func() error) error {
	errc := make(chan error, 1)
	select {
	case d.work <- func() { errc <- f() }:
		return <-errc
	case <-d.closed:
		return errClosed
	}
}

// Name returns the GPU's name, e.g. "NVIDIA H100 80GB HBM3".
func (d *Device) Name() string { return d.name }

// FreeMemory returns the bytes of device memory the driver reports free.
func (d *Device) FreeMemory() (int64, error) {
	var free int64
	err := d.do(func() (err error) {
		free, _, err = cu.MemInfo()
		return d.settled(err)
	})
	return free, err
}

// Timing returns how long the device took to start.
func (d *Device) Timing() Timing { return d.timing }

// Limits returns the GPU's launch limits and the launch shapes for it.
func (d *Device) Limits() gpu.Limits { return d.lim }

// Alloc returns uninitialized device memory for n float64 values.
func (d *Device) Alloc(n int) (gpu.Ptr, error) {
	var p cu.DevicePtr
	err := d.do(func() (err error) {
		p, err = cu.MemAlloc(int64(max(n, 1)) * 8)
		return d.settled(err)
	})
	return gpu.Ptr(p), err
}

// Free releases memory from Alloc.
func (d *Device) Free(p gpu.Ptr) error {
	return d.do(func() error { return d.settled(cu.MemFree(cu.DevicePtr(p))) })
}

// CopyIn copies src to device memory at dst.
func (d *Device) CopyIn(dst gpu.Ptr, src []float64) error {
	if len(src) == 0 {
		return nil
	}
	return d.do(func() error {
		return d.settled(cu.MemcpyHtoD(cu.DevicePtr(dst), unsafe.Pointer(&src[0]), int64(len(src))*8))
	})
}

// CopyOut copies len(dst) values from device memory at src to dst.
func (d *Device) CopyOut(dst []float64, src gpu.Ptr) error {
	if len(dst) == 0 {
		return nil
	}
	return d.do(func() error {
		err := cu.MemcpyDtoH(unsafe.Pointer(&dst[0]), cu.DevicePtr(src), int64(len(dst))*8)
		if err == nil {
			d.pending = "" // the copy waited for every kernel before it
		}
		return d.settled(err)
	})
}

// Launch queues a kernel; with GRADCHECK_GPU_SYNC=1 it also waits for it.
// Each parameter is passed as the 8 bytes of its word.
func (d *Device) Launch(kernel string, grid, block gpu.Dim, shared int, args ...uint64) error {
	fn, ok := d.funcs[kernel]
	if !ok {
		return fmt.Errorf("no kernel %q", kernel)
	}
	params := make([]unsafe.Pointer, len(args))
	for i := range args {
		params[i] = unsafe.Pointer(&args[i])
	}
	return d.do(func() error {
		if err := fn.Launch(grid.X, grid.Y, grid.Z, block.X, block.Y, block.Z, shared, cu.Stream{}, params); err != nil {
			return d.settled(err)
		}
		d.pending = fmt.Sprintf("%s<<<%v, %v, %d>>>", kernel, grid, block, shared)
		if !d.sync {
			return nil
		}
		err := cu.Synchronize()
		d.pending = ""
		return named(err)
	})
}

// Sync waits until every kernel launched has finished.
func (d *Device) Sync() error {
	return d.do(func() error {
		err := d.settled(cu.Synchronize())
		d.pending = ""
		return err
	})
}

// settled adds to an error of a call that waits for the queued kernels the
// last kernel launched before it, which may be the one that failed.
func (d *Device) settled(err error) error {
	err = named(err)
	if err == nil || d.pending == "" {
		return err
	}
	return fmt.Errorf("%w (after kernel %s, which ran without waiting: set %s=1 to name the faulting kernel)",
		err, d.pending, SyncEnv)
}

// Close destroys the context, freeing all its memory; the device must not
// be used afterwards.
func (d *Device) Close() error {
	d.closeOnce.Do(func() { d.work <- nil })
	<-d.closed
	return d.closeErr
}
