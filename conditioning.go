package gradcheck

import (
	"context"
	"fmt"
	"math"

	"github.com/gradcheck/gradcheck/formulas"
)

// invertedOperands returns the matrices that es invert: the arguments of
// inv and logdet (whose derivative is the inverse), the left operand of
// a solve A\B and the base of a negative power. Those in an integral's
// body that read its variable cannot be evaluated alone, and are passed
// over where they are (see worstConditioned).
func invertedOperands(es ...formulas.Expr) []formulas.Expr {
	var ops []formulas.Expr
	for _, e := range es {
		formulas.Walk(e, func(x formulas.Expr) {
			switch x := x.(type) {
			case *formulas.Binary:
				if x.Op == `\` || x.Op == "^" && negativeNumber(x.R) {
					ops = append(ops, x.L)
				}
			case *formulas.Call:
				if x.Func == "inv" || x.Func == "logdet" {
					ops = append(ops, x.Args[0])
				}
			}
		})
	}
	return ops
}

// negativeNumber reports whether e is a negative number (−k).
func negativeNumber(e formulas.Expr) bool {
	u, ok := e.(*formulas.Unary)
	if !ok || u.Op != "-" {
		return false
	}
	_, ok = u.X.(*formulas.Num)
	return ok
}

// illConditioned is the worst-conditioned matrix that f or the claim
// inverts at one instance: m, with condition number kappa.
type illConditioned struct {
	m     formulas.Expr
	kappa float64
}

// worstConditioned returns the matrix among ops, the matrices that f or
// the claim inverts (see invertedOperands), with the largest condition
// number ‖M‖_F·‖M⁻¹‖_F at one instance (at least the 2-norm's, at most
// n times it), +Inf where its inverse is not finite. Its m is nil where
// none could be evaluated alone (one that reads a direction).
func (v *verification) worstConditioned(ctx context.Context, ops []formulas.Expr, instance int) illConditioned {
	var worst illConditioned
	ev, _, err := v.newChunk(ctx, instance, 1)
	if err != nil {
		return worst
	}
	defer v.closeChunk(ev)
	l := locator{ev: ev}
	for _, m := range ops {
		vals, ok := l.values(m)
		if !ok || firstNonFinite(vals.data) >= 0 || vals.layout.Rows != vals.layout.Cols {
			continue
		}
		inv, ok := l.values(&formulas.Call{Func: "inv", Args: []formulas.Expr{m}})
		if !ok {
			continue
		}
		kappa := math.Sqrt(sumSquares(vals.data) * sumSquares(inv.data))
		if firstNonFinite(inv.data) >= 0 || !(kappa >= 0) {
			kappa = math.Inf(1)
		}
		if worst.m == nil || kappa > worst.kappa {
			worst = illConditioned{m: m, kappa: kappa}
		}
	}
	return worst
}

// sumSquares returns Σ x².
func sumSquares(xs []float64) float64 {
	var s float64
	for _, x := range xs {
		s += x * x
	}
	return s
}

// conditionedError is the relative error, of the values a comparison
// sets against each other, that inverting a matrix of condition number
// kappa can bring about beyond what the tolerances see: safety·N·κ·u
// (the magnitudes the tolerances come of do not see the condition
// number), and +Inf from 1 on, where the inverse has no correct digit.
func (v *verification) conditionedError(kappa float64) float64 {
	rel := safety * float64(v.dim) * kappa * unitRoundoff
	if !(rel < 1) {
		return math.Inf(1)
	}
	return rel
}

// undecideIllConditioned makes the disagreements of an instance, in acc,
// that the conditioning of the matrices f or the claim inverts there can
// explain undecided: those within conditionedError of their values. At a
// singular X'*X (X with fewer rows than columns) the true gradient of
// tr(inv(X'*X)) failed, its claim 2·10¹⁵ against a finite difference of
// 3·10²³, both rounding noise, with a tolerance of 0.8 of them (found by
// the Cookbook helper). It costs one inverse per such matrix, and only
// at an instance with a disagreement.
func (v *verification) undecideIllConditioned(ctx context.Context, acc *instanceComparisons, instance int) {
	if len(v.inverted) == 0 {
		return
	}
	disagrees := false
	for j, st := range acc.status {
		disagrees = disagrees || st == agreed && !(math.Abs(acc.est[j]-acc.claimed[j]) <= acc.tol[j])
	}
	if !disagrees {
		return
	}
	worst := v.worstConditioned(ctx, v.inverted, instance)
	if worst.m == nil {
		return
	}
	within := v.conditionedError(worst.kappa)
	for j, st := range acc.status {
		err := math.Abs(acc.est[j] - acc.claimed[j])
		if st == agreed && !(err <= acc.tol[j]) && err <= within*math.Max(math.Abs(acc.est[j]), math.Abs(acc.claimed[j])) {
			acc.status[j] = undecided
		}
	}
}

// conditioningDetail names the matrix, among those f or the claim
// inverts, that is singular to working precision at instance, as the
// cause of an undecided result: "" where none is (the finite
// differences were too uncertain for another reason).
func (v *verification) conditioningDetail(ctx context.Context, instance int) string {
	if len(v.inverted) == 0 {
		return ""
	}
	worst := v.worstConditioned(ctx, v.inverted, instance)
	if worst.m == nil || v.conditionedError(worst.kappa) < uncertain {
		return ""
	}
	if !(worst.kappa*unitRoundoff < 1) {
		return fmt.Sprintf("%s is singular to working precision there (condition number %.2g, beyond 1/u = 4.5e+15): its inverse has no correct digit", worst.m, worst.kappa)
	}
	return fmt.Sprintf("%s has condition number %.2g there, too large for its inverse to be computed to the precision the check needs", worst.m, worst.kappa)
}
