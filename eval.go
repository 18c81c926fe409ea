package gradcheck

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"

	"gonum.org/v1/gonum/integrate/quad"

	"github.com/gradcheck/gradcheck/backend"
	"github.com/gradcheck/gradcheck/formulas"
)

// The quadrature of integral(...) is adaptive: Gauss–Legendre with
// quadratureNodes nodes on a panel, checked against coarseNodes nodes on
// the same panel; a panel where the two differ by more than
// quadratureTolerance of the integral's scale is halved, up to maxPanels
// panels in all. The coarse rule's error bounds the fine one's by far: for
// an integrand analytic in a Bernstein ellipse of parameter ρ they are of
// order ρ^−20 and ρ^−40, so a coarse error of 10⁻¹⁰ leaves the fine one
// near 10⁻²⁰. The integrands of the registry (e^{aX} E e^{(1−a)X}, and the
// resolvent product of d(log X) after the map onto [0,1)) take one panel
// where X's eigenvalues are near 1, and a few more where they spread over
// decades: the resolvent (λ + z)⁻² peaks within 1/λ of the end of [0,1)
// (λ ≫ 1) or within λ of its start (λ ≪ 1), which 20 nodes over [0,1)
// missed (d log(XᵀX) failed at n = 16; TestQuadrature). An integral
// nested in another adapts the same way with at most maxNestedPanels
// panels, as it is summed anew at each node of the outer one.
const (
	quadratureNodes     = 20
	coarseNodes         = 10
	quadratureTolerance = 1e-10
	maxPanels           = 128
	// maxNestedPanels bounds the panels of an integral nested in
	// another: its cost multiplies the outer one's nodes. A true
	// differential of ∫ log(s·X⁴) ds over [1, 2] at n = 8 passes at
	// seeds 1–10 in 2–4 s (16 panels widened seed 8's tolerance to
	// 10⁻⁴); of ∫ log(10¹⁰·s·X⁴) ds it is inconclusive in 50 s (32
	// panels: an error, the nested quadrature unconverged; one panel: a
	// false failure).
	maxNestedPanels = 64
	// kinkedPanels multiplies the panels of an instance whose body has a
	// kink or a jump in t (see kinkWatch): each takes about 96 panels to
	// narrow to minPanel, and with the 128 of a smooth body a second one
	// ran out of them, its error bounded by the panel's magnitude, which
	// let x·∫(|t − 0.3| + |t − 0.7|) dt = 0.5805·x pass (the truth is
	// 0.58; found by the review helper).
	kinkedPanels = 8
	// minPanel is the narrowest panel that is halved: the ends of
	// narrower ones near 1 would not be float64 numbers apart, and the
	// substitution of an infinite interval divides by 1 − y there. The
	// resolvent of d(log X) at eigenvalues near 10¹² puts its mass within
	// 10⁻¹² ≈ 2⁻⁴⁰ of 1.
	minPanel = 0x1p-48
)

// An instance whose panel has no room left to halve (maxPanels, minPanel)
// while its two rules still differ takes the fine sum, and the integral
// is unconverged there: the largest difference of the rules is added, for
// each panel taken so, to the instance's quadrature error, which its
// magnitude carries (see quadrature.unconverged) into every tolerance it
// enters, so that a comparison it spoils is undecided, not a failure;
// above a tenth of the value, the value is NaN (see evaluator.diverged) (a
// true logm differential at eigenvalues near 10¹² failed by 5·10⁻² with 64
// panels; ∫(x + z)^−1.2 over [0, ∞), whose mapped integrand is singular
// at 1, by 3·10⁻³; found by the exploratory helper). Where an integral
// nested in another does not converge, its largest error relative to its
// value is carried into the outermost one's error (see
// quadrature.addNestedError). Summed on one 20-node panel, unchecked,
// the nested resolvent of a true differential of ∫ log(s·X⁴) ds failed by
// 10⁻³ to 0.8 on 10 of 10 seeds.

// magnitudeTolerance replaces quadratureTolerance for the quadrature of
// a magnitude, which needs its scale, not its digits.
const magnitudeTolerance = 1e-3

// evaluator computes formulas over a batch on one backend. Names are bound to
// tensors; intermediate tensors are freed as soon as they are consumed, and
// bound tensors are never freed by the evaluator.
type evaluator struct {
	// ctx stops an evaluation between two operations when cancelled.
	ctx   context.Context
	b     backend.Backend
	sizes map[string]int
	vars  map[string]backend.Tensor
	// abs, when set, computes the magnitude of an expression instead of its
	// value (see magnitude).
	abs bool
	// absVars holds |v| for each bound variable, for magnitude mode.
	absVars map[string]backend.Tensor
	bound   map[backend.Tensor]bool

	// memo holds the values and magnitudes of the costly calls (see call)
	// evaluated so far, so that a claim like −X⁻¹·dX·X⁻¹ or det(X)·X⁻ᵀ, its
	// magnitude and the magnitude of f factor each matrix once, and an
	// entrywise check factors it once for all its blocks of directions. A
	// key names the tensors bound to the names the call reads (by their
	// ids); an entry lives, bound, until close, since a caller may still
	// hold it when the bindings change. Only results of at most memoCount
	// matrices are kept (the instances of a chunk, not the perturbed
	// copies), and none inside an integral, whose every node rebinds its
	// variable.
	memo        map[memoKey]backend.Tensor
	memoCount   int
	integrating int
	// ids numbers the tensors ever bound, for the keys of memo: a tensor
	// keeps its id while it lives (X rebound after the perturbed points
	// is X again), and a new tensor never takes an old one's id.
	ids    map[backend.Tensor]int
	nextID int
	// probe, while set, moves the arguments of the ill-conditioned
	// operations (see sensitivity).
	probe *probeState
	// reads caches the names each memoized call reads.
	reads map[*formulas.Call][]string
	// unconverged holds, for the last value of each outermost integral
	// that has instances whose quadrature did not converge, each
	// instance's quadrature error (see minPanel), for its magnitude.
	unconverged map[*formulas.Integral][]float64
	// partitions holds the panels the last value of each outermost
	// integral was summed on, for its magnitude (see integral).
	partitions map[*formulas.Integral]partition
	// nestedError is the largest quadrature error, relative to its
	// instance's largest entry, of an integral nested in the outermost
	// one being evaluated that did not converge in maxNestedPanels
	// panels (0 where all did), for the outermost one's error (see
	// quadrature.addNestedError).
	nestedError float64
	// nestedJump is the part of nestedError from panels across a kink
	// of the nested body (see kinkWatch), which leaves the outermost
	// value uncertain, not divergent.
	nestedJump float64

	// stencil, when set, says that the values of count stencilCount
	// being evaluated are finite-difference stencils of stencil
	// consecutive points each; kinks[g] then counts the entries of the
	// arguments of relu, step and abs whose sign changes within stencil g
	// (see noteKinks).
	stencil, stencilCount int
	kinks                 []int
	// stencilKinks is the first integral made not finite at the points
	// of a stencil because its kinks ran out of panels (see integral),
	// for the reason of the inconclusive result (see
	// verification.locate).
	stencilKinks *formulas.Integral

	// watches holds the kink watches of the quadratures under way,
	// innermost last (see kinkWatch).
	watches []*kinkWatch

	// hostFree holds host buffers that are done with (see recycleHost),
	// for the downloads of the next block of an entrywise check: a block
	// of a matrix-valued f downloads megabytes, and fresh memory costs a
	// page fault per 4 KiB.
	hostFree [][]float64
}

// memoKey identifies a memoized call: the expression, whether its value or
// its magnitude, and the ids of the tensors bound to the names it reads.
type memoKey struct {
	expr     string
	abs      bool
	bindings string
}

func newEvaluator(ctx context.Context, b backend.Backend, sizes map[string]int) *evaluator {
	return &evaluator{
		ctx:     ctx,
		b:       b,
		sizes:   sizes,
		vars:    map[string]backend.Tensor{},
		absVars: map[string]backend.Tensor{},
		bound:   map[backend.Tensor]bool{},
		memo:    map[memoKey]backend.Tensor{},
		ids:     map[backend.Tensor]int{},
		reads:   map[*formulas.Call][]string{},

		partitions:  map[*formulas.Integral]partition{},
		unconverged: map[*formulas.Integral][]float64{},
	}
}

