package cpu

import (
	"fmt"
	"math"

	"github.com/gradcheck/gradcheck/backend"
	"github.com/gradcheck/gradcheck/cpu/internal/rank1"
)

// The activation functions of the expression language, each written out
// operation by operation; kernels/activations.cu transcribes them, so that
// the GPU backend computes the same bits. They are built on math.Exp and
// math.Log, which the kernels transcribe too, and on +, −, ×, ÷ only, never
// on math.Log1p or math.Expm1, whose own code the kernels would have to
// follow as well.

// sigmoid is 1/(1+e^−x) for x ≥ 0 and e^x/(1+e^x) for x < 0: e^−|x| ≤ 1
// never overflows, and each form has a relative error of a few units of
// roundoff.
func sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

// log1p is log(1+x) by the correction w = 1+x, x·log(w)/(w−1), which
// cancels the rounding of 1+x (Higham, Accuracy and Stability of Numerical
// Algorithms, 2nd ed., §1.14.1): a relative error of a few units of
// roundoff for every x > −1, where log(1+x) would lose all digits for tiny x.
func log1p(x float64) float64 {
	w := 1 + x
	switch {
	case w == 1:
		return x
	case math.IsInf(w, 1):
		return w
	}
	return x * math.Log(w) / (w - 1)
}

// expm1 is e^x − 1 by Kahan's correction u = e^x, (u−1)·x/log(u) (Higham,
// §1.14.1, problem 1.6): accurate to a few units of roundoff where e^x − 1
// would cancel.
func expm1(x float64) float64 {
	u := math.Exp(x)
	switch {
	case u == 1:
		return x
	case u-1 == -1:
		return -1
	case math.IsInf(u, 1):
		return u
	}
	return (u - 1) * x / math.Log(u)
}

// softplus is log(1+e^x) as max(x, 0) + log1p(e^−|x|): e^−|x| ≤ 1 never
// overflows, and the sum of two non-negative terms does not cancel.
func softplus(x float64) float64 {
	m := 0.0
	if x > 0 {
		m = x
	}
	return m + log1p(math.Exp(-math.Abs(x)))
}

// relu is max(x, 0), NaN for NaN (which the verifier must see).
func relu(x float64) float64 {
	if x < 0 {
		return 0
	}
	return x
}

// step is the Heaviside function: 1 for x > 0, 0 for x ≤ 0, NaN for NaN.
func step(x float64) float64 {
	switch {
	case x > 0:
		return 1
	case x <= 0:
		return 0
	}
	return x
}

// signum is −1 for x < 0, 1 for x > 0, 0 for ±0 and NaN for NaN (the
// language's sign): the derivative of |x| away from 0, and at 0 the
// subgradient that makes d|a| = sign(a).*da right where a is 0 along every
// direction (a zero entry of a*eye(n)), where a./abs(a).*da would be 0/0.
func signum(x float64) float64 {
	if math.IsNaN(x) {
		return x
	}
	return float64(sign(x))
}

// Softmax returns e^x/Σe^x of every column of every matrix: with m the
// column's largest entry, e^(x−m) ≤ 1 cannot overflow and the largest term
// is 1, so the sum cannot underflow to 0. The column is read top to bottom
// for the maximum and the sum, as kernels/activations.cu reads it.
func (b *Backend) Softmax(a backend.Tensor) (backend.Tensor, error) {
	at := get("Softmax", a)
	r, c := at.l.Rows, at.l.Cols
	out := newTensor(at.l)
	b.parallel(at.l.Count, func(lo, hi int) {
		for j := lo; j < hi; j++ {
			src, dst := at.mat(j), out.mat(j)
			for col := range c {
				m := src[col]
				for i := 1; i < r; i++ {
					if v := src[i*c+col]; v > m {
						m = v
					}
				}
				s := 0.0
				for i := range r {
					e := math.Exp(src[i*c+col] - m)
					dst[i*c+col] = e
					s += e
				}
				for i := range r {
					dst[i*c+col] /= s
				}
			}
		}
	})
	return out, nil
}

