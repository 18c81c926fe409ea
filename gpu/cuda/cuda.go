//go:build cuda

package cuda

import (
	"errors"
	"fmt"
	"runtime"
	"sync"
	"unsafe"

	"github.com/gradcheck/gradcheck/gpu"
	"github.com/gradcheck/gradcheck/kernels"
	"gorgonia.org/cu"
)

// Device is a gpu.Device on one NVIDIA GPU.
//
// A CUDA context belongs to the OS thread on which it is current, so every
// driver call runs on one goroutine locked to one thread, which owns the
// context; the methods hand their work to it and wait. Launch synchronizes
// with the device, so that a fault is reported by the launch that caused
// it, naming its kernel.
type Device struct {
	name string
	lim  gpu.Limits
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

// Count returns the number of GPUs this process can see (as
// CUDA_VISIBLE_DEVICES leaves them).
func Count() (int, error) {
	n, err := cu.NumDevices()
	if err != nil {
		return 0, fmt.Errorf("cuda: counting devices: %w", err)
	}
	return n, nil
}

// New creates a context on the GPU with the given ordinal and loads the
// kernels into it.
func New(ordinal int) (*Device, error) {
	d := &Device{funcs: map[string]cu.Function{}, work: make(chan func()), closed: make(chan struct{})}
	ready := make(chan error)
	go d.serve(ordinal, ready)
	if err := <-ready; err != nil {
		return nil, fmt.Errorf("cuda: device %d: %w", ordinal, err)
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

// setup reads the device's name and limits and loads every PTX module.
func (d *Device) setup(dev cu.Device) error {
	name, err := dev.Name()
	if err != nil {
		return err
	}
	attrs, err := dev.Attributes(cu.MaxThreadsPerBlock, cu.MaxSharedMemoryPerBlock, cu.MultiprocessorCount)
	if err != nil {
		return err
	}
	d.name = name
	d.lim = gpu.Limits{
		MaxThreads: attrs[0],
		MaxShared:  attrs[1],
		Threads:    256,
		Blocks:     32 * attrs[2],
		Tile:       16,
		LUThreads:  128,
	}
	mods, err := kernels.Modules()
	if err != nil {
		return err
	}
	for _, m := range mods {
		mod, err := cu.LoadData(m.PTX)
		if err != nil {
			return fmt.Errorf("loading %s: %w", m.Name, err)
		}
		for _, k := range m.Kernels {
			fn, err := mod.Function(k.Name)
			if err != nil {
				return fmt.Errorf("%s: kernel %s: %w", m.Name, k.Name, err)
			}
			d.funcs[k.Name] = fn
		}
	}
	return nil
}

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
		return err
	})
	return free, err
}

// Limits returns the GPU's launch limits and the launch shapes for it.
func (d *Device) Limits() gpu.Limits { return d.lim }

// Alloc returns uninitialized device memory for n float64 values.
func (d *Device) Alloc(n int) (gpu.Ptr, error) {
	var p cu.DevicePtr
	err := d.do(func() (err error) {
		p, err = cu.MemAlloc(int64(max(n, 1)) * 8)
		return err
	})
	return gpu.Ptr(p), err
}

// Free releases memory from Alloc.
func (d *Device) Free(p gpu.Ptr) error {
	return d.do(func() error { return cu.MemFree(cu.DevicePtr(p)) })
}

// CopyIn copies src to device memory at dst.
func (d *Device) CopyIn(dst gpu.Ptr, src []float64) error {
	if len(src) == 0 {
		return nil
	}
	return d.do(func() error {
		return cu.MemcpyHtoD(cu.DevicePtr(dst), unsafe.Pointer(&src[0]), int64(len(src))*8)
	})
}

// CopyOut copies len(dst) values from device memory at src to dst.
func (d *Device) CopyOut(dst []float64, src gpu.Ptr) error {
	if len(dst) == 0 {
		return nil
	}
	return d.do(func() error {
		return cu.MemcpyDtoH(unsafe.Pointer(&dst[0]), cu.DevicePtr(src), int64(len(dst))*8)
	})
}

// Launch runs a kernel and waits for it to finish. Each parameter is passed
// as the 8 bytes of its word.
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
			return err
		}
		return cu.Synchronize()
	})
}

// Close destroys the context, freeing all its memory; the device must not
// be used afterwards.
func (d *Device) Close() error {
	d.closeOnce.Do(func() { d.work <- nil })
	<-d.closed
	return d.closeErr
}