// bind makes name stand for t in later evaluations, replacing any earlier
// binding of name without freeing it.
func (ev *evaluator) bind(name string, t backend.Tensor) {
	ev.unbind(name, false)
	ev.vars[name] = t
	ev.bound[t] = true
	if _, ok := ev.ids[t]; !ok {
		ev.nextID++
		ev.ids[t] = ev.nextID
	}
}

// unbind removes name's binding, and frees its tensor when free is set.
func (ev *evaluator) unbind(name string, free bool) {
	if a, ok := ev.absVars[name]; ok {
		delete(ev.bound, a)
		ev.b.Free(a)
		delete(ev.absVars, name)
	}
	t, ok := ev.vars[name]
	if !ok {
		return
	}
	delete(ev.vars, name)
	for _, u := range ev.vars {
		if u == t {
			// Bound to another name as well (a hess claim's dX and dX2
			// while they swap): it stays bound.
			return
		}
	}
	delete(ev.bound, t)
	if free {
		delete(ev.ids, t)
		ev.b.Free(t)
	}
}

// valueWith evaluates e with name bound to t, then unbinds name and frees
// t, which the evaluation owns, unless the value is t itself (e is the
// variable alone, as in f = X or the integrand t): the caller then owns
// it as any other result.
func (ev *evaluator) valueWith(name string, t backend.Tensor, e formulas.Expr) (backend.Tensor, error) {
	ev.bind(name, t)
	v, err := ev.value(e)
	ev.unbind(name, err != nil || v != t)
	return v, err
}

// release frees an intermediate result; bound tensors stay.
func (ev *evaluator) release(ts ...backend.Tensor) {
	for _, t := range ts {
		if t != nil && !ev.bound[t] {
			ev.b.Free(t)
		}
	}
}

// value evaluates e.
func (ev *evaluator) value(e formulas.Expr) (backend.Tensor, error) {
	ev.abs = false
	return ev.eval(e)
}

// magnitude evaluates the entrywise forward-error scale of e: the same
// expression with every variable and constant replaced by its absolute value
// and every subtraction by an addition, through the operations where that
// bounds the rounding error of a sum of products (+, −, products, Kronecker,
// transpose, trace, sum, diag). Any other function contributes the absolute
// value of its result. The rounding error of e is then of order
// √n·u·magnitude(e) with n the length of the longest sum.
func (ev *evaluator) magnitude(e formulas.Expr) (backend.Tensor, error) {
	ev.abs = true
	defer func() { ev.abs = false }()
	return ev.eval(e)
}

func (ev *evaluator) scalar(v float64) (backend.Tensor, error) {
	return ev.b.FromHost(backend.Layout{Count: 1, Rows: 1, Cols: 1}, []float64{v})
}

func isScalar(t backend.Tensor) bool {
	l := t.Layout()
	return l.Rows == 1 && l.Cols == 1
}

func (ev *evaluator) eval(e formulas.Expr) (backend.Tensor, error) {
	if err := ev.ctx.Err(); err != nil {
		return nil, fmt.Errorf("interrupted: %w", err)
	}
	switch e := e.(type) {
	case *formulas.Num:
		if ev.abs {
			return ev.scalar(math.Abs(e.Value))
		}
		return ev.scalar(e.Value)
	case *formulas.Ident:
		t, ok := ev.vars[e.Name]
		if !ok {
			if n, ok := ev.sizes[e.Name]; ok {
				// A size symbol is a number: 2/m, eye(n)/n.
				return ev.scalar(float64(n))
			}
			return nil, fmt.Errorf("%v: %s is not bound", e.Pos(), e.Name)
		}
		if !ev.abs {
			return t, nil
		}
		if a, ok := ev.absVars[e.Name]; ok {
			return a, nil
		}
		a, err := ev.b.Map(backend.Abs, t)
		if err != nil {
			return nil, err
		}
		ev.absVars[e.Name] = a
		ev.bound[a] = true
		return a, nil
	case *formulas.Unary:
		x, err := ev.eval(e.X)
		if err != nil {
			return nil, err
		}
		if e.Op == "'" {
			defer ev.release(x)
			return ev.b.Transpose(x)
		}
		if ev.abs {
			return x, nil
		}
		defer ev.release(x)
		return ev.b.Map(backend.Neg, x)
	case *formulas.Binary:
		return ev.binary(e)
	case *formulas.Call:
		return ev.call(e)
	case *formulas.Integral:
		return ev.integral(e)
	}
	return nil, fmt.Errorf("%v: cannot evaluate %T", e.Pos(), e)
}

// absOfValue evaluates e normally and returns |e|, the magnitude of
// operations that do not propagate magnitudes.
func (ev *evaluator) absOfValue(e formulas.Expr) (backend.Tensor, error) {
	v, err := ev.valueWithin(e)
	if err != nil {
		return nil, err
	}
	defer ev.release(v)
	return ev.b.Map(backend.Abs, v)
}

// invMagnitude is the magnitude of inv(A): |A⁻¹| plus, in every entry, the
// root mean square r of the entries of A⁻¹. The rounding error of an
// inverse computed through LU is normwise, of order u·κ(A)·‖A⁻¹‖ (Higham,
// Accuracy and Stability of Numerical Algorithms, 2nd ed., §14.1), spread
// over all entries rather than proportional to each: an entry small by
// cancellation still carries an error of the size of a typical one, and
// |A⁻¹| alone would make a comparison of such entries (entrywise mode,
// d(X⁻¹)) fail on rounding noise. The componentwise bound |A⁻¹||A||A⁻¹|
// covers it too but grows with every nested inverse until a claim such as
// det(A·X⁻¹·B)'s gradient is inconclusive at n = 256.
func (ev *evaluator) invMagnitude(e *formulas.Call) (backend.Tensor, error) {
	ai, err := ev.absOfValue(e)
	if err != nil {
		return nil, err
	}
	defer ev.release(ai)
	o := ev.ops()
	return o.result(o.spread(ai))
}

// logMagnitude is the magnitude of a logarithm: its absolute value plus the
// scale of its absolute rounding error, which does not vanish where the
// logarithm does: about 1 per entry for log and logm, and n for the
// log-determinant of an n×n matrix (a sum of n logarithms). log x also
// carries its argument's error forward, d log x = dx/x: its scale is
// max(1, |x|ₘ/|x|), far above 1 where x is small by cancellation, as
// 1 − σ(z) at z = 35 (6.7·10⁻¹⁶ where it is 5.7·10⁻¹⁶): with 1 alone, the
// true gradient of log(1 − σ(x + 35)) failed, its finite difference 0.
func (ev *evaluator) logMagnitude(e *formulas.Call) (backend.Tensor, error) {
	o := ev.ops()
	var arg, argMagnitude backend.Tensor
	if e.Func == "log" {
		arg, argMagnitude = ev.valueAndMagnitude(o, e.Args[0])
	} else {
		arg = o.add(ev.valueWithin(e.Args[0]))
	}
	var v backend.Tensor
	floor := 1.0
	switch e.Func {
	case "log":
		v = o.mapEach(backend.Log, arg)
	case "logm":
		v = o.do(func() (backend.Tensor, error) { return ev.logm(arg) })
	case "logdet":
		v = o.logDet(arg)
		if arg != nil {
			floor = float64(arg.Layout().Rows)
		}
	}
	a := o.mapEach(backend.Abs, v)
	if a == nil {
		return o.result(nil)
	}
	l := a.Layout()
	scale := o.broadcast(o.scalar(floor), l.Rows, l.Cols)
	if e.Func == "log" {
		// max(1, r) = 1 + relu(r − 1)
		r := o.elementwise(backend.Div, argMagnitude, o.mapEach(backend.Abs, arg))
		scale = o.elementwise(backend.Add, scale, o.mapEach(backend.Relu, o.elementwise(backend.Sub, r, scale)))
	}
	return o.result(o.elementwise(backend.Add, a, scale))
}

