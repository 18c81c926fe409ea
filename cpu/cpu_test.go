package cpu

import (
	"math"
	"math/big"
	"math/rand/v2"
	"sync/atomic"
	"testing"
)

func TestParallelCoversEachIndexOnce(t *testing.T) {
	for _, workers := range []int{1, 2, 3, 8} {
		for _, count := range []int{1, 2, 5, 7, 8, 100} {
			b := &Backend{workers: workers}
			hits := make([]atomic.Int32, count)
			b.parallel(count, func(lo, hi int) {
				for j := lo; j < hi; j++ {
					hits[j].Add(1)
				}
			})
			for j := range hits {
				if n := hits[j].Load(); n != 1 {
					t.Errorf("workers %d, count %d: index %d run %d times", workers, count, j, n)
				}
			}
		}
	}
}

// TestSumDot checks the four-lane sums against sums exact to the last bit
// (math/big, 200-bit mantissas), within the bound of any order of
// summation, (n−1)·u·Σ|terms|, at lengths around the lanes' multiple.
func TestSumDot(t *testing.T) {
	rnd := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{0, 1, 2, 3, 4, 5, 7, 8, 9, 64, 1023, 1024, 4097} {
		x, y := make([]float64, n), make([]float64, n)
		for i := range x {
			x[i], y[i] = rnd.NormFloat64()*math.Exp(3*rnd.NormFloat64()), rnd.NormFloat64()
		}
		exactSum, exactDot := new(big.Float).SetPrec(200), new(big.Float).SetPrec(200)
		absSum, absDot := 0.0, 0.0
		for i := range x {
			exactSum.Add(exactSum, big.NewFloat(x[i]))
			p := new(big.Float).SetPrec(200).Mul(big.NewFloat(x[i]), big.NewFloat(y[i]))
			exactDot.Add(exactDot, p)
			absSum, absDot = absSum+math.Abs(x[i]), absDot+math.Abs(x[i]*y[i])
		}
		bound := func(abs float64) float64 { return float64(n) * 0x1p-53 * abs * 1.01 }
		for _, c := range []struct {
			name       string
			got        float64
			exact      *big.Float
			absOfTerms float64
		}{
			{"sum", sum(x), exactSum, absSum},
			{"dot", dot(x, y), exactDot, absDot},
		} {
			want, _ := c.exact.Float64()
			if err := math.Abs(c.got - want); err > bound(c.absOfTerms) {
				t.Errorf("%s of %d: %g, exactly %g: error %g beyond %g", c.name, n, c.got, want, err, bound(c.absOfTerms))
			}
		}
	}
}
