package cpu

import (
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/gradcheck/gradcheck/backend"
	bt "github.com/gradcheck/gradcheck/backend/backendtest"
	"github.com/gradcheck/gradcheck/philox"
)

// TestParallelEntriesCoversOnce checks that the ranges parallelEntries
// hands out cover every entry exactly once, start at multiples of align and
// stay within one matrix.
func TestParallelEntriesCoversOnce(t *testing.T) {
	for _, c := range []struct{ workers, count, size, align int }{
		{2, 1, 1, 1}, {2, 1, 3*minSplit + 7, 2}, {3, 2, 2*minSplit + 1, 2},
		{4, 5, minSplit/3 + 1, 1}, {2, 40, 1000, 2}, {7, 3, 4 * minSplit, 1},
	} {
		b := &Backend{workers: c.workers}
		hits := make([]int, c.count*c.size)
		var mu sync.Mutex
		b.parallelEntries(c.count, c.size, c.align, func(j, lo, hi int) {
			mu.Lock()
			defer mu.Unlock()
			if lo%c.align != 0 || lo >= hi || hi > c.size {
				t.Errorf("%+v: range [%d, %d) of matrix %d", c, lo, hi, j)
			}
			for i := lo; i < hi; i++ {
				hits[j*c.size+i]++
			}
		})
		for i, h := range hits {
			if h != 1 {
				t.Fatalf("%+v: entry %d covered %d times", c, i, h)
			}
		}
	}
}

// TestSplitMatricesMatchWhole checks the operations that split one large
// matrix over the cores against the whole computed in one piece: the
// Gaussian draw against philox.Fill, Elementwise, Scale and Map against
// entry-by-entry loops.
func TestSplitMatricesMatchWhole(t *testing.T) {
	b := &Backend{workers: 3}
	l := backend.Layout{Count: 1, Rows: 301, Cols: 257} // odd: a half pair at the end
	g, err := b.Gaussian(l, 7, 1, 2)
	got := bt.Download(t, b, g, err, l)
	want := make([]float64, l.Size())
	philox.Fill(want, 7, 1, 2)
	if !slices.Equal(got.Data, want) {
		t.Error("Gaussian of one large matrix differs from philox.Fill")
	}
	rng := rand.New(rand.NewPCG(3, 4))
	x, y := bt.RandHost(rng, 2, 301, 257), bt.RandHost(rng, 1, 301, 257)
	xt, yt := bt.Upload(t, b, x), bt.Upload(t, b, y)
	sum, err := b.Elementwise(backend.Sub, xt, yt)
	s := bt.Download(t, b, sum, err, xt.Layout())
	for i, v := range s.Data {
		if w := x.Data[i] - y.Data[i%len(y.Data)]; v != w {
			t.Fatalf("Elementwise Sub entry %d = %v, want %v", i, v, w)
		}
	}
	f, _ := b.FromHost(backend.Layout{Count: 2, Rows: 1, Cols: 1}, []float64{2, -3})
	sc, err := b.Scale(f, xt)
	s = bt.Download(t, b, sc, err, xt.Layout())
	for i, v := range s.Data {
		if w := []float64{2, -3}[i/(301*257)] * x.Data[i]; v != w {
			t.Fatalf("Scale entry %d = %v, want %v", i, v, w)
		}
	}
	m, err := b.Map(backend.Abs, xt)
	s = bt.Download(t, b, m, err, xt.Layout())
	for i, v := range s.Data {
		if w := max(x.Data[i], -x.Data[i]); v != w {
			t.Fatalf("Map Abs entry %d = %v, want %v", i, v, w)
		}
	}
}
