package gradcheck

import (
	"math"

	"github.com/gradcheck/gradcheck/backend"
	"github.com/gradcheck/gradcheck/formulas"
	"github.com/gradcheck/gradcheck/philox"
)

// evalFunc is how the evaluator computes one built-in function of the
// table formulas.Funcs: its value and its magnitude, the entrywise scale of
// its forward error that the tolerance needs (see evaluator.magnitude).
type evalFunc struct {
	// value computes the function from its evaluated arguments; in
	// magnitude mode, when magnitude is nil, from their magnitudes: the
	// rule for the sums of products (tr, sum, kron, ...), whose rounding
	// error the magnitudes of their operands bound.
	value func(ev *evaluator, args []backend.Tensor) (backend.Tensor, error)
	// sized replaces value for the constructors (eye, ones, zeros), whose
	// arguments are sizes.
	sized func(ev *evaluator, sizes []int) (backend.Tensor, error)
	// magnitude, when set, computes the magnitude of the call.
	magnitude func(ev *evaluator, e *formulas.Call) (backend.Tensor, error)
	// costly functions factor or exponentiate a matrix; the evaluator
	// reuses their results under the same bindings. Their rounding error
	// grows with the condition number of their argument, which the
	// rounding probe therefore moves (see moveArgument).
	costly bool
}

// mapped is evalFunc.value for the elementwise function op.
func mapped(op backend.MapOp) func(*evaluator, []backend.Tensor) (backend.Tensor, error) {
	return func(ev *evaluator, a []backend.Tensor) (backend.Tensor, error) { return ev.b.Map(op, a[0]) }
}

// absMagnitude is the magnitude of a function whose rounding error is
// relative to its value: |value|.
func absMagnitude(ev *evaluator, e *formulas.Call) (backend.Tensor, error) { return ev.absOfValue(e) }

// evalFuncs holds the evaluator's entry of every function of
// formulas.Funcs but integral, which is a node of its own; a test checks
// that none is missing.
var evalFuncs map[string]evalFunc

