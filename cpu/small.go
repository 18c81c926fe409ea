package cpu

import (
	"math"

	"github.com/gradcheck/gradcheck/cpu/internal/rank1"
)

// maxSmallOrder is the largest order whose LU, determinant, inverse and
// solves go through smallLU rather than gonum's or OpenBLAS's LAPACK, where
// package rank1's kernels run in assembly. Both are built for large
// matrices: calls per row or column operation (gonum) or a cgo call and a
// transposition per matrix (OpenBLAS) cost more than the arithmetic of a
// small one. (In Go alone smallLU is slower than gonum's LU, whose kernels
// are assembly.)
const maxSmallOrder = 64

// factorizer is LU scratch space for matrices of one order: smallLU, or
// gonum's or OpenBLAS's LAPACK (largeLU) for larger ones.
type factorizer interface {
	// factor computes the LU factorization with partial pivoting PA = LU
	// of the row-major n×n src and returns the factors L\U, in scratch
	// space valid until the next call, in an order where the diagonal,
	// which callers read, is where it is in a row-major matrix, and
	// whether the permutation P is odd. An exact zero pivot is left on the
	// diagonal.
	factor(src []float64) (lu []float64, odd bool)
	// invert writes into dst the inverse of src, both row-major n×n,
	// through LU with partial pivoting, and reports false, leaving dst
	// undefined, when the factorization meets an exact zero pivot.
	invert(dst, src []float64) bool
}

// newFactorizer returns LU scratch space for order n.
func newFactorizer(n int) factorizer {
	if n <= maxSmallOrder && rank1.Assembly {
		return newSmallLU(n)
	}
	return newLargeLU(n)
}

// smallLU is scratch space for LU factorizations with partial pivoting of
// row-major n×n matrices of small order: unblocked, every step of the
// factorization one call of rank1.Step and every step of a substitution
// one of rank1.Sub, whose assembly does two rows at a time, four entries
// per instruction. Its factors, and so determinants, are gonum's bit for
// bit (gonum's LU is unblocked up to order 64, and so is the GPU kernel,
// whose emulation tests hold it to the CPU backend's bits); its inverse
// and solutions are computed another way (see invert) and agree to
// rounding.
type smallLU struct {
	n   int
	a   []float64 // the factors L\U of the last factorization, row-major
	piv []int     // at step k, row k was swapped with row piv[k]
}

func newSmallLU(n int) *smallLU {
	return &smallLU{n: n, a: make([]float64, n*n), piv: make([]int, n)}
}

// factor computes the LU factorization with partial pivoting PA = LU of
// the row-major n×n src and returns the factors L\U, row-major in scratch
// space valid until the next call, and whether the permutation P is odd.
// An exact zero pivot is left on the diagonal.
func (f *smallLU) factor(src []float64) (lu []float64, odd bool) {
	copy(f.a, src)
	f.getf2()
	for i, p := range f.piv {
		if p != i {
			odd = !odd
		}
	}
	return f.a, odd
}

// invert writes into dst the inverse of src, both row-major n×n, through LU
// with partial pivoting, and reports false, leaving dst undefined, when the
// factorization meets an exact zero pivot. With PA = LU, A⁻¹ = U⁻¹L⁻¹P:
// L⁻¹ by forward substitution on I (its row k has entries in columns 0…k
// only), U⁻¹L⁻¹ by back substitution, then the column swaps of P in
// reverse order, as LAPACK's dgetri.
func (f *smallLU) invert(dst, src []float64) bool {
	copy(f.a, src)
	if !f.getf2() {
		return false
	}
	n := f.n
	clear(dst)
	for i := range n {
		dst[i*n+i] = 1
	}
	f.substitute(dst, n, true)
	for k := n - 2; k >= 0; k-- {
		if p := f.piv[k]; p != k {
			for r := 0; r < n*n; r += n {
				dst[r+k], dst[r+p] = dst[r+p], dst[r+k]
			}
		}
	}
	return true
}

// solve overwrites the row-major n×w rhs with a⁻¹·rhs: the LU of the n×n
// a, the row swaps of P, then forward and back substitution. It reports
// false, leaving rhs undefined, when the LU meets an exact zero pivot.
func (f *smallLU) solve(rhs []float64, w int, a []float64) bool {
	copy(f.a, a)
	if !f.getf2() {
		return false
	}
	for k, p := range f.piv {
		swapRows(rhs, w, k, p)
	}
	f.substitute(rhs, w, false)
	return true
}

