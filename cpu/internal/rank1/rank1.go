package rank1

import "math"

// Sub sets a[i·lda+j] -= x[i·incx]·u[j] for i < m and j < len(u): m rows
// of a, lda apart, each less its multiplier from x times u. It panics when
// a or x is too short for that. u must not overlap the entries of a that it
// updates. With Assembly each entry is rounded once (a fused
// multiply-add), else twice, after the product and after the difference.
func Sub(a []float64, lda, m int, x []float64, incx int, u []float64) {
	if m <= 0 {
		return
	}
	// The bounds checks that the assembly does not make.
	_ = a[(m-1)*lda : (m-1)*lda+len(u)]
	_ = x[(m-1)*incx]
	sub(a, lda, m, x, incx, u)
}

// subGo is Sub in Go, without its bounds checks.
func subGo(a []float64, lda, m int, x []float64, incx int, u []float64) {
	for i := range m {
		r := a[i*lda : i*lda+len(u)]
		l := x[i*incx]
		for j, v := range u {
			r[j] -= l * v
		}
	}
}

// Step is the trailing update of one step of an LU factorization, with the
// multipliers' scaling and the search for the next pivot folded in: for
// each of the m rows r of a, lda apart, which must hold len(u)+1 entries
// each, it replaces r[0] with the multiplier r[0]/p (computed from
// r = 1/p, see stepGo), then sets r[1+j] -= r[0]·u[j] for j < len(u). It
// returns the row, counted from 0, whose updated r[1] has the first
// largest magnitude (a NaN is never larger; 0 when len(u) or m is 0): the
// next column's pivot. p must be a normal number.
func Step(a []float64, lda, m int, u []float64, p, r float64) (next int) {
	if m <= 0 {
		return 0
	}
	_ = a[(m-1)*lda : (m-1)*lda+1+len(u)]
	return step(a, lda, m, u, p, r)
}

// stepGo is Step in Go, without its bounds checks.
//
// The multiplier v/p is quotient(v, p, r), the one stepFMA computes.
func stepGo(a []float64, lda, m int, u []float64, p, r float64) (next int) {
	best := 0.0
	for i := range m {
		row := a[i*lda : i*lda+1+len(u)]
		l := quotient(row[0], p, r)
		row[0] = l
		for j, x := range u {
			row[1+j] -= l * x
		}
		if len(u) > 0 {
			if v := math.Abs(row[1]); i == 0 || v > best {
				next, best = i, v
			}
		}
	}
	return next
}

// quotient returns v/p from r = 1/p without a division: v·r corrected by
// one step with its exact remainder v − (v·r)·p, two fused multiply-adds.
// That is v/p correctly rounded in nearly every case and exactly 1 for
// v = p, where v·r alone may be 1 − 2⁻⁵³; so in an LU a repeated row, less
// 1 times its twin, is exactly zero (as in gonum's LU) instead of a pivot
// of rounding size. A NaN from the correction (v or v·r infinite) leaves
// v·r.
func quotient(v, p, r float64) float64 {
	l := v * r
	if c := math.FMA(math.FMA(-l, p, v), r, l); !math.IsNaN(c) {
		return c
	}
	return l
}