func init() {
	// Assigned in init: the entries refer to evaluator methods that
	// refer back to the table.
	evalFuncs = map[string]evalFunc{
		"tr":     {value: func(ev *evaluator, a []backend.Tensor) (backend.Tensor, error) { return ev.b.Trace(a[0]) }},
		"det":    {value: func(ev *evaluator, a []backend.Tensor) (backend.Tensor, error) { return ev.b.Det(a[0]) }, magnitude: (*evaluator).detMagnitude, costly: true},
		"logdet": {value: func(ev *evaluator, a []backend.Tensor) (backend.Tensor, error) { return ev.b.LogDet(a[0]) }, magnitude: (*evaluator).logMagnitude, costly: true},
		"inv":    {value: func(ev *evaluator, a []backend.Tensor) (backend.Tensor, error) { return ev.b.Inv(a[0]) }, magnitude: (*evaluator).invMagnitude, costly: true},
		"expm": {value: func(ev *evaluator, a []backend.Tensor) (backend.Tensor, error) { return ev.expm(a[0]) },
			magnitude: (*evaluator).expmMagnitude, costly: true},
		"logm": {value: func(ev *evaluator, a []backend.Tensor) (backend.Tensor, error) { return ev.logm(a[0]) }, magnitude: (*evaluator).logMagnitude, costly: true},
		"sym":  {value: func(ev *evaluator, a []backend.Tensor) (backend.Tensor, error) { return ev.sym(a[0]) }},
		"kron": {value: func(ev *evaluator, a []backend.Tensor) (backend.Tensor, error) { return ev.b.Kron(a[0], a[1]) }},
		"diag": {value: func(ev *evaluator, a []backend.Tensor) (backend.Tensor, error) { return ev.diag(a[0]) }},
		"vec":  {value: func(ev *evaluator, a []backend.Tensor) (backend.Tensor, error) { return ev.b.Vec(a[0]) }},
		"sum":  {value: func(ev *evaluator, a []backend.Tensor) (backend.Tensor, error) { return ev.b.Sum(a[0]) }},
		"norm2": {value: func(ev *evaluator, a []backend.Tensor) (backend.Tensor, error) {
			o := ev.ops()
			return o.result(o.mapEach(backend.Sqrt, o.dot(a[0], a[0])))
		}, magnitude: absMagnitude},
		"exp":  {value: mapped(backend.Exp), magnitude: absMagnitude},
		"log":  {value: mapped(backend.Log), magnitude: (*evaluator).logMagnitude},
		"sqrt": {value: mapped(backend.Sqrt), magnitude: absMagnitude},
		"abs":  {value: mapped(backend.Abs)},
		// tanh' = 1 − tanh²: an argument that cancels (a small entry of a
		// sum of large products) carries a rounding error that |tanh(x)|
		// alone misses, seen entry by entry (entrywise self-test: two false
		// alarms, tanh(C'*C*(X'*D')) and tanh(tanh(X)*S^3)).
		"tanh": {value: mapped(backend.Tanh), magnitude: smoothMagnitude(backend.Tanh, func(o *ops, x, t backend.Tensor) backend.Tensor {
			l := x.Layout()
			return o.elementwise(backend.Sub, o.filled(1, l.Rows, l.Cols), o.elementwise(backend.Mul, t, t))
		})},
		"eye":   {sized: func(ev *evaluator, n []int) (backend.Tensor, error) { return ev.b.Eye(n[0]) }},
		"ones":  {sized: filledWith(1)},
		"zeros": {sized: filledWith(0)},
		"mean":  {value: func(ev *evaluator, a []backend.Tensor) (backend.Tensor, error) { return ev.mean(a[0]) }},
		"logsumexp": {value: func(ev *evaluator, a []backend.Tensor) (backend.Tensor, error) { return ev.b.LogSumExp(a[0]) },
			magnitude: (*evaluator).logSumExpMagnitude},
		"softmax": {value: func(ev *evaluator, a []backend.Tensor) (backend.Tensor, error) { return ev.b.Softmax(a[0]) },
			magnitude: (*evaluator).softmaxMagnitude},
		// sigmoid' = σ(1 − σ), softplus' = σ: their bounds 1/4 and 1
		// held the error x carries at its own scale where the value is
		// e^x, so that log(sigmoid(60x)) was undecided, its true
		// gradient inconclusive and a wrong sign with it (found by the
		// exploratory helper).
		"sigmoid": {value: mapped(backend.Sigmoid), magnitude: smoothMagnitude(backend.Sigmoid, func(o *ops, x, s backend.Tensor) backend.Tensor {
			l := x.Layout()
			return o.elementwise(backend.Mul, s, o.elementwise(backend.Sub, o.filled(1, l.Rows, l.Cols), s))
		})},
		"softplus": {value: mapped(backend.Softplus), magnitude: smoothMagnitude(backend.Softplus, func(o *ops, x, _ backend.Tensor) backend.Tensor {
			return o.mapEach(backend.Sigmoid, x)
		})},
		"sin": {value: mapped(backend.Sin), magnitude: smoothMagnitude(backend.Sin, constantSlope(1))},
		"cos": {value: mapped(backend.Cos), magnitude: smoothMagnitude(backend.Cos, constantSlope(1))},
		// log1p' = 1/(1+x), expm1' = e^x.
		"log1p": {value: mapped(backend.Log1p), magnitude: smoothMagnitude(backend.Log1p, func(o *ops, x, _ backend.Tensor) backend.Tensor {
			l := x.Layout()
			one := o.filled(1, l.Rows, l.Cols)
			return o.elementwise(backend.Div, one, o.mapEach(backend.Abs, o.elementwise(backend.Add, one, x)))
		})},
		"expm1": {value: mapped(backend.Expm1), magnitude: smoothMagnitude(backend.Expm1, func(o *ops, x, _ backend.Tensor) backend.Tensor {
			return o.mapEach(backend.Exp, x)
		})},
		// lgamma' = digamma, digamma' = trigamma (positive), and
		// |trigamma'| = 2·Σ 1/(x+k)³ ≤ 2·trigamma(x)/x. Package cpu
		// computes each within a few units of roundoff relative, also at
		// the zeros of lgamma and digamma, so that |f(x)| is the scale of
		// its own rounding there too.
		"lgamma": {value: mapped(backend.Lgamma), magnitude: smoothMagnitude(backend.Lgamma, func(o *ops, x, _ backend.Tensor) backend.Tensor {
			return o.mapEach(backend.Abs, o.mapEach(backend.Digamma, x))
		})},
		"digamma": {value: mapped(backend.Digamma), magnitude: smoothMagnitude(backend.Digamma, func(o *ops, x, _ backend.Tensor) backend.Tensor {
			return o.mapEach(backend.Trigamma, x)
		})},
		"trigamma": {value: mapped(backend.Trigamma), magnitude: smoothMagnitude(backend.Trigamma, func(o *ops, x, t backend.Tensor) backend.Tensor {
			return o.elementwise(backend.Div, o.scaled(2, t), x)
		})},
		// relu of |x|ₘ is |x|ₘ, which bounds relu(x) and the error it
		// carries; step is exact away from its jump.
		"relu": {value: mapped(backend.Relu)},
		"step": {value: mapped(backend.Step), magnitude: absMagnitude},
		"sign": {value: mapped(backend.Sign), magnitude: absMagnitude},
	}
}

