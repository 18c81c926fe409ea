//go:build cgo

package gpu_test

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	bt "github.com/gradcheck/gradcheck/backend/backendtest"

	"github.com/gradcheck/gradcheck/backend"
	"github.com/gradcheck/gradcheck/gpu"
)

// BenchmarkKernels times the two kinds of work the verifier's heavy claims
// are made of, on every device of the test binary, and reports their rate
// in GFLOP/s: batched products (2n³ flops each), batched LU
// factorizations (Det, (2/3)n³ flops each; their trailing updates are
// products) and inverses (Inv, 2n³: the factorization and the
// substitutions on the identity), with each kernel of the products the
// device has (named as GRADCHECK_GPU_GEMM names them: dmma-async, dmma,
// fma), and with the device's own products, Det and Inv again with the
// panels factored in global memory (gc_lu_panel) instead of registers
// (-panels-in-memory). The matrices are those of bt.Pivoting, whose LU
// swaps rows at almost every step, as that of random matrices does. On a
// GPU (scripts/gpu-check.sh runs it with GRADCHECK_TEST_DEVICES=cuda) at
// n = 256, 1024 and 2048, with batches that occupy every multiprocessor;
// in the emulation at n = 64, which checks only that it runs.
func BenchmarkKernels(b *testing.B) {
	rng := rand.New(rand.NewPCG(41, 42))
	for _, g := range gpuBackends(b) {
		sizes := []struct{ n, count int }{{256, 528}, {1024, 132}, {2048, 32}}
		if emulated(g) {
			sizes = []struct{ n, count int }{{64, 2}}
		}
		own := g.Device().Limits().Products
		products := []gpu.Products{gpu.FMA}
		if own != gpu.FMA {
			products = []gpu.Products{gpu.DMMAAsync, gpu.DMMA, gpu.FMA}
		}
		for _, s := range sizes {
			// Drawn once, when a benchmark of this size is selected (-bench
			// may select one only, as gpu-check.sh's profiles do).
			in := sync.OnceValue(func() bt.Host { return bt.Pivoting(rng, s.count, s.n) })
			nf := float64(s.n)
			for _, p := range products {
				name := fmt.Sprintf("%s/n=%d/batch=%d/%s", g.Device().Name(), s.n, s.count, p)
				run := func(be *gpu.Backend, op string, flops float64, f func(x backend.Tensor) (backend.Tensor, error)) {
					b.Run(name+"/"+op, func(b *testing.B) {
						x := bt.Upload(b, be, in())
						defer be.Free(x)
						rate(b, be, flops*float64(s.count), func() (backend.Tensor, error) { return f(x) })
					})
				}
				pb := gpu.New(withProducts(g.Device(), p))
				run(pb, "MatMul", 2*nf*nf*nf, func(x backend.Tensor) (backend.Tensor, error) { return pb.MatMul(x, x) })
				run(pb, "Det", 2*nf*nf*nf/3, pb.Det)
				run(pb, "Inv", 2*nf*nf*nf, pb.Inv)
				pb.Close()
				if p == own {
					mem := gpu.New(withLimits{g.Device(), func(l *gpu.Limits) { l.PanelInRegisters = false }, ""})
					run(mem, "Det-panels-in-memory", 2*nf*nf*nf/3, mem.Det)
					run(mem, "Inv-panels-in-memory", 2*nf*nf*nf, mem.Inv)
					mem.Close()
				}
			}
		}
	}
}

// rate runs op b.N times on g, and waits for the device, within the timer
// (launches return before their kernels finish), and reports the flops it
// does per run as GFLOP/s.
func rate(b *testing.B, g *gpu.Backend, flops float64, op func() (backend.Tensor, error)) {
	b.ResetTimer()
	for range b.N {
		r, err := op()
		if err != nil {
			b.Fatal(err)
		}
		g.Free(r)
	}
	if err := g.Sync(); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}
