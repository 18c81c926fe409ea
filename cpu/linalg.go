package cpu

import (
	"math"

	"github.com/gradcheck/gradcheck/backend"
	"github.com/gradcheck/gradcheck/cpu/internal/rank1"
	"gonum.org/v1/gonum/blas"
)

// LinalgPath names the linear algebra under the backend's products and
// factorizations: "gonum (pure Go)" by default, or in a build with the tag
// openblas (which needs cgo and libopenblas-dev) "OpenBLAS", its version
// and build options as it reports them and how it is linked, where
// products go through OpenBLAS's dgemm and the LU of larger matrices
// through OpenBLAS's dgetrf and dgetri; followed, where the LU of matrices
// of order up to maxSmallOrder runs on the AVX2 kernels, by ", small LU in
// AVX2 assembly".
func LinalgPath() string {
	if rank1.Assembly {
		return linalgPath + ", small LU in AVX2 assembly"
	}
	return linalgPath
}

// MatMul returns the matrix products x·y through dgemm (level3),
// broadcasting the smaller count.
func (b *Backend) MatMul(x, y backend.Tensor) (backend.Tensor, error) {
	xt, yt := get("MatMul", x), get("MatMul", y)
	backend.CheckMatMul("cpu", xt.l, yt.l)
	count, rx, ry := broadcast("MatMul", xt, yt)
	m, k, n := xt.l.Rows, xt.l.Cols, yt.l.Cols
	out := newTensor(backend.Layout{Count: count, Rows: m, Cols: n})
	b.parallel(count, func(lo, hi int) {
		for j := lo; j < hi; j++ {
			level3.Dgemm(blas.NoTrans, blas.NoTrans, m, n, k,
				1, xt.mat(j/rx), k, yt.mat(j/ry), n, 0, out.mat(j), n)
		}
	})
	return out, nil
}

// Inv returns the inverses of square matrices through LU with partial
// pivoting (getrf, then getri). A matrix whose LU has an exact zero pivot
// yields a matrix of NaN; a nearly singular one yields huge or infinite
// entries.
func (b *Backend) Inv(a backend.Tensor) (backend.Tensor, error) {
	at := get("Inv", a)
	n := square("Inv", at)
	out := newTensor(at.l)
	b.parallel(at.l.Count, func(lo, hi int) {
		f := getLU(n)
		defer putLU(n, f)
		for j := lo; j < hi; j++ {
			if dst := out.mat(j); !f.invert(dst, at.mat(j)) {
				for i := range dst {
					dst[i] = math.NaN()
				}
			}
		}
	})
	return out, nil
}

// luDiag factorizes each square matrix of a by LU with partial pivoting and
// returns one 1×1 value per matrix, f(lu, n, odd), where the diagonal of
// the n×n lu, lu[i*n+i], is that of U and odd tells whether the row
// permutation is odd.
func (b *Backend) luDiag(op string, a backend.Tensor, f func(lu []float64, n int, odd bool) float64) *tensor {
	at := get(op, a)
	n := square(op, at)
	out := newTensor(backend.Layout{Count: at.l.Count, Rows: 1, Cols: 1})
	b.parallel(at.l.Count, func(lo, hi int) {
		fac := getLU(n)
		defer putLU(n, fac)
		for j := lo; j < hi; j++ {
			// A zero pivot shows in the diagonal, which f reads.
			lu, odd := fac.factor(at.mat(j))
			out.data[j] = f(lu, n, odd)
		}
	})
	return out
}

// lus holds LU scratch space for reuse, by order, so that the many calls
// of a verification do not each allocate and touch fresh memory for it (a
// first touch costs microseconds per 4 KiB page on virtual machines, as much
// as factoring a 1024×1024 matrix costs per column).
var lus sizedPool[factorizer]

// getLU returns LU scratch space for order n.
func getLU(n int) factorizer {
	if f, ok := lus.get(n); ok {
		return f
	}
	return newFactorizer(n)
}

// putLU returns scratch space of order n from getLU for reuse.
func putLU(n int, f factorizer) { lus.put(n, f) }

// Det returns the determinants (1×1) of square matrices: the product of the
// diagonal of U from LU with partial pivoting, with the permutation's sign.
// It is 0 for a matrix whose LU has a zero pivot, and may overflow to ±Inf.
func (b *Backend) Det(a backend.Tensor) (backend.Tensor, error) {
	return b.luDiag("Det", a, detFromLU), nil
}

// detFromLU returns the determinant from the LU factors lu of an n×n
// matrix (whose diagonal is that of U) and the parity odd of its row
// permutation.
func detFromLU(lu []float64, n int, odd bool) float64 {
	d := 1.0
	if odd {
		d = -1
	}
	for i := range n {
		d *= lu[i*n+i]
	}
	return d
}

// LogDet returns log(det a) (1×1) as Σ log|u_ii| over the diagonal of U from
// LU with partial pivoting, never forming det a, so that it cannot overflow.
// It is NaN where det a < 0 and −Inf where det a = 0 (as math.Log).
func (b *Backend) LogDet(a backend.Tensor) (backend.Tensor, error) {
	return b.luDiag("LogDet", a, func(lu []float64, n int, odd bool) float64 {
		s := 0.0
		for i := range n {
			u := lu[i*n+i]
			if u < 0 {
				odd = !odd
			}
			s += log(math.Abs(u))
		}
		// A zero pivot makes s −Inf whatever the sign; NaN stays NaN.
		if odd && !math.IsInf(s, -1) {
			return math.NaN()
		}
		return s
	}), nil
}