// diag turns a vector into a diagonal matrix and a square matrix into its
// diagonal; a scalar stays itself.
func (ev *evaluator) diag(x backend.Tensor) (backend.Tensor, error) {
	l := x.Layout()
	switch {
	case l.Rows == 1 && l.Cols == 1:
		return ev.copy(x)
	case l.Cols == 1:
		return ev.b.Diag(x)
	}
	return ev.b.DiagOf(x)
}

// slopeFunc bounds |f'(x)| entrywise for a smooth elementwise f, given x
// and fx = f(x) (tanh' = 1 − tanh² reads fx rather than evaluating f again).
type slopeFunc func(o *ops, x, fx backend.Tensor) backend.Tensor

// constantSlope is the slope bound of a function whose derivative is
// bounded by c everywhere.
func constantSlope(c float64) slopeFunc {
	return func(o *ops, x, _ backend.Tensor) backend.Tensor {
		l := x.Layout()
		return o.filled(c, l.Rows, l.Cols)
	}
}

// smoothMagnitude returns the magnitude rule of the smooth elementwise
// function op: |f(x)| for its own rounding, plus |f'(x)|·|x|ₘ for the
// rounding error of x that f carries forward (first order). It keeps
// sin(x) at a zero of sin from counting as exact.
func smoothMagnitude(op backend.MapOp, slope slopeFunc) func(*evaluator, *formulas.Call) (backend.Tensor, error) {
	return func(ev *evaluator, e *formulas.Call) (backend.Tensor, error) {
		o := ev.ops()
		x, mx := ev.valueAndMagnitude(o, e.Args[0])
		if o.err != nil {
			return o.result(nil)
		}
		fx := o.mapEach(op, x)
		return o.result(o.elementwise(backend.Add, o.mapEach(backend.Abs, fx), o.elementwise(backend.Mul, slope(o, x, fx), mx)))
	}
}

// filledWith returns the evalFunc.sized of ones and zeros.
func filledWith(c float64) func(*evaluator, []int) (backend.Tensor, error) {
	return func(ev *evaluator, n []int) (backend.Tensor, error) {
		rows, cols := n[0], 1
		if len(n) == 2 {
			cols = n[1]
		}
		o := ev.ops()
		return o.result(o.filled(c, rows, cols))
	}
}

