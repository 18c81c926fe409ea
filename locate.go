package gradcheck

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/gradcheck/gradcheck/backend"
	"github.com/gradcheck/gradcheck/formulas"
)

// locateNonFinite says where e, the claim or f, stops being finite at one
// instance: it evaluates e at the instance's inputs (and at its directions,
// for a claim written in dX), and where the value has a NaN or an infinity
// it follows the operands that have one down to the subexpression that
// makes it from finite operands, say x./abs(x) where x is 0. The text
// names that subexpression, the first entry at fault and, for an operation
// entry by entry, the operands' values there. It is "" where e is finite
// at the instance (the claim then breaks only in its reduction along the
// directions), or cannot be evaluated.
func (v *verification) locateNonFinite(ctx context.Context, e formulas.Expr, instance int) string {
	ev, smp, err := v.newChunk(ctx, instance, 1)
	if err != nil {
		return ""
	}
	defer v.closeChunk(ev)
	var h backend.Tensor
	x := ev.vars[v.c.Wrt]
	if v.c.Kind != formulas.Equals {
		if h, _, err = v.bindDirections(ev, smp, x); err != nil {
			return ""
		}
	}
	l := locator{ev: ev, vars: v.c.Vars}
	vals, ok := l.values(e)
	if !ok {
		return ""
	}
	if at := firstNonFinite(vals.data); at >= 0 {
		return l.origin(e, vals, at)
	}
	if e != v.c.F || h == nil {
		return ""
	}
	// f is finite at X: it leaves its domain within a step, at a point
	// of the stencil. The farthest, X ± s·H for the largest step s,
	// show where (logdet(X'*X) is NaN past a sign change of det).
	s := v.steps()[0]
	for _, sign := range []float64{1, -1} {
		if where := l.perturbed(e, v.c.Wrt, x, h, sign*s); where != "" {
			return where
		}
	}
	return ""
}

// perturbed describes where e stops being finite with the variable wrt,
// bound to x, bound instead to the points x + s·h, one per direction of h,
// or is "" where it is finite there; wrt is bound to x again after.
func (l *locator) perturbed(e formulas.Expr, wrt string, x, h backend.Tensor, s float64) string {
	factor, err := l.ev.scalar(s)
	if err != nil {
		return ""
	}
	defer l.ev.release(factor)
	p, err := l.ev.b.AddScaled(x, factor, h)
	if err != nil {
		return ""
	}
	l.ev.bind(wrt, p)
	defer func() {
		l.ev.unbind(wrt, true) // frees p
		l.ev.bind(wrt, x)
	}()
	vals, ok := l.values(e)
	if !ok {
		return ""
	}
	at := firstNonFinite(vals.data)
	if at < 0 {
		return ""
	}
	sign := "+"
	if s < 0 {
		sign = "−"
	}
	return fmt.Sprintf("at %s %s %g·d%s, %s", wrt, sign, math.Abs(s), wrt, l.origin(e, vals, at))
}

// locator evaluates the subexpressions of one expression on the host.
type locator struct {
	ev *evaluator
	// vars are the claim's variables, for the remedy of a value out of
	// the domain of a function of one of them.
	vars []formulas.Var
}

// hostValues is the value of a subexpression, downloaded.
type hostValues struct {
	layout backend.Layout
	data   []float64
}

// values evaluates e; ok is false where it cannot be evaluated alone (the
// body of an integral reads the integration variable).
func (l *locator) values(e formulas.Expr) (hostValues, bool) {
	t, err := l.ev.value(e)
	if err != nil {
		return hostValues{}, false
	}
	defer l.ev.release(t)
	data, err := l.ev.b.ToHost(t, make([]float64, t.Layout().Size()))
	if err != nil {
		return hostValues{}, false
	}
	return hostValues{layout: t.Layout(), data: data}, true
}

// origin describes where e, whose values vals are not finite at index at,
// comes to be so: in the first operand that is not finite itself, or in e
// when every operand is finite.
func (l *locator) origin(e formulas.Expr, vals hostValues, at int) string {
	ops := operandsOf(e)
	opVals := make([]hostValues, len(ops))
	for i, op := range ops {
		ov, ok := l.values(op)
		if !ok {
			return describeNonFinite(e, vals, at, nil, nil)
		}
		if k := firstNonFinite(ov.data); k >= 0 {
			return l.origin(op, ov, k)
		}
		opVals[i] = ov
	}
	text := describeNonFinite(e, vals, at, ops, opVals)
	if remedy := l.remedy(e); remedy != "" {
		text += "; " + remedy
	}
	return text
}

