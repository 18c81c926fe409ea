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

// linalgPath names the linear algebra of this build: OpenBLAS, through cgo.
const linalgPath = "OpenBLAS"

// minOpenBLASOrder is the order from which LU goes through OpenBLAS,
// where it does not go through smallLU. Below it gonum's pure-Go LU is
// faster, with no cgo call and no transposition per matrix (measured on 2
// cores: 3× at n = 16, 2× at n = 32, even at 64).
const minOpenBLASOrder = 64

// openblasLU is scratch space for LU factorizations of n×n matrices
// through OpenBLAS's dgetrf and dgetri. LAPACK
// stores matrices by columns, so the row-major operand is transposed on the
// way in (and an inverse on the way out): the factorization is then that
// of the matrix itself, with row pivoting, as on the pure-Go path. Being
// blocked, it rounds differently: a matrix with a zero row or column still
// has an exact zero pivot, but one with a repeated row may get a pivot of
// rounding size instead, and so a huge inverse rather than NaN.
type openblasLU struct {
	n    C.int
	ipiv []C.int
	a    []float64 // the factors, column-major
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

// transpose writes the transpose of the n×n matrix src into dst.
func transpose(n int, dst, src []float64) {
	for i := range n {
		for k, v := range src[i*n : (i+1)*n] {
			dst[k*n+i] = v
		}
	}
}

// getrf factors f.a, column-major, in place and reports whether no pivot
// was exactly zero.
func (f *openblasLU) getrf() bool {
	var info C.int
	C.dgetrf_(&f.n, &f.n, (*C.double)(&f.a[0]), &f.n, &f.ipiv[0], &info)
	return info == 0
}

// factor computes the LU factorization with partial pivoting PA = LU of
// the row-major n×n src and returns the factors L\U, in scratch space valid
// until the next call (column-major here: the diagonal, which callers read,
// is where it is in either order), and whether the permutation P is odd.
// An exact zero pivot is left on the diagonal.
func (f *openblasLU) factor(src []float64) (lu []float64, odd bool) {
	transpose(int(f.n), f.a, src)
	f.getrf()
	for i, p := range f.ipiv {
		if int(p) != i+1 { // LAPACK pivots count from 1
			odd = !odd
		}
	}
	return f.a, odd
}

// invert writes into dst the inverse of src, both row-major n×n, through LU
// with partial pivoting, and reports false, leaving dst undefined, when the
// factorization meets an exact zero pivot.
func (f *openblasLU) invert(dst, src []float64) bool {
	n := int(f.n)
	transpose(n, f.a, src)
	if !f.getrf() {
		return false
	}
	var info C.int
	if f.work == nil {
		lwork := C.int(-1)
		var query float64
		C.dgetri_(&f.n, (*C.double)(&f.a[0]), &f.n, &f.ipiv[0], (*C.double)(&query), &lwork, &info)
		f.work = make([]float64, max(n, int(query)))
	}
	lwork := C.int(len(f.work))
	C.dgetri_(&f.n, (*C.double)(&f.a[0]), &f.n, &f.ipiv[0], (*C.double)(&f.work[0]), &lwork, &info)
	transpose(n, dst, f.a)
	return info == 0
}
