package cpu

import (
	"fmt"
	"math/rand/v2"
	"testing"

	bt "github.com/gradcheck/gradcheck/backend/backendtest"

	"github.com/gradcheck/gradcheck/backend"
)

// benchBatch is the number of matrices per call: enough to keep every core
// busy at n = 32 and 64 (where waking a core costs as much as the work;
// see internal/parts), few enough to stay fast at n = 256.
const benchBatch = 16

// benchOp times op on a batch of well-conditioned n×n matrices and reports
// GFLOP/s for flops floating-point operations per matrix.
func benchOp(b *testing.B, op func(be *Backend, x backend.Tensor) (backend.Tensor, error), flops func(n float64) float64) {
	for _, n := range []int{32, 64, 256} {
		b.Run(fmt.Sprint("n=", n), func(b *testing.B) {
			be := New()
			h := bt.WellCond(rand.New(rand.NewPCG(1, uint64(n))), benchBatch, n)
			x, err := be.FromHost(h.L, h.Data)
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				y, err := op(be, x)
				if err != nil {
					b.Fatal(err)
				}
				be.Free(y)
			}
			total := flops(float64(n)) * benchBatch * float64(b.N)
			b.ReportMetric(total/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}

func BenchmarkMatMul(b *testing.B) {
	benchOp(b, func(be *Backend, x backend.Tensor) (backend.Tensor, error) { return be.MatMul(x, x) },
		func(n float64) float64 { return 2 * n * n * n })
}

// BenchmarkInv counts LU (2n³/3) plus the inverse from it (4n³/3).
func BenchmarkInv(b *testing.B) {
	benchOp(b, (*Backend).Inv, func(n float64) float64 { return 2 * n * n * n })
}

// BenchmarkLogDet counts the LU factorization, 2n³/3.
func BenchmarkLogDet(b *testing.B) {
	benchOp(b, (*Backend).LogDet, func(n float64) float64 { return 2 * n * n * n / 3 })
}

// BenchmarkAddScaled forms the perturbed points of an entrywise block, as
// the verifier does: one X (n = 64) broadcast against 60 steps and 60
// directions; GB/s counts the directions read and the points written.
func BenchmarkAddScaled(b *testing.B) {
	const n, points = 64, 60
	be := New()
	rng := rand.New(rand.NewPCG(1, 2))
	xt := bt.Upload(b, be, bt.RandHost(rng, 1, n, n))
	st := bt.Upload(b, be, bt.RandHost(rng, points, 1, 1))
	ht := bt.Upload(b, be, bt.RandHost(rng, points, n, n))
	for b.Loop() {
		y, err := be.AddScaled(xt, st, ht)
		if err != nil {
			b.Fatal(err)
		}
		be.Free(y)
	}
	b.ReportMetric(float64(2*points*n*n*8*b.N)/b.Elapsed().Seconds()/1e9, "GB/s")
}