// remedy says which distribution keeps a variable in the domain of the
// function e applies to it directly, where the one declared does not:
// log(x) is NaN at a gauss x (found by the walkthrough helper: the note
// said where, not what to do). It is "" for any other e.
func (l *locator) remedy(e formulas.Expr) string {
	call, ok := e.(*formulas.Call)
	if !ok || len(call.Args) != 1 {
		return ""
	}
	arg, ok := call.Args[0].(*formulas.Ident)
	if !ok {
		return ""
	}
	i := slices.IndexFunc(l.vars, func(x formulas.Var) bool { return x.Name == arg.Name })
	if i < 0 {
		return ""
	}
	// space: sym takes sym or spd alone.
	switch x := l.vars[i]; {
	case (call.Func == "log" || call.Func == "sqrt") && x.Dist != formulas.Positive && !x.SymSpace:
		return fmt.Sprintf("draw %s positive (dist positive) to keep it in the domain of %s", arg.Name, call.Func)
	case (call.Func == "logdet" || call.Func == "logm") && x.SymSpace && x.Dist != formulas.SPD:
		return fmt.Sprintf("draw %s spd to keep it in the domain of %s", arg.Name, call.Func)
	case (call.Func == "logdet" || call.Func == "logm") && !x.SymSpace && x.Dist != formulas.SPD && x.Dist != formulas.WellCond:
		return fmt.Sprintf("draw %s spd or wellcond to keep it in the domain of %s", arg.Name, call.Func)
	}
	return ""
}

// operandsOf returns the subexpressions of e that evaluate on their own:
// an integral's body reads its variable, and its bounds may be inf.
func operandsOf(e formulas.Expr) []formulas.Expr {
	switch e := e.(type) {
	case *formulas.Unary:
		return []formulas.Expr{e.X}
	case *formulas.Binary:
		return []formulas.Expr{e.L, e.R}
	case *formulas.Call:
		return e.Args
	}
	return nil
}

// firstNonFinite returns the index of the first NaN or infinity in xs, or
// −1.
func firstNonFinite(xs []float64) int {
	for i, x := range xs {
		if !finite(x) {
			return i
		}
	}
	return -1
}

// describeNonFinite says that e is not finite at index at of vals, from
// finite operands ops whose values are opVals: their values at that entry
// where e works entry by entry (each operand a scalar or of e's shape),
// and the remedy for x./abs(x).
func describeNonFinite(e formulas.Expr, vals hostValues, at int, ops []formulas.Expr, opVals []hostValues) string {
	lay := vals.layout
	per := lay.Rows * lay.Cols
	k, i, j := at/per, at%per/lay.Cols, at%lay.Cols
	var b strings.Builder
	fmt.Fprintf(&b, "%s is %v", e, vals.data[at])
	if per > 1 {
		fmt.Fprintf(&b, " at entry (%d, %d)", i, j)
	}
	if lay.Count > 1 {
		fmt.Fprintf(&b, " in direction %d", k)
	}
	if why := matrixCause(e, vals.data[at]); why != "" {
		fmt.Fprintf(&b, " (%s)", why)
	}
	if entryByEntry(e, opVals) {
		var parts []string
		for n, op := range ops {
			if _, isNum := op.(*formulas.Num); isNum {
				continue
			}
			ol, at := opVals[n].layout, min(k, opVals[n].layout.Count-1)*per+i*lay.Cols+j
			if ol.Rows == 1 && ol.Cols == 1 {
				at = min(k, ol.Count-1)
			}
			parts = append(parts, fmt.Sprintf("%s = %.6g", op, opVals[n].data[at]))
		}
		if len(parts) > 0 {
			fmt.Fprintf(&b, " where %s", strings.Join(parts, " and "))
		}
	}
	if x, ok := selfOverAbs(e); ok {
		fmt.Fprintf(&b, "; sign(%s) is %s without the 0/0 where %s is 0", x, e, x)
	}
	return b.String()
}

