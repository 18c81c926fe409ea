package gradcheck

import (
	"context"
	"math"

	"github.com/gradcheck/gradcheck/backend"
	"github.com/gradcheck/gradcheck/formulas"
)

// This file holds the two checks of one chunk of instances: an identity
// compared side by side, and a derivative claim compared against
// Richardson-extrapolated central differences along directions.

// identityChunk compares both sides of an identity on count instances.
func (v *verification) identityChunk(ctx context.Context, first, count int, emit sink) error {
	ev, _, err := v.newChunk(ctx, first, count)
	if err != nil {
		return err
	}
	defer ev.close()
	norms := func(e formulas.Expr, magnitude bool) ([]float64, error) {
		eval := ev.value
		if magnitude {
			eval = ev.magnitude
		}
		t, err := eval(e)
		if err != nil {
			return nil, err
		}
		defer ev.release(t)
		return ev.frobeniusNorms(t)
	}
	lhs, err := ev.value(v.c.F)
	if err != nil {
		return err
	}
	defer ev.release(lhs)
	rhs, err := ev.value(v.c.Rhs)
	if err != nil {
		return err
	}
	defer ev.release(rhs)
	diff, err := ev.b.Elementwise(backend.Sub, lhs, rhs)
	if err != nil {
		return err
	}
	defer ev.release(diff)
	var all [5][]float64
	for i, t := range []backend.Tensor{diff, lhs, rhs} {
		if all[i], err = ev.frobeniusNorms(t); err != nil {
			return err
		}
	}
	if all[3], err = norms(v.c.F, true); err != nil {
		return err
	}
	if all[4], err = norms(v.c.Rhs, true); err != nil {
		return err
	}
	d, l, r, ml, mr := all[0], all[1], all[2], all[3], all[4]
	comps := make([]comparison, count)
	for i := range comps {
		scale := math.Max(l[i], r[i])
		tol := safety*float64(v.dim)*unitRoundoff*(ml[i]+mr[i]) + v.s.ATol + v.s.RTol*r[i]
		c := comparison{instance: first + i, fd: l[i], claimed: r[i], err: d[i], tol: tol, scale: scale}
		switch {
		case !finite(l[i]):
			c.status = outOfDomain
		case !finite(r[i]):
			c.status = claimBroken
		case d[i] > tol:
			c.status = disagreed
		}
		comps[i] = c
	}
	emit(comps)
	return nil
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// derivativeChunk checks a grad, diff, jac or hess claim on count
// instances: it evaluates f at X + s·h·H for every direction H and step s,
// combines the values by Richardson extrapolation, and sets each against
// the claim along the same direction.
func (v *verification) derivativeChunk(ctx context.Context, first, count int, emit sink) error {
	ev, smp, err := v.newChunk(ctx, first, count)
	if err != nil {
		return err
	}
	defer ev.close()
	x := ev.vars[v.c.Wrt]
	if v.entrywise() {
		return v.entrywiseChunk(ev, x, first, count, emit)
	}
	per := v.directionsPerInstance()
	var h backend.Tensor
	if v.masks != nil {
		h, err = smp.maskedDirections(v.wrt, x, v.masks)
	} else {
		h, err = smp.directions(v.wrt, x, per)
	}
	if err != nil {
		return err
	}
	ev.bind(v.c.Direction(), h)

	// A random W reduces a matrix-valued f to ⟨W, f⟩.
	var w backend.Tensor
	if !v.fShape.IsScalar() {
		if w, err = smp.gaussian("w/"+v.c.Name, v.fShape, per); err != nil {
			return err
		}
		ev.bind("w/", w)
	}
	fvals, fmags, err := v.functionValues(ev, x, h, w)
	if err != nil {
		return err
	}
	cl, err := v.claimedValues(ev, h, w)
	if err != nil {
		return err
	}
	v.combine(first, count, per, fvals, fmags, cl, emit)
	return nil
}

// entrywiseBytes bounds the memory of one block of directions in entrywise
// mode, counted like the memory budget of a chunk (liveCopies
// intermediates of the perturbed points' size): 2 MiB of perturbed points,
// which stay in cache between the operations of one evaluation. A
// variable, so that tests can split small checks into many blocks.
var entrywiseBytes int64 = 16 << 20

// entrywiseChunk checks every entry of the variable on count instances
// (one, as run chunks entrywise checks): the unit directions are made and
// evaluated in blocks of a few, so that memory does not grow with the
// number of entries, and the comparisons of each instance are judged once
// all its blocks are in.
func (v *verification) entrywiseChunk(ev *evaluator, x backend.Tensor, first, count int, emit sink) error {
	per := v.directionsPerInstance()
	perDirection := int64(len(v.steps())) * int64(v.maxElems) * 8 * liveCopies
	block := int(max(1, entrywiseBytes/perDirection))
	norms, err := ev.frobeniusNorms(x)
	if err != nil {
		return err
	}
	accs := make([]instanceComparisons, count)
	for i := range accs {
		accs[i].unit = math.Max(1, norms[i])
		accs[i].reserve(int(v.comparisonsPerInstance()))
	}
	for k0 := 0; k0 < per; k0 += block {
		k1 := min(per, k0+block)
		h, err := ev.unitDirections(x, accs, v.wrt.SymSpace, k0, k1)
		if err != nil {
			return err
		}
		ev.bind(v.c.Direction(), h)
		fvals, fmags, err := v.functionValues(ev, x, h, nil)
		var cl claimed
		if err == nil {
			cl, err = v.claimedValues(ev, h, nil)
		}
		ev.unbind(v.c.Direction(), true)
		if err != nil {
			return err
		}
		for i := range accs {
			v.addComparisons(&accs[i], i, k1-k0, len(cl.vals)/(count*(k1-k0)), fvals, fmags, cl)
		}
	}
	for i := range accs {
		v.judgeInstance(&accs[i], first+i, emit)
	}
	return nil
}

// reduce downloads t, one row of outputs per stored matrix: ⟨W, t⟩ when w is
// set, else every entry. mag selects |W| for reducing a magnitude.
func (ev *evaluator) reduce(t, w backend.Tensor, mag bool) ([]float64, error) {
	if w == nil {
		return ev.b.ToHost(t)
	}
	if mag {
		aw, err := ev.b.Map(backend.Abs, w)
		if err != nil {
			return nil, err
		}
		defer ev.release(aw)
		w = aw
	}
	d, err := ev.b.Dot(w, t)
	if err != nil {
		return nil, err
	}
	defer ev.release(d)
	return ev.b.ToHost(d)
}

// perturbedBytes bounds the size of the perturbed points functionValues
// evaluates at once: larger batches go a few steps at a time, so that a
// large n does not touch four times the memory it needs. A variable, so
// that tests can split small checks.
var perturbedBytes = 8 << 20

// functionValues evaluates f at every perturbed point, reduced to scalars
// (count·per·steps rows of outputs), and the magnitude of f at each
// instance's base point (count·per rows, expanded over directions).
func (v *verification) functionValues(ev *evaluator, x, h, w backend.Tensor) (vals, mags []float64, err error) {
	steps := v.steps()
	nS := len(steps)
	hl := h.Layout()
	group := min(nS, max(1, perturbedBytes/(hl.Size()*8)))
	if group == nS {
		vals, err = v.stepValues(ev, x, h, w, steps)
	}
	for s0 := 0; s0 < nS && group < nS && err == nil; s0 += group {
		g := min(group, nS-s0)
		var part []float64
		if part, err = v.stepValues(ev, x, h, w, steps[s0:s0+g]); err != nil {
			break
		}
		// Row (d·g + s) of part is row (d·nS + s0 + s) of vals.
		r := len(part) / (hl.Count * g)
		if vals == nil {
			vals = make([]float64, hl.Count*nS*r)
		}
		for d := range hl.Count {
			copy(vals[(d*nS+s0)*r:(d*nS+s0+g)*r], part[d*g*r:(d+1)*g*r])
		}
	}
	if err != nil {
		return nil, nil, err
	}
	mf, err := ev.magnitude(v.c.F)
	if err != nil {
		return nil, nil, err
	}
	defer ev.release(mf)
	if w != nil {
		// Expand the per-instance magnitude over directions to meet W.
		ones, err := ev.b.FromHost(backend.Layout{Count: hl.Count, Rows: 1, Cols: 1}, filled(hl.Count, 1))
		if err != nil {
			return nil, nil, err
		}
		defer ev.release(ones)
		mfe, err := ev.b.Scale(ones, mf)
		if err != nil {
			return nil, nil, err
		}
		defer ev.release(mfe)
		mags, err = ev.reduce(mfe, w, true)
		return vals, mags, err
	}
	raw, err := ev.b.ToHost(mf)
	if err != nil {
		return nil, nil, err
	}
	// Expand per instance to per direction.
	per := hl.Count / mf.Layout().Count
	r := len(raw) / mf.Layout().Count
	mags = make([]float64, hl.Count*r)
	for j := range hl.Count {
		copy(mags[j*r:(j+1)*r], raw[(j/per)*r:(j/per+1)*r])
	}
	return vals, mags, nil
}

// stepValues evaluates f at X + s·H for the given steps s and every
// direction H of h, reduced like functionValues: row (d·len(steps) + s)
// holds direction d (instance-major), step s.
func (v *verification) stepValues(ev *evaluator, x, h, w backend.Tensor, steps []float64) ([]float64, error) {
	hl := h.Layout()
	st := make([]float64, hl.Count*len(steps))
	for i := range st {
		st[i] = steps[i%len(steps)]
	}
	stT, err := ev.b.FromHost(backend.Layout{Count: len(st), Rows: 1, Cols: 1}, st)
	if err != nil {
		return nil, err
	}
	defer ev.release(stT)
	dx, err := ev.b.Scale(stT, h)
	if err != nil {
		return nil, err
	}
	xs, err := ev.b.Elementwise(backend.Add, x, dx)
	ev.release(dx)
	if err != nil {
		return nil, err
	}
	ev.bind(v.c.Wrt, xs)
	f, err := ev.value(v.c.F)
	ev.unbind(v.c.Wrt, true)
	ev.bind(v.c.Wrt, x)
	if err != nil {
		return nil, err
	}
	defer ev.release(f)
	return ev.reduce(f, w, false)
}

func filled(n int, x float64) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = x
	}
	return s
}