// substitute overwrites the row-major n×w b with U⁻¹L⁻¹b, row-oriented:
// forward substitution subtracts l_ik times row k of b from each row i > k;
// back substitution divides row k by u_kk and subtracts u_ik times it from
// each row i < k. With unitLower, b is lower triangular with a unit
// diagonal (I, for the inverse), and so is L⁻¹b: forward substitution
// then touches only columns 0…k of row k. Both go two steps at a time:
// the second step's row is brought up to date first, then the rows beyond
// take both updates in one pass of rank1.Sub2, which rounds every entry
// as the two steps one after the other would.
func (f *smallLU) substitute(b []float64, w int, unitLower bool) {
	n, a := f.n, f.a
	width := func(k int) int { // of row k in forward substitution
		if unitLower {
			return k + 1
		}
		return w
	}
	k := 0
	for ; k+1 < n-1; k += 2 {
		first := b[k*w : k*w+width(k)]
		rank1.Sub(b[(k+1)*w:], w, 1, a[(k+1)*n+k:], n, first)
		second := b[(k+1)*w : (k+1)*w+width(k+1)]
		rest := b[(k+2)*w:]
		rank1.Sub2(rest, w, n-k-2, a[(k+2)*n+k:], a[(k+2)*n+k+1:], n, first, second)
		if unitLower {
			// Column k+1, beyond the first row's width, takes the
			// second update alone.
			for i := range n - k - 2 {
				rest[i*w+k+1] -= a[(k+2+i)*n+k+1] * second[k+1]
			}
		}
	}
	if k < n-1 {
		rank1.Sub(b[(k+1)*w:], w, n-k-1, a[(k+1)*n+k:], n, b[k*w:k*w+width(k)])
	}
	k = n - 1
	for ; k >= 1; k -= 2 {
		last, prev := b[k*w:(k+1)*w], b[(k-1)*w:k*w]
		divide(last, a[k*n+k])
		rank1.Sub(prev, w, 1, a[(k-1)*n+k:], n, last)
		divide(prev, a[(k-1)*n+k-1])
		rank1.Sub2(b, w, k-1, a[k:], a[k-1:], n, last, prev)
	}
	if k == 0 {
		divide(b[:w], a[0])
	}
}

// divide divides every entry of row by d.
func divide(row []float64, d float64) {
	for j := range row {
		row[j] /= d
	}
}

// getf2 factors f.a in place into L\U with partial pivoting, recording the
// row swaps in f.piv, and reports whether every pivot was nonzero. It is
// gonum's (and LAPACK's) dgetf2 operation for operation, and so gives its
// factors bit for bit: the pivot is the first entry of largest magnitude
// (a NaN is never larger), the multipliers come from the pivot's
// reciprocal unless that overflows, and the trailing matrix is updated
// even after a zero pivot, so that a NaN below it still spreads. In the
// common case, a normal pivot, one call of rank1.Step does all of a step
// but the row swap.
func (f *smallLU) getf2() bool {
	n, a, ok := f.n, f.a, true
	p := pivotRow(a, n, 0)
	for k := range n {
		f.piv[k] = p
		swapRows(a, n, k, p)
		pivot := a[k*n+k]
		ok = ok && pivot != 0
		if k+1 == n {
			break
		}
		rows, u := a[(k+1)*n+k:], a[k*n+k+1:(k+1)*n]
		if math.Abs(pivot) >= minNormal {
			p = k + 1 + rank1.Step(rows, n, n-k-1, u, 1/pivot)
			continue
		}
		// A zero, subnormal or NaN pivot: divide by it unless it is zero
		// (where gonum's dgetf2 divides the first entry over and over, a
		// slip that shows from n = 3 on).
		if pivot != 0 {
			for i := k + 1; i < n; i++ {
				a[i*n+k] /= pivot
			}
		}
		rank1.Sub(rows[1:], n, n-k-1, rows, n, u)
		p = pivotRow(a, n, k+1)
	}
	return ok
}

// pivotRow returns the first row i ≥ k of the row-major n×n a with the
// largest |a_ik|, where a NaN is never larger.
func pivotRow(a []float64, n, k int) int {
	p := k
	for i := k + 1; i < n; i++ {
		if math.Abs(a[i*n+k]) > math.Abs(a[p*n+k]) {
			p = i
		}
	}
	return p
}

// swapRows swaps rows i and j of the row-major m with w columns.
func swapRows(m []float64, w, i, j int) {
	if i == j {
		return
	}
	ri, rj := m[i*w:(i+1)*w], m[j*w:(j+1)*w]
	for c := range ri {
		ri[c], rj[c] = rj[c], ri[c]
	}
}

// minNormal is the smallest positive normal float64, LAPACK's safe minimum:
// its reciprocal does not overflow.
const minNormal = 0x1p-1022
