package gradcheck

import (
	"context"
	"fmt"
	"math"

	"github.com/gradcheck/gradcheck/formulas"
)

// invertedOperands returns the matrices that es invert: the arguments of
// inv and logdet (whose derivative is the inverse) and the left operand
// of a solve A\B (the language has no negative matrix power). Those in
// an integral's body that read its variable cannot be evaluated alone,
// and are passed over where they are (see worstConditioned).
func invertedOperands(es ...formulas.Expr) []formulas.Expr {
	var ops []formulas.Expr
	for _, e := range es {
		formulas.Walk(e, func(x formulas.Expr) {
			switch x := x.(type) {
			case *formulas.Binary:
				if x.Op == `\` {
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

// singular reports whether a matrix of condition number kappa is singular
// to working precision for the check: √N·κ·u, the typical relative error
// of its inverse, is not small against the values (uncertain). Below
// that, the step and the tolerances of the instance see to it (see
// refines); counted beyond it, with safety·N·κ·u, it made 1.000001 times
// the gradient of logdet(X'*X) inconclusive at n = 200 (the review
// helper).
func (v *verification) singular(kappa float64) bool {
	return !(math.Sqrt(float64(v.dim))*kappa*unitRoundoff < uncertain)
}

// undecideIllConditioned makes the disagreements of an instance, in acc,
// undecided where a matrix that f or the claim inverts is singular to
// working precision there (see singular): at a singular X'*X (X with
// fewer rows than columns) the true gradient of tr(inv(X'*X)) failed, its
// claim 2·10¹⁵ against a finite difference of 3·10²³, both rounding noise,
// with a tolerance of 0.8 of them (found by the Cookbook helper). It costs
// one inverse per such matrix, and only at an instance with a
// disagreement.
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
	if worst := v.worstConditioned(ctx, v.inverted, instance); worst.m == nil || !v.singular(worst.kappa) {
		return
	}
	acc.undecideDisagreements(math.Inf(1))
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
	if worst.m == nil || !v.singular(worst.kappa) {
		return ""
	}
	if !(worst.kappa*unitRoundoff < 1) {
		return fmt.Sprintf("%s is singular to working precision there (condition number %.2g, beyond 1/u = 4.5e+15): its inverse has no correct digit", worst.m, worst.kappa)
	}
	return fmt.Sprintf("%s has condition number %.2g there, too large for its inverse to be computed to the precision the check needs", worst.m, worst.kappa)
}