// claimed holds the claim's values along every direction, reduced like f:
// the values, their magnitudes, and, where the claim is a square matrix, the
// values its transpose would give (for the diagnosis), else nil.
type claimed struct {
	vals, mags, transposed []float64
}

// claimedValues evaluates the claim along every direction h: grad ⟨G, H⟩;
// diff the claimed Df[H]; jac J·H; hess Hᵀ·Hess·H (vector variable) or the
// claimed D²f[H,H] (matrix variable).
func (v *verification) claimedValues(ev *evaluator, h, w backend.Tensor) (claimed, error) {
	var out claimed
	absH, err := ev.b.Map(backend.Abs, h)
	if err != nil {
		return out, err
	}
	defer ev.release(absH)
	rhs, err := ev.value(v.c.Rhs)
	if err != nil {
		return out, err
	}
	defer func() { ev.release(rhs) }()
	mrhs, err := ev.magnitude(v.c.Rhs)
	if err != nil {
		return out, err
	}
	defer func() { ev.release(mrhs) }()
	var along func(m backend.Tensor, h backend.Tensor) (backend.Tensor, error)
	switch {
	case v.c.Kind == formulas.Grad:
		if v.c.Layout == formulas.Numerator {
			if rhs, mrhs, err = ev.both(ev.b.Transpose, rhs, mrhs); err != nil {
				return out, err
			}
		}
		if v.wrt.SymSpace {
			if rhs, mrhs, err = ev.both(ev.sym, rhs, mrhs); err != nil {
				return out, err
			}
		}
		along = ev.b.Dot
	case v.c.Kind == formulas.Jac:
		along = ev.b.MatMul
	case v.c.Kind == formulas.Hess && v.shapes[v.c.Wrt].Cols == 1:
		along = ev.quadraticForm
	}
	if along == nil {
		// diff, and hess of a matrix variable: the claim is Df[H] itself.
		if out.vals, err = ev.reduce(rhs, w, false); err != nil {
			return out, err
		}
		out.mags, err = ev.reduce(mrhs, w, true)
		return out, err
	}
	if out.vals, err = ev.alongReduced(along, rhs, h, w, false); err != nil {
		return out, err
	}
	if out.mags, err = ev.alongReduced(along, mrhs, absH, w, true); err != nil {
		return out, err
	}
	if l := rhs.Layout(); l.Rows == l.Cols && l.Rows > 1 && v.c.Kind != formulas.Hess {
		rt, err := ev.b.Transpose(rhs)
		if err != nil {
			return out, err
		}
		defer ev.release(rt)
		out.transposed, err = ev.alongReduced(along, rt, h, w, false)
	}
	return out, err
}