func (ev *evaluator) binary(e *formulas.Binary) (backend.Tensor, error) {
	switch {
	case e.Op == "^":
		return ev.power(e)
	case e.Op == "\\" && ev.abs:
		return ev.solveMagnitude(e)
	case ev.abs && (e.Op == "./" || e.Op == "/"):
		return ev.quotientMagnitude(e)
	case ev.abs && e.Op == ".^":
		return ev.absOfValue(e)
	}
	l, r, err := ev.operands(e)
	if err != nil {
		return nil, err
	}
	defer func() { ev.release(l, r) }() // the moved ones under the probe
	switch e.Op {
	case "+", "-":
		op := backend.Add
		if e.Op == "-" && !ev.abs {
			op = backend.Sub
		}
		return ev.elementwise(op, l, r)
	case "\\":
		if l, err = ev.moveArgument(l); err != nil {
			return nil, err
		}
		if r, err = ev.moveArgument(r); err != nil {
			return nil, err
		}
		return ev.b.Solve(l, r)
	case "*", ".*":
		switch {
		case isScalar(l) && isScalar(r):
			return ev.b.Elementwise(backend.Mul, l, r)
		case isScalar(l):
			return ev.b.Scale(l, r)
		case isScalar(r):
			return ev.b.Scale(r, l)
		case e.Op == "*":
			return ev.b.MatMul(l, r)
		}
		return ev.b.Elementwise(backend.Mul, l, r)
	case "/":
		return ev.divideByScalar(l, r)
	case "./":
		if isScalar(r) && !isScalar(l) {
			return ev.divideByScalar(l, r)
		}
		return ev.elementwise(backend.Div, l, r)
	case ".^":
		return ev.elementwise(backend.Pow, l, r)
	}
	return nil, fmt.Errorf("%v: unknown operator %q", e.Pos(), e.Op)
}

// quotientMagnitude is the magnitude of L/R or L./R, that of the product
// L·R⁻¹: |L|ₘ·|R⁻¹|ₘ, with |R⁻¹|ₘ = |R|ₘ/R² for the rounding error of R
// carried through the reciprocal (first order). For operands that carry no
// more than their own rounding it is |L/R|, but a numerator small by
// cancellation (an entry of log X near 0, divided by a norm) keeps the
// error of its terms: |L/R| alone made four logm claims of the entrywise
// self-test fail on rounding noise.
func (ev *evaluator) quotientMagnitude(e *formulas.Binary) (backend.Tensor, error) {
	o := ev.ops()
	ml := o.do(func() (backend.Tensor, error) { return ev.eval(e.L) })
	r, mr := ev.valueAndMagnitude(o, e.R)
	if o.err != nil {
		return o.result(nil)
	}
	absR := o.mapEach(backend.Abs, r)
	reciprocal := o.elementwise(backend.Div, o.elementwise(backend.Div, mr, absR), absR)
	return o.result(o.do(func() (backend.Tensor, error) { return ev.elementwise(backend.Mul, ml, reciprocal) }))
}

// divideByScalar returns m / s for a 1×1 batch s.
func (ev *evaluator) divideByScalar(m, s backend.Tensor) (backend.Tensor, error) {
	o := ev.ops()
	return o.result(o.scale(o.elementwise(backend.Div, o.scalar(1), s), m))
}

// elementwise applies op entry by entry, a scalar on either side meeting
// every entry of the other.
func (ev *evaluator) elementwise(op backend.ElemOp, l, r backend.Tensor) (backend.Tensor, error) {
	ll, rl := l.Layout(), r.Layout()
	o := ev.ops()
	switch {
	case isScalar(l) && !isScalar(r):
		l = o.broadcast(l, rl.Rows, rl.Cols)
	case isScalar(r) && !isScalar(l):
		r = o.broadcast(r, ll.Rows, ll.Cols)
	}
	return o.result(o.elementwise(op, l, r))
}

// power evaluates L^R: a scalar power, or an integer power of a square
// matrix by repeated multiplication. The magnitude of a matrix power is
// |L^p| plus a normwise term in every entry (see powerMagnitude): |L^p|
// alone would call an entry that is small by cancellation exact.
func (ev *evaluator) power(e *formulas.Binary) (backend.Tensor, error) {
	l, err := ev.eval(e.L)
	if err != nil {
		return nil, err
	}
	if isScalar(l) && ev.abs {
		ev.release(l)
		return ev.absOfValue(e)
	}
	if ev.abs {
		return ev.matrixPowerMagnitude(e, l)
	}
	if isScalar(l) {
		defer ev.release(l)
		r, err := ev.eval(e.R)
		if err != nil {
			return nil, err
		}
		defer ev.release(r)
		return ev.b.Elementwise(backend.Pow, l, r)
	}
	p, ok := integerLiteral(e.R)
	if !ok || p < 0 {
		ev.release(l)
		return nil, fmt.Errorf("%v: %v: a matrix power needs a non-negative integer exponent", e.Pos(), e)
	}
	result, err := ev.matrixPower(l, p)
	if result != l {
		ev.release(l)
	}
	return result, err
}

// matrixPowerMagnitude returns the magnitude of the matrix power e, given
// ml, the magnitude of its base, which it frees.
func (ev *evaluator) matrixPowerMagnitude(e *formulas.Binary, ml backend.Tensor) (backend.Tensor, error) {
	p, ok := integerLiteral(e.R)
	if ok && p == 1 {
		return ml, nil
	}
	defer ev.release(ml)
	switch {
	case !ok || p < 0:
		return nil, fmt.Errorf("%v: %v: a matrix power needs a non-negative integer exponent", e.Pos(), e)
	case p == 0:
		return ev.absOfValue(e) // I, exact
	}
	o := ev.ops()
	l := o.do(func() (backend.Tensor, error) { return ev.valueWithin(e.L) })
	lp := o.do(func() (backend.Tensor, error) { return ev.matrixPower(l, p) })
	if o.err != nil {
		return o.result(nil)
	}
	return o.result(o.do(func() (backend.Tensor, error) { return ev.powerMagnitude(l, ml, lp, p) }))
}

// integerLiteral returns the value of a literal integer exponent.
func integerLiteral(e formulas.Expr) (int, bool) {
	n, ok := e.(*formulas.Num)
	if !ok || n.Value != math.Trunc(n.Value) || math.Abs(n.Value) > formulas.MaxMatrixPower {
		return 0, false
	}
	return int(n.Value), true
}

// matrixPower returns x^p; it returns x itself for p = 1 and never frees x.
func (ev *evaluator) matrixPower(x backend.Tensor, p int) (backend.Tensor, error) {
	if p == 0 {
		return ev.b.Eye(x.Layout().Rows)
	}
	result := x
	for i := 1; i < p; i++ {
		next, err := ev.b.MatMul(result, x)
		if result != x {
			ev.release(result)
		}
		if err != nil {
			return nil, err
		}
		result = next
	}
	return result, nil
}

// call evaluates a function call, reusing the result of a costly one
// already evaluated under the same bindings, except under the rounding
// probe, whose values differ from the plain ones under the same bindings
// (see moveArgument).
func (ev *evaluator) call(e *formulas.Call) (backend.Tensor, error) {
	if !evalFuncs[e.Func].costly || ev.memoCount == 0 || ev.integrating > 0 || ev.probe != nil {
		return ev.evalCall(e)
	}
	key := memoKey{expr: e.String(), abs: ev.abs, bindings: ev.bindings(e)}
	if t, ok := ev.memo[key]; ok {
		return t, nil
	}
	t, err := ev.evalCall(e)
	if err == nil && t.Layout().Count <= ev.memoCount {
		ev.memo[key] = t
		ev.bound[t] = true
	}
	return t, err
}

// bindings names the tensors bound to the names e reads, by their ids (0
// where a name is not bound: a size symbol).
func (ev *evaluator) bindings(e *formulas.Call) string {
	names, ok := ev.reads[e]
	if !ok {
		names = readNames(e, nil)
		ev.reads[e] = names
	}
	key := make([]byte, 0, 8*len(names))
	for _, name := range names {
		id := 0
		if t, ok := ev.vars[name]; ok {
			id = ev.ids[t]
		}
		key = strconv.AppendInt(append(key, ' '), int64(id), 10)
	}
	return string(key)
}

// readNames appends to names the names e reads, each once.
func readNames(e formulas.Expr, names []string) []string {
	switch e := e.(type) {
	case *formulas.Ident:
		if !slices.Contains(names, e.Name) {
			names = append(names, e.Name)
		}
	case *formulas.Unary:
		names = readNames(e.X, names)
	case *formulas.Binary:
		names = readNames(e.R, readNames(e.L, names))
	case *formulas.Call:
		for _, a := range e.Args {
			names = readNames(a, names)
		}
	case *formulas.Integral:
		names = readNames(e.Body, readNames(e.Hi, readNames(e.Lo, names)))
	}
	return names
}

// operands evaluates both sides of e; the caller releases them.
func (ev *evaluator) operands(e *formulas.Binary) (l, r backend.Tensor, err error) {
	if l, err = ev.eval(e.L); err != nil {
		return nil, nil, err
	}
	if r, err = ev.eval(e.R); err != nil {
		ev.release(l)
		return nil, nil, err
	}
	return l, r, nil
}

