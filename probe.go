package gradcheck

import (
	"math"
	"slices"

	"github.com/gradcheck/gradcheck/backend"
	"github.com/gradcheck/gradcheck/formulas"
)

// probeSteps are the relative steps ε of the rounding probe (see
// sensitivity), each taken where the one before does not serve. The
// first, √u, is small enough that the change is first order, large
// enough that its own rounding, √u of the value, stays small against it.
// The others serve a sample nearer a singularity. Where a value is not
// finite at a step (logdet(AᵀA) for an A of condition 10⁵ at n = 64, AᵀA
// moved by 2⁻²⁶ of its entries having a negative determinant), or moves
// by more than maxLinearChange of itself, the next step is taken: at
// 2⁻⁴⁰ its own rounding is 2⁻¹² of the change, at 2⁻⁴⁸ 2⁻⁴, which still
// leaves a sensitivity good to one digit, enough for a bound.
var probeSteps = [...]float64{0x1p-26, 0x1p-40, 0x1p-48}

// probeStep is the first of probeSteps, the step of the probe of a
// determinant's rounding as well (see funcs.go).
const probeStep = 0x1p-26

// maxLinearChange is the relative change of the probed value beyond which
// a step of the probe may not be small against the distance to a
// singularity: the change then saturates, below the step times the
// sensitivity, and the next step tells. inv(X'*X*X'*X) =
// inv(X)*inv(X')*inv(X)*inv(X') failed so (found by the exploratory
// helper): at a condition number of 10¹¹, X⁴ moved by 2⁻²⁶ of its entries
// gave a sensitivity 340 times too small, and the true identity failed by
// 1.0 against a tolerance of 10⁻⁶.
const maxLinearChange = 1.0 / 8

// saturation is how many times the change per unit of a step may exceed
// that of the step before for the larger step to count as saturated: a
// value linear in the probe changes alike at both, one near 0 included,
// whose relative change is large at any step.
const saturation = 2

// sensitivity returns, for each instance of the chunk, two measures of
// how far e moves under rounding-sized perturbations, per unit of the
// relative step ε; base is e(V). Rounding perturbs the inputs of every
// operation by about u of themselves, and an inverse, a solve or a
// determinant of a nearly singular matrix magnifies that by its condition
// number, which the magnitudes (sums of absolute values) do not see: u
// times a sensitivity measures it at the sample itself, where it matters.
//
// inputs is ‖e(V + ε·S∘|V|) − e(V)‖_F / ε, each variable V moved by ε of
// its own entries in a fixed pattern S of random signs. inner moves,
// instead of the variables, the argument of every operation whose error
// grows with a condition number (inverse, solve, determinant, matrix
// logarithm and exponential; see moveArgument), which the variables alone
// miss: inv(AᵀA) rounds AᵀA, whose condition is κ(A)², but moves with A
// only as κ(A), and inv(A'*A) = inv(A)*inv(A)' failed at one of five seeds
// at the default n = 48. inner is nil when e has no such operation. The
// two are measured apart, as one pattern of signs over both could cancel
// to less than either (inv(X)² = inv(X²) at n = 4, instance 27 of seed 7).
// evaluated counts the evaluations of e made.
func (v *verification) sensitivity(ev *evaluator, e formulas.Expr, base backend.Tensor) (inputs, inner []float64, evaluated int, err error) {
	if inputs, evaluated, err = v.sensitivityOf(ev, e, base, false); err != nil || !conditioned(e) {
		return inputs, nil, evaluated, err
	}
	inner, more, err := v.sensitivityOf(ev, e, base, true)
	return inputs, inner, evaluated + more, err
}

// sensitivityOf measures one of sensitivity's two: inner's when inner is
// set. It is the largest of probePatterns measures with independent
// patterns of signs: the change along one pattern is a single random sum
// where one direction dominates, as near a singular matrix, and may
// cancel to a tenth of its typical size one time in twelve; all three do
// so one time in two thousand. Each is measured at the first of
// probeSteps, and at the next ones for the instances where it did not
// serve (see probeSteps): until the value is finite and either moves by
// at most maxLinearChange of itself or changes per unit of the step as it
// did at the step before. One not finite at every step (it left the
// domain) counts as no sensitivity: the magnitudes still hold. One that
// still saturates at the last step has none that bounds its rounding
// error: +Inf. evaluated counts the evaluations of e made.
func (v *verification) sensitivityOf(ev *evaluator, e formulas.Expr, base backend.Tensor, inner bool) (most []float64, evaluated int, err error) {
	baseNorms, err := ev.frobeniusNorms(base)
	if err != nil {
		return nil, 0, err
	}
	saturated := make([]bool, len(baseNorms))
	for pattern := range probePatterns {
		offset := pattern << 40 // far apart: independent patterns
		var change []float64
		var finer []bool // the instances that ask for the next step
		for k, step := range probeSteps {
			if k > 0 && !slices.Contains(finer, true) {
				break
			}
			evaluated++
			at, rel, err := v.sensitivityAt(ev, e, base, baseNorms, &probeState{step: step, inner: inner, offset: offset})
			if err != nil {
				return nil, evaluated, err
			}
			if k == 0 {
				change, finer = at, make([]bool, len(at))
				for i, c := range at {
					finer[i] = !finite(c) || rel[i] > maxLinearChange
				}
				continue
			}
			for i, f := range at {
				switch c := change[i]; {
				case !finer[i]:
				case !finite(c):
					change[i], finer[i] = f, finite(f) && rel[i] > maxLinearChange
				case !finite(f):
					finer[i] = false // the larger step's measure stands
				case f <= saturation*c:
					// The larger step was linear after all (a value
					// near 0 moves by much of itself at any step).
					change[i], finer[i] = math.Max(c, f), false
				default:
					change[i], finer[i] = f, rel[i] > maxLinearChange
				}
			}
		}
		if most == nil {
			most = make([]float64, len(change))
		}
		for i, c := range change {
			if finite(c) {
				most[i] = math.Max(most[i], c)
				saturated[min(i, len(saturated)-1)] = saturated[min(i, len(saturated)-1)] || finer[i]
			}
		}
	}
	for i := range most {
		if saturated[min(i, len(saturated)-1)] {
			most[i] = math.Inf(1)
		}
	}
	return most, evaluated, nil
}

