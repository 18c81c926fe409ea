package gpu

import "fmt"

// Ptr is an address in device memory.
type Ptr uint64

// Dim is the extent of a grid or block of a kernel launch.
type Dim struct {
	X, Y, Z int
}

// String formats d as CUDA's launch syntax writes it, "(x,y,z)".
func (d Dim) String() string { return fmt.Sprintf("(%d,%d,%d)", d.X, d.Y, d.Z) }

// Limits are what a device allows for one launch, and the launch shapes the
// Backend uses on it.
type Limits struct {
	// MaxThreads is the largest number of threads in a block, and
	// MaxShared the largest dynamic shared memory of a block in bytes.
	MaxThreads, MaxShared int
	// Threads is the block size of one-dimensional kernels, and Blocks the
	// largest grid they are launched with (their threads loop over the
	// work beyond it).
	Threads, Blocks int
	// Tile is the edge of the square tiles of matrix products (Tile²
	// threads per block).
	Tile int
	// LUThreads is the block size of the LU kernel, one block per matrix.
	LUThreads int
	// PanelInRegisters says that the LU factors a panel with its rows held
	// in registers (gc_lu_panel_regs) where they fit, rather than in
	// global memory (gc_lu_panel).
	PanelInRegisters bool
	// Products are the kernels the Backend multiplies matrices with.
	Products Products
}

// Products names the kernels that multiply matrices of more than 16 rows
// or columns (smaller ones take gc_gemm_small, one thread per entry).
type Products int

const (
	// FMA multiplies on the CUDA cores by fused multiply-adds (gc_gemm,
	// kernels/matmul.cu), on any GPU.
	FMA Products = iota
	// DMMA multiplies on the FP64 tensor cores of compute capability 8.0
	// and newer (gc_gemm_dmma, kernels/dmma.cu), each thread fetching the
	// next slice of the factors into registers while they work.
	DMMA
	// DMMAAsync is DMMA with the next slice copied straight into shared
	// memory by cp.async (gc_gemm_dmma_async), which takes no registers.
	DMMAAsync
)

// TensorCoreDefault is the Products of a GPU with FP64 tensor cores unless
// it is told otherwise (gpu/cuda), and of the emulation.
const TensorCoreDefault = DMMAAsync

// productNames are the names of Products, as ParseProducts reads them, and
// productKernels their kernels.
var (
	productNames   = [...]string{FMA: "fma", DMMA: "dmma", DMMAAsync: "dmma-async"}
	productKernels = [...]string{FMA: "gc_gemm", DMMA: "gc_gemm_dmma", DMMAAsync: "gc_gemm_dmma_async"}
)

// String returns the name of p: "fma", "dmma" or "dmma-async".
func (p Products) String() string {
	if p < 0 || int(p) >= len(productNames) {
		return fmt.Sprintf("Products(%d)", int(p))
	}
	return productNames[p]
}

// Kernel returns the name of the kernel of p, e.g. "gc_gemm_dmma".
func (p Products) Kernel() string { return productKernels[p] }

// ParseProducts returns the Products named s.
func ParseProducts(s string) (Products, error) {
	for p, name := range productNames {
		if s == name {
			return Products(p), nil
		}
	}
	return 0, fmt.Errorf("unknown products %q: want fma, dmma or dmma-async", s)
}

// Device is the memory and kernel launches of one GPU, or of its
// emulation: the Backend's launch code drives either one through this
// interface. Kernels are those of package kernels, launched by name, with
// one 8-byte word per parameter (a Ptr, an int64, or the bits of a
// float64). Launches run in order; a Device is safe for concurrent use.
type Device interface {
	// Name describes the device, e.g. "NVIDIA H100 80GB HBM3".
	Name() string
	// Limits returns the device's launch limits and preferred shapes.
	Limits() Limits
	// Alloc returns zeroed or uninitialized memory for n float64 values.
	Alloc(n int) (Ptr, error)
	// Free releases memory from Alloc.
	Free(p Ptr) error
	// CopyIn copies src to device memory at dst.
	CopyIn(dst Ptr, src []float64) error
	// CopyOut copies len(dst) values from device memory at src to dst.
	CopyOut(dst []float64, src Ptr) error
	// Launch runs a kernel on a grid of blocks with shared bytes of dynamic
	// shared memory per block. It may return before the kernel finishes:
	// launches and copies run in order, so a kernel sees the results of
	// those before it, and a copy to the host those of every kernel
	// before it; a fault of a kernel may be reported by a later call.
	Launch(kernel string, grid, block Dim, shared int, args ...uint64) error
	// Sync waits until every kernel launched has finished, and returns a
	// fault of one of them.
	Sync() error
	// Close releases the device; it must not be used afterwards.
	Close() error
}
