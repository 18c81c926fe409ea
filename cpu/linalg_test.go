package cpu

import (
	"math/rand/v2"
	"testing"

	bt "github.com/gradcheck/gradcheck/backend/backendtest"

	"github.com/gradcheck/gradcheck/backend"
)

func TestDetBatch(t *testing.T) {
	// Each stored matrix is factorized on its own, whatever the worker split.
	rng := rand.New(rand.NewPCG(41, 42))
	h := bt.WellCond(rng, 13, 9)
	for _, w := range []int{1, 2, 5} {
		b := &Backend{workers: w}
		all := bt.Scalars(t, b, b.LogDet, h)
		for j := range 13 {
			one := bt.Host{L: backend.Layout{Count: 1, Rows: 9, Cols: 9}, Data: h.Mat(j)}
			if got := bt.Scalars(t, b, b.LogDet, one)[0]; got != all[j] {
				t.Errorf("workers %d matrix %d: batched %v, alone %v", w, j, all[j], got)
			}
		}
	}
}
