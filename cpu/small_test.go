package cpu

import (
	"math"
	"math/rand/v2"
	"testing"

	bt "github.com/gradcheck/gradcheck/backend/backendtest"
	"github.com/gradcheck/gradcheck/cpu/internal/rank1"
)

// luDet returns the determinant of the n×n m from its LU through f.
func luDet(f factorizer, n int, m []float64) float64 {
	lu, odd := f.factor(m)
	return detFromLU(lu, n, odd)
}

// TestSmallLUMatchesGonum holds smallLU against gonum's LU (an
// independent implementation) on random matrices of every order the small
// path serves, well-conditioned and plain Gaussian, with positive and
// negative determinants. The factors must be gonum's bit for bit, with the
// same permutation: both do dgetf2's operations in its order (gonum's LU is
// unblocked up to order 64). The inverses are computed differently, but
// both are backward stable: the exact inverse of A + E with ‖E‖ of order
// n·u·‖A‖ (the growth factor is small for these matrices). So they leave a
// residual |A·A⁻¹ − I| within 10·n·u·κ∞ (as the conformance suite asks of
// any inverse) and differ from gonum's by at most 10·n·u·κ∞ relative to
// the largest entry of A⁻¹,
// as do the solutions of A·X = B (a perturbation of relative size ε in A
// or in the computation moves X by about κ·ε relative to its size).
func TestSmallLUMatchesGonum(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{1, 2, 3, 4, 5, 7, 8, 9, 16, 31, 32, 33, 63, maxSmallOrder} {
		hs := []bt.Host{bt.WellCond(rng, 2, n), bt.RandHost(rng, 2, n, n)}
		for _, h := range hs {
			// Swap two rows of the second matrix: its determinant changes sign.
			if m := h.Mat(1); n > 1 {
				for k := range n {
					m[k], m[n+k] = m[n+k], m[k]
				}
			}
			for j := range 2 {
				m := h.Mat(j)
				f := newSmallLU(n)
				lu, odd := f.factor(m)
				ref, refOdd := newGonumLU(n).factor(m)
				if odd != refOdd {
					t.Errorf("n=%d matrix %d: odd permutation %v, gonum %v", n, j, odd, refOdd)
				}
				for i := range lu {
					if math.Float64bits(lu[i]) != math.Float64bits(ref[i]) {
						t.Fatalf("n=%d matrix %d: factor entry %d = %v, gonum %v", n, j, i, lu[i], ref[i])
					}
				}
				inv := make([]float64, n*n)
				if !f.invert(inv, m) {
					t.Fatalf("n=%d matrix %d: invert reports a zero pivot", n, j)
				}
				res, kappa := bt.MaxResidual(n, m, inv)
				tol := 10 * float64(n) * bt.U * kappa
				if res > tol {
					t.Errorf("n=%d matrix %d: residual %.3g > %.3g", n, j, res, tol)
				}

				ref = make([]float64, n*n)
				newGonumLU(n).invert(ref, m)
				var diff, size float64
				for i := range inv {
					diff = math.Max(diff, math.Abs(inv[i]-ref[i]))
					size = math.Max(size, math.Abs(ref[i]))
				}
				if diff > tol*size {
					t.Errorf("n=%d matrix %d: inverse differs from gonum's by %.3g > %.3g", n, j, diff, tol*size)
				}

				// A·X = B for three right-hand sides: X as gonum's getrs
				// gives it, to the same relative 10·n·u·κ∞.
				rhs := bt.RandHost(rng, 1, n, 3).Data
				x, xref := append([]float64(nil), rhs...), append([]float64(nil), rhs...)
				if !f.solve(x, 3, m) || !newGonumLU(n).solve(xref, 3, m) {
					t.Fatalf("n=%d matrix %d: solve reports a zero pivot", n, j)
				}
				diff, size = 0, 0
				for i := range x {
					diff = math.Max(diff, math.Abs(x[i]-xref[i]))
					size = math.Max(size, math.Abs(xref[i]))
				}
				if diff > tol*size {
					t.Errorf("n=%d matrix %d: solution differs from gonum's by %.3g > %.3g", n, j, diff, tol*size)
				}
			}
		}
	}
}