// alongReduced applies the claim m along the directions h and reduces the
// result like f.
func (ev *evaluator) alongReduced(along func(m, h backend.Tensor) (backend.Tensor, error), m, h, w backend.Tensor, mag bool) ([]float64, error) {
	t, err := along(m, h)
	if err != nil {
		return nil, err
	}
	defer ev.release(t)
	return ev.reduce(t, w, mag)
}

// both applies op to a value and its magnitude, releasing the inputs.
func (ev *evaluator) both(op func(backend.Tensor) (backend.Tensor, error), a, b backend.Tensor) (backend.Tensor, backend.Tensor, error) {
	ra, err := op(a)
	if err != nil {
		return a, b, err
	}
	rb, err := op(b)
	if err != nil {
		ev.release(ra)
		return a, b, err
	}
	ev.release(a, b)
	return ra, rb, nil
}

// quadraticForm returns hᵀ·m·h for vectors h.
func (ev *evaluator) quadraticForm(m, h backend.Tensor) (backend.Tensor, error) {
	mh, err := ev.b.MatMul(m, h)
	if err != nil {
		return nil, err
	}
	defer ev.release(mh)
	return ev.b.Dot(h, mh)
}

// unitDirections returns, for every instance i of x, the directions
// u·E_k for the entries k0 ≤ k < k1 of the variable, with u = accs[i].unit.
// With sym (a variable in the space of symmetric matrices) the direction
// of an off-diagonal entry is u·(E_k + E_kᵀ)/2.
func (ev *evaluator) unitDirections(x backend.Tensor, accs []instanceComparisons, sym bool, k0, k1 int) (backend.Tensor, error) {
	l := x.Layout()
	dim, n := l.Rows*l.Cols, k1-k0
	data := make([]float64, l.Count*n*dim)
	for i := range accs {
		u := accs[i].unit
		for k := k0; k < k1; k++ {
			d := data[(i*n+k-k0)*dim : (i*n+k-k0+1)*dim]
			if r, c := k/l.Cols, k%l.Cols; sym && r != c {
				// In the space of symmetric matrices the direction of
				// entry (r, c) is (E_rc + E_cr)/2, along which the
				// derivative is the entry of the symmetric part of the
				// gradient.
				d[k], d[c*l.Cols+r] = u/2, u/2
				continue
			}
			d[k] = u
		}
	}
	return ev.b.FromHost(backend.Layout{Count: l.Count * n, Rows: l.Rows, Cols: l.Cols}, data)
}

