package cpu

import (
	"fmt"
	"math/rand/v2"
	"testing"

	bt "github.com/gradcheck/gradcheck/backend/backendtest"
)

// BenchmarkSmallLU compares, on one well-conditioned matrix per order, the
// LU and the inverse of smallLU with gonum's and with this build's path
// for large orders (OpenBLAS above minOpenBLASOrder in an openblas build),
// in GFLOP/s of one core (LU 2n³/3, inverse 2n³ flops).
func BenchmarkSmallLU(b *testing.B) {
	paths := []struct {
		name string
		new  func(n int) factorizer
	}{
		{"small", func(n int) factorizer { return newSmallLU(n) }},
		{"gonum", func(n int) factorizer { return newGonumLU(n) }},
		{"large", newLargeLU},
	}
	for _, n := range []int{8, 16, 32, 64, 96} {
		h := bt.WellCond(rand.New(rand.NewPCG(1, uint64(n))), 1, n)
		dst := make([]float64, n*n)
		rate := func(b *testing.B, flops float64) {
			b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		}
		for _, p := range paths {
			f := p.new(n)
			b.Run(fmt.Sprintf("factor/n=%d/%s", n, p.name), func(b *testing.B) {
				for b.Loop() {
					f.factor(h.Data)
				}
				rate(b, 2*float64(n*n*n)/3)
			})
			b.Run(fmt.Sprintf("invert/n=%d/%s", n, p.name), func(b *testing.B) {
				for b.Loop() {
					f.invert(dst, h.Data)
				}
				rate(b, 2*float64(n*n*n))
			})
		}
	}
}