// TestSmallLUEdgeCases checks pivoting and singular matrices exactly
// against values known in closed form and against gonum: permutation
// matrices (det ±1 exactly, the inverse the transpose exactly), an exact
// zero pivot from a zero column (no inverse, no solution, det 0), a
// NaN entry (NaN determinant and no finite inverse entry, as gonum), and a
// pivot below the smallest normal number, where a reciprocal would
// overflow and the multipliers must come from divisions.
func TestSmallLUEdgeCases(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	det := func(n int, m []float64) float64 { return luDet(newSmallLU(n), n, m) }
	for _, n := range []int{2, 5, 17, maxSmallOrder} {
		p := rng.Perm(n)
		perm := make([]float64, n*n)
		sign := 1.0
		for i := range n {
			perm[i*n+p[i]] = 1
			for k := i + 1; k < n; k++ {
				if p[k] < p[i] {
					sign = -sign
				}
			}
		}
		if got := det(n, perm); got != sign {
			t.Errorf("n=%d permutation: det %v, want %v", n, got, sign)
		}
		inv := make([]float64, n*n)
		if !newSmallLU(n).invert(inv, perm) {
			t.Fatalf("n=%d permutation: no inverse", n)
		}
		for i := range n {
			for k := range n {
				if inv[i*n+k] != perm[k*n+i] {
					t.Fatalf("n=%d permutation: inverse (%d,%d) = %v, want the transpose's %v", n, i, k, inv[i*n+k], perm[k*n+i])
				}
			}
		}

		// A zero column stays zero through every update: an exact zero
		// pivot. (A repeated row gives one only where the multiplier
		// fl(p·fl(1/p)) is 1, as in gonum's LU, whose bits the small path
		// reproduces: TestSmallLUMatchesGonum.)
		zeroCol := bt.RandHost(rng, 1, n, n).Data
		for i := range n {
			zeroCol[i*n+n/2] = 0
		}
		if got := det(n, zeroCol); got != 0 {
			t.Errorf("n=%d zero column: det %v, want 0", n, got)
		}
		if newSmallLU(n).invert(inv, zeroCol) {
			t.Errorf("n=%d zero column: invert reports no zero pivot", n)
		}
		if newSmallLU(n).solve(make([]float64, n), 1, zeroCol) {
			t.Errorf("n=%d zero column: solve reports no zero pivot", n)
		}

		withNaN := bt.WellCond(rng, 1, n).Data
		withNaN[(n/2)*n+n/3] = math.NaN()
		if got, want := det(n, withNaN), luDet(newGonumLU(n), n, withNaN); !math.IsNaN(got) || !math.IsNaN(want) {
			t.Errorf("n=%d NaN entry: det %v, gonum %v, want NaN", n, got, want)
		}
		ref := make([]float64, n*n)
		okSmall, okGonum := newSmallLU(n).invert(inv, withNaN), newGonumLU(n).invert(ref, withNaN)
		for i := range inv {
			if okSmall != okGonum || !math.IsNaN(inv[i]) && !math.IsInf(inv[i], 0) && okSmall {
				t.Fatalf("n=%d NaN entry: inverse entry %d = %v (ok %v), gonum %v (ok %v)", n, i, inv[i], okSmall, ref[i], okGonum)
			}
		}
	}

	// [[t, 1], [2t, 3]] with t subnormal: the pivot 2t has no finite
	// reciprocal; dividing gives the multiplier 1/2 and u22 = 1 − 3/2, both
	// exact, so det = −(2t·(−1/2)) = t exactly.
	const tiny = 1e-310
	if got := det(2, []float64{tiny, 1, 2 * tiny, 3}); got != tiny {
		t.Errorf("subnormal pivot: det %v, want %v", got, tiny)
	}
}

// substituteByStep is substitute one step at a time, its specification:
// every step of forward and back substitution one call of rank1.Sub.
func (f *smallLU) substituteByStep(b []float64, w int, unitLower bool) {
	n, a := f.n, f.a
	for k := range n - 1 {
		width := w
		if unitLower {
			width = k + 1
		}
		rank1.Sub(b[(k+1)*w:], w, n-k-1, a[(k+1)*n+k:], n, b[k*w:k*w+width])
	}
	for k := n - 1; k >= 0; k-- {
		row := b[k*w : (k+1)*w]
		d := a[k*n+k]
		for j := range row {
			row[j] /= d
		}
		rank1.Sub(b, w, k, a[k:], n, row)
	}
}

// TestSubstituteInPairs checks substitute, which goes two steps at a
// time, against substituteByStep bit for bit, for the inverse (unit lower
// triangular b) and for solves of 1 to n right-hand sides, at every order
// up to beyond the largest small one, odd and even.
func TestSubstituteInPairs(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for n := 1; n <= maxSmallOrder+3; n++ {
		f := newSmallLU(n)
		src := make([]float64, n*n)
		for i := range src {
			src[i] = rng.NormFloat64()
		}
		copy(f.a, src)
		f.getf2()
		for _, w := range []int{n, 1, 3, 5} {
			for _, unit := range []bool{false, true} {
				if unit && w != n {
					continue
				}
				b := make([]float64, n*w)
				for i := range b {
					b[i] = rng.NormFloat64()
				}
				if unit {
					clear(b)
					for i := range n {
						b[i*n+i] = 1
					}
				}
				b2 := append([]float64(nil), b...)
				f.substitute(b, w, unit)
				f.substituteByStep(b2, w, unit)
				for i := range b {
					if b[i] != b2[i] {
						t.Fatalf("n=%d w=%d unit lower %v: entry %d is %v, one step at a time %v", n, w, unit, i, b[i], b2[i])
					}
				}
			}
		}
	}
}