// evalCall evaluates a function call through its entry of evalFuncs.
func (ev *evaluator) evalCall(e *formulas.Call) (backend.Tensor, error) {
	f, ok := evalFuncs[e.Func]
	if !ok {
		return nil, fmt.Errorf("%v: unknown function %q", e.Pos(), e.Func)
	}
	if ev.abs && f.magnitude != nil {
		return f.magnitude(ev, e)
	}
	if p, ok := e.Args[0].(*formulas.Binary); ok && e.Func == "tr" && p.Op == "*" {
		return ev.traceOfProduct(p)
	}
	if f.sized != nil {
		sizes, err := ev.sizeArgs(e)
		if err != nil {
			return nil, err
		}
		return f.sized(ev, sizes)
	}
	args := make([]backend.Tensor, len(e.Args))
	for i, a := range e.Args {
		t, err := ev.eval(a)
		if err != nil {
			ev.release(args[:i]...)
			return nil, err
		}
		args[i] = t
	}
	defer func() { ev.release(args...) }() // the moved ones under the probe
	if f.costly {
		for i, a := range args {
			var err error
			if args[i], err = ev.moveArgument(a); err != nil {
				return nil, err
			}
		}
	}
	if l := args[0].Layout(); formulas.Lookup(e.Func).KinkedAt(l.Rows, l.Cols) {
		// A kink of the body in an integral's variable is the quadrature's
		// (see kinkWatch), one of f at a stencil otherwise, or where it
		// crosses an end of the interval.
		w := ev.watching(e)
		var err error
		if w == nil || w.atEnd {
			err = ev.noteKinks(args[0])
		}
		if err == nil && w != nil && w.recording && !ev.abs {
			err = w.note(ev, e, args[0])
		}
		if err != nil {
			return nil, err
		}
	}
	return f.value(ev, args)
}

// traceOfProduct evaluates tr(P*Q), or its magnitude tr(|P|ₘ|Q|ₘ), as
// ⟨Pᵀ, Q⟩ = Σᵢⱼ Pⱼᵢ·Qᵢⱼ: the n² products of entries that the trace of the
// matrix product adds, without the n³ − n² others that it discards. In
// tr(A*X*B), as often written, that halves the cost of every evaluation of
// f (one matrix product of two). The sum runs in another order than the
// trace's, with the same magnitude. The factor with fewer matrices is the
// one transposed; a scalar factor scales the other.
func (ev *evaluator) traceOfProduct(e *formulas.Binary) (backend.Tensor, error) {
	l, r, err := ev.operands(e)
	if err != nil {
		return nil, err
	}
	defer ev.release(l, r)
	o := ev.ops()
	switch {
	case isScalar(l):
		return o.result(o.trace(o.scale(l, r)))
	case isScalar(r):
		return o.result(o.trace(o.scale(r, l)))
	case l.Layout().Count <= r.Layout().Count:
		return o.result(o.dot(o.transpose(l), r))
	}
	return o.result(o.dot(l, o.transpose(r)))
}

// noteKinks adds to ev.kinks the entries of x, the argument of a function
// with a kink at 0, whose sign changes within a stencil. Only an x of one
// matrix per evaluation point can: one shared by the points of a stencil
// (a constant, a variable other than the one perturbed) has one sign.
func (ev *evaluator) noteKinks(x backend.Tensor) error {
	if ev.stencil == 0 || ev.abs || x.Layout().Count != ev.stencilCount {
		return nil
	}
	changes, err := ev.b.SignChanges(x, ev.stencil)
	if err != nil {
		return err
	}
	defer ev.release(changes)
	counts, err := ev.b.ToHost(changes, nil)
	if err != nil {
		return err
	}
	for g, n := range counts {
		ev.kinks[g] += int(n)
	}
	return nil
}

// copy returns a new tensor equal to x.
func (ev *evaluator) copy(x backend.Tensor) (backend.Tensor, error) {
	o := ev.ops()
	return o.result(o.scale(o.scalar(1), x))
}

// sizeArgs resolves the arguments of eye, ones and zeros: size symbols or
// literals.
func (ev *evaluator) sizeArgs(e *formulas.Call) ([]int, error) {
	sizes := make([]int, len(e.Args))
	for i, a := range e.Args {
		switch a := a.(type) {
		case *formulas.Num:
			sizes[i] = int(a.Value)
			continue
		case *formulas.Ident:
			if n, ok := ev.sizes[a.Name]; ok {
				sizes[i] = n
				continue
			}
		}
		return nil, fmt.Errorf("%v: %s needs size symbols or integers", e.Pos(), e.Func)
	}
	return sizes, nil
}

// sym returns (x + xᵀ)/2.
func (ev *evaluator) sym(x backend.Tensor) (backend.Tensor, error) {
	o := ev.ops()
	return o.result(o.sym(x))
}

// integral evaluates integral(t, lo, hi, body) by adaptive Gauss–Legendre
// quadrature (see quadratureNodes) on [lo, hi], or, for hi = inf, after
// the substitution t = lo + s/(1−s), dt = ds/(1−s)², which maps [0, 1)
// onto [lo, ∞). Its magnitude is the
// same quadrature of the body's magnitude, with |hi − lo|: the value is a
// sum of the body's values with positive weights, and carries their
// rounding errors even where it cancels to less than each (∫t·logdet(X)
// dt where det X is near 1: |value| would miss logdet's error of n·u).
func (ev *evaluator) integral(e *formulas.Integral) (backend.Tensor, error) {
	acc, errs, jumps, err := ev.integrate(e)
	if err != nil || errs == nil {
		return acc, err
	}
	// Panels across a kink that could not be narrowed enough leave the
	// value uncertain, not meaningless: their part of the error does not
	// make it diverge.
	// At the points of a finite-difference stencil, though, such a value
	// is off by more than the differences can tell, each point having its
	// own kink, and the tolerances, set at the base point, do not carry
	// it: the true gradient of sum(integral(t, 0, 1, relu(x - t))) failed
	// entrywise by 10⁻² (found by the review helper). It is not finite
	// there.
	smooth := make([]float64, len(errs))
	for gi := range errs {
		smooth[gi] = errs[gi] - jumps[gi]
		if ev.stencil != 0 && jumps[gi] > 0 {
			smooth[gi] = math.Inf(1)
			if ev.stencilKinks == nil {
				ev.stencilKinks = e
			}
		}
	}
	acc, err = ev.diverged(acc, smooth, func() ([]float64, error) { return ev.roundingNoise(e, len(errs)) })
	ev.unconverged[e] = errs
	return acc, err
}

// roundingNoise returns, for each of the groups instances of the
// outermost integral e, the largest rounding error its quadrature's sums
// can carry: quadratureNoise·u times the largest entry of e's magnitude.
// Where the body is 0 up to rounding (t·p/x − p·(t·x/x²)) the two rules
// differ by their rounding alone on every panel, never within a relative
// tolerance of the value, itself rounding: the integral read as diverged
// and a true claim of 0 holding it was not finite (found by
// FuzzBackends). The magnitude is summed on the panels the value took by
// the coarse rule: the noise needs its scale, not its digits, and by the
// fine rule it cost a sixth of a self-test of Hessians, whose divergent
// mutants need it. (On the whole interval alone it missed a narrow peak
// of the body, exp(−10⁵(t − 0.37)²)·(…), found by the review helper.)
func (ev *evaluator) roundingNoise(e *formulas.Integral, groups int) ([]float64, error) {
	found := ev.partitions[e]
	coarse := found
	coarse.coarse = true
	ev.partitions[e] = coarse
	m, err := ev.magnitude(e)
	ev.partitions[e] = found
	if err != nil {
		return nil, err
	}
	defer ev.release(m)
	largest, err := ev.largestEntries(m, groups)
	if err != nil {
		return nil, err
	}
	for gi := range largest {
		largest[gi] *= quadratureNoise * unitRoundoff
	}
	return largest, nil
}

// quadratureNoise bounds, in units of u times the integral's magnitude,
// the rounding error of its adaptive sum: each panel's sums carry the
// rounding of their integrand's values, of order u·|body|, and the panels
// together hold the magnitude once. The rules of a body 0 up to rounding
// differed by 0.18·u·magnitude in all, at n = 5 and 40;
// a divergent integral's error is of the order of its magnitude.
const quadratureNoise = 64

