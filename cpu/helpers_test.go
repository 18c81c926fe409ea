package cpu

import (
	"math"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/gradcheck/gradcheck/backend"
)

// u is the unit roundoff of float64.
const u = 0x1p-53

// host is a batch of matrices in host memory, the tests' reference side.
type host struct {
	l    backend.Layout
	data []float64
}

// mat returns matrix j of h.
func (h host) mat(j int) []float64 {
	s := h.l.Rows * h.l.Cols
	return h.data[j*s : (j+1)*s]
}

// randHost returns count r×c matrices of N(0,1) entries.
func randHost(rng *rand.Rand, count, r, c int) host {
	h := host{l: backend.Layout{Count: count, Rows: r, Cols: c}}
	h.data = make([]float64, h.l.Size())
	for i := range h.data {
		h.data[i] = rng.NormFloat64()
	}
	return h
}

// wellcond returns count n×n matrices I + G/(3√n): ‖G/(3√n)‖₂ ≈ 2/3, so
// the condition number is about (1+2/3)/(1−2/3) = 5.
func wellcond(rng *rand.Rand, count, n int) host {
	h := randHost(rng, count, n, n)
	s := 1 / (3 * math.Sqrt(float64(n)))
	for j := range count {
		m := h.mat(j)
		for i := range m {
			m[i] *= s
		}
		for i := range n {
			m[i*n+i]++
		}
	}
	return h
}

// up uploads h to b.
func up(t testing.TB, b *Backend, h host) backend.Tensor {
	t.Helper()
	x, err := b.FromHost(h.l, h.data)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// down downloads x from b, checking that its layout is want.
func down(t testing.TB, b *Backend, x backend.Tensor, err error, want backend.Layout) host {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	if x.Layout() != want {
		t.Fatalf("layout %+v, want %+v", x.Layout(), want)
	}
	d, err := b.ToHost(x)
	if err != nil {
		t.Fatal(err)
	}
	return host{l: want, data: d}
}

// same reports whether x and y are equal, counting NaN equal to NaN.
func same(x, y float64) bool {
	return x == y || (math.IsNaN(x) && math.IsNaN(y))
}

// naiveMul returns the m×n product of m×k a and k×n b by the triple loop,
// and |a|·|b| for error bounds.
func naiveMul(m, k, n int, a, b []float64) (c, abs []float64) {
	c, abs = make([]float64, m*n), make([]float64, m*n)
	for i := range m {
		for j := range n {
			s, sa := 0.0, 0.0
			for l := range k {
				s += a[i*k+l] * b[l*n+j]
				sa += math.Abs(a[i*k+l] * b[l*n+j])
			}
			c[i*n+j], abs[i*n+j] = s, sa
		}
	}
	return c, abs
}

// counts are the (a, b) count pairs the broadcasting tests use: equal, one
// side shared by all, and a proper divisor on either side.
var counts = [][2]int{{1, 1}, {3, 3}, {1, 4}, {4, 1}, {3, 1}, {2, 4}, {4, 2}, {12, 3}, {2, 6}}

// TestMain runs the package's tests with poisoned storage: every tensor an
// operation creates starts full of NaN, so that an entry it does not write
// makes its test fail.
func TestMain(m *testing.M) {
	poison = true
	os.Exit(m.Run())
}