// combine forms the Richardson estimates and the comparisons of count
// instances with per directions each, and passes them to emit an instance
// at a time. Values are laid out instance-major: row ((i·per + k)·steps + s)
// of fvals holds the r outputs of f at instance i, direction k, step s.
func (v *verification) combine(first, count, per int, fvals, fmags []float64, cl claimed, emit sink) {
	var acc instanceComparisons
	r := len(cl.vals) / (count * per)
	for i := range count {
		v.addComparisons(&acc, i, per, r, fvals, fmags, cl)
		v.judgeInstance(&acc, first+i, emit)
	}
}

// instanceComparisons collects the comparisons of one instance as their
// values come in, in a compact form: they can only be classified once all
// are in (see judgeInstance), and an entrywise check of a matrix-valued f
// at n = 32 makes a million per instance.
type instanceComparisons struct {
	// unit is the size of the unit steps of an entrywise check, by which
	// the comparisons are divided to report them in units of the entries
	// of the gradient; 0 for random directions.
	unit float64
	// The raw values of each comparison, in the order (direction, output);
	// transposed is empty where the claim has no transpose (then NaN).
	est, claimed, transposed, tol []float64
	status                        []status
	// r is the number of outputs per direction.
	r int
	// sumSq and finite sum the squared scales of the finite agreeing
	// comparisons, in order: their root mean square is the typical size
	// of a directional derivative along a random direction.
	sumSq  float64
	finite int
}

// reserve makes room for n comparisons.
func (acc *instanceComparisons) reserve(n int) {
	acc.est, acc.claimed = make([]float64, 0, n), make([]float64, 0, n)
	acc.tol = make([]float64, 0, n)
	acc.status = make([]status, 0, n)
}