// integrate sums the integral e, and where e is an outermost integral
// evaluated for its value and some instances' quadrature did not converge
// (see minPanel), returns each instance's quadrature error too (nil
// where all converged) and the part of it from panels across a kink of
// the body (see kinkWatch).
func (ev *evaluator) integrate(e *formulas.Integral) (backend.Tensor, []float64, []float64, error) {
	magnitude := ev.abs
	defer func() { ev.abs = magnitude }()
	lo, err := ev.value(e.Lo)
	if err != nil {
		return nil, nil, nil, err
	}
	defer ev.release(lo)
	hiNum, isNum := e.Hi.(*formulas.Num)
	infinite := isNum && math.IsInf(hiNum.Value, 1)
	var width backend.Tensor // hi − lo, for a finite interval
	if !infinite {
		hi, err := ev.value(e.Hi)
		if err != nil {
			return nil, nil, nil, err
		}
		width, err = ev.b.Elementwise(backend.Sub, hi, lo)
		ev.release(hi)
		if err == nil && magnitude {
			w := width
			width, err = ev.b.Map(backend.Abs, w)
			ev.release(w)
		}
		if err != nil {
			return nil, nil, nil, err
		}
		defer ev.release(width)
	}
	// An integral inside another has fewer panels (maxNestedPanels): the
	// outer one's nodes multiply its cost.
	panels, nested := maxPanels, ev.integrating > 0
	if nested {
		panels = maxNestedPanels
	}
	ev.integrating++
	defer func() { ev.integrating-- }()
	old, shadowed := ev.vars[e.Var]
	// The magnitude of a shadowed variable is set aside, still bound,
	// rather than freed when the body binds the name: an operand being
	// evaluated around this integral may hold it (t1*sin(integral(t1,
	// …)) in magnitude mode freed |t1| under the product).
	oldAbs, shadowedAbs := ev.absVars[e.Var]
	delete(ev.absVars, e.Var)
	defer func() {
		if shadowed {
			ev.bind(e.Var, old)
		}
		if shadowedAbs {
			ev.absVars[e.Var] = oldAbs
		}
	}()
	tolerance := quadratureTolerance
	if magnitude {
		tolerance = magnitudeTolerance
	}
	q := quadrature{ev: ev, e: e, lo: lo, width: width, infinite: infinite, magnitude: magnitude}
	if calls := kinkedCalls(e.Body, e.Var); len(calls) > 0 {
		q.watch = ev.watch(calls)
		defer ev.unwatch()
	}
	if known, ok := ev.partitions[e]; ok && magnitude && !nested {
		// A magnitude takes the panels its value found, by the fine
		// rule alone: it needs its scale where the value's mass is, not
		// its digits (adaptive, it cost a third of the self-test).
		acc, done, err := q.onPartition(known)
		if err == nil && done {
			acc, err = q.unconverged(acc, ev.unconverged[e])
		}
		if done || err != nil {
			return acc, nil, nil, err
		}
	}
	if !nested && !magnitude {
		ev.nestedError, ev.nestedJump = 0, 0
	}
	acc, accepted, errs, jumps, err := q.adapt(panels, tolerance)
	switch {
	case err != nil || magnitude:
	case nested:
		err = q.nestedUnconverged(acc, errs, jumps)
	default:
		ev.partitions[e] = accepted
		delete(ev.unconverged, e)
		if ev.nestedError > 0 {
			err = q.addNestedError(acc, errs, jumps)
		}
		if !slices.ContainsFunc(errs, func(x float64) bool { return x > 0 }) {
			errs, jumps = nil, nil
		}
	}
	if err != nil {
		ev.release(acc)
		return nil, nil, nil, err
	}
	if magnitude || nested {
		return acc, nil, nil, nil
	}
	return acc, errs, jumps, nil
}

// nestedUnconverged records in evaluator.nestedError the largest
// quadrature error errs of the integral nested in another whose value is
// acc, relative to the instance's largest entry, and in
// evaluator.nestedJump the largest of its part jumps from panels across a
// kink.
func (q *quadrature) nestedUnconverged(acc backend.Tensor, errs, jumps []float64) error {
	if !slices.ContainsFunc(errs, func(x float64) bool { return x > 0 }) {
		return nil
	}
	largest, err := q.ev.largestEntries(acc, len(errs))
	if err != nil {
		return err
	}
	for gi, e := range errs {
		if e > 0 {
			q.ev.nestedError = math.Max(q.ev.nestedError, e/largest[gi])
			q.ev.nestedJump = math.Max(q.ev.nestedJump, jumps[gi]/largest[gi])
		}
	}
	return nil
}

// addNestedError adds to the quadrature error errs of each instance of
// the outermost integral, whose value is acc, evaluator.nestedError times
// the instance's largest entry, and to its part jumps from kinks
// evaluator.nestedJump times it (a nested integral whose kinks run out
// of panels was made NaN, found by the review helper). An integral nested in another enters its
// body as a part of it (linearly, in a differential's), so its relative
// error becomes the outer value's; it is applied to every instance, not
// only to those whose nested quadrature did not converge, which overstates
// the others' errors but never understates one (the nested integrals of a
// panel restricted to some instances hold those alone).
func (q *quadrature) addNestedError(acc backend.Tensor, errs, jumps []float64) error {
	largest, err := q.ev.largestEntries(acc, len(errs))
	if err != nil {
		return err
	}
	for gi := range errs {
		errs[gi] += q.ev.nestedError * largest[gi]
		jumps[gi] += q.ev.nestedJump * largest[gi]
	}
	return nil
}

// largestEntries returns the largest magnitude of an entry of each of the
// groups instances of t (NaN where an entry is NaN).
func (ev *evaluator) largestEntries(t backend.Tensor, groups int) ([]float64, error) {
	if ev.groups(t) != groups {
		return nil, fmt.Errorf("integral: a value of %d matrices does not hold %d instances", t.Layout().Count, groups)
	}
	host, err := ev.download(t)
	if err != nil {
		return nil, err
	}
	defer ev.recycleHost(host)
	per, largest := len(host)/groups, make([]float64, groups)
	for gi := range largest {
		for _, x := range host[gi*per : (gi+1)*per] {
			largest[gi] = math.Max(largest[gi], math.Abs(x))
		}
	}
	return largest, nil
}

// diverged returns the value acc of the integral with NaN for every entry
// of an instance whose quadrature error errs is above a tenth of its
// largest entry and above its rounding noise (noise, called only where
// the first holds; see roundingNoise): such a value says nothing (no
// comparison could decide beside an error that large), and the integral
// most likely diverges, as ∫ X⁻¹dX X⁻¹ dz over [0, ∞) does, or has a pole
// on its path. A claim holding it is then not finite where f is, an
// error, rather than undecided. An error within the noise is rounding,
// which the integral's magnitude carries into the tolerances (see
// quadrature.unconverged). It takes acc.
func (ev *evaluator) diverged(acc backend.Tensor, errs []float64, noise func() ([]float64, error)) (backend.Tensor, error) {
	if ev.groups(acc) != len(errs) {
		return acc, nil
	}
	host, err := ev.download(acc)
	if err != nil {
		ev.release(acc)
		return nil, err
	}
	defer ev.recycleHost(host)
	per := len(host) / len(errs)
	var beyond []int // the instances whose error is above a tenth of their value
	for gi, e := range errs {
		largest := 0.0
		for _, x := range host[gi*per : (gi+1)*per] {
			largest = math.Max(largest, math.Abs(x))
		}
		if e > uncertain*largest {
			beyond = append(beyond, gi)
		}
	}
	if len(beyond) == 0 {
		return acc, nil
	}
	// The magnitude, for the noise, only where it decides: a quadrature
	// of its own, it cost a sixth of a self-test of Hessians, whose
	// divergent mutants do not converge.
	floor, err := noise()
	if err != nil {
		ev.release(acc)
		return nil, err
	}
	changed := false
	for _, gi := range beyond {
		if errs[gi] > floor[gi] {
			for i := range host[gi*per : (gi+1)*per] {
				host[gi*per+i] = math.NaN()
			}
			changed = true
		}
	}
	if !changed {
		return acc, nil
	}
	l := acc.Layout()
	ev.release(acc)
	return ev.b.FromHost(l, host)
}