// probePatterns is the number of patterns of signs sensitivityOf measures
// along.
const probePatterns = 3

// sensitivityAt evaluates e under the probe p and returns ‖ẽ − base‖_F per
// unit of p's step, for each instance, not finite where the value is not,
// and rel, ‖ẽ − base‖_F relative to ‖base‖_F, given as baseNorms.
func (v *verification) sensitivityAt(ev *evaluator, e formulas.Expr, base backend.Tensor, baseNorms []float64, p *probeState) (change, rel []float64, err error) {
	saved := make(map[string]backend.Tensor, len(v.c.Vars))
	defer func() {
		for name, t := range saved {
			ev.unbind(name, true) // the moved copy
			ev.bind(name, t)
		}
		ev.probe = nil
	}()
	ev.probe = p
	for _, vr := range v.c.Vars {
		if p.inner {
			break
		}
		t := ev.vars[vr.Name]
		moved, err := ev.moved(t)
		if err != nil {
			return nil, nil, err
		}
		saved[vr.Name] = t
		ev.bind(vr.Name, moved)
	}
	o := ev.ops()
	at := o.do(func() (backend.Tensor, error) { return ev.value(e) })
	change = o.norms(o.elementwise(backend.Sub, at, base))
	if _, err := o.result(nil); err != nil {
		return nil, nil, err
	}
	// A pattern of random signs measures the root sum of squares of the
	// entries' contributions; rounding may line them up, their sum of
	// absolute values, up to √N times as large for N entries moved.
	lineUp := math.Sqrt(float64(p.entries))
	rel = make([]float64, len(change))
	for i, c := range change {
		rel[i] = c / baseNorms[min(i, len(baseNorms)-1)]
		change[i] = c / p.step * lineUp
	}
	return change, rel, nil
}

// conditioned reports whether e has an operation whose argument the probe
// moves (see moveArgument): a solve or a costly function outside an
// integral.
func conditioned(e formulas.Expr) bool {
	switch e := e.(type) {
	case *formulas.Unary:
		return conditioned(e.X)
	case *formulas.Binary:
		return e.Op == "\\" || conditioned(e.L) || conditioned(e.R)
	case *formulas.Call:
		return evalFuncs[e.Func].costly || slices.ContainsFunc(e.Args, conditioned)
	}
	return false
}

// probeState is the state of one evaluation under the rounding probe (see
// sensitivity): its step, whether it moves the arguments of the
// ill-conditioned operations (inner) or the variables, the start of its
// pattern of signs, and the entries moved so far, which also place the
// next tensor's signs in the pattern, so that no two tensors moved share
// them.
type probeState struct {
	step    float64
	inner   bool
	offset  int // the first sign of the pattern
	entries int
}

// moved returns t + ε·S∘|t|, with ε the step of the probe and S its next
// pattern of random signs, the same for every instance of t. The caller
// owns the result.
func (ev *evaluator) moved(t backend.Tensor) (backend.Tensor, error) {
	l := t.Layout()
	o := ev.ops()
	signs := o.fromHost(backend.Layout{Count: 1, Rows: l.Rows, Cols: l.Cols}, randomSigns(ev.probe.offset+ev.probe.entries, l.Rows*l.Cols))
	ev.probe.entries += l.Rows * l.Cols
	return o.result(o.addScaled(t, o.scalar(ev.probe.step), o.elementwise(backend.Mul, signs, o.mapEach(backend.Abs, t))))
}

// moveArgument returns the argument t of an ill-conditioned operation as
// the probe sees it: moved (see moved) while an inner probe runs, when t
// is a matrix computed by the evaluation, and t itself otherwise. A
// variable is the other probe's, and a scalar's relative rounding does not
// grow through the operations that call this. Inside an integral nothing
// moves: its nodes' roundings are independent terms of a weighted sum.
// The caller releases t and the result, as for any intermediate.
func (ev *evaluator) moveArgument(t backend.Tensor) (backend.Tensor, error) {
	if ev.probe == nil || !ev.probe.inner || ev.abs || ev.integrating > 0 || isScalar(t) || ev.isVariable(t) {
		return t, nil
	}
	m, err := ev.moved(t)
	ev.release(t)
	return m, err
}

// isVariable reports whether t is bound to a name.
func (ev *evaluator) isVariable(t backend.Tensor) bool {
	for _, u := range ev.vars {
		if u == t {
			return true
		}
	}
	return false
}