// detMagnitude is the magnitude of det A: |det A| plus the change of the
// determinant along P = S∘|A|, S the fixed pattern of signs of detSigns,
// per unit step: |det(A + εP) − det A|/ε with ε = 2⁻²⁶. LU computes the
// determinant of A + δA with |δA| of the order of u·|A|, which moves it
// by tr(adj(A)·δA), and the probe measures that sensitivity where |det A|
// alone does not: a singular A (det(x·xᵀ), det(X − Xᵀ) of odd order) has a
// determinant of rounding noise, 10⁻¹²¹ say, that |det A| held to its
// own digits, and the true identity det(x·xᵀ) = 0 failed. For an
// invertible A the probe adds |det A|·|tr(A⁻¹(S∘|A|))|. ε = √u keeps the
// second-order term and the rounding of the difference, √u·|det A|,
// small against the first. The probe follows |A|, not |A|ₘ: like the
// other functions, det contributes its own rounding, and the bound of
// the error A carries in, |A|ₘ, is far above the error itself for a
// product (A·X⁻¹·B with n = 256 inner terms: a tolerance 20 times wider,
// where a claim off by 1 + 10⁻⁶ would pass).
//
// One pattern of signs can cancel: the change is Σ sᵢⱼ·cᵢⱼ|aᵢⱼ| (c the
// cofactors), and for a 2×2 matrix |c₁₁a₁₁| = |c₂₂a₂₂| and |c₁₂a₁₂| =
// |c₂₁a₂₁|, so that the fixed pattern gave 0 for every XᵀX and a quarter
// of Gaussian matrices, and det(A·B) = det(A)·det(B) failed at n = 2 on 7
// of 10 seeds. Rounding does not cancel so: its error is at least about
// one of those terms. The magnitude therefore adds their root mean
// square, |det A|·‖A⁻ᵀ∘A‖_F/n, where A⁻¹ is finite (the probe alone
// speaks for a singular A); their root sum of squares, n times as much,
// widened det(A·X⁻¹·B)'s tolerance beyond 10⁻⁶ at n = 256.
func (ev *evaluator) detMagnitude(e *formulas.Call) (backend.Tensor, error) {
	o := ev.ops()
	a := o.do(func() (backend.Tensor, error) { return ev.valueWithin(e.Args[0]) })
	if o.err != nil {
		return o.result(nil)
	}
	l := a.Layout()
	d := o.do(func() (backend.Tensor, error) { return ev.b.Det(a) })
	signs := o.fromHost(backend.Layout{Count: 1, Rows: l.Rows, Cols: l.Cols}, detSigns(l.Rows*l.Cols))
	probe := o.elementwise(backend.Mul, signs, o.mapEach(backend.Abs, a))
	moved := o.do(func() (backend.Tensor, error) { return ev.b.Det(o.addScaled(a, o.scalar(probeStep), probe)) })
	slope := o.scaled(1/probeStep, o.mapEach(backend.Abs, o.elementwise(backend.Sub, moved, d)))
	dets := o.host(d)
	// inv(A) as an expression, memoized: a claim such as det(X)·X⁻ᵀ has it.
	inverse := o.do(func() (backend.Tensor, error) {
		return ev.valueWithin(&formulas.Call{Func: "inv", Args: e.Args[:1]})
	})
	terms := o.norms(o.elementwise(backend.Mul, o.transpose(inverse), a))
	if o.err != nil {
		return o.result(nil)
	}
	for i, t := range terms {
		if terms[i] = math.Abs(dets[i]) * t / float64(l.Rows); !finite(terms[i]) {
			terms[i] = 0
		}
	}
	typical := o.fromHost(backend.Layout{Count: len(terms), Rows: 1, Cols: 1}, terms)
	return o.result(o.elementwise(backend.Add, o.elementwise(backend.Add, o.mapEach(backend.Abs, d), slope), typical))
}