// unconverged returns the magnitude acc of the integral with each
// instance's quadrature error errs added to every entry, in units of the
// magnitude (unitRoundoff): an error E then widens each tolerance the
// integral enters as its rounding error would, by E at least. It takes
// acc; errs is nil where every instance converged, and the errors are
// not added where the batch is not the one they were found for.
func (q *quadrature) unconverged(acc backend.Tensor, errs []float64) (backend.Tensor, error) {
	ev := q.ev
	if errs == nil || ev.groups(acc) != len(errs) {
		return acc, nil
	}
	l := acc.Layout()
	per := l.Size() / len(errs)
	added := ev.hostSlice(l.Size())
	defer ev.recycleHost(added)
	for gi, e := range errs {
		for k := range per {
			added[gi*per+k] = e / unitRoundoff
		}
	}
	t, err := ev.b.FromHost(l, added)
	if err != nil {
		ev.release(acc)
		return nil, err
	}
	defer ev.release(acc, t)
	return ev.b.Elementwise(backend.Add, acc, t)
}

// quadrature sums an integral's body over panels of [0, 1) (see
// evaluator.integral), for every instance of the batch at once, each
// instance on its own partition: a panel is evaluated for the instances
// that need it alone (see sums), and its sum counts only for the
// instances that take it, so that an instance's value depends on its own
// integrand alone, not on the other instances of its chunk (with one
// partition for the chunk, the poles of the neighbours' integrands took
// the panels, and an instance's verdict changed with --instance, shards
// or --mem). An instance is the group of matrices that share its inputs:
// its points of a finite-difference stencil, which then share its
// partition too, so that their differences are smooth.
type quadrature struct {
	ev                  *evaluator
	e                   *formulas.Integral
	lo, width           backend.Tensor
	infinite, magnitude bool
	// watch watches the signs of the arguments of the kinked functions
	// of the body that read its variable, where it has any (see
	// kinkWatch).
	watch *kinkWatch
	// reads holds the names the body reads, once a panel is summed
	// for some of the instances (see sums).
	reads []string
}

// acceptedPanel is a panel of an instance's partition: the panel and the
// instances (groups) that take it.
type acceptedPanel struct {
	panel
	groups []bool
}

// partition is the panels of the instances' partitions, as adapt found
// them for a batch of that many instances.
type partition struct {
	groups int
	panels []acceptedPanel
	// coarse sums a magnitude on the panels by the coarse rule, where
	// its scale alone is needed (see roundingNoise).
	coarse bool
}

// sums returns each of rules' sum of the body over p for the instances
// (groups) of the batch where need is set, or for the whole batch where
// need is nil, the indices of the instances whose matrices the sums hold,
// in order: those of need, or every instance where the batch cannot be
// restricted to them (see evaluator.restrict), and for each of those
// with a kink of the body in p (see kinkWatch) a bound of the error of
// either rule there, 0 for the others. The instances that do not
// need a panel are not evaluated on it: they were half the integrands the
// self-test evaluated, their values then masked out.
func (q *quadrature) sums(p panel, need []bool, rules ...gaussLegendre) (sums []backend.Tensor, of []int, kinks []float64, err error) {
	ev := q.ev
	for gi, n := range need {
		if n {
			of = append(of, gi)
		}
	}
	lo, width := q.lo, q.width
	var r *restriction
	if len(of) < len(need) {
		if q.reads == nil {
			q.reads = readNames(q.e.Body, nil)
		}
		var bounds []backend.Tensor
		if r, bounds, err = ev.restrict(of, len(need), q.reads, lo, width); err != nil {
			return nil, nil, nil, err
		}
		if r != nil {
			lo, width = bounds[0], bounds[1]
		}
	}
	w := q.watch
	if w != nil && !q.magnitude {
		w.start()
		defer w.stop(ev)
	} else {
		w = nil
	}
	for _, rule := range rules {
		var s backend.Tensor
		if s, err = ev.panelSum(q.e, lo, width, p.a, p.b, rule, q.infinite, q.magnitude); err != nil {
			break
		}
		sums = append(sums, s)
	}
	switch {
	case r != nil:
	case need == nil && err == nil:
		of = indices(0, ev.groups(sums[0]))
	default:
		of = indices(0, len(need))
	}
	kinks = make([]float64, len(of))
	if w != nil && err == nil {
		var kinked []bool
		if kinked, err = q.kinkedInstances(w, p, lo, width, len(of)); err == nil && slices.Contains(kinked, true) {
			err = q.kinkBounds(p, lo, width, kinked, kinks)
		}
	}
	if r != nil {
		ev.unrestrict(r)
	}
	if err != nil {
		ev.release(sums...)
		return nil, nil, nil, err
	}
	return sums, of, kinks, nil
}

// kinkBounds sets, for each instance of a panel's evaluation that is
// kinked, bounds to a bound of the error of either rule over p: twice the
// largest entry of the fine rule's sum of the body's magnitude over p
// plus the panel's width times the magnitude at each end. The rule's sum
// and the integral are each at most the integral of the magnitude, which
// the nodes alone miss where a jump lies between an end and its nearest
// node (step(t − c) is 0 at every node and 1 on a sliver of the panel);
// across a kink the rules' difference bounds nothing (see kinkWatch).
func (q *quadrature) kinkBounds(p panel, lo, width backend.Tensor, kinked []bool, bounds []float64) error {
	ev := q.ev
	defer func() { ev.abs = q.magnitude }()
	m, err := ev.panelSum(q.e, lo, width, p.a, p.b, fineRule, q.infinite, true)
	for _, y := range [2]float64{p.a, p.b} {
		if err != nil || (q.infinite && y == 1) {
			continue
		}
		offset, weight := y, p.b-p.a
		if q.infinite {
			offset, weight = y/(1-y), weight/((1-y)*(1-y))
		}
		var end backend.Tensor
		if end, err = ev.integrand(q.e, lo, width, offset, weight, true); err == nil {
			m, err = ev.accumulate(m, end)
		}
	}
	if err != nil {
		ev.release(m)
		return err
	}
	defer ev.release(m)
	largest, err := ev.largestEntries(m, len(kinked))
	if err != nil {
		return err
	}
	for j, k := range kinked {
		if k {
			bounds[j] = 2 * largest[j]
		}
	}
	return nil
}

// onPartition sums the fine rule over the panels of known, each for the
// instances that took it, and reports whether it could: not where the
// batch is not the one known was found for. The first panel is summed
// for the whole batch, whose number of instances the check reads from
// its sum.
func (q *quadrature) onPartition(known partition) (acc backend.Tensor, done bool, err error) {
	rule := fineRule
	if known.coarse {
		rule = coarseRule
	}
	for i, p := range known.panels {
		var (
			fine backend.Tensor
			of   []int
		)
		need := p.groups
		if i == 0 {
			need = nil // the whole batch, whose size the sum tells
		}
		var sums []backend.Tensor
		if sums, of, _, err = q.sums(p.panel, need, rule); err == nil {
			fine = sums[0]
			if i == 0 && len(of) != known.groups {
				q.ev.release(fine)
				return nil, false, nil
			}
		}
		if err == nil {
			acc, err = q.add(acc, fine, of, p.groups)
		}
		if err != nil {
			q.ev.release(acc)
			return nil, true, err
		}
	}
	return acc, true, nil
}

// add returns acc + t, taking t and acc, where t holds the matrices of
// the instances of (in order) of a batch of len(take) instances (groups
// of consecutive matrices), and t counts only for those where take is
// set: the sum holds the whole batch, zero for the others.
func (q *quadrature) add(acc, t backend.Tensor, of []int, take []bool) (backend.Tensor, error) {
	if len(of) == len(take) && !slices.Contains(take, false) {
		return q.ev.accumulate(acc, t)
	}
	// Zero the instances that do not take the panel, on the host: their
	// values may be infinite (a pole of another instance's integrand),
	// which no product by 0 removes.
	l := t.Layout()
	host, err := q.ev.download(t)
	q.ev.release(t)
	if err != nil {
		return acc, err
	}
	defer q.ev.recycleHost(host)
	if l.Count%len(of) != 0 {
		return acc, fmt.Errorf("integral: a panel's sum of %d matrices does not hold %d instances", l.Count, len(of))
	}
	per := len(host) / len(of)
	whole := q.ev.hostSlice(len(take) * per)
	defer q.ev.recycleHost(whole)
	clear(whole)
	for j, gi := range of {
		if take[gi] {
			copy(whole[gi*per:(gi+1)*per], host[j*per:(j+1)*per])
		}
	}
	l.Count = l.Count / len(of) * len(take)
	masked, err := q.ev.b.FromHost(l, whole)
	if err != nil {
		return acc, err
	}
	return q.ev.accumulate(acc, masked)
}

