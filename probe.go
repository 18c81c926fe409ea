package gradcheck

import (
	"math"

	"github.com/gradcheck/gradcheck/backend"
	"github.com/gradcheck/gradcheck/formulas"
)

// probeStep is the relative step ε of the rounding probe (see
// sensitivity): √u, small enough that the change is first order, large
// enough that its own rounding, √u of the value, stays small against it.
const probeStep = 0x1p-26

// sensitivity returns, for each instance of the chunk, ‖e(V + ε·S_V∘|V|) −
// e(V)‖_F / ε: how far e moves when every variable V of the claim moves
// by ε of its own entries, in a fixed pattern S_V of random signs, per
// unit of that step; base is e(V). Rounding perturbs the inputs of every
// operation by about u of themselves, and an inverse, a solve or a
// determinant of a nearly singular matrix magnifies that by its condition
// number, which the magnitudes (sums of absolute values) do not see: u
// times the sensitivity measures it at the sample itself, where it
// matters. A value that is not finite at the moved point (it left the
// domain) counts as no sensitivity: the magnitudes still hold.
func (v *verification) sensitivity(ev *evaluator, e formulas.Expr, base backend.Tensor) ([]float64, error) {
	saved := make(map[string]backend.Tensor, len(v.c.Vars))
	defer func() {
		for name, t := range saved {
			ev.unbind(name, true) // the moved copy
			ev.bind(name, t)
		}
	}()
	first := 0 // the entries moved so far
	for _, vr := range v.c.Vars {
		t := ev.vars[vr.Name]
		l := t.Layout()
		o := ev.ops()
		signs := o.fromHost(backend.Layout{Count: 1, Rows: l.Rows, Cols: l.Cols}, randomSigns(first, l.Rows*l.Cols))
		first += l.Rows * l.Cols
		moved, err := o.result(o.addScaled(t, o.scalar(probeStep), o.elementwise(backend.Mul, signs, o.mapEach(backend.Abs, t))))
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
	lineUp := math.Sqrt(float64(first))
	for i, c := range change {
		change[i] = c / probeStep * lineUp
		if !finite(change[i]) {
			change[i] = 0
		}
	}
	return change, nil
}