// LogSumExp returns log Σ e^x over all entries of each matrix (1×1) as
// m + log Σ e^(x−m), m the largest entry, in row-major order: no overflow,
// and the sum is at least 1. It is m where m is ±Inf, NaN where an entry
// is NaN.
func (b *Backend) LogSumExp(a backend.Tensor) (backend.Tensor, error) {
	return b.scalarPer(get("LogSumExp", a), func(x []float64) float64 {
		m, nan := x[0], false
		for _, v := range x {
			if v > m {
				m = v
			}
			nan = nan || v != v
		}
		switch {
		case nan:
			return math.NaN()
		case math.IsInf(m, 0):
			return m
		}
		s := 0.0
		for _, v := range x {
			s += math.Exp(v - m)
		}
		return m + math.Log(s)
	}), nil
}

// Solve returns X with a·X = b for square a, through LU with partial
// pivoting and two triangular solves (getrf, getrs); counts broadcast. A
// zero pivot yields a matrix of NaN.
func (b *Backend) Solve(a, rhs backend.Tensor) (backend.Tensor, error) {
	at, bt := get("Solve", a), get("Solve", rhs)
	n := square("Solve", at)
	if bt.l.Rows != n {
		panic(fmt.Sprintf("cpu: Solve: %d×%d matrix and right-hand side %d×%d", n, n, bt.l.Rows, bt.l.Cols))
	}
	count, ra, rb := broadcast("Solve", at, bt)
	k := bt.l.Cols
	out := newTensor(backend.Layout{Count: count, Rows: n, Cols: k})
	b.parallel(count, func(lo, hi int) {
		s := newSolver(n)
		for j := lo; j < hi; j++ {
			dst := out.mat(j)
			copy(dst, bt.mat(j/rb))
			if !s.solve(dst, k, at.mat(j/ra)) {
				for i := range dst {
					dst[i] = math.NaN()
				}
			}
		}
	})
	return out, nil
}

// solver solves linear systems of one order n through LU with partial
// pivoting: smallLU, or gonum's LAPACK for orders above maxSmallOrder.
type solver interface {
	// solve overwrites the row-major n×w rhs with a⁻¹·rhs and reports
	// true, or reports false, leaving rhs undefined, when the LU of the
	// n×n a meets an exact zero pivot.
	solve(rhs []float64, w int, a []float64) bool
}

// newSolver returns a solver for order n.
func newSolver(n int) solver {
	if n <= maxSmallOrder && rank1.Assembly {
		return newSmallLU(n)
	}
	return newGonumLU(n)
}

// SignChanges counts, for each run of group consecutive matrices of a, the
// entries whose sign (−, 0 or +; NaN counts as 0) differs within the run.
func (b *Backend) SignChanges(a backend.Tensor, group int) (backend.Tensor, error) {
	at := get("SignChanges", a)
	if group < 1 || at.l.Count%group != 0 {
		panic(fmt.Sprintf("cpu: SignChanges: group %d does not divide count %d", group, at.l.Count))
	}
	runs := at.l.Count / group
	size := at.l.Rows * at.l.Cols
	out := newTensor(backend.Layout{Count: runs, Rows: 1, Cols: 1})
	b.parallel(runs, func(lo, hi int) {
		for g := lo; g < hi; g++ {
			first := at.mat(g * group)
			changed := 0
			for i, v := range first {
				s := sign(v)
				for k := 1; k < group; k++ {
					if sign(at.data[(g*group+k)*size+i]) != s {
						changed++
						break
					}
				}
			}
			out.data[g] = float64(changed)
		}
	})
	return out, nil
}

// sign is −1, 0 or +1 (0 for NaN).
func sign(x float64) int {
	switch {
	case x > 0:
		return 1
	case x < 0:
		return -1
	}
	return 0
}

// log is the natural logarithm, also of subnormal numbers: math.Log on
// amd64 returns about −709.09 for every x below 2⁻¹⁰²² (Go issue 56600;
// log(e⁻⁷²⁰) came out −709.09), and a softmax or exp(x − 720) reaches
// such numbers, where a true claim then failed. A subnormal x is f·2ᵉ with
// f in [½, 1) (math.Frexp normalizes it), and log x = log f + e·ln 2.
func log(x float64) float64 {
	if x > 0 && x < 0x1p-1022 {
		f, e := math.Frexp(x)
		return math.Log(f) + float64(float64(e)*math.Ln2)
	}
	return math.Log(x)
}
