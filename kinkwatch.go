package gradcheck

import (
	"slices"

	"github.com/gradcheck/gradcheck/backend"
	"github.com/gradcheck/gradcheck/formulas"
)

// kinkWatch tells which instances have, within a panel of an integral's
// quadrature, a kink or a jump of the body in the integration variable:
// an argument of a kinked function (abs, relu, step, sign) that reads the
// variable and changes sign between the points at which the panel's body
// is evaluated, its nodes and its ends. The two Gauss–Legendre rules,
// symmetric and of an even number of nodes, agree exactly on a jump
// between their two central nodes, and where a kink lies between an end
// of the panel and its nearest node both integrate a straight line: such
// a panel was taken as converged. ∫ step(t − c) dt over [0, 1] came to
// 1/2 for every c near 1/2, so that a wrong gradient of 0 passed and the
// true one failed, and ∫ |t − c| dt missed (c − 1/4)² with c 3·10⁻⁴ past
// 1/4 (found by the exploratory helper). A kinked panel is halved until
// it is narrow (see quadrature.adapt).
type kinkWatch struct {
	// calls are the kinked calls of the body that read the variable.
	calls map[*formulas.Call]bool
	// recording is set while the panel's values are being summed.
	recording bool
	// atEnd is set while the body is evaluated at an end of the whole
	// interval, where a watched argument that changes sign within a
	// finite-difference stencil is a kink of f (see kinkedInstances).
	atEnd bool
	// first holds each call's signs at the first point evaluated.
	first map[*formulas.Call]backend.Tensor
	// changed holds, for each call, whether each matrix of its argument
	// has changed sign since the first point.
	changed map[*formulas.Call][]bool
	// everywhere is set where a comparison could not be made: every
	// instance is taken for kinked.
	everywhere bool
}

// kinkedCalls returns the calls of kinked functions in body (norm2 too,
// which of one number is abs; see formulas.Func.KinkedAt) whose
// argument reads v, apart from those within an integral over a variable
// of the same name, which reads its own.
func kinkedCalls(body formulas.Expr, v string) map[*formulas.Call]bool {
	calls := map[*formulas.Call]bool{}
	var walk func(e formulas.Expr)
	walk = func(e formulas.Expr) {
		switch e := e.(type) {
		case *formulas.Unary:
			walk(e.X)
		case *formulas.Binary:
			walk(e.L)
			walk(e.R)
		case *formulas.Call:
			if f := formulas.Lookup(e.Func); f != nil && (f.Kinked || f.KinkedOfOne) && slices.Contains(readNames(e.Args[0], nil), v) {
				calls[e] = true
			}
			for _, a := range e.Args {
				walk(a)
			}
		case *formulas.Integral:
			walk(e.Lo)
			walk(e.Hi)
			if e.Var != v {
				walk(e.Body)
			}
		}
	}
	walk(body)
	return calls
}

// watching returns the innermost watch of the quadratures under way
// whose body holds the call e reading its variable, or nil: the signs of
// its argument tell a kink of that body in its variable, not one of f
// within a finite-difference stencil (∫ |t − σ(y)| dt is smooth in y, and
// counting its kinks left every stencil out).
func (ev *evaluator) watching(e *formulas.Call) *kinkWatch {
	for i := len(ev.watches) - 1; i >= 0; i-- {
		if ev.watches[i].calls[e] {
			return ev.watches[i]
		}
	}
	return nil
}

