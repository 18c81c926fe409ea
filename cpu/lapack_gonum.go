package cpu

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack/lapack64"
)

// general views a row-major r×c slice as a blas64.General.
func general(r, c int, data []float64) blas64.General {
	return blas64.General{Rows: r, Cols: c, Data: data, Stride: c}
}

// gonumLU is scratch space for LU factorizations of n×n matrices through
// gonum's pure-Go lapack64.Getrf and Getri (over blas64, gonum's pure-Go
// BLAS in every build).
type gonumLU struct {
	n    int
	ipiv []int
	a    []float64 // the factors
	work []float64 // Getri's workspace, allocated on first use
}

func newGonumLU(n int) *gonumLU {
	return &gonumLU{n: n, ipiv: make([]int, n), a: make([]float64, n*n)}
}

// factor computes the LU factorization with partial pivoting PA = LU of
// the row-major n×n src and returns the factors L\U, row-major in scratch
// space valid until the next call, and whether the permutation P is odd.
// An exact zero pivot is left on the diagonal.
func (f *gonumLU) factor(src []float64) (lu []float64, odd bool) {
	copy(f.a, src)
	lapack64.Getrf(general(f.n, f.n, f.a), f.ipiv)
	for i, p := range f.ipiv {
		if p != i {
			odd = !odd
		}
	}
	return f.a, odd
}

// invert writes into dst the inverse of src, both row-major n×n, through LU
// with partial pivoting, and reports false, leaving dst undefined, when the
// factorization meets an exact zero pivot.
func (f *gonumLU) invert(dst, src []float64) bool {
	copy(dst, src)
	g := general(f.n, f.n, dst)
	if !lapack64.Getrf(g, f.ipiv) {
		return false
	}
	if f.work == nil {
		query := []float64{0}
		lapack64.Getri(g, f.ipiv, query, -1)
		f.work = make([]float64, max(f.n, int(query[0])))
	}
	return lapack64.Getri(g, f.ipiv, f.work, len(f.work))
}

// solve overwrites the row-major n×w rhs with a⁻¹·rhs through getrf and
// getrs, or reports false when the LU of the n×n a meets an exact zero
// pivot.
func (f *gonumLU) solve(rhs []float64, w int, a []float64) bool {
	copy(f.a, a)
	if !lapack64.Getrf(general(f.n, f.n, f.a), f.ipiv) {
		return false
	}
	lapack64.Getrs(blas.NoTrans, general(f.n, f.n, f.a), general(f.n, w, rhs), f.ipiv)
	return true
}
