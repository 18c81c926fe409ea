package rank1

import "math"

// Sub sets a[i·lda+j] -= x[i·incx]·u[j] for i < m and j < len(u): m rows
// of a, lda apart, each less its multiplier from x times u. It panics when
// a or x is too short for that. u must not overlap the entries of a that it
// updates. Each entry is rounded after the product and after the
// difference, as gonum's dger rounds it (there are no fused multiply-adds).
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

// Sub2 sets a[i·lda+j] = (a[i·lda+j] − x[i·incx]·u[j]) − y[i·incx]·v[j]
// for i < m and j < len(u): Sub with x and u, then Sub with y and v, in
// one pass that loads and stores each row of a once, rounding as the two
// Subs round. It panics when a, x or y is too short for that, or when v is
// shorter than u. Neither u nor v may overlap the entries of a that it
// updates.
func Sub2(a []float64, lda, m int, x, y []float64, incx int, u, v []float64) {
	if m <= 0 {
		return
	}
	_ = a[(m-1)*lda : (m-1)*lda+len(u)]
	_ = x[(m-1)*incx]
	_ = y[(m-1)*incx]
	_ = v[:len(u)]
	sub2(a, lda, m, x, y, incx, u, v)
}

// sub2Go is Sub2 in Go, without its bounds checks.
func sub2Go(a []float64, lda, m int, x, y []float64, incx int, u, v []float64) {
	for i := range m {
		r := a[i*lda : i*lda+len(u)]
		l, k := x[i*incx], y[i*incx]
		for j, w := range u {
			r[j] -= l * w
			r[j] -= k * v[j]
		}
	}
}

// Step is the trailing update of one step of an LU factorization, with the
// scaling of the multipliers and the search for the next pivot folded in:
// for each of the m rows r of a, lda apart, which must hold len(u)+1
// entries each, it replaces r[0] with the multiplier r[0]·recip (recip the
// pivot's reciprocal), then sets r[1+j] -= r[0]·u[j] for j < len(u),
// rounding as Sub. It returns the row, counted from 0, whose updated r[1]
// has the first largest magnitude, where a NaN is never larger (0 when
// len(u) or m is 0): the next column's pivot, as BLAS's idamax finds it.
// One call does what gonum's dgetf2 does in a step with dscal, dger and
// idamax, and rounds the same.
func Step(a []float64, lda, m int, u []float64, recip float64) (next int) {
	if m <= 0 {
		return 0
	}
	_ = a[(m-1)*lda : (m-1)*lda+1+len(u)]
	return step(a, lda, m, u, recip)
}

// stepGo is Step in Go, without its bounds checks.
func stepGo(a []float64, lda, m int, u []float64, recip float64) (next int) {
	best := 0.0
	for i := range m {
		row := a[i*lda : i*lda+1+len(u)]
		row[0] *= recip
		l := row[0]
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
