package gradcheck

import (
	"github.com/gradcheck/gradcheck/backend"
	"github.com/gradcheck/gradcheck/formulas"
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
	// reuses their results under the same bindings.
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
		"det":    {value: func(ev *evaluator, a []backend.Tensor) (backend.Tensor, error) { return ev.b.Det(a[0]) }, magnitude: absMagnitude, costly: true},
		"logdet": {value: func(ev *evaluator, a []backend.Tensor) (backend.Tensor, error) { return ev.b.LogDet(a[0]) }, magnitude: (*evaluator).logMagnitude, costly: true},
		"inv":    {value: func(ev *evaluator, a []backend.Tensor) (backend.Tensor, error) { return ev.b.Inv(a[0]) }, magnitude: (*evaluator).invMagnitude, costly: true},
		// In magnitude mode the argument is |X|ₘ, and e^|X|ₘ bounds every
		// term of the series of e^X and of its scaling and squaring.
		"expm": {value: func(ev *evaluator, a []backend.Tensor) (backend.Tensor, error) { return ev.expm(a[0]) }, costly: true},
		"logm": {value: func(ev *evaluator, a []backend.Tensor) (backend.Tensor, error) { return ev.logm(a[0]) }, magnitude: (*evaluator).logMagnitude, costly: true},
		"sym":  {value: func(ev *evaluator, a []backend.Tensor) (backend.Tensor, error) { return ev.sym(a[0]) }},
		"kron": {value: func(ev *evaluator, a []backend.Tensor) (backend.Tensor, error) { return ev.b.Kron(a[0], a[1]) }},
		"diag": {value: func(ev *evaluator, a []backend.Tensor) (backend.Tensor, error) { return ev.diag(a[0]) }},
		"sum":  {value: func(ev *evaluator, a []backend.Tensor) (backend.Tensor, error) { return ev.b.Sum(a[0]) }},
		"norm2": {value: func(ev *evaluator, a []backend.Tensor) (backend.Tensor, error) {
			o := ev.ops()
			return o.result(o.mapEach(backend.Sqrt, o.dot(a[0], a[0])))
		}, magnitude: absMagnitude},
		"exp":  {value: mapped(backend.Exp), magnitude: absMagnitude},
		"log":  {value: mapped(backend.Log), magnitude: (*evaluator).logMagnitude},
		"sqrt": {value: mapped(backend.Sqrt), magnitude: absMagnitude},
		"abs":  {value: mapped(backend.Abs)},
		"tanh": {value: mapped(backend.Tanh), magnitude: absMagnitude},
		"eye":  {sized: func(ev *evaluator, n []int) (backend.Tensor, error) { return ev.b.Eye(n[0]) }},
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
