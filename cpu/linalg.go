package cpu

import (
	"fmt"
	"math"

	"github.com/gradcheck/gradcheck/backend"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack/lapack64"
)

// general views a row-major r×c slice as a blas64.General.
func general(r, c int, data []float64) blas64.General {
	return blas64.General{Rows: r, Cols: c, Data: data, Stride: c}
}

// MatMul returns the matrix products x·y through blas64.Gemm, broadcasting
// the smaller count.
func (b *Backend) MatMul(x, y backend.Tensor) (backend.Tensor, error) {
	xt, yt := get("MatMul", x), get("MatMul", y)
	if xt.l.Cols != yt.l.Rows {
		panic(fmt.Sprintf("cpu: MatMul: cannot multiply %d×%d by %d×%d",
			xt.l.Rows, xt.l.Cols, yt.l.Rows, yt.l.Cols))
	}
	count, rx, ry := broadcast("MatMul", xt, yt)
	m, k, n := xt.l.Rows, xt.l.Cols, yt.l.Cols
	out := newTensor(backend.Layout{Count: count, Rows: m, Cols: n})
	b.parallel(count, func(lo, hi int) {
		for j := lo; j < hi; j++ {
			blas64.Gemm(blas.NoTrans, blas.NoTrans, 1,
				general(m, k, xt.mat(j/rx)), general(k, n, yt.mat(j/ry)),
				0, general(m, n, out.mat(j)))
		}
	})
	return out, nil
}

// Inv returns the inverses of square matrices through lapack64.Getrf (LU
// with partial pivoting) and Getri. A matrix whose LU has an exact zero
// pivot yields a matrix of NaN; a nearly singular one yields huge or
// infinite entries.
func (b *Backend) Inv(a backend.Tensor) (backend.Tensor, error) {
	at := get("Inv", a)
	n := square("Inv", at)
	out := newTensor(at.l)
	b.parallel(at.l.Count, func(lo, hi int) {
		ipiv := make([]int, n)
		var work []float64
		for j := lo; j < hi; j++ {
			dst := out.mat(j)
			copy(dst, at.mat(j))
			g := general(n, n, dst)
			ok := lapack64.Getrf(g, ipiv)
			if ok {
				if work == nil {
					query := []float64{0}
					lapack64.Getri(g, ipiv, query, -1)
					work = make([]float64, max(n, int(query[0])))
				}
				ok = lapack64.Getri(g, ipiv, work, len(work))
			}
			if !ok {
				for i := range dst {
					dst[i] = math.NaN()
				}
			}
		}
	})
	return out, nil
}

// luDiag factorizes a copy of each square matrix of a with lapack64.Getrf
// and returns one 1×1 value per matrix, f(lu, n, odd), where lu holds the
// n×n factors L\U row-major and odd tells whether the row permutation is
// odd.
func (b *Backend) luDiag(op string, a backend.Tensor, f func(lu []float64, n int, odd bool) float64) *tensor {
	at := get(op, a)
	n := square(op, at)
	out := newTensor(backend.Layout{Count: at.l.Count, Rows: 1, Cols: 1})
	b.parallel(at.l.Count, func(lo, hi int) {
		lu := make([]float64, n*n)
		ipiv := make([]int, n)
		for j := lo; j < hi; j++ {
			copy(lu, at.mat(j))
			// A zero pivot shows in the diagonal, which f reads.
			lapack64.Getrf(general(n, n, lu), ipiv)
			odd := false
			for i, p := range ipiv {
				if p != i {
					odd = !odd
				}
			}
			out.data[j] = f(lu, n, odd)
		}
	})
	return out
}

// Det returns the determinants (1×1) of square matrices: the product of the
// diagonal of U from LU with partial pivoting, with the permutation's sign.
// It is 0 for a matrix whose LU has a zero pivot, and may overflow to ±Inf.
func (b *Backend) Det(a backend.Tensor) (backend.Tensor, error) {
	return b.luDiag("Det", a, func(lu []float64, n int, odd bool) float64 {
		d := 1.0
		if odd {
			d = -1
		}
		for i := range n {
			d *= lu[i*n+i]
		}
		return d
	}), nil
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
			s += math.Log(math.Abs(u))
		}
		// A zero pivot makes s −Inf whatever the sign; NaN stays NaN.
		if odd && !math.IsInf(s, -1) {
			return math.NaN()
		}
		return s
	}), nil
}