// adapt sums the body adaptively (see quadratureNodes), each instance
// halving its own panels until the fine and coarse rules agree within
// tolerance of its scale, at most panels panels, none narrower than
// minPanel, and returns the sum, the partition it found, each instance's
// quadrature error where it did not converge (see minPanel; 0 where it
// did) and the part of it from panels across a kink of the body (see
// kinkWatch) taken before they were narrow, the panels run out.
func (q *quadrature) adapt(panels int, tolerance float64) (backend.Tensor, partition, []float64, []float64, error) {
	ev := q.ev
	type pending struct {
		panel
		groups []bool // the instances that need the panel
	}
	var (
		acc    backend.Tensor
		found  partition
		todo   []pending
		groups int       // instances of the batch
		used   []int     // each instance's panels: evaluated, pending, or p itself
		scale  []float64 // each instance's scale: its sum over [0, 1)
		errs   []float64 // each instance's quadrature error
		jumps  []float64 // the part of errs from panels across a kink not narrowed (the panels ran out)
		// edge holds each instance's size of the last panel summed at
		// the start (edge[0]) and at the end (edge[1]) of [0, 1), for
		// edgeTail.
		edge     [2][]float64
		released = func(err error) (backend.Tensor, partition, []float64, []float64, error) {
			ev.release(acc)
			return nil, partition{}, nil, nil, err
		}
	)
	todo = append(todo, pending{panel: panel{0, 1}})
	for len(todo) > 0 {
		p := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		// The whole interval, which every instance needs, is summed for
		// the batch, whose number of instances the sums tell.
		whole := p.groups == nil
		sums, of, kinks, err := q.sums(p.panel, p.groups, fineRule, coarseRule)
		if err != nil {
			return released(err)
		}
		fine, coarse := sums[0], sums[1]
		if whole {
			groups = len(of)
			found.groups = groups
			p.groups, used, scale = filledBools(groups, true), make([]int, groups), make([]float64, groups)
			for gi := range used {
				used[gi] = 1 // the whole interval
			}
		}
		// Each instance compares the fine sum with the coarse one, and
		// one with no room to halve p (panels, minPanel) takes it,
		// converged or not.
		take, halve := make([]bool, groups), make([]bool, groups)
		gaps, sizes, err := ev.groupDifferences(fine, coarse, len(of))
		ev.release(coarse)
		if err != nil {
			ev.release(fine)
			return released(err)
		}
		if errs == nil {
			errs, jumps = make([]float64, groups), make([]float64, groups)
		}
		if edge[0] == nil {
			edge = [2][]float64{make([]float64, groups), make([]float64, groups)}
		}
		narrow := p.b-p.a <= minPanel
		for j, gi := range of {
			if whole {
				scale[gi] = sizes[j]
			}
			switch {
			case kinks[j] == 0 && gaps[j] <= tolerance*math.Max(sizes[j], scale[gi]*(p.b-p.a)):
				take[gi] = true
			case narrow || used[gi]+1 > panels && (kinks[j] == 0 || used[gi]+1 > kinkedPanels*panels): // p's halves would replace p
				take[gi] = true
				errs[gi] += gaps[j] + kinks[j]
				if !narrow {
					jumps[gi] += kinks[j]
				}
				for side, at := range [2]bool{p.a == 0, p.b == 1} {
					if at && narrow {
						errs[gi] = math.Max(errs[gi], edgeTail(edge[side][gi], sizes[j]))
					}
				}
			default:
				halve[gi] = true
				used[gi] += 2
			}
			for side, at := range [2]bool{p.a == 0, p.b == 1} {
				if at {
					edge[side][gi] = sizes[j]
				}
			}
		}
		if slices.Contains(take, true) {
			found.panels = append(found.panels, acceptedPanel{p.panel, take})
			if acc, err = q.add(acc, fine, of, take); err != nil {
				return released(err)
			}
		} else {
			ev.release(fine)
		}
		if slices.Contains(halve, true) {
			mid := (p.a + p.b) / 2
			todo = append(todo, pending{panel{p.a, mid}, halve}, pending{panel{mid, p.b}, halve})
		}
	}
	return acc, found, errs, jumps, nil
}

// edgeTail estimates the error of the fine rule on the narrowest panel at
// an end of [0, 1), taken unconverged, of size size (the largest entry of
// its fine sum), where the panel twice as wide at that end had size
// parent. Under a singularity (1/t)^a at the end (or a tail mapped onto
// it) the sums of the panels shrink toward the end by r = 2^(a−1) each
// time, which gives a; the fine rule's sum over the panel is then the
// fraction β(a) = (1 − a)·Σ wⱼ·xⱼ^(−a) of the true one (its nodes xⱼ and
// weights wⱼ on [0, 1]; the same at either end, the nodes being
// symmetric), and its error size·(1/β − 1): 0.72·size at a = 0.88,
// 13·size at a = 0.99, exactly for a power. As a nears 1 the rules miss
// most of the panel's mass and agree on the rest, so that their
// difference no longer bounds the error: ∫ t^(−0.99)·x over [0, 1] =
// 100·x failed, three quarters of the integral lying within 2⁻⁴⁸ of 0
// (found by the exploratory helper). Below r = strongSingularity their
// difference does bound it (∫(x + z)^−1.2 over [0, ∞), mapped to
// (1 − y)^−0.8, passes within it), and edgeTail is 0; where r ≥ 1, a
// singularity that is not integrable, +Inf.
func edgeTail(parent, size float64) float64 {
	if !(parent > 0) {
		return 0
	}
	r := size / parent
	switch {
	case r >= 1:
		return math.Inf(1)
	case r < strongSingularity:
		return 0
	}
	a := 1 + math.Log2(r)
	var sum float64
	for j, x := range fineRule.x {
		sum += fineRule.w[j] * math.Pow(x, -a)
	}
	return size * (1/((1-a)*sum) - 1)
}

// strongSingularity is the ratio of the sums of successive panels at an
// end, 2^(a−1) for a singularity (1/t)^a, from which edgeTail estimates
// the error of the last: 0.9, a ≈ 0.85.
const strongSingularity = 0.9

// restriction is what evaluator.restrict set aside, for unrestrict.
type restriction struct {
	groups                  int   // instances of the whole batch
	of                      []int // the instances kept
	vars, absVars           map[string]backend.Tensor
	memoCount, stencilCount int
	kinks                   []int
	made                    []backend.Tensor // the tensors restrict gathered
}

// restrict binds, in place of each variable of names, the matrices of
// the instances of (in order) alone, of a batch of groups instances (the
// memoized count, see groupSize), so that an expression that reads those
// names alone, evaluated until unrestrict, is evaluated for those
// instances alone; it returns extra (an integral's lo and width, nil for
// none) restricted the same way. A tensor of one matrix, shared by the
// instances, stays as it is. Each instance's values are those it has in
// the whole batch: the backends compute each matrix apart from the
// others, and the evaluator's choices per instance (see groupSize) read
// its own matrices (up to the sign of a zero entry where the blends of
// expm and logm keep an instance through steps only others take). Where
// the tensors are not laid out in groups instances it restricts nothing
// and returns a nil restriction.
func (ev *evaluator) restrict(of []int, groups int, names []string, extra ...backend.Tensor) (*restriction, []backend.Tensor, error) {
	if groups != ev.memoCount || (ev.stencil != 0 && (ev.stencilCount%groups != 0 || len(ev.kinks)%groups != 0)) {
		return nil, nil, nil
	}
	fits := func(t backend.Tensor) bool {
		return t == nil || t.Layout().Count == 1 || t.Layout().Count%groups == 0
	}
	for _, name := range names {
		if t, ok := ev.vars[name]; ok && !fits(t) {
			return nil, nil, nil
		}
	}
	for _, t := range extra {
		if !fits(t) {
			return nil, nil, nil
		}
	}
	r := &restriction{groups: groups, of: of, vars: ev.vars, absVars: ev.absVars,
		memoCount: ev.memoCount, stencilCount: ev.stencilCount, kinks: ev.kinks}
	gathered := map[backend.Tensor]backend.Tensor{}
	gather := func(t backend.Tensor) (backend.Tensor, error) {
		if t == nil || t.Layout().Count == 1 {
			return t, nil
		}
		if g, ok := gathered[t]; ok {
			return g, nil
		}
		g, err := ev.gather(t, of, groups)
		if err != nil {
			return nil, err
		}
		gathered[t] = g
		r.made = append(r.made, g)
		return g, nil
	}
	vars := make(map[string]backend.Tensor, len(names))
	restricted := make([]backend.Tensor, len(extra))
	var err error
	for _, name := range names {
		t, ok := ev.vars[name]
		if !ok {
			continue // a size symbol, or the integration variable
		}
		if vars[name], err = gather(t); err != nil {
			break
		}
	}
	for i, t := range extra {
		if err != nil {
			break
		}
		restricted[i], err = gather(t)
	}
	if err != nil {
		for _, t := range r.made {
			ev.b.Free(t)
		}
		return nil, nil, err
	}
	ev.vars, ev.absVars = map[string]backend.Tensor{}, map[string]backend.Tensor{}
	for name, t := range vars {
		ev.bind(name, t)
	}
	ev.memoCount = len(of)
	if ev.stencil != 0 {
		ev.stencilCount = ev.stencilCount / groups * len(of)
		ev.kinks = make([]int, len(ev.kinks)/groups*len(of))
	}
	return r, restricted, nil
}

