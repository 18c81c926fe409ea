//go:build openblas

package cpu

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	bt "github.com/gradcheck/gradcheck/backend/backendtest"

	"github.com/gradcheck/gradcheck/backend"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/blas/gonum"
	"gonum.org/v1/netlib/blas/netlib"
)

// TestOpenBLASPath checks that a build with the tag openblas says so, that
// MatMul's products go to OpenBLAS, and that gonum's LU, used for small
// matrices, keeps gonum's own BLAS.
func TestOpenBLASPath(t *testing.T) {
	// OpenBLAS's own words start with its version; then how it is linked.
	got := LinalgPath()
	if !strings.HasPrefix(got, "OpenBLAS 0.") && !strings.HasPrefix(got, "OpenBLAS 1.") ||
		!strings.Contains(got, ", linked statically") && !strings.Contains(got, ", shared library") {
		t.Errorf("LinalgPath() = %q", got)
	}
	if impl, ok := level3.(netlib.Implementation); !ok {
		t.Errorf("MatMul uses %T, not OpenBLAS through %T", level3, impl)
	}
	if n := blasThreads(); n != 1 {
		t.Errorf("OpenBLAS runs a call on %d threads, not 1: its threads would compete with the backend's", n)
	}
	if impl, ok := blas64.Implementation().(gonum.Implementation); !ok {
		t.Errorf("blas64 uses %T, not %T", blas64.Implementation(), impl)
	}
}

// TestOpenBLASLUMatchesGonum checks, at orders that go through OpenBLAS,
// that its LU gives what gonum's gives: the same determinant and sign, the
// same inverse up to rounding, exact signs of permutations, and an exact
// zero pivot for a zero row. (A repeated row may leave a pivot of rounding
// size instead, as in any blocked LU.)
func TestOpenBLASLUMatchesGonum(t *testing.T) {
	b := New()
	rng := rand.New(rand.NewPCG(41, 42))
	one := func(n int) backend.Layout { return backend.Layout{Count: 1, Rows: n, Cols: n} }
	for _, n := range []int{minOpenBLASOrder, 100, 257} {
		if _, ok := newLargeLU(n).(*openblasLU); !ok {
			t.Fatalf("n=%d does not go through OpenBLAS", n)
		}
		h := bt.WellCond(rng, 2, n)
		// Make the second matrix's determinant negative: swap two rows.
		m := h.Mat(1)
		for k := range n {
			m[k], m[n+k] = m[n+k], m[k]
		}
		det := bt.Scalars(t, b, b.Det, h)
		inv, err := b.Inv(bt.Upload(t, b, h))
		gotInv := bt.Download(t, b, inv, err, h.L)
		ref := newGonumLU(n)
		for j := range 2 {
			lu, odd := ref.factor(h.Mat(j))
			want := 1.0
			if odd {
				want = -1
			}
			for i := range n {
				want *= lu[i*n+i]
			}
			if !bt.RelClose(det[j], want, 100*float64(n)*bt.U) || (det[j] < 0) != (j == 1) {
				t.Errorf("n=%d matrix %d: det %v, gonum %v", n, j, det[j], want)
			}
			res, kappa := bt.MaxResidual(n, h.Mat(j), gotInv.Mat(j))
			if tol := 10 * float64(n) * bt.U * kappa; res > tol {
				t.Errorf("n=%d matrix %d: inverse residual %.3g > %.3g", n, j, res, tol)
			}
		}

		p := rng.Perm(n)
		perm := bt.Host{L: one(n), Data: make([]float64, n*n)}
		sign := 1.0
		for i := range n {
			perm.Data[i*n+p[i]] = 1
			for k := i + 1; k < n; k++ {
				if p[k] < p[i] {
					sign = -sign
				}
			}
		}
		if got := bt.Scalars(t, b, b.Det, perm)[0]; got != sign {
			t.Errorf("n=%d: det of a permutation %v, want %v", n, got, sign)
		}

		zeroRow := bt.WellCond(rng, 1, n)
		clear(zeroRow.Data[5*n : 6*n])
		if got := bt.Scalars(t, b, b.Det, zeroRow)[0]; got != 0 {
			t.Errorf("n=%d zero row: det %v, want 0", n, got)
		}
		if got := bt.Scalars(t, b, b.LogDet, zeroRow)[0]; !math.IsInf(got, -1) {
			t.Errorf("n=%d zero row: logdet %v, want -Inf", n, got)
		}
		inv, err = b.Inv(bt.Upload(t, b, zeroRow))
		for i, v := range bt.Download(t, b, inv, err, one(n)).Data {
			if !math.IsNaN(v) {
				t.Fatalf("n=%d zero row: inverse entry %d = %v, want NaN", n, i, v)
			}
		}
	}
}
