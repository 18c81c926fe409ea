package gradcheck

import (
	"math"
	"slices"

	"github.com/gradcheck/gradcheck/backend"
	"github.com/gradcheck/gradcheck/formulas"
)

// probeStep is the relative step ε of the rounding probe (see
// sensitivity): √u, small enough that the change is first order, large
// enough that its own rounding, √u of the value, stays small against it.
const probeStep = 0x1p-26

// fineProbeStep is the step of the probe at a sample that leaves the
// domain at probeStep, within 10⁻⁸ of a singular matrix: logdet(AᵀA) for an
// A of condition 10⁵ at n = 64, where AᵀA moved by probeStep of its entries
// has a negative determinant. Its own rounding, 2⁻¹² of the change, still
// leaves the measure of a sensitivity good to three digits.
const fineProbeStep = 0x1p-40

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
// so one time in two thousand. The step is probeStep, and fineProbeStep
// for the instances whose value is not finite there. One not finite at
// both (it left the domain) counts as no sensitivity: the magnitudes
// still hold. evaluated counts the evaluations of e made.
func (v *verification) sensitivityOf(ev *evaluator, e formulas.Expr, base backend.Tensor, inner bool) (most []float64, evaluated int, err error) {
	for pattern := range probePatterns {
		offset := pattern << 40 // far apart: independent patterns
		evaluated++
		change, err := v.sensitivityAt(ev, e, base, &probeState{step: probeStep, inner: inner, offset: offset})
		if err != nil {
			return nil, evaluated, err
		}
		if slices.ContainsFunc(change, func(c float64) bool { return !finite(c) }) {
			evaluated++
			fine, err := v.sensitivityAt(ev, e, base, &probeState{step: fineProbeStep, inner: inner, offset: offset})
			if err != nil {
				return nil, evaluated, err
			}
			for i, c := range change {
				if !finite(c) {
					change[i] = fine[i]
				}
			}
		}
		if most == nil {
			most = make([]float64, len(change))
		}
		for i, c := range change {
			if finite(c) {
				most[i] = math.Max(most[i], c)
			}
		}
	}
	return most, evaluated, nil
}

// probePatterns is the number of patterns of signs sensitivityOf measures
// along.
const probePatterns = 3

// sensitivityAt evaluates e under the probe p and returns ‖ẽ − base‖_F per
// unit of p's step, for each instance, not finite where the value is not.
func (v *verification) sensitivityAt(ev *evaluator, e formulas.Expr, base backend.Tensor, p *probeState) ([]float64, error) {
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
			return nil, err
		}
		saved[vr.Name] = t
		ev.bind(vr.Name, moved)
	}
	o := ev.ops()
	at := o.do(func() (backend.Tensor, error) { return ev.value(e) })
	change := o.norms(o.elementwise(backend.Sub, at, base))
	if _, err := o.result(nil); err != nil {
		return nil, err
	}
	// A pattern of random signs measures the root sum of squares of the
	// entries' contributions; rounding may line them up, their sum of
	// absolute values, up to √N times as large for N entries moved.
	lineUp := math.Sqrt(float64(p.entries))
	for i, c := range change {
		change[i] = c / p.step * lineUp
	}
	return change, nil
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
