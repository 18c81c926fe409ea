package gpu_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/gradcheck/gradcheck/backend"
	"github.com/gradcheck/gradcheck/gpu"
)

// census is a device that runs nothing: it hands out addresses and counts
// the launches (once armed) and the floating-point operations of the linear algebra's
// kernels from their arguments, so that the work of an operation on
// matrices too large to emulate can be read off its launches. It tracks
// the memory it hands out, refusing to free an address twice, and fails
// the allocation or launch of a given number, counted from when it is
// armed. Its limits are those of a CUDA device with FP64 tensor cores
// (gpu/cuda).
type census struct {
	mu    sync.Mutex
	next  gpu.Ptr
	live  map[gpu.Ptr]bool
	flops float64
	// Once armed, allocs and runs count the allocations and launches,
	// and the failAlloc-th and failLaunch-th fail (0: none).
	armed                 bool
	allocs, runs          int
	failAlloc, failLaunch int
}

// errInjected is the failure census injects.
var errInjected = errors.New("census: injected failure")

func newCensus() *census {
	return &census{next: 1 << 20, live: map[gpu.Ptr]bool{}}
}

func (*census) Name() string { return "census" }

func (*census) Limits() gpu.Limits {
	return gpu.Limits{MaxThreads: 1024, MaxShared: 48 << 10, Threads: 256, Blocks: 32 * 132,
		Tile: 16, LUThreads: 256, PanelInRegisters: true, Products: gpu.TensorCoreDefault}
}

func (c *census) Alloc(n int) (gpu.Ptr, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.armed {
		c.allocs++
		if c.allocs == c.failAlloc {
			return 0, errInjected
		}
	}
	p := c.next
	c.next += gpu.Ptr(8*n + 256)
	c.live[p] = true
	return p, nil
}

func (c *census) Free(p gpu.Ptr) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.live[p] {
		return fmt.Errorf("census: Free(%#x) of memory not allocated or freed before", p)
	}
	delete(c.live, p)
	return nil
}

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
	case "gc_lu_panel", "gc_lu_panel_regs":
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
	if c.armed {
		c.runs++
		if c.runs == c.failLaunch {
			return errInjected
		}
	}
	c.flops += flops
	return nil
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

// luOp is an operation of the blocked LU, on n×n matrices x and, for a
// solve, right-hand sides of rhsCols columns.
type luOp struct {
	name    string
	rhsCols int
	run     func(b *gpu.Backend, x, rhs backend.Tensor) (backend.Tensor, error)
}

var luOps = []luOp{
	{"Det", 1, func(b *gpu.Backend, x, _ backend.Tensor) (backend.Tensor, error) { return b.Det(x) }},
	{"Solve", 3, func(b *gpu.Backend, x, rhs backend.Tensor) (backend.Tensor, error) { return b.Solve(x, rhs) }},
	{"Inv", 1, func(b *gpu.Backend, x, _ backend.Tensor) (backend.Tensor, error) { return b.Inv(x) }},
}

// onCensus runs op on count n×n matrices (zeros) on a census device
// armed to fail its failAlloc-th allocation and failLaunch-th launch (0:
// none), and returns the device and the operation's error. Then it frees
// the result and the operands and closes the backend, and fails the test
// unless every allocation has been freed exactly once.
func onCensus(t *testing.T, op luOp, n, count, failAlloc, failLaunch int) (*census, error) {
	t.Helper()
	c := newCensus()
	b := gpu.New(c)
	upload := func(l backend.Layout) backend.Tensor {
		x, err := b.FromHost(l, make([]float64, l.Size()))
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	x := upload(backend.Layout{Count: count, Rows: n, Cols: n})
	rhs := upload(backend.Layout{Count: count, Rows: n, Cols: op.rhsCols})
	c.mu.Lock()
	c.armed, c.failAlloc, c.failLaunch = true, failAlloc, failLaunch
	c.mu.Unlock()
	y, err := op.run(b, x, rhs)
	c.mu.Lock()
	c.armed = false
	c.mu.Unlock()
	if err == nil {
		b.Free(y)
	}
	b.Free(x)
	b.Free(rhs)
	if err := b.Close(); err != nil {
		t.Errorf("%s n=%d, allocation %d and launch %d failing: %v", op.name, n, failAlloc, failLaunch, err)
	}
	if len(c.live) != 0 {
		t.Errorf("%s n=%d, allocation %d and launch %d failing: %d allocations never freed",
			op.name, n, failAlloc, failLaunch, len(c.live))
	}
	return c, err
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
	const count = 2
	for _, n := range []int{300, 1024, 2048} {
		nf := float64(n)
		bounds := map[string][2]float64{
			"Det":   {dgetf2Flops(nf), dgetf2Flops(nf)},
			"Solve": {dgetf2Flops(nf) + 3*(2*nf*nf-nf), dgetf2Flops(nf) + 3*(2*nf*nf-nf)},
			"Inv":   {2*nf*nf*nf - 2*nf*nf, 2*nf*nf*nf + 32*nf*nf + 4096*nf},
		}
		for _, op := range luOps {
			c, err := onCensus(t, op, n, count, 0, 0)
			if err != nil {
				t.Fatalf("%s n=%d: %v", op.name, n, err)
			}
			got, want := c.flops/count, bounds[op.name]
			t.Logf("%s n=%d: %.4g flops per matrix (%.4f n³), %d launches", op.name, n, got, got/(nf*nf*nf), c.runs)
			if got < want[0] || got > want[1] {
				t.Errorf("%s n=%d: %.6g flops per matrix, want %.6g to %.6g", op.name, n, got, want[0], want[1])
			}
		}
	}
}

// TestFailuresRelease makes each allocation and each launch of the blocked
// Det, Solve and Inv fail in turn (n = 300 on the census device) and
// checks that a failed launch fails the operation with its error, and that
// whether it fails or not (a failed allocation is retried once the pool
// is drained) every allocation is freed exactly once when the operands are
// freed and the backend closed: the error paths neither leak device memory
// nor free it twice.
func TestFailuresRelease(t *testing.T) {
	const n, count = 300, 2
	for _, op := range luOps {
		clean, err := onCensus(t, op, n, count, 0, 0)
		if err != nil {
			t.Fatalf("%s: %v", op.name, err)
		}
		for k := 1; k <= clean.allocs; k++ {
			if _, err := onCensus(t, op, n, count, k, 0); err != nil && !errors.Is(err, errInjected) {
				t.Errorf("%s, allocation %d failing: %v, want the injected error", op.name, k, err)
			}
		}
		for k := 1; k <= clean.runs; k++ {
			if _, err := onCensus(t, op, n, count, 0, k); !errors.Is(err, errInjected) {
				t.Errorf("%s, launch %d failing: %v, want the injected error", op.name, k, err)
			}
		}
	}
}