// addComparisons adds to acc the comparisons of instance i of values that
// hold r outputs per direction and per directions per instance. Values are
// laid out instance-major: row ((i·per + k)·steps + s) of fvals holds the r
// outputs of f at instance i, its k-th direction here, step s.
func (v *verification) addComparisons(acc *instanceComparisons, i, per, r int, fvals, fmags []float64, cl claimed) {
	acc.r = r
	nS := len(v.steps())
	second := v.c.Kind == formulas.Hess
	sqrtN := math.Sqrt(float64(v.dim))
	for k := range per {
		for o := range r {
			row := func(s int) float64 { return fvals[((i*per+k)*nS+s)*r+o] }
			fp, fm, fp2, fm2 := row(0), row(1), row(2), row(3)
			epsF := sqrtN * unitRoundoff * math.Abs(fmags[(i*per+k)*r+o])
			var est, trunc, round float64
			if second {
				f0 := row(4)
				s1 := (fp - 2*f0 + fm) / (step * step)
				s2 := (fp2 - 2*f0 + fm2) / (step * step / 4)
				est, trunc = (4*s2-s1)/3, math.Abs(s1-s2)/3
				round = 23 * epsF / (step * step)
			} else {
				d1 := (fp - fm) / (2 * step)
				d2 := (fp2 - fm2) / step
				est, trunc = (4*d2-d1)/3, math.Abs(d1-d2)/3
				round = 3 * epsF / step
			}
			j := (i*per+k)*r + o
			claimed := cl.vals[j]
			roundC := sqrtN * unitRoundoff * math.Abs(cl.mags[j])
			tol := safety*(trunc+round+roundC) + v.s.ATol + v.s.RTol*math.Abs(claimed)
			st := agreed
			if !(finite(fp) && finite(fm) && finite(fp2) && finite(fm2)) {
				st = outOfDomain
			} else if !finite(claimed) {
				st = claimBroken
			}
			acc.est = append(acc.est, est)
			acc.claimed = append(acc.claimed, claimed)
			if cl.transposed != nil {
				acc.transposed = append(acc.transposed, cl.transposed[j])
			}
			acc.tol = append(acc.tol, tol)
			acc.status = append(acc.status, st)
			if c := acc.comparison(0, len(acc.est)-1); st == agreed && finite(c.scale) {
				acc.sumSq += c.scale * c.scale
				acc.finite++
			}
		}
	}
}

// comparison returns comparison j of acc, of the given instance.
func (acc *instanceComparisons) comparison(instance, j int) comparison {
	est, claimed := acc.est[j], acc.claimed[j]
	c := comparison{instance: instance, direction: j / acc.r, output: j % acc.r, fd: est, claimed: claimed,
		transposed: math.NaN(), err: math.Abs(est - claimed), tol: acc.tol[j],
		scale: math.Max(math.Abs(est), math.Abs(claimed)), status: acc.status[j]}
	if j < len(acc.transposed) {
		c.transposed = acc.transposed[j]
	}
	if u := acc.unit; u != 0 {
		// Entrywise: report in units of the gradient's entries.
		c.fd, c.claimed, c.transposed = c.fd/u, c.claimed/u, c.transposed/u
		c.err, c.tol, c.scale = c.err/u, c.tol/u, c.scale/u
	}
	return c
}

// judgeInstance classifies the comparisons of one instance collected in
// acc and passes them to emit, a few thousand at a time, and empties acc.
// Each tolerance is judged against the typical scale of its instance's
// comparisons, since one direction may by chance be nearly orthogonal to
// the gradient; per instance, so that verdicts do not depend on how the
// batch is split into chunks or shards.
func (v *verification) judgeInstance(acc *instanceComparisons, instance int, emit sink) {
	typical := 0.0
	if acc.finite > 0 {
		typical = math.Sqrt(acc.sumSq / float64(acc.finite))
	}
	const batch = 4096
	comps := make([]comparison, 0, min(batch, len(acc.est)))
	for j := range acc.est {
		c := acc.comparison(instance, j)
		if c.status == agreed {
			c.status = classify(c, typical)
		}
		if comps = append(comps, c); len(comps) == batch {
			emit(comps)
			comps = comps[:0]
		}
	}
	if len(comps) > 0 {
		emit(comps)
	}
	*acc = instanceComparisons{unit: acc.unit, est: acc.est[:0], claimed: acc.claimed[:0],
		transposed: acc.transposed[:0], tol: acc.tol[:0], status: acc.status[:0]}
}

// classify decides a comparison of finite values, given the typical scale
// of the comparisons made with it.
func classify(c comparison, typical float64) status {
	switch {
	case !finite(c.fd) || !finite(c.tol):
		return undecided
	case c.err > c.tol:
		return disagreed
	case c.tol > uncertain*math.Max(c.scale, typical):
		return undecided
	}
	return agreed
}