// entryByEntry reports whether each entry of e is computed from the same
// entry of each operand (or from a scalar operand) alone: an elementwise
// operation or function, a negation, or a product or power of which some
// operand, of values opVals, is a scalar.
func entryByEntry(e formulas.Expr, opVals []hostValues) bool {
	switch e := e.(type) {
	case *formulas.Unary:
		return e.Op == "-"
	case *formulas.Binary:
		switch e.Op {
		case "+", "-", ".*", "./", ".^", "/":
			return true
		}
		for _, v := range opVals {
			if v.layout.Rows == 1 && v.layout.Cols == 1 {
				return true
			}
		}
		return false
	case *formulas.Call:
		f := formulas.Lookup(e.Func)
		return f != nil && f.Elementwise()
	}
	return false
}

// matrixCause says why a function of a whole matrix gives the non-finite
// value x, where its argument is finite: logdet of a matrix whose
// determinant is negative (NaN) or 0 (−Inf), the inverse of a singular one,
// logm of one with an eigenvalue on the closed negative real axis, an
// integral whose quadrature did not converge (see quadrature.diverged).
func matrixCause(e formulas.Expr, x float64) string {
	switch e := e.(type) {
	case *formulas.Call:
		switch {
		case e.Func == "logdet" && math.IsNaN(x):
			return fmt.Sprintf("det(%s) < 0: not positive definite, or singular to working precision", e.Args[0])
		case e.Func == "logdet" && math.IsInf(x, -1):
			return fmt.Sprintf("det(%s) = 0: singular", e.Args[0])
		case e.Func == "inv":
			return fmt.Sprintf("%s is singular to working precision", e.Args[0])
		case e.Func == "logm" && math.IsNaN(x):
			return fmt.Sprintf("%s has an eigenvalue on the closed negative real axis: no principal logarithm", e.Args[0])
		}
	case *formulas.Integral:
		if math.IsNaN(x) {
			return "its quadrature did not converge to a finite value: the integral may diverge, converge too slowly at an end (a singularity near 1/t at a finite end, a tail near 1/t at an infinite one), or its body have a pole on the path or not be finite there"
		}
	case *formulas.Binary:
		if e.Op == "\\" {
			return fmt.Sprintf("%s is singular to working precision", e.L)
		}
	}
	return ""
}

// selfOverAbs reports whether e is x./abs(x) (or x/abs(x)), and returns x.
func selfOverAbs(e formulas.Expr) (formulas.Expr, bool) {
	q, ok := e.(*formulas.Binary)
	if !ok || q.Op != "./" && q.Op != "/" {
		return nil, false
	}
	a, ok := q.R.(*formulas.Call)
	if !ok || a.Func != "abs" || len(a.Args) != 1 || a.Args[0].String() != q.L.String() {
		return nil, false
	}
	return q.L, true
}

// locate says, for a claim that is not finite where f is (an error) or an
// f that is not finite at an instance (inconclusive), where the claim or f
// stops being finite at the first such instance: in res.Detail, which the
// reason ends with.
func (v *verification) locate(ctx context.Context, res *Result) {
	var e formulas.Expr
	switch res.Counts.blocking() {
	case claimBroken:
		e = v.c.Rhs
	case outOfDomain:
		e = v.c.F
	case undecided:
		// Too uncertain, for no reason of its own: a matrix inverted
		// there may be singular to working precision.
		if res.Reason == res.Counts.reason(v.c.Kind, res.Worst.Instance) {
			res.Detail = v.conditioningDetail(ctx, res.Worst.Instance)
			if res.Detail == "" {
				res.Detail = v.moveTermHint()
			}
			res.Reason = withDetail(res.Reason, res.Detail)
		}
		return
	default:
		return
	}
	res.Detail = v.locateNonFinite(ctx, e, res.Worst.Instance)
	if res.Detail == "" {
		// Finite at the sample and at the stencil's farthest points,
		// not at one between: an inverse there may be noise.
		res.Detail = v.conditioningDetail(ctx, res.Worst.Instance)
	}
	if res.Detail == "" && e == v.c.F && v.stencilKinks != nil {
		// f is finite at the instance and at the stencil's farthest
		// points, taken alone: its integral ran out of panels where
		// the stencil's points, sharing them, each had their own kinks.
		res.Reason = v.stencilKinksReason(res)
		return
	}
	res.Reason = withDetail(res.Reason, res.Detail)
}

