package cpu

import (
	"fmt"
	"math/rand/v2"
	"testing"

	bt "github.com/gradcheck/gradcheck/backend/backendtest"

	"github.com/gradcheck/gradcheck/backend"
)

// benchBatch is the number of matrices per call: enough to keep every core
// busy at n = 64, few enough to stay fast at n = 256.
const benchBatch = 16

// benchOp times op on a batch of well-conditioned n×n matrices and reports
// GFLOP/s for flops floating-point operations per matrix.
func benchOp(b *testing.B, op func(be *Backend, x backend.Tensor) (backend.Tensor, error), flops func(n float64) float64) {
	for _, n := range []int{64, 256} {
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