// unrestrict frees what restrict gathered and what was evaluated from it
// for the bindings (the variables' magnitudes), restores the bindings it
// set aside, and adds the sign changes of kinks counted meanwhile to
// their instances'.
func (ev *evaluator) unrestrict(r *restriction) {
	for _, a := range ev.absVars {
		delete(ev.bound, a)
		ev.b.Free(a)
	}
	for _, t := range r.made {
		delete(ev.bound, t)
		delete(ev.ids, t)
		ev.b.Free(t)
	}
	kinks := ev.kinks
	ev.vars, ev.absVars = r.vars, r.absVars
	ev.memoCount, ev.stencilCount, ev.kinks = r.memoCount, r.stencilCount, r.kinks
	if ev.stencil != 0 {
		per := len(ev.kinks) / r.groups
		for j, gi := range r.of {
			for s := range per {
				ev.kinks[gi*per+s] += kinks[j*per+s]
			}
		}
	}
}

// gather returns the matrices of the instances of (in order) of t, a
// batch of groups instances of consecutive matrices each.
func (ev *evaluator) gather(t backend.Tensor, of []int, groups int) (backend.Tensor, error) {
	per := t.Layout().Count / groups
	index := make([]int, 0, len(of)*per)
	for _, gi := range of {
		for k := range per {
			index = append(index, gi*per+k)
		}
	}
	return ev.b.Gather(t, index)
}

// groups returns the number of instances whose matrices t holds (see
// groupSize).
func (ev *evaluator) groups(t backend.Tensor) int {
	count := t.Layout().Count
	return count / ev.groupSize(count)
}

// filledBools returns n copies of v.
func filledBools(n int, v bool) []bool {
	s := make([]bool, n)
	for i := range s {
		s[i] = v
	}
	return s
}

// panel is [a, b] within [0, 1), the image of an integral's interval.
type panel struct{ a, b float64 }

// gaussLegendre holds the nodes and weights of a Gauss–Legendre rule on
// [0, 1].
type gaussLegendre struct{ x, w []float64 }

func newGaussLegendre(n int) gaussLegendre {
	r := gaussLegendre{x: make([]float64, n), w: make([]float64, n)}
	quad.Legendre{}.FixedLocations(r.x, r.w, 0, 1)
	return r
}

// The rules of the adaptive quadrature (see quadratureNodes).
var (
	fineRule   = newGaussLegendre(quadratureNodes)
	coarseRule = newGaussLegendre(coarseNodes)
)

// panelSum returns rule's sum of e's body over the panel [a, b] of [0, 1),
// the image of [lo, lo + width] (or of [lo, ∞) under t = lo + y/(1 − y)
// where infinite is set), with magnitude set of |body|ₘ.
func (ev *evaluator) panelSum(e *formulas.Integral, lo, width backend.Tensor, a, b float64, rule gaussLegendre, infinite, magnitude bool) (backend.Tensor, error) {
	var acc backend.Tensor
	for q, xq := range rule.x {
		y, wy := a+(b-a)*xq, (b-a)*rule.w[q]
		offset, weight := y, wy // t = lo + offset·(width), weight·(width)
		if infinite {
			// 1 − y from the panel's end: 1 − a and b − a are exact (the
			// panels halve [0, 1)), where 1 − y computed from y would
			// lose the digits of y near 1, where large eigenvalues of
			// a resolvent put the integrand's mass.
			rest := (1 - a) - (b-a)*xq
			offset, weight = y/rest, wy/(rest*rest)
		}
		term, err := ev.integrand(e, lo, width, offset, weight, magnitude)
		if err != nil {
			ev.release(acc)
			return nil, err
		}
		if acc, err = ev.accumulate(acc, term); err != nil {
			return nil, err
		}
	}
	return acc, nil
}

// accumulate returns acc + t, or t where acc is nil, and releases both;
// on failure it has released them and returns nil.
func (ev *evaluator) accumulate(acc, t backend.Tensor) (backend.Tensor, error) {
	if acc == nil {
		return t, nil
	}
	defer ev.release(acc, t)
	return ev.b.Elementwise(backend.Add, acc, t)
}

// groupDifferences returns, for each of the count instances whose
// matrices a and b hold in order, the largest entry of |a − b| and of |a|
// over its matrices; 0 and 0 for an instance with an entry that is not
// finite, which no halving mends, so that the panel is taken as it is.
func (ev *evaluator) groupDifferences(a, b backend.Tensor, count int) (gaps, sizes []float64, err error) {
	ah, err := ev.download(a)
	if err != nil {
		return nil, nil, err
	}
	defer ev.recycleHost(ah)
	bh, err := ev.download(b)
	if err != nil {
		return nil, nil, err
	}
	defer ev.recycleHost(bh)
	gaps, sizes = make([]float64, count), make([]float64, count)
	per := len(bh) / count
	for j := range count {
		as, bs := ah[j*per:(j+1)*per], bh[j*per:(j+1)*per]
		for i := range bs {
			d := as[i] - bs[i]
			if !finite(d) || !finite(as[i]) {
				gaps[j], sizes[j] = 0, 0
				break
			}
			gaps[j], sizes[j] = math.Max(gaps[j], math.Abs(d)), math.Max(sizes[j], math.Abs(as[i]))
		}
	}
	return gaps, sizes, nil
}

// integrand returns weight·width·body(t) at t = lo + offset·width, where a
// nil width stands for 1, or with magnitude set weight·width·|body(t)|ₘ.
func (ev *evaluator) integrand(e *formulas.Integral, lo, width backend.Tensor, offset, weight float64, magnitude bool) (backend.Tensor, error) {
	scaled := func(c float64) (backend.Tensor, error) {
		s, err := ev.scalar(c)
		if err != nil || width == nil {
			return s, err
		}
		defer ev.release(s)
		return ev.b.Elementwise(backend.Mul, s, width)
	}
	off, err := scaled(offset)
	if err != nil {
		return nil, err
	}
	t, err := ev.b.Elementwise(backend.Add, lo, off)
	ev.release(off)
	if err != nil {
		return nil, err
	}
	wt, err := scaled(weight)
	if err != nil {
		ev.release(t)
		return nil, err
	}
	defer ev.release(wt)
	ev.bind(e.Var, t)
	defer ev.unbind(e.Var, true)
	ev.abs = magnitude
	body, err := ev.eval(e.Body)
	if err != nil {
		return nil, err
	}
	defer ev.release(body)
	return ev.b.Scale(wt, body)
}

// close frees every tensor still bound, ending the evaluator's use.
func (ev *evaluator) close() {
	for t := range ev.bound {
		ev.b.Free(t)
	}
	clear(ev.bound)
	clear(ev.vars)
	clear(ev.absVars)
	clear(ev.memo)
	clear(ev.ids)
}

// hostSlice returns a slice of n values: a recycled buffer when one is
// large enough, its old values left in it, else a new one.
func (ev *evaluator) hostSlice(n int) []float64 {
	for i, b := range ev.hostFree {
		if cap(b) >= n {
			last := len(ev.hostFree) - 1
			ev.hostFree[i], ev.hostFree = ev.hostFree[last], ev.hostFree[:last]
			return b[:n]
		}
	}
	return make([]float64, n)
}

// download copies t to the host, into a recycled buffer when one is large
// enough.
func (ev *evaluator) download(t backend.Tensor) ([]float64, error) {
	return ev.b.ToHost(t, ev.hostSlice(t.Layout().Size()))
}

// recycleHost keeps host slices from download or hostSlice for reuse; the
// caller must hold no other reference to them.
func (ev *evaluator) recycleHost(bufs ...[]float64) {
	for _, b := range bufs {
		if cap(b) > 0 {
			ev.hostFree = append(ev.hostFree, b)
		}
	}
}