// stencilKinksReason is the reason of a result inconclusive because f's
// integral v.stencilKinks was not finite at the points of its stencils:
// their kinks move with the variable, and the points of an instance share
// the quadrature's panels (see quadrature), too few for a kink per point
// narrowed to minPanel. The sample did not leave f's domain.
func (v *verification) stencilKinksReason(res *Result) string {
	in := v.stencilKinks
	calls := slices.SortedFunc(maps.Keys(kinkedCalls(in.Body, in.Var)), func(a, b *formulas.Call) int {
		return cmp.Or(cmp.Compare(a.Pos().Line, b.Pos().Line), cmp.Compare(a.Pos().Col, b.Pos().Col))
	})
	// norm2 has a kink only of one number: one of a vector is not
	// named (the second review helper).
	env := maps.Clone(v.shapes)
	env[in.Var] = formulas.Shape{Rows: 1, Cols: 1}
	kinked := slices.DeleteFunc(slices.Clone(calls), func(c *formulas.Call) bool {
		sh, err := formulas.Infer(c.Args[0], env, v.sizes)
		return err == nil && !formulas.Lookup(c.Func).KinkedAt(sh.Rows, sh.Cols)
	})
	if len(kinked) > 0 {
		calls = kinked
	}
	why := fmt.Sprintf("the kinks of %s are more than its panels can narrow", calls[0])
	for _, c := range calls {
		if slices.Contains(readNames(c.Args[0], nil), v.c.Wrt) {
			why = fmt.Sprintf("the kink of %s moves with %s, each point has its own, more than the panels they share can narrow", c, v.c.Wrt)
			break
		}
	}
	return fmt.Sprintf("f's integral over %s is not resolved at the points of the finite-difference stencil of instance %d (%d of %d comparisons): %s (the sample is in f's domain)",
		in.Var, res.Worst.Instance, res.Counts.OutOfDomain, res.Counts.total(), why)
}

// withDetail is reason followed by detail, where there is one.
func withDetail(reason, detail string) string {
	if detail == "" {
		return reason
	}
	return reason + ": " + detail
}

// moveTermHint says how to write an identity one side of which is 0 (a
// number 0 or zeros(…)) and the other a sum or difference, so that it can
// be decided: the sum's terms cancel to its rounding error, which its
// agreement with 0 cannot be told from, where a term moved to the other
// side is compared with the rest at their own scale. Cayley–Hamilton,
// X² − tr(X)·X + det(X)·I = 0, was inconclusive at every sample with no
// word of what to do (found by the Cookbook helper). "" for another
// claim.
func (v *verification) moveTermHint() string {
	if v.c.Kind != formulas.Equals {
		return ""
	}
	sum, zero := v.c.F, v.c.Rhs
	if zeroValued(sum) {
		sum, zero = zero, sum
	}
	b, ok := sum.(*formulas.Binary)
	if !ok || !zeroValued(zero) || b.Op != "+" && b.Op != "-" {
		return ""
	}
	if sh, err := formulas.Infer(b.R, v.shapes, v.sizes); err != nil || sh != v.fShape {
		// A number moved beside a matrix (sin(X).^2 + cos(X).^2 - 1)
		// would not type-check (the review helper).
		return ""
	}
	var moved formulas.Expr = b.R
	if b.Op == "+" {
		moved = &formulas.Unary{Op: "-", X: b.R}
	}
	// In the claim's definitions (where:), as it is written.
	return fmt.Sprintf("one side is 0, so the other's terms are compared with their own rounding; move a term to the other side to compare them with each other, as %s = %s", v.c.Fold(b.L), v.c.Fold(moved))
}

// zeroValued reports whether e is 0 whatever its variables: the number 0,
// zeros(…), or a product with either.
func zeroValued(e formulas.Expr) bool {
	switch e := e.(type) {
	case *formulas.Num:
		return e.Value == 0
	case *formulas.Unary:
		return e.Op == "-" && zeroValued(e.X)
	case *formulas.Call:
		return e.Func == "zeros"
	case *formulas.Binary:
		return (e.Op == "*" || e.Op == ".*") && (zeroValued(e.L) || zeroValued(e.R))
	}
	return false
}
