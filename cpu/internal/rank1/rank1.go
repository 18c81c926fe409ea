package rank1

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