// detSigns returns the n signs ±1 of detMagnitude's probe: the top bit of
// a multiplicative hash of the index. The pattern is not random (a
// checkerboard for a 4×4 matrix), and its change is smaller than a random
// pattern's, the root sum of squares of the cofactor terms, for the
// matrices of the registry; randomSigns widened det(A·X⁻¹·B)'s gradient
// tolerance at n = 256 by 146 times, to 8·10⁻⁵, where a claim off by
// 10⁻⁵ would pass. That the tolerance holds with this pattern is measured
// (the self-test, 12320 true claims), and the widening comes from the
// tolerance of a finite difference counting the rounding of f at each of
// its points as independent, which it is not (LU at nearby points rounds
// alike): until that is measured, the pattern stays.
func detSigns(n int) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = 1
		if uint64(i+1)*0x9E3779B97F4A7C15>>63 == 1 {
			s[i] = -1
		}
	}
	return s
}

// randomSigns returns n signs ±1 of a fixed pseudo-random pattern, the
// bits of the Philox blocks of counters first/128, first/128 + 1, …, from
// bit first mod 128 on, which no matrix of a claim lines up with; the
// patterns of disjoint ranges [first, first + n) are independent. With
// detSigns' pattern, a checkerboard of a 4×4 matrix, the rounding probe
// missed the conditioning of AᵀA at n = 4.
func randomSigns(first, n int) []float64 {
	s := make([]float64, n)
	var block [4]uint32
	for i := range s {
		k := uint64(first + i)
		if i == 0 || k%128 == 0 {
			block = philox.Block([4]uint32{uint32(k / 128), uint32(k / 128 >> 32), 0, 0}, signKey)
		}
		s[i] = 1
		if block[k%128/32]>>(k%32)&1 == 1 {
			s[i] = -1
		}
	}
	return s
}

// signKey is the Philox key of randomSigns, a constant of its own.
var signKey = [2]uint32{0x5167_6e73, 0x7072_6f62}

// mean is sum(x)/(rows·cols).
func (ev *evaluator) mean(x backend.Tensor) (backend.Tensor, error) {
	l := x.Layout()
	o := ev.ops()
	return o.result(o.scaled(1/float64(l.Rows*l.Cols), o.add(ev.b.Sum(x))))
}

// logSumExpMagnitude is |lse(x)| + Σ wᵢ|xᵢ|ₘ + 1 with w = e^(x − lse(x)),
// the weights of the softmax over all entries: lse carries the error of
// its arguments forward weighted by w, and its own rounding is absolute,
// about u per term of the sum, where lse may vanish.
func (ev *evaluator) logSumExpMagnitude(e *formulas.Call) (backend.Tensor, error) {
	o := ev.ops()
	x, mx := ev.valueAndMagnitude(o, e.Args[0])
	if o.err != nil {
		return o.result(nil)
	}
	l := x.Layout()
	lse := o.add(ev.b.LogSumExp(x))
	w := o.mapEach(backend.Exp, o.elementwise(backend.Sub, x, o.broadcast(lse, l.Rows, l.Cols)))
	carried := o.dot(w, mx)
	return o.result(o.elementwise(backend.Add, o.mapEach(backend.Abs, lse), o.elementwise(backend.Add, carried, o.scalar(1))))
}

// softmaxMagnitude is s ∘ (1 + m + 1·1ᵀ(s ∘ m)) column by column, with s
// the softmax of x and m = |x|ₘ: an error δ in x moves sᵢ by
// sᵢ(δᵢ − Σⱼ sⱼδⱼ), and s's own rounding is relative.
func (ev *evaluator) softmaxMagnitude(e *formulas.Call) (backend.Tensor, error) {
	o := ev.ops()
	x, m := ev.valueAndMagnitude(o, e.Args[0])
	if o.err != nil {
		return o.result(nil)
	}
	l := x.Layout()
	s := o.add(ev.b.Softmax(x))
	colSums := o.matMul(o.filled(1, l.Rows, l.Rows), o.elementwise(backend.Mul, s, m))
	factor := o.elementwise(backend.Add, o.elementwise(backend.Add, o.filled(1, l.Rows, l.Cols), m), colSums)
	return o.result(o.elementwise(backend.Mul, s, factor))
}

