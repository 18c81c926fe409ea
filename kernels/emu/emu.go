//go:build cgo

package emu

/*
#cgo CXXFLAGS: -std=c++17 -O2
#include <stdlib.h>
#include "emu.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"sync"
	"unsafe"

	"github.com/gradcheck/gradcheck/gpu"
	// The kernel sources are compiled into this package by emu.cc, which
	// includes them from the parent directory, where the go command does
	// not look for changes; importing package kernels, which embeds them,
	// makes a change rebuild this package.
	_ "github.com/gradcheck/gradcheck/kernels"
)

// Launch limits of the emulation: those of CUDA devices of compute
// capability 7.5 and later with default shared memory.
const (
	maxThreads = 1024
	maxShared  = 48 << 10
	maxGridX   = 1<<31 - 1
	maxGridYZ  = 65535
	maxBlockZ  = 64
)

// kernel is one kernel of the emulation.
type kernel struct {
	index, params int
}

// Device is the emulated GPU. It is safe for concurrent use.
type Device struct {
	kernels map[string]kernel
	// reverse runs the threads of a block between two barriers from the
	// last to the first (NewReverse).
	reverse bool

	mu     sync.Mutex
	allocs map[gpu.Ptr]int // live allocations and their lengths
	closed bool
}

var _ gpu.Device = (*Device)(nil)

// New returns an emulated device. Between two barriers, the threads of a
// block run one after another in the order of their index.
func New() *Device { return newDevice(false) }

// NewReverse returns an emulated device whose blocks run their threads
// between two barriers from the last to the first. A kernel that misses a
// barrier, so that a thread reads what another writes in the same stretch,
// reads something else here than under New: the tests run the kernels
// both ways.
func NewReverse() *Device { return newDevice(true) }

// newDevice returns an emulated device running threads in reverse order or
// not.
func newDevice(reverse bool) *Device {
	d := &Device{kernels: map[string]kernel{}, allocs: map[gpu.Ptr]int{}, reverse: reverse}
	for i := range int(C.emu_kernels()) {
		name := C.GoString(C.emu_kernel_name(C.int(i)))
		d.kernels[name] = kernel{index: i, params: int(C.emu_kernel_params(C.int(i)))}
	}
	return d
}

// Kernels returns the names of the kernels the emulation knows.
func (d *Device) Kernels() []string {
	names := make([]string, 0, len(d.kernels))
	for name := range d.kernels {
		names = append(names, name)
	}
	return names
}

// Name returns "emulated", or "emulated-reverse" for a device of
// NewReverse.
func (d *Device) Name() string {
	if d.reverse {
		return "emulated-reverse"
	}
	return "emulated"
}

// Limits returns the launch limits of CUDA devices and launch shapes that
// keep the emulation fast: it pays for every thread and every barrier a
// thread waits at, not for parallelism it does not have. It emulates a GPU
// with FP64 tensor cores, and multiplies as such a GPU does by default
// (gpu.TensorCoreDefault); a test wraps the device to choose other kernels.
func (*Device) Limits() gpu.Limits {
	return gpu.Limits{
		MaxThreads:       maxThreads,
		MaxShared:        maxShared,
		Threads:          64,
		Blocks:           16,
		Tile:             16,
		LUThreads:        16,
		PanelInRegisters: true,
		Products:         gpu.TensorCoreDefault,
	}
}

// Alloc returns zeroed memory for n float64 values.
func (d *Device) Alloc(n int) (gpu.Ptr, error) {
	if n < 0 {
		return 0, fmt.Errorf("emu: Alloc(%d)", n)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return 0, errClosed
	}
	p := gpu.Ptr(C.emu_alloc(C.size_t(n)))
	if p == 0 {
		return 0, fmt.Errorf("emu: out of memory allocating %d values", n)
	}
	d.allocs[p] = n
	return p, nil
}

// Free releases memory from Alloc.
func (d *Device) Free(p gpu.Ptr) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, ok := d.allocs[p]; !ok {
		return fmt.Errorf("emu: Free(%#x): not an allocation", uint64(p))
	}
	delete(d.allocs, p)
	C.emu_free(C.uintptr_t(p))
	return nil
}

// check returns an error unless p is a live allocation of at least n values.
func (d *Device) check(op string, p gpu.Ptr, n int) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return errClosed
	}
	size, ok := d.allocs[p]
	switch {
	case !ok:
		return fmt.Errorf("emu: %s: %#x is not an allocation", op, uint64(p))
	case n > size:
		return fmt.Errorf("emu: %s: %d values into an allocation of %d", op, n, size)
	}
	return nil
}

// CopyIn copies src to device memory at dst.
func (d *Device) CopyIn(dst gpu.Ptr, src []float64) error {
	if err := d.check("CopyIn", dst, len(src)); err != nil || len(src) == 0 {
		return err
	}
	C.emu_copy(C.uintptr_t(dst), C.uintptr_t(uintptr(unsafe.Pointer(&src[0]))), C.size_t(len(src)))
	return nil
}

// CopyOut copies len(dst) values from device memory at src to dst.
func (d *Device) CopyOut(dst []float64, src gpu.Ptr) error {
	if err := d.check("CopyOut", src, len(dst)); err != nil || len(dst) == 0 {
		return err
	}
	C.emu_copy(C.uintptr_t(uintptr(unsafe.Pointer(&dst[0]))), C.uintptr_t(src), C.size_t(len(dst)))
	return nil
}

// Launch runs a kernel after the checks a CUDA driver makes: the kernel
// exists, it gets as many parameters as it takes, and the grid, block and
// shared memory are within the limits.
func (d *Device) Launch(name string, grid, block gpu.Dim, shared int, args ...uint64) error {
	k, ok := d.kernels[name]
	if !ok {
		return fmt.Errorf("emu: no kernel %q", name)
	}
	if len(args) != k.params {
		return fmt.Errorf("emu: %s takes %d parameters, got %d", name, k.params, len(args))
	}
	threads := block.X * block.Y * block.Z
	switch {
	case grid.X < 1 || grid.Y < 1 || grid.Z < 1 || grid.X > maxGridX || grid.Y > maxGridYZ || grid.Z > maxGridYZ:
		return fmt.Errorf("emu: invalid grid %v", grid)
	case block.X < 1 || block.Y < 1 || block.Z < 1 || block.Z > maxBlockZ || threads > maxThreads:
		return fmt.Errorf("emu: invalid block %v", block)
	case shared < 0 || shared > maxShared:
		return fmt.Errorf("emu: %d bytes of shared memory, limit %d", shared, maxShared)
	}
	d.mu.Lock()
	closed := d.closed
	d.mu.Unlock()
	if closed {
		return errClosed
	}
	g := [3]C.uint{C.uint(grid.X), C.uint(grid.Y), C.uint(grid.Z)}
	b := [3]C.uint{C.uint(block.X), C.uint(block.Y), C.uint(block.Z)}
	words := make([]C.uint64_t, max(1, len(args)))
	for i, a := range args {
		words[i] = C.uint64_t(a)
	}
	var msg [256]C.char
	reverse := C.int(0)
	if d.reverse {
		reverse = 1
	}
	if C.emu_launch(C.int(k.index), &g[0], &b[0], C.size_t(shared), &words[0], reverse, &msg[0], C.size_t(len(msg))) != 0 {
		return errors.New("emu: " + C.GoString(&msg[0]))
	}
	return nil
}

// Sync returns at once: an emulated launch returns when its kernel has
// run.
func (d *Device) Sync() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return errClosed
	}
	return nil
}

// Close frees every allocation; the device must not be used afterwards.
func (d *Device) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	for p := range d.allocs {
		C.emu_free(C.uintptr_t(p))
	}
	clear(d.allocs)
	d.closed = true
	return nil
}

var errClosed = errors.New("emu: device closed")
