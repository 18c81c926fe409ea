package gpu_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/gradcheck/gradcheck/backend"
	"github.com/gradcheck/gradcheck/gpu"
)

// census is a device that runs nothing: it hands out addresses and counts
// the launches and the floating-point operations of the linear algebra's
// kernels from their arguments, so that the work of an operation on
// matrices too large to emulate can be read off its launches. Its limits
// are those of a CUDA device with FP64 tensor cores (gpu/cuda).
type census struct {
	mu       sync.Mutex
	next     gpu.Ptr
	launches map[string]int
	flops    float64
}

func newCensus() *census {
	return &census{next: 1 << 20, launches: map[string]int{}}
}

func (*census) Name() string { return "census" }

func (*census) Limits() gpu.Limits {
	return gpu.Limits{MaxThreads: 1024, MaxShared: 48 << 10, Threads: 256, Blocks: 32 * 132,
		Tile: 16, LUThreads: 256, Products: gpu.TensorCoreDefault}
}

func (c *census) Alloc(n int) (gpu.Ptr, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p := c.next
	c.next += gpu.Ptr(8*n + 256)
	return p, nil
}

func (*census) Free(gpu.Ptr) error                     { return nil }
func (*census) CopyIn(gpu.Ptr, []float64) error        { return nil }
func (*census) CopyOut(dst []float64, _ gpu.Ptr) error { clear(dst); return nil }
func (*census) Sync() error                            { return nil }
func (*census) Close() error                           { return nil }

// Launch counts the launch and its flops, read from the arguments as
// kernels/matmul.cu, dmma.cu and lu.cu take them: a product 2mnk per
// matrix; a substitution of b = r1 − r0 rows b(b−1) per column, and b
// divisions more with U; a panel's step j, below row j, a scaling of each
// entry of column j and a multiply-add for each entry right of it.
func (c *census) Launch(kernel string, grid, block gpu.Dim, shared int, args ...uint64) error {
	a := func(i int) float64 { return float64(args[i]) }
	var flops float64
	switch kernel {
	case "gc_gemm", "gc_gemm_small", "gc_gemm_dmma", "gc_gemm_dmma_async":
		flops = 2 * a(3) * a(4) * a(5) * a(6)
	case "gc_lu_trsm":
		b := a(9) - a(8)
		flops = a(3) * a(5) * b * (b - 1)
		if args[0] == 1 {
			flops += a(3) * a(5) * b
		}
	case "gc_lu_panel":
		n, k0 := a(3), a(4)
		kend := min(k0+16, n)
		for j := k0; j < kend; j++ {
			flops += a(2) * (n - j - 1) * (1 + 2*(kend-j-1))
		}
	case "gc_lu":
		return fmt.Errorf("census: %s: the one-block LU is not counted", kernel)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.launches[kernel]++
	c.flops += flops
	return nil
}

// total returns the launches counted so far.
func (c *census) total() int {
	n := 0
	for _, k := range c.launches {
		n += k
	}
	return n
}

// dgetf2Flops is the operation count of Dgetf2 on an n×n matrix: at step
// j, n−j−1 scalings and (n−j−1)² multiply-adds.
func dgetf2Flops(n float64) float64 {
	s := 0.0
	for j := 0.0; j < n; j++ {
		s += (n - j - 1) * (1 + 2*(n-j-1))
	}
	return s
}

// TestWork counts the flops the blocked LU and its substitutions launch at
// sizes beyond the emulation's reach. The factorization, whose panels and
// products only group Dgetf2's updates, must do exactly Dgetf2's
// operations; a solve adds exactly those of substitution with L (n(n−1)
// per column) and U (n² per column). An inverse, U⁻¹L⁻¹P, must do about
// 2n³: n³/3 for L⁻¹ on the identity, whose zeros above the diagonal it
// skips block by block, and n³ for U⁻¹·L⁻¹. It still multiplies the zeros
// of L⁻¹ within each diagonal block of 64 rows: the product of depth 64
// that updates each row below the block has 64·63/2 zero terms, about
// 2·2016·n²/(2·64) ≈ 31.5n² flops over all blocks, and the substitution
// within the block fewer than 64² per column, 4096n in all: at most
// 2n³ + 32n² + 4096n. The permuted identity would take 8n³/3.
func TestWork(t *testing.T) {
	for _, n := range []int{300, 1024, 2048} {
		nf := float64(n)
		count := 2
		sq := backend.Layout{Count: count, Rows: n, Cols: n}
		cases := []struct {
			op      string
			run     func(b *gpu.Backend, x, rhs backend.Tensor) (backend.Tensor, error)
			lo, hi  float64
			rhsCols int
		}{
			{"Det", func(b *gpu.Backend, x, _ backend.Tensor) (backend.Tensor, error) { return b.Det(x) },
				dgetf2Flops(nf), dgetf2Flops(nf), 1},
			{"Solve", func(b *gpu.Backend, x, rhs backend.Tensor) (backend.Tensor, error) { return b.Solve(x, rhs) },
				dgetf2Flops(nf) + 3*(2*nf*nf-nf), dgetf2Flops(nf) + 3*(2*nf*nf-nf), 3},
			{"Inv", func(b *gpu.Backend, x, _ backend.Tensor) (backend.Tensor, error) { return b.Inv(x) },
				2*nf*nf*nf - 2*nf*nf, 2*nf*nf*nf + 32*nf*nf + 4096*nf, 1},
		}
		for _, tc := range cases {
			c := newCensus()
			b := gpu.New(c)
			x, err := b.FromHost(sq, make([]float64, sq.Size()))
			if err != nil {
				t.Fatal(err)
			}
			rl := backend.Layout{Count: count, Rows: n, Cols: tc.rhsCols}
			rhs, err := b.FromHost(rl, make([]float64, rl.Size()))
			if err != nil {
				t.Fatal(err)
			}
			before := c.flops
			if _, err := tc.run(b, x, rhs); err != nil {
				t.Fatalf("%s n=%d: %v", tc.op, n, err)
			}
			got := (c.flops - before) / float64(count)
			t.Logf("%s n=%d: %.4g flops per matrix (%.4f n³), %d launches", tc.op, n, got, got/(nf*nf*nf), c.total())
			if got < tc.lo || got > tc.hi {
				t.Errorf("%s n=%d: %.6g flops per matrix, want %.6g to %.6g", tc.op, n, got, tc.lo, tc.hi)
			}
		}
	}
}
