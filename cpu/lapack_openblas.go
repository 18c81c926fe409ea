//go:build openblas

package cpu

/*
#cgo LDFLAGS: -lopenblas

// OpenBLAS's own (optimized, recursive) LU and the inverse from it, with the
// Fortran calling convention of LAPACK; Debian's libopenblas uses 32-bit
// integers (LP64).
void dgetrf_(const int *m, const int *n, double *a, const int *lda, int *ipiv, int *info);
void dgetri_(const int *n, double *a, const int *lda, const int *ipiv, double *work, const int *lwork, int *info);
*/
import "C"

// minOpenBLASOrder is the order from which LU goes through OpenBLAS,
// where it does not go through smallLU. Below it gonum's pure-Go LU is
// faster, with no cgo call per matrix (measured on 2 cores, when each
// matrix was also transposed: 3× at n = 16, 2× at n = 32, even at 64).
const minOpenBLASOrder = 64

// openblasLU is scratch space for LU factorizations of n×n matrices
// through OpenBLAS's dgetrf and dgetri. LAPACK stores matrices by columns,
// so a row-major operand X reads as Xᵀ: it is factored as it lies, PXᵀ = LU
// (pivoting X's columns), which has X's determinant, and whose inverse
// (Xᵀ)⁻¹, stored by columns, is X⁻¹ stored by rows; no copy is transposed
// (a strided transpose in and out took 13% of a det or inverse check at
// n = 1024). Being blocked, and pivoting columns, it rounds differently
// from the pure-Go path: a matrix with a zero row or column still has an
// exact zero pivot, but one with a repeated row or column may get a pivot
// of rounding size instead, and so a huge inverse rather than NaN.
type openblasLU struct {
	n    C.int
	ipiv []C.int
	a    []float64 // the factors of a determinant, column-major
	work []float64 // dgetri's workspace, allocated on first use
}

// newLargeLU returns LU scratch space for order n above maxSmallOrder, or
// any n where smallLU has no assembly: OpenBLAS's from minOpenBLASOrder,
// else gonum's.
func newLargeLU(n int) factorizer {
	if n < minOpenBLASOrder {
		return newGonumLU(n)
	}
	return &openblasLU{n: C.int(n), ipiv: make([]C.int, n), a: make([]float64, n*n)}
}

// getrf factors the column-major a in place and reports whether no pivot
// was exactly zero.
func (f *openblasLU) getrf(a []float64) bool {
	var info C.int
	C.dgetrf_(&f.n, &f.n, (*C.double)(&a[0]), &f.n, &f.ipiv[0], &info)
	return info == 0
}

// factor factors the row-major n×n src, read by columns as srcᵀ:
// P·srcᵀ = LU. It returns the factors L\U, in scratch space valid until
// the next call (the diagonal, which callers read, is where it is in either
// order), and whether the permutation P is odd. An exact zero pivot is left
// on the diagonal.
func (f *openblasLU) factor(src []float64) (lu []float64, odd bool) {
	copy(f.a, src)
	f.getrf(f.a)
	for i, p := range f.ipiv {
		if int(p) != i+1 { // LAPACK pivots count from 1
			odd = !odd
		}
	}
	return f.a, odd
}

// invert writes into dst the inverse of src, both row-major n×n, and
// reports false, leaving dst undefined, when the factorization meets an
// exact zero pivot: it inverts srcᵀ (src read by columns) in dst, by dgetrf
// and dgetri, and (srcᵀ)⁻¹ by columns is src⁻¹ by rows.
func (f *openblasLU) invert(dst, src []float64) bool {
	copy(dst, src)
	if !f.getrf(dst) {
		return false
	}
	var info C.int
	if f.work == nil {
		lwork := C.int(-1)
		var query float64
		C.dgetri_(&f.n, (*C.double)(&dst[0]), &f.n, &f.ipiv[0], (*C.double)(&query), &lwork, &info)
		f.work = make([]float64, max(int(f.n), int(query)))
	}
	lwork := C.int(len(f.work))
	C.dgetri_(&f.n, (*C.double)(&dst[0]), &f.n, &f.ipiv[0], (*C.double)(&f.work[0]), &lwork, &info)
	return info == 0
}