// note records the signs of x, the argument of the watched call e, at
// one point of the panel. An entry changes sign where it is negative at
// one point and positive at another: an entry that is 0 at a point is
// no kink there (abs(t) at t = 0, the end of the interval, is smooth on
// the panel; counted, it made every panel at 0 halve to 2⁻⁴⁸, found by
// the review helper). A layout other than at the first point (which
// happens only where a batch is evaluated in parts) tells nothing: every
// instance is taken for kinked.
func (w *kinkWatch) note(ev *evaluator, e *formulas.Call, x backend.Tensor) error {
	signs, err := ev.b.Map(backend.Sign, x)
	if err != nil {
		return err
	}
	first, ok := w.first[e]
	switch {
	case !ok:
		w.first[e] = signs
		return nil
	case first.Layout() != signs.Layout():
		ev.b.Free(signs)
		w.everywhere = true
		return nil
	}
	defer ev.b.Free(signs)
	// −s·f is 1 exactly where the signs are opposite.
	o := ev.ops()
	opposite := o.mapEach(backend.Relu, o.mapEach(backend.Neg, o.elementwise(backend.Mul, signs, first)))
	moved := o.host(o.dot(opposite, opposite))
	if _, err := o.result(nil); err != nil {
		return err
	}
	changed := w.changed[e]
	if changed == nil {
		changed = make([]bool, len(moved))
		w.changed[e] = changed
	}
	for m, s := range moved {
		changed[m] = changed[m] || s != 0
	}
	return nil
}

// watch starts watching calls, the kinked calls of the body of a
// quadrature now under way that read its variable, until unwatch; it
// records their signs between start and stop.
func (ev *evaluator) watch(calls map[*formulas.Call]bool) *kinkWatch {
	w := &kinkWatch{calls: calls}
	ev.watches = append(ev.watches, w)
	return w
}

// unwatch ends the innermost watch.
func (ev *evaluator) unwatch() {
	ev.watches = ev.watches[:len(ev.watches)-1]
}

// start records the signs of the watched arguments from now on, for one
// panel.
func (w *kinkWatch) start() {
	w.recording, w.everywhere = true, false
	w.first, w.changed = map[*formulas.Call]backend.Tensor{}, map[*formulas.Call][]bool{}
}

// stop ends the recording of a panel.
func (w *kinkWatch) stop(ev *evaluator) {
	w.recording = false
	for _, t := range w.first {
		ev.b.Free(t)
	}
	w.first, w.changed = nil, nil
}

// kinkedInstances evaluates the body at the ends of p (lo and width as
// for its nodes, an infinite interval's end at 1 left out) while w
// records, as it did for its nodes, and returns for each of
// the groups instances of the evaluation whether a watched argument
// changed sign within p. An argument of one matrix, shared by the
// instances, marks every instance.
func (q *quadrature) kinkedInstances(w *kinkWatch, p panel, lo, width backend.Tensor, groups int) ([]bool, error) {
	ev := q.ev
	// At the ends of the whole interval, a watched argument that changes
	// sign between the points of a stencil is a kink of f: ∫ relu(t·x)
	// dt over [0, 1] is relu(x)/2, whose kink the integrand's sign at
	// t = 1 shows, where ∫ |σ(y) − t| dt, its kink inside the interval
	// for every y, is smooth in y (found by the review helper: the true
	// gradient of sum(integral(t, 0, 1, relu(t*sin(300*x)))) failed at a
	// stencil across the kink).
	w.atEnd = p == panel{0, 1}
	defer func() { w.atEnd = false }()
	for _, y := range [2]float64{p.a, p.b} {
		offset := y
		if q.infinite {
			if y == 1 {
				continue
			}
			offset = y / (1 - y)
		}
		t, err := ev.integrand(q.e, lo, width, offset, 0, false)
		if err != nil {
			return nil, err
		}
		ev.release(t)
	}
	kinked := make([]bool, groups)
	if w.everywhere {
		for gi := range kinked {
			kinked[gi] = true
		}
	}
	for _, changed := range w.changed {
		per := len(changed) / groups
		for m, c := range changed {
			switch {
			case !c:
			case per == 0 || len(changed)%groups != 0:
				for gi := range kinked {
					kinked[gi] = true
				}
			default:
				kinked[m/per] = true
			}
		}
	}
	return kinked, nil
}
