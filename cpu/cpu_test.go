package cpu

import (
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
