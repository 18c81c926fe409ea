//go:build cgo

package gpu_test

import (
	"math"
	"testing"

	bt "github.com/gradcheck/gradcheck/backend/backendtest"

	"github.com/gradcheck/gradcheck/backend"
	"github.com/gradcheck/gradcheck/gpu"
	"github.com/gradcheck/gradcheck/philox"
)

// TestGaussianBitIdentical checks the Gaussian kernel against philox.Fill,
// the reference, bit for bit: several keys, streams and first indices
// (including one where first+c wraps around 2^32), and matrix sizes with an
// odd number of entries, where the last pair writes one entry.
func TestGaussianBitIdentical(t *testing.T) {
	for _, b := range gpuBackends(t) {
		testGaussian(t, b)
	}
}

func testGaussian(t *testing.T, b *gpu.Backend) {
	cases := []struct {
		l      backend.Layout
		key    uint64
		stream uint32
		first  uint32
	}{
		{backend.Layout{Count: 1, Rows: 1, Cols: 1}, 0, 0, 0},
		{backend.Layout{Count: 3, Rows: 3, Cols: 3}, 1, 2, 3},
		{backend.Layout{Count: 2, Rows: 7, Cols: 1}, 0xDEADBEEFCAFEF00D, 0xFFFFFFFF, 12345},
		{backend.Layout{Count: 4, Rows: 5, Cols: 11}, 0x0123456789ABCDEF, 77, math.MaxUint32 - 1},
		{backend.Layout{Count: 1, Rows: 33, Cols: 31}, 42, 1 << 31, 9},
	}
	for _, c := range cases {
		x, err := b.Gaussian(c.l, c.key, c.stream, c.first)
		got := bt.Download(t, b, x, err, c.l).Data
		size := c.l.Rows * c.l.Cols
		want := make([]float64, size)
		for m := range c.l.Count {
			philox.Fill(want, c.key, c.stream, c.first+uint32(m))
			for i, v := range want {
				if g := got[m*size+i]; math.Float64bits(g) != math.Float64bits(v) {
					t.Fatalf("%s: %+v key %#x stream %d first %d: matrix %d entry %d = %v (%#x), want %v (%#x)",
						b.Device().Name(), c.l, c.key, c.stream, c.first, m, i, g, math.Float64bits(g), v, math.Float64bits(v))
				}
			}
		}
	}
}