// solveMagnitude is the magnitude of A\B: the spread (see ops.spread) of
// X = A\B, whose rounding error is normwise, u·κ(A)·‖X‖, plus that of
// A\|B|ₘ, which carries the rounding error of B forward.
func (ev *evaluator) solveMagnitude(e *formulas.Binary) (backend.Tensor, error) {
	o := ev.ops()
	a := o.do(func() (backend.Tensor, error) { return ev.valueWithin(e.L) })
	b, mb := ev.valueAndMagnitude(o, e.R)
	if o.err != nil {
		return o.result(nil)
	}
	x := o.add(ev.b.Solve(a, b))
	y := o.add(ev.b.Solve(a, mb))
	return o.result(o.elementwise(backend.Add, o.spread(x), o.spread(y)))
}

// expmMagnitude is the magnitude of e^X, the lesser, entry by entry, of
// two bounds of its rounding error. The componentwise one is
// spread(e^|X|)·(1 + r), r the mean row sum of |X|ₘ: e^|X| bounds every
// term of the series and of the squarings, and the error X carries, of
// the scale of |X|ₘ, reaches e^X through the Fréchet derivative, at most
// e^‖X‖ times its size (spread, see ops.spread, as that error is normwise;
// exponentiating |X|ₘ instead gave tolerances up to e^n too wide). It
// grows as e^(row sums of |X|), exponential in √n for Gaussian X: 10⁵
// times the error at n = 64, where a gradient off by 1.0001 passed. The
// normwise one is |e^X| plus, in every entry, e^ν·(1 + μ), with ν ≥ ‖X‖₂
// (see normBound) and μ the size of X's error (see errorNorm): scaling and
// squaring rounds at the scale of e^‖X‖, which bounds the hump of a
// non-normal X. Neither is below the other everywhere: the first is the
// tighter one for small or nonnegative X.
func (ev *evaluator) expmMagnitude(e *formulas.Call) (backend.Tensor, error) {
	o := ev.ops()
	x, mx := ev.valueAndMagnitude(o, e.Args[0])
	ex := o.do(func() (backend.Tensor, error) { return ev.valueWithin(e) })
	eax := o.do(func() (backend.Tensor, error) { return ev.expm(o.mapEach(backend.Abs, x)) })
	nu := ev.normBound(o, x)
	mu := errorNorm(o, mx)
	if o.err != nil {
		return o.result(nil)
	}
	rows := float64(x.Layout().Rows)
	r := o.scaled(1/rows, o.do(func() (backend.Tensor, error) { return ev.b.Sum(mx) }))
	componentwise := o.scale(o.elementwise(backend.Add, o.scalar(1), r), o.spread(eax))
	scale := make([]float64, len(nu))
	for i := range nu {
		scale[i] = math.Exp(nu[i]) * (1 + mu[i%len(mu)])
	}
	normwise := o.elementwise(backend.Add, o.mapEach(backend.Abs, ex), o.perEntry(scale, x.Layout()))
	return o.result(o.lesser(normwise, componentwise))
}

// powerMagnitude is the magnitude of X^p by p − 1 products, given X, its
// magnitude mx and X^p: the lesser, entry by entry, of two bounds of its
// rounding error. The componentwise one is |X|ₘ^p, as for any product
// (|X^p| alone would call an entry that is small by cancellation exact);
// it grows as (0.8√n)^p for Gaussian X, and a gradient of tr(X⁸) off by
// 1.001 passed at n = 128. The normwise one is |X^p| plus, in every
// entry, (p − 1)·ν^p + p·ν^(p−1)·μ, with ν ≥ ‖X‖₂ (see normBound) and μ
// the size of the error X carries (see errorNorm): each product rounds at
// the scale of ν^p, and an error δ in X moves X^p by at most
// p·‖X‖^(p−1)·‖δ‖. The first is the tighter one for low powers.
func (ev *evaluator) powerMagnitude(x, mx, xp backend.Tensor, p int) (backend.Tensor, error) {
	o := ev.ops()
	componentwise := o.do(func() (backend.Tensor, error) { return ev.matrixPower(mx, p) })
	nu := ev.normBound(o, x)
	mu := errorNorm(o, mx)
	if o.err != nil {
		return o.result(nil)
	}
	scale := make([]float64, len(nu))
	for i, v := range nu {
		scale[i] = float64(p-1)*math.Pow(v, float64(p)) + float64(p)*math.Pow(v, float64(p-1))*mu[i%len(mu)]
	}
	normwise := o.elementwise(backend.Add, o.mapEach(backend.Abs, xp), o.perEntry(scale, x.Layout()))
	return o.result(o.lesser(normwise, componentwise))
}

// normBound returns, for each matrix X of x, an upper bound ν of its
// spectral norm that is at most n^(1/64) times it (1.09 at n = 256):
// ν = ‖X‖_F·‖M³²‖_F^(1/64) with M = XᵀX/‖X‖_F², since ‖X‖₂ ≤
// ‖(XᵀX)³²‖_F^(1/64) = (Σσᵢ¹²⁸)^(1/128); M's norm is at most 1, so its
// powers cannot overflow (they may underflow to 0 in the directions of
// the small singular values, which only lowers the sum toward σ₁¹²⁸). Five
// squarings after XᵀX: six products per matrix. (Three gave n^(1/16),
// 1.35 at n = 128, and ν⁸ 11 times ‖X‖₂⁸.)
func (ev *evaluator) normBound(o *ops, x backend.Tensor) []float64 {
	frob := o.norms(x)
	if o.err != nil {
		return nil
	}
	inv2 := make([]float64, len(frob))
	for i, f := range frob {
		inv2[i] = 1
		if f > 0 && finite(1/(f*f)) {
			inv2[i] = 1 / (f * f)
		}
	}
	m := o.scale(o.fromHost(backend.Layout{Count: len(inv2), Rows: 1, Cols: 1}, inv2), o.matMul(o.transpose(x), x))
	for range 5 {
		m = o.matMul(m, m)
	}
	powers := o.norms(m)
	if o.err != nil {
		return nil
	}
	nu := make([]float64, len(frob))
	for i, f := range frob {
		// ‖(XᵀX)³²‖_F = ‖M³²‖_F·‖X‖_F⁶⁴.
		if nu[i] = f * math.Pow(powers[i], 1.0/64); !finite(nu[i]) || inv2[i] == 1 && f != 1 {
			nu[i] = f // M not scaled (X is 0, or ‖X‖_F out of range): ‖X‖_F bounds it too
		}
	}
	return nu
}

// errorNorm returns, for each matrix of a magnitude m (the scale of the
// rounding error a value carries, entry by entry), the spectral norm of
// an error of that scale with random signs, as rounding makes it:
// 2‖m‖_F/√n for n×n, twice the root mean square of its entries times √n.
func errorNorm(o *ops, m backend.Tensor) []float64 {
	frob := o.norms(m)
	if o.err != nil {
		return nil
	}
	n := float64(max(m.Layout().Rows, m.Layout().Cols))
	for i := range frob {
		frob[i] *= 2 / math.Sqrt(n)
	}
	return frob
}

// valueAndMagnitude evaluates x in magnitude mode both as a value and as a
// magnitude, in the chain o, for the magnitude rules that need both.
func (ev *evaluator) valueAndMagnitude(o *ops, x formulas.Expr) (value, magnitude backend.Tensor) {
	value = o.do(func() (backend.Tensor, error) { return ev.valueWithin(x) })
	magnitude = o.do(func() (backend.Tensor, error) { return ev.eval(x) })
	return value, magnitude
}

// valueWithin evaluates x's value in the middle of a magnitude
// evaluation, which goes on in magnitude mode afterwards.
func (ev *evaluator) valueWithin(x formulas.Expr) (backend.Tensor, error) {
	ev.abs = false
	defer func() { ev.abs = true }()
	return ev.eval(x)
}
