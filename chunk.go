package gradcheck

import (
	"context"
	"math"
	"runtime"
	"slices"

	"github.com/gradcheck/gradcheck/backend"
	"github.com/gradcheck/gradcheck/formulas"
	"github.com/gradcheck/gradcheck/internal/hugepages"
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
	defer v.closeChunk(ev)
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
	v.evaluations += count
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
	for i := range all {
		// A side that does not depend on the inputs (a constant) is one
		// matrix for the whole chunk.
		all[i] = perInstance(all[i], count)
	}
	d, l, r, ml, mr := all[0], all[1], all[2], all[3], all[4]
	tols := make([]float64, count)
	beyond := false // some comparison exceeds its plain tolerance
	// Below 2⁻¹⁰²² rounding is absolute, up to half the spacing of the
	// subnormal numbers in each entry, which no relative bound covers:
	// (1e-320*X)*3 = 3e-320*X failed with a tolerance of 0 (found by the
	// review helper).
	underflow := safety * float64(v.dim) * math.Sqrt(float64(v.fShape.Rows*v.fShape.Cols)) * math.SmallestNonzeroFloat64
	for i := range tols {
		tols[i] = safety*float64(v.dim)*unitRoundoff*(ml[i]+mr[i]) + underflow + v.s.ATol + v.s.RTol*r[i]
		beyond = beyond || finite(l[i]) && finite(r[i]) && d[i] > tols[i]
	}
	if beyond {
		// A comparison beyond its tolerance is judged again against it
		// widened by each side's sensitivity to its inputs and to the
		// arguments of its ill-conditioned operations, the conditioning
		// that sums of absolute values miss: (AB)⁻¹ = B⁻¹A⁻¹ failed on 6
		// to 8 of 200 Gaussian samples at n = 64 (seeds 1–3), by up to 66
		// times its tolerance. One within it agrees as it is, so that its
		// verdict does not depend on whether another instance of the
		// chunk made the probe run, and an identity that holds costs no
		// more. An input moves once, its rounding is a sum of up to n
		// terms at worst (n u); an argument's, √n u as is typical: with n,
		// inv(A'*A) = 1.000001*inv(A)*inv(A)' failed by only 2.3 times its
		// tolerance at n = 256, and with √n, 20 seeds of ten identities of
		// inverses, solves and determinants at n = 4 to 128 pass.
		for _, side := range []struct {
			e formulas.Expr
			t backend.Tensor
		}{{v.c.F, lhs}, {v.c.Rhs, rhs}} {
			inputs, inner, evaluated, err := v.sensitivity(ev, side.e, side.t)
			if err != nil {
				return err
			}
			if side.e == v.c.F {
				v.evaluations += evaluated * count
			}
			inputs = perInstance(inputs, count)
			inner = perInstance(inner, count)
			for i := range tols {
				if d[i] <= tols[i] {
					continue
				}
				widen := float64(v.dim) * inputs[i]
				if inner != nil {
					widen += math.Sqrt(float64(v.dim)) * inner[i]
				}
				tols[i] += safety * unitRoundoff * widen
			}
		}
	}
	comps := make([]comparison, count)
	for i := range comps {
		scale, tol := math.Max(l[i], r[i]), tols[i]
		c := comparison{instance: first + i, measure: measure{fd: l[i], claimed: r[i], err: d[i], tol: tol, scale: scale}}
		switch {
		case !finite(l[i]):
			c.status = outOfDomain
		case !finite(r[i]):
			c.status = claimBroken
		case d[i] > tol:
			c.status = disagreed
		case !(tol <= uncertain*scale):
			// Both sides are at the level of their rounding error (say
			// logdet of a matrix of determinant 1), or the bound of it
			// overflowed (NaN, which no comparison exceeds: 2·inv(X) =
			// ∫e^(−tX)dt passed so): agreement there verifies nothing.
			c.status = undecided
		}
		comps[i] = c
	}
	emit.emit(comps)
	return nil
}

// finite reports whether x is neither NaN nor infinite: x − x is 0 for a
// finite x and NaN otherwise (one subtraction, where it is called for
// every value of an entrywise check).
func finite(x float64) bool { return x-x == 0 }

// perInstance returns one value per instance of a chunk of count: vals
// itself, or its single value repeated when it comes from a tensor that is
// the same for every instance.
func perInstance(vals []float64, count int) []float64 {
	if len(vals) != 1 || count == 1 {
		return vals
	}
	return filled(count, vals[0])
}

// derivativeChunk checks a grad, diff, jac or hess claim on count
// instances: it evaluates f at X + s·h·H for every direction H and step s,
// combines the values by Richardson extrapolation, and sets each against
// the claim along the same direction.
func (v *verification) derivativeChunk(ctx context.Context, first, count int, emit sink) error {
	return v.derivativeChunkAt(ctx, first, count, -v.coarsen, emit)
}

// derivativeChunkAt is derivativeChunk with the directions shrunk by
// 2^(−shrinkBits·level): an instance whose stencils ask for a smaller
// step (see refines) is verified again alone, one level down. The probe
// of an exact agreement starts at a negative level (see coarsen).
func (v *verification) derivativeChunkAt(ctx context.Context, first, count, level int, emit sink) error {
	ev, smp, err := v.newChunk(ctx, first, count)
	if err != nil {
		return err
	}
	defer v.closeChunk(ev)
	x := ev.vars[v.c.Wrt]
	if v.entrywise() {
		return v.entrywiseChunk(ev, x, first, count, emit)
	}
	smp.shrink, smp.stretch = -shrinkBits*level, v.stretch
	per := v.directionsPerInstance()
	h, h2, err := v.bindDirections(ev, smp, x)
	if err != nil {
		return err
	}

	// A random W reduces a matrix-valued f to ⟨W, f⟩.
	var w backend.Tensor
	if !v.fShape.IsScalar() {
		if w, err = smp.gaussian("w/"+v.c.Name, v.fShape, per); err != nil {
			return err
		}
		ev.bind("w/", w)
	}
	fvals, fmags, kinks, err := v.functionValues(ev, x, h, h2, w)
	if err != nil {
		return err
	}
	var cl claimed
	if v.c.Kind == formulas.Hess {
		cl, err = v.hessianValues(ev, h, h2)
	} else {
		cl, err = v.claimedValues(ev, h, w, nil)
	}
	if err != nil {
		return err
	}
	cl.spread(count*per, len(fvals)/(count*per*len(v.steps())))
	return v.combine(ctx, first, count, per, level, stencilValues{vals: fvals, mags: fmags, kinks: kinks, level: level}, cl, emit)
}

// bindDirections draws the directions H of the chunk's instances (and V,
// the second ones of a hess claim, else nil) and binds them to dX (and
// dX2).
func (v *verification) bindDirections(ev *evaluator, smp *sampler, x backend.Tensor) (h, h2 backend.Tensor, err error) {
	if v.masks != nil {
		h, err = smp.maskedDirections(v.wrt, x, v.masks)
	} else {
		h, err = smp.directions(v.wrt, x, v.s.Dirs)
	}
	if err != nil {
		return nil, nil, err
	}
	ev.bind(v.c.Direction(), h)
	if v.c.Kind == formulas.Hess {
		if h2, err = v.secondDirections(smp, x, h, v.directionsPerInstance()); err != nil {
			return nil, nil, err
		}
		ev.bind(v.c.SecondDirection(), h2)
	}
	return h, h2, nil
}

// secondDirections returns the second directions V of a hess claim, drawn
// independently of the first ones, h, and scaled like them; or h itself for
// a claim written as the quadratic form D²f[dX, dX] (see
// formulas.Claim.SecondDerivativeForm), which states nothing about two
// different directions.
func (v *verification) secondDirections(smp *sampler, x, h backend.Tensor, per int) (backend.Tensor, error) {
	if v.c.SecondDerivativeForm(v.shapes[v.c.Wrt]) && !v.c.Bilinear() {
		return h, nil
	}
	return smp.directionsFrom("dir2/"+v.wrt.Name, v.wrt, x, per)
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
	if len(v.accs) < count {
		v.accs = make([]instanceComparisons, count)
	}
	accs := v.accs[:count]
	var grad hostGradient
	defer func() { ev.recycleHost(grad.g, grad.m) }()
	for i := range accs {
		accs[i].unit = math.Max(1, norms[i])
		if accs[i].counted = emit.each == nil; !accs[i].counted {
			accs[i].reserve(int(v.comparisonsPerInstance()))
		}
	}
	// f's magnitude at the base points, the same for every block, and
	// where the stencil is staged, its value there.
	base, err := v.baseMagnitudes(ev, count, nil)
	if err != nil {
		return err
	}
	defer ev.recycleHost(base)
	var f0 []float64
	if v.staged(count) {
		if f0, err = ev.hostValue(v.c.F, false); err != nil {
			return err
		}
		v.evaluations += count
	}
	for k0 := 0; k0 < per; k0 += block {
		k1 := min(per, k0+block)
		h, err := ev.unitDirections(x, accs, v.wrt.SymSpace, indices(k0, k1), v.stretch)
		if err != nil {
			return err
		}
		ev.bind(v.c.Direction(), h)
		sv, err := v.entryValues(ev, x, h, base, f0, accs, k0)
		var cl claimed
		if err == nil {
			cl, err = v.claimedValues(ev, h, nil, &entryBlock{accs, k0, k1, &grad})
			cl.spread(count*(k1-k0), len(sv.vals)/(count*(k1-k0)*len(v.steps())))
		}
		ev.unbind(v.c.Direction(), true)
		if err != nil {
			return err
		}
		for i := range accs {
			v.addComparisons(&accs[i], i, k1-k0, len(cl.vals)/(count*(k1-k0)), sv, cl)
			if accs[i].counted {
				accs[i].settle(first + i)
			}
		}
		// The comparisons hold what they need of the values.
		ev.recycleHost(sv.vals, sv.mags, cl.vals, cl.mags, cl.transposed)
	}
	for i := range accs {
		if accs[i].fast && !accs[i].counted && v.aliases(ev.ctx, first+i, &accs[i]) {
			// Its stencils aliased, and an entrywise check does not
			// shrink its steps: no disagreement of the instance tells.
			accs[i].undecideDisagreements(math.Inf(1))
		}
		if !accs[i].counted {
			v.undecideIllConditioned(ev.ctx, &accs[i], first+i)
		}
		v.probeZeros(ev.ctx, &accs[i], first+i)
		v.judgeInstance(&accs[i], first+i, emit)
	}
	return nil
}

// staged reports whether an entrywise chunk of count instances evaluates
// its stencils in stages (see entryValues): not for a hess claim, nor for
// an f with kinks, whose sign changes are counted over the whole stencil,
// nor for more than one instance, to which x would not broadcast for the
// subsets of directions evaluated in the later stages (run chunks
// entrywise checks an instance at a time).
func (v *verification) staged(count int) bool {
	return v.c.Kind != formulas.Hess && !formulas.HasKink(v.c.F) && count == 1
}

// A reach is how much of its stencil a direction needed (see entryValues).
type reach uint8

const (
	// fullStencil: ±h, ±h/2 and ±h/4.
	fullStencil reach = iota
	// forwardSettled: +h and +h/2, besides f at the base point; f is
	// affine along the direction to rounding level.
	forwardSettled
	// centralSettled: ±h and ±h/2; f has no h² term along the direction
	// that rounding would not hide.
	centralSettled
)

// rows returns the rows of a stencil of n steps (see verification.steps)
// that a direction of reach r was evaluated at.
func (r reach) rows(n int) []int {
	switch r {
	case forwardSettled:
		return []int{0, 2}
	case centralSettled:
		return indices(0, 4)
	}
	return indices(0, n)
}

// stencilValues holds f along a set of directions: vals, the outputs of f
// at each point of each direction's stencil (rows of r outputs,
// direction-major, NaN at a point not evaluated), mags, f's magnitude at the
// base point (r per direction), kinks, the sign changes of kinked
// arguments within each stencil, for a staged entrywise check (else
// nil) the reach of each direction and base, f at the base point (r
// outputs), and level, how many times the directions were shrunk (see
// refines).
type stencilValues struct {
	vals, mags, base []float64
	kinks            []int
	reach            []reach
	level            int
}

// entryValues evaluates f along the unit directions h of the entries
// k0 ≤ k < k0 + (directions of h), given its magnitudes base and (when
// staged) its values f0 at the instances' base points. A staged stencil is
// evaluated in three stages, each only for the directions the ones before
// did not settle, so that an entry costs what f's shape along it needs:
//
//   - +h and +h/2. Where, for every output, the forward differences
//     F(h) = [f(X+hH) − f(X)]/h and F(h/2) agree to within their rounding
//     error (4ε_f/h), f is affine along the entry (as det and tr(AXB) are
//     along every entry), and F(h) is the estimate: 2 evaluations (unless
//     its tolerance would be too uncertain; see settles).
//   - −h and −h/2. Where the central differences D(h) and D(h/2) agree to
//     within theirs (3ε_f/h), f has no h² term that rounding would not hide
//     (it is quadratic there, as ‖Ax − b‖² is), and R(h) is the estimate:
//     4 evaluations.
//   - ±h/4, the full stencil: 6 evaluations.
//
// Otherwise every direction takes the full stencil at once. The choice is
// made direction by direction, so it does not depend on how the entries
// are split into blocks.
func (v *verification) entryValues(ev *evaluator, x, h backend.Tensor, base, f0 []float64, accs []instanceComparisons, k0 int) (stencilValues, error) {
	full, dirs := len(v.steps()), h.Layout().Count
	sv := stencilValues{mags: ev.repeatRows(base, x.Layout().Count, dirs)}
	if !v.staged(x.Layout().Count) {
		var err error
		sv.vals, sv.kinks, err = v.pointValues(ev, x, h, nil, nil, indices(0, full))
		return sv, err
	}
	r := len(sv.mags) / dirs
	sv.base, sv.kinks, sv.reach = f0, make([]int, dirs), make([]reach, dirs)
	sv.vals = ev.hostSlice(dirs * full * r)
	stages := []struct {
		rows    []int
		settled reach
	}{{[]int{0, 2}, forwardSettled}, {[]int{1, 3}, centralSettled}, {[]int{4, 5}, fullStencil}}
	open := indices(0, dirs) // the directions not settled yet
	for _, stage := range stages {
		hs := h
		if len(open) < dirs {
			var err error
			if hs, err = ev.unitDirections(x, accs, v.wrt.SymSpace, offset(open, k0), v.stretch); err != nil {
				return sv, err
			}
		}
		err := v.evaluateRows(ev, x, hs, open, stage.rows, sv.vals, r)
		if hs != h {
			ev.release(hs)
		}
		if err != nil {
			return sv, err
		}
		var still []int
		evaluated := stage.settled.rows(full)
		for _, d := range open {
			if vals := sv.vals[d*full*r : (d+1)*full*r]; v.settles(stage.settled, vals, f0, sv.mags[d*r:(d+1)*r]) {
				sv.reach[d] = stage.settled
				for s := range full {
					if !slices.Contains(evaluated, s) {
						fill(vals[s*r:(s+1)*r], math.NaN())
					}
				}
			} else {
				still = append(still, d)
			}
		}
		if open = still; len(open) == 0 {
			break
		}
	}
	return sv, nil
}

// evaluateRows evaluates f at the given rows of the stencils of the
// directions dirs, whose unit directions h holds in that order, into vals
// (the full stencil's rows of r outputs, direction-major).
func (v *verification) evaluateRows(ev *evaluator, x, h backend.Tensor, dirs, rows []int, vals []float64, r int) error {
	got, _, err := v.pointValues(ev, x, h, nil, nil, rows)
	if err != nil {
		return err
	}
	defer ev.recycleHost(got)
	full := len(v.steps())
	for j, d := range dirs {
		for q, s := range rows {
			copy(vals[(d*full+s)*r:(d*full+s+1)*r], got[(j*len(rows)+q)*r:(j*len(rows)+q+1)*r])
		}
	}
	return nil
}

// settles reports whether a direction's stencil values vals (the full
// stencil's rows of r outputs) settle it at reach r, given f0 and mags, f and
// its magnitude at the base point (r outputs each): for forwardSettled,
// whether in every output the forward differences F(h) and F(h/2) differ by
// no more than the rounding error they carry, 4ε_f/h (2ε_f/h and
// 4ε_f/h, whose noise in f(X) cancels in part but is counted in full); for
// centralSettled, whether the central differences D(h) and D(h/2) differ by
// no more than 3ε_f/h (ε_f/h and 2ε_f/h; see addComparisons). A direction
// settles at the forward stage only where, besides, its tolerance there
// (safety × forwardBound, looser than the central stage's) stays below
// uncertain × its largest estimate, so that a derivative near rounding
// level (or 0, where f does not depend on the entry) gets the central
// stage's tighter tolerance rather than an inconclusive verdict. The full
// stencil settles every direction. A value that is not finite settles
// nothing but the full stencil.
func (v *verification) settles(at reach, vals, f0, mags []float64) bool {
	if at == fullStencil {
		return true
	}
	sqrtN := math.Sqrt(float64(v.dim))
	r := len(mags)
	var bound, scale float64 // the forward stage's largest bound and estimate
	for o := range r {
		var d1, d2, noise float64
		epsF := sqrtN * unitRoundoff * math.Abs(mags[o])
		if at == forwardSettled {
			d1, d2 = forwardDifferences(vals[o:], r, f0[o])
			noise = 4
			bound, scale = math.Max(bound, forwardBound(d1, d2, epsF)), math.Max(scale, math.Abs(d1))
		} else {
			d1, d2 = centralDifferences(vals[o:], r)
			noise = 3
		}
		if !(math.Abs(d1-d2) <= noise*epsF/step) {
			return false
		}
	}
	// The forward stage's tolerance is looser than the central one's: a
	// direction along which it would be too uncertain to decide goes on.
	return at != forwardSettled || safety*bound <= uncertain*scale
}

// converges reports whether the central differences D(h), D(h/2) and
// D(h/4) of a stencil, whose estimate is est, approach their limit as the
// step halves, as the Richardson steps assume: D(h) = Df[H] + c₂h² + c₄h⁴
// + … makes D(h/2) − D(h/4) a quarter of D(h) − D(h/2) where c₂h² leads,
// a sixteenth where c₄h⁴ does, and at most half of it unless h is near the
// radius of convergence of the series (c₄h² ≈ −c₂/2), or beyond it, where
// a singularity of f lies within the step (tr(X⁻¹) at a sample with
// σ_min(X) below h·‖H‖): the differences then grow as the step shrinks,
// by as much as the estimate itself, and neither the extrapolation nor its
// bound means anything (the estimate was 1/15 of the true derivative in
// one such case). Differences below 10⁻³ of the estimate, or within 10
// times the rounding error they carry (D(h/2) − D(h/4): 6ε_f/h), are
// noise, and converge: a sum of 5000 terms, whose rounding error ε_f
// underestimates, or an adaptive quadrature's choice of panels, which
// moves f by up to 10⁻¹⁰ of the integral between the points of a stencil.
func converges(d1, d2, d4, est, epsF float64) bool {
	later := math.Abs(d2 - d4)
	return later <= math.Abs(d1-d2)/2 || later <= safety*6*epsF/step || later <= noiseFraction*math.Abs(est)
}

// noiseFraction is the relative size below which the differences of a
// stencil are taken for noise rather than divergence (see converges).
const noiseFraction = 1e-3

// forwardBound bounds the error of the forward difference F(h), given F(h)
// and F(h/2) and the rounding error ε_f of f (see addComparisons).
func forwardBound(d1, d2, epsF float64) float64 {
	return 2*math.Abs(d1-d2) + (2+8)*epsF/step
}

// forwardDifferences returns F(h) = [f(X+hH) − f(X)]/h and F(h/2) from a
// stencil's rows 0 and 2 (the steps +h and +h/2), row s at vals[s·r], and
// f0 = f(X).
func forwardDifferences(vals []float64, r int, f0 float64) (d1, d2 float64) {
	return (vals[0] - f0) / step, 2 * (vals[2*r] - f0) / step
}

// centralDifferences returns D(h) = [f(X+hH) − f(X−hH)]/(2h) and D(h/2)
// from the values of a stencil's rows 0 to 3 (the steps ±h, ±h/2), row s
// at vals[s·r].
func centralDifferences(vals []float64, r int) (d1, d2 float64) {
	return (vals[0] - vals[r]) / (2 * step), (vals[2*r] - vals[3*r]) / step
}

// fill sets every value of s to x.
func fill(s []float64, x float64) {
	for i := range s {
		s[i] = x
	}
}

// reduce downloads t, one row of outputs per stored matrix: ⟨W, t⟩ when w is
// set, else every entry. mag selects |W| for reducing a magnitude.
func (ev *evaluator) reduce(t, w backend.Tensor, mag bool) ([]float64, error) {
	if w == nil {
		return ev.download(t)
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
	return ev.download(d)
}

// perturbedBytes bounds the size of the perturbed points functionValues
// evaluates at once: larger batches go a few steps at a time, so that a
// large n does not touch four times the memory it needs. A variable, so
// that tests can split small checks.
var perturbedBytes = 8 << 20

// functionValues evaluates f at every perturbed point X + s·H (+ t·V for
// the second directions h2 of a hess claim), reduced to scalars
// (count·per·steps rows of outputs), the magnitude of f at each instance's
// base point (count·per rows, expanded over directions), and for each
// stencil (count·per) the number of entries of arguments of relu, step and
// abs that change sign within it. A claim whose f has such a kink is
// evaluated a whole stencil at a time, so that the sign changes are seen.
func (v *verification) functionValues(ev *evaluator, x, h, h2, w backend.Tensor) (vals, mags []float64, kinks []int, err error) {
	if vals, kinks, err = v.pointValues(ev, x, h, h2, w, indices(0, len(v.steps()))); err != nil {
		return nil, nil, nil, err
	}
	mags, err = v.baseMagnitudes(ev, h.Layout().Count, w)
	return vals, mags, kinks, err
}

// pointValues evaluates f at the points X + s·H (+ t·V) of the given rows
// of steps for every direction, reduced like functionValues: row
// (d·len(rows) + j) holds direction d (instance-major), step rows[j]. A
// kinked f is evaluated at every step at once (rows must span the
// stencil), and the sign changes of its kinks counted per stencil.
func (v *verification) pointValues(ev *evaluator, x, h, h2, w backend.Tensor, rows []int) (vals []float64, kinks []int, err error) {
	nS := len(rows)
	hl := h.Layout()
	group := min(nS, max(1, perturbedBytes/(hl.Size()*8)))
	if group == nS || formulas.HasKink(v.c.F) {
		group = nS
		ev.stencil, ev.stencilCount, ev.kinks = nS, hl.Count*nS, make([]int, hl.Count)
		vals, err = v.stepValues(ev, x, h, h2, w, rows)
		kinks, ev.stencil, ev.kinks = ev.kinks, 0, nil
	}
	for g0 := 0; g0 < nS && group < nS && err == nil; g0 += group {
		g := min(group, nS-g0)
		var part []float64
		if part, err = v.stepValues(ev, x, h, h2, w, rows[g0:g0+g]); err != nil {
			break
		}
		// Row (d·g + s) of part is row (d·nS + g0 + s) of vals.
		r := len(part) / (hl.Count * g)
		if vals == nil {
			vals = ev.hostSlice(hl.Count * nS * r)
		}
		for d := range hl.Count {
			copy(vals[(d*nS+g0)*r:(d*nS+g0+g)*r], part[d*g*r:(d+1)*g*r])
		}
		ev.recycleHost(part)
	}
	if err != nil {
		return nil, nil, err
	}
	if kinks == nil {
		kinks = make([]int, hl.Count)
	}
	return vals, kinks, nil
}

// baseMagnitudes returns the magnitude of f at each instance's base point,
// reduced like f (through |W| where w is set), one row per direction of
// dirs, instance-major.
func (v *verification) baseMagnitudes(ev *evaluator, dirs int, w backend.Tensor) ([]float64, error) {
	mf, err := ev.magnitude(v.c.F)
	if err != nil {
		return nil, err
	}
	defer ev.release(mf)
	if w != nil {
		// Expand the per-instance magnitude over directions to meet W.
		mfe, err := ev.expand(mf, dirs)
		if err != nil {
			return nil, err
		}
		defer ev.release(mfe)
		return ev.reduce(mfe, w, true)
	}
	raw, err := ev.download(mf)
	if err != nil {
		return nil, err
	}
	defer ev.recycleHost(raw)
	return ev.repeatRows(raw, mf.Layout().Count, dirs), nil
}

// repeatRows returns the have rows of raw repeated to want rows (want a
// multiple of have), each as many times in turn: values per instance, or
// one for the whole chunk, spread over the directions.
func (ev *evaluator) repeatRows(raw []float64, have, want int) []float64 {
	per, r := want/have, len(raw)/have
	out := ev.hostSlice(want * r)
	for j := range want {
		copy(out[j*r:(j+1)*r], raw[(j/per)*r:(j/per+1)*r])
	}
	return out
}

// stepValues evaluates f at X + s·H (+ t·V) for the given rows of steps
// (and secondSteps) and every direction H of h (V of h2), reduced like
// functionValues: row (d·len(rows) + j) holds direction d
// (instance-major), step rows[j].
func (v *verification) stepValues(ev *evaluator, x, h, h2, w backend.Tensor, rows []int) ([]float64, error) {
	hl := h.Layout()
	o := ev.ops()
	// multiples returns the step of every point, each direction's steps
	// in turn.
	multiples := func(steps []float64) backend.Tensor {
		st := make([]float64, hl.Count*len(rows))
		for i := range st {
			st[i] = steps[rows[i%len(rows)]]
		}
		return o.fromHost(backend.Layout{Count: len(st), Rows: 1, Cols: 1}, st)
	}
	var xs backend.Tensor
	if h2 == nil {
		// X + t·H in one pass over the points.
		xs = o.addScaled(x, multiples(v.steps()), h)
	} else {
		dx := o.elementwise(backend.Add, o.scale(multiples(v.steps()), h), o.scale(multiples(v.secondSteps()), h2))
		xs = o.elementwise(backend.Add, x, dx)
	}
	xs, err := o.result(xs)
	if err != nil {
		return nil, err
	}
	f, err := ev.valueWith(v.c.Wrt, xs, v.c.F)
	ev.bind(v.c.Wrt, x)
	v.evaluations += hl.Count * len(rows)
	if err != nil {
		return nil, err
	}
	defer ev.release(f)
	if want := hl.Count * len(rows); f.Layout().Count != want {
		// f does not read the variable (tr(A) with respect to X): one
		// value per instance, or one for the chunk, stands for all its
		// points.
		fe, err := ev.expand(f, want)
		if err != nil {
			return nil, err
		}
		defer ev.release(fe)
		f = fe
	}
	return ev.reduce(f, w, false)
}

// expand returns t, of one matrix per instance or one for the whole chunk,
// repeated to count matrices, each standing for the consecutive ones that
// share it (package backend's broadcasting): the points or directions of
// its instance.
func (ev *evaluator) expand(t backend.Tensor, count int) (backend.Tensor, error) {
	ones, err := ev.b.FromHost(backend.Layout{Count: count, Rows: 1, Cols: 1}, filled(count, 1))
	if err != nil {
		return nil, err
	}
	defer ev.release(ones)
	return ev.b.Scale(ones, t)
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

// spread expands the values of a claim that does not depend on the
// directions (say tr(A) as the differential of tr(X)): stored as one
// matrix per instance, or one for the whole chunk, each standing for the
// directions that share it (package backend's broadcasting), to n rows of
// r outputs, one per direction, like f's.
func (cl *claimed) spread(n, r int) {
	rep := func(x []float64) []float64 {
		m := len(x) / max(r, 1)
		if m == 0 || m >= n || n%m != 0 {
			return x
		}
		out := make([]float64, 0, n*r)
		for j := range m {
			for range n / m {
				out = append(out, x[j*r:(j+1)*r]...)
			}
		}
		return out
	}
	cl.vals, cl.mags, cl.transposed = rep(cl.vals), rep(cl.mags), rep(cl.transposed)
}

// entryBlock describes the directions of an entrywise check's block: the
// unit directions of the entries k0 ≤ k < k1 (unitDirections).
type entryBlock struct {
	accs   []instanceComparisons
	k0, k1 int
	// grad holds a grad claim's gradient, shared by the blocks of a
	// chunk: the first block fills it, the others read it.
	grad *hostGradient
}

// hostGradient is a grad claim's gradient G and its magnitude on the host,
// one matrix per instance (or one for the whole chunk, where G does not
// depend on X), in the layout of the variable. It does not depend on the
// directions, so an entrywise check evaluates and downloads it once for
// all its blocks.
type hostGradient struct {
	g, m []float64
	l    backend.Layout
}

// claimedValues evaluates the claim along every direction h: grad ⟨G, H⟩;
// diff the claimed Df[H]; jac J·H (J·vec(H) for a matrix variable); hess Hᵀ·Hess·H (vector variable) or the
// claimed D²f[H,H] (matrix variable). Where h holds the unit directions of
// entries (entries is set) a grad claim's values are read off G's entries.
func (v *verification) claimedValues(ev *evaluator, h, w backend.Tensor, entries *entryBlock) (claimed, error) {
	var out claimed
	if entries != nil && entries.grad != nil && entries.grad.g != nil {
		return ev.gradEntries(entries.grad, v.wrt.SymSpace, entries), nil
	}
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
	case v.c.Kind == formulas.Jac && v.shapes[v.c.Wrt].Cols == 1:
		along = ev.b.MatMul
	case v.c.Kind == formulas.Jac:
		// A matrix variable: the columns of J are those of vec(X), and
		// J·vec(H) is vec(Df[H]).
		along = func(j, h backend.Tensor) (backend.Tensor, error) {
			vh, err := ev.b.Vec(h)
			if err != nil {
				return nil, err
			}
			defer ev.release(vh)
			return ev.b.MatMul(j, vh)
		}
	}
	if along == nil {
		// diff: the claim is Df[H] itself.
		if out.vals, err = ev.reduce(rhs, w, false); err != nil {
			return out, err
		}
		out.mags, err = ev.reduce(mrhs, w, true)
		return out, err
	}
	if sh, l := v.shapes[v.c.Wrt], rhs.Layout(); entries != nil && v.c.Kind == formulas.Grad && w == nil &&
		l.Rows == sh.Rows && l.Cols == sh.Cols && mrhs.Layout().Rows == l.Rows && mrhs.Layout().Cols == l.Cols {
		g := &hostGradient{l: l}
		if g.g, err = ev.download(rhs); err != nil {
			return out, err
		}
		if g.m, err = ev.download(mrhs); err != nil {
			ev.recycleHost(g.g)
			return out, err
		}
		if entries.grad != nil {
			*entries.grad = *g
		} else {
			// No other block will read it.
			defer ev.recycleHost(g.g, g.m)
		}
		return ev.gradEntries(g, v.wrt.SymSpace, entries), nil
	}
	absH, err := ev.b.Map(backend.Abs, h)
	if err != nil {
		return out, err
	}
	defer ev.release(absH)
	if out.vals, err = ev.alongReduced(along, rhs, h, w, false); err != nil {
		return out, err
	}
	if out.mags, err = ev.alongReduced(along, mrhs, absH, w, true); err != nil {
		return out, err
	}
	if l := rhs.Layout(); l.Rows == l.Cols && l.Rows > 1 {
		var rt backend.Tensor
		if rt, err = ev.b.Transpose(rhs); err != nil {
			return out, err
		}
		defer ev.release(rt)
		out.transposed, err = ev.alongReduced(along, rt, h, w, false)
	}
	return out, err
}

// hessianValues evaluates a hess claim on the directions H (h) and V (h2):
// the bilinear form Hᵀ·Hess·V of a claimed Hessian matrix (vector
// variable), or the claimed D²f[H, V] itself (a claim written in the
// directions, see formulas.Claim.SecondDerivativeForm; V = H for one
// written with dX alone). Its transposed values are the claim with H
// and V swapped, which differ from its values only where the claim is not
// symmetric, as a Hessian is.
func (v *verification) hessianValues(ev *evaluator, h, h2 backend.Tensor) (claimed, error) {
	var out claimed
	var err error
	if v.c.SecondDerivativeForm(v.shapes[v.c.Wrt]) {
		values := func(a, b backend.Tensor) ([]float64, error) {
			ev.bind(v.c.Direction(), a)
			ev.bind(v.c.SecondDirection(), b)
			return ev.hostValue(v.c.Rhs, false)
		}
		if out.vals, err = values(h, h2); err != nil {
			return out, err
		}
		if out.mags, err = ev.hostValue(v.c.Rhs, true); err != nil {
			return out, err
		}
		if h2 != h {
			out.transposed, err = values(h2, h)
		}
		return out, err
	}
	o := ev.ops()
	hess := o.add(ev.value(v.c.Rhs))
	mhess := o.add(ev.magnitude(v.c.Rhs))
	bilinear := func(m, a, b backend.Tensor) []float64 {
		return o.host(o.dot(a, o.matMul(m, b)))
	}
	out.vals = bilinear(hess, h, h2)
	out.transposed = bilinear(hess, h2, h)
	out.mags = bilinear(mhess, o.mapEach(backend.Abs, h), o.mapEach(backend.Abs, h2))
	_, err = o.result(nil)
	return out, err
}

// hostValue evaluates e, or its magnitude, and downloads it.
func (ev *evaluator) hostValue(e formulas.Expr, magnitude bool) ([]float64, error) {
	eval := ev.value
	if magnitude {
		eval = ev.magnitude
	}
	o := ev.ops()
	vals := o.host(o.add(eval(e)))
	_, err := o.result(nil)
	return vals, err
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

// gradEntries returns a grad claim's values along the unit directions of
// the entries in b, read off the claimed gradient and its magnitude in g
// rather than summed as ⟨G, u·E_k⟩ over all n² entries of each direction:
// the same numbers (a dot product with one nonzero term, or two for an
// off-diagonal direction (E_rc + E_cr)/2 of a symmetric variable, summed in
// the same order), with O(1) work per direction instead of O(n²).
func (ev *evaluator) gradEntries(g *hostGradient, sym bool, b *entryBlock) claimed {
	var out claimed
	l, gh, mh := g.l, g.g, g.m
	dim, n := l.Rows*l.Cols, b.k1-b.k0
	square := l.Rows == l.Cols && l.Rows > 1
	out.vals, out.mags = ev.hostSlice(len(b.accs)*n), ev.hostSlice(len(b.accs)*n)
	if square {
		out.transposed = ev.hostSlice(len(b.accs) * n)
	}
	for i := range b.accs {
		// A claim that does not depend on X is stored once for the chunk.
		gi, mi := gh[i*dim%len(gh):][:dim], mh[i*dim%len(mh):][:dim]
		u := b.accs[i].unit
		for k := b.k0; k < b.k1; k++ {
			j := i*n + k - b.k0
			r, c := k/l.Cols, k%l.Cols
			kt := c*l.Cols + r
			if sym && r != c {
				lo, hi := min(k, kt), max(k, kt)
				out.vals[j] = u/2*gi[lo] + u/2*gi[hi]
				out.mags[j] = u/2*mi[lo] + u/2*mi[hi]
				if square {
					out.transposed[j] = u/2*gi[hi] + u/2*gi[lo]
				}
				continue
			}
			out.vals[j], out.mags[j] = u*gi[k], u*mi[k]
			if square {
				out.transposed[j] = u * gi[kt]
			}
		}
	}
	return out
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

// unitDirections returns, for every instance i of x, the directions
// u·E_k for the entries k of the variable, with u = accs[i].unit. With sym
// (a variable in the space of symmetric matrices) the direction of an
// off-diagonal entry is u·(E_k + E_kᵀ)/2.
func (ev *evaluator) unitDirections(x backend.Tensor, accs []instanceComparisons, sym bool, entries []int, stretch float64) (backend.Tensor, error) {
	l := x.Layout()
	dim, n := l.Rows*l.Cols, len(entries)
	data := ev.hostSlice(l.Count * n * dim)
	defer ev.recycleHost(data)
	clear(data)
	for i := range accs {
		u := accs[i].unit
		if stretch != 0 {
			u *= stretch // see verification.aliases
		}
		for j, k := range entries {
			d := data[(i*n+j)*dim : (i*n+j+1)*dim]
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

// indices returns the integers lo ≤ k < hi.
func indices(lo, hi int) []int {
	ks := make([]int, hi-lo)
	for j := range ks {
		ks[j] = lo + j
	}
	return ks
}

// offset returns ks, each plus k.
func offset(ks []int, k int) []int {
	out := make([]int, len(ks))
	for j, kj := range ks {
		out[j] = kj + k
	}
	return out
}

// combine forms the Richardson estimates and the comparisons of count
// instances with per directions each, from the stencils sv, at the given
// level of refinement, and passes them to emit an instance at a time; a
// stencil across a kink (sv.kinks, per instance and direction) is left
// out, as kinked. Values are laid out instance-major: row
// ((i·per + k)·steps + s) of sv.vals holds the r outputs of f at instance
// i, direction k, step s. An instance whose stencils ask for a smaller
// step (see refines) is verified again alone, one level down, in its
// place, so that instances still reach emit in order.
func (v *verification) combine(ctx context.Context, first, count, per, level int, sv stencilValues, cl claimed, emit sink) error {
	var acc instanceComparisons
	r := len(cl.vals) / (count * per)
	for i := range count {
		acc.counted = emit.each == nil
		v.addComparisons(&acc, i, per, r, sv, cl)
		if level < maxRefinements && v.coarsen == 0 && (v.refines(&acc) || level == 0 && acc.fast && v.aliases(ctx, first+i, &acc)) {
			acc.reset()
			if err := v.derivativeChunkAt(ctx, first+i, 1, level+1, emit); err != nil {
				return err
			}
			continue
		}
		if level > 0 {
			acc.undecideDisagreements(uncertain)
		}
		v.undecideIllConditioned(ctx, &acc, first+i)
		if acc.counted {
			acc.settle(first + i)
		}
		v.probeZeros(ctx, &acc, first+i)
		v.judgeInstance(&acc, first+i, emit)
	}
	return nil
}

// aliasRatio is the ratio of a disagreeing estimate to its claim below
// which aliases looks again: a stencil that aliases over N periods of f
// estimates the truth times δ/h, below 2/N of it, and looks smooth only
// where δ is small against a period (at ⅛, an entrywise check of
// Σ sin(10⁴X) at n = 5, 4 periods to its step, still failed at one
// instance, its estimate −1/7 of the truth). Factor-2 and sign mistakes
// stay above it.
const aliasRatio = 1.0 / 4

// aliasStretch is the factor, no power of 2, by which aliases scales the
// directions: 1/√2, so that steps that are near multiples of a period of
// f are not so again.
const aliasStretch = math.Sqrt2 / 2

// aliases reports whether the stencils of an instance, in acc, may have
// aliased: verified again with its directions scaled by aliasStretch, one
// of its estimates moves by more than the two tolerances. A stencil of
// steps h, h/2 and h/4 across many periods of a periodic f sees it at the
// steps' remainders modulo 4, 2 and 1 periods, δ, δ/2 and δ/4, which look
// smooth: the true gradient of sin(10⁵x) failed, its estimates the truth
// times δ/h, converged and tight. Where the estimates move, the instance
// is verified with smaller steps, as where its stencils do not converge
// (see refines). Only disagreements whose estimate is far below the
// claim call for it (see instanceComparisons.fast): not the factor-2,
// sign or layout mistakes of a smooth f, nor their cost.
func (v *verification) aliases(ctx context.Context, instance int, acc *instanceComparisons) bool {
	if v.stretch != 0 {
		return false
	}
	re := v.alone(instance)
	re.stretch = aliasStretch
	defer func() { v.evaluations = re.evaluations }()
	comps, complete, err := re.collect(ctx, len(acc.est))
	if err != nil || !complete || len(comps) != len(acc.est) {
		return false
	}
	for j, c := range comps {
		// In the units comparison gives both (an entrywise check's
		// entries). A stencil that no longer converges at the other
		// step (where an entrywise check, which does not shrink, leaves
		// it) did not converge by chance alone at the first.
		m := acc.measure(j)
		if m.err > m.tol && c.status == undecided || finite(c.fd) && finite(m.fd) && math.Abs(c.fd-m.fd) > c.tol+m.tol {
			return true
		}
	}
	return false
}

// alone returns a copy of v that verifies the given instance alone, for
// the checks of one instance made while a chunk is verified (aliases,
// changesBelowRounding): without the entrywise chunk's comparisons, which
// are in use. Its evaluations start at v's.
func (v *verification) alone(instance int) *verification {
	re := *v
	re.s.Instance, re.s.InstanceFrom, re.s.InstanceTo = instance, 0, 0
	re.accs = nil
	return &re
}

// probeZeros looks again at an instance whose every agreement, in acc, is
// of a finite difference of exactly 0 with a claim of exactly 0, as where
// f does not change at the steps of the stencil: where f changes along
// longer directions by less than its rounding at the step (see
// changesBelowRounding), those agreements are made undecided.
func (v *verification) probeZeros(ctx context.Context, acc *instanceComparisons, instance int) {
	if v.coarsen == 0 && v.stretch == 0 && acc.finite > 0 && acc.sumSq == 0 && v.changesBelowRounding(ctx, instance, acc.zeroTol) {
		acc.undecideZeros()
	}
}

// maxCoarsening is how many times changesBelowRounding lengthens the
// directions by 2^shrinkBits: to 2¹² times the step, a few times ‖X‖.
const maxCoarsening = 3

// changesBelowRounding reports whether f changes at an instance whose
// finite differences were all exactly 0, and by less than their
// tolerance tol: a change lost to f's rounding at the step, not one of f
// being constant there. f may not depend on the variable (tr(A) in X), or
// be constant near the sample (a ReLU layer with no unit active, step),
// and a claim of 0 is then right; but the gradient of 10¹² + 10⁻³·Σx,
// whose change at the step is a hundredth of its last bit, passed so
// when claimed 0. It verifies the instance along random directions 16,
// 256 and 4096 times as long, until f changes along one: by a derivative
// within tol, the change a stencil of the usual step could not see, or
// else by more, which a smooth f would have shown at the step (a kink
// crossed, a unit made active). Stencils that straddle a kink are left
// out, as in the check.
func (v *verification) changesBelowRounding(ctx context.Context, instance int, tol float64) bool {
	re := v.alone(instance)
	re.s.Mode, re.masks = Directional, nil
	defer func() { v.evaluations = re.evaluations }()
	for re.coarsen = 1; re.coarsen <= maxCoarsening; re.coarsen++ {
		comps, _, err := re.collect(ctx, maxKept)
		if err != nil {
			return false
		}
		changed := false
		for _, c := range comps {
			if c.status == kinked || c.status == outOfDomain || c.claimed != 0 || c.fd == 0 || !finite(c.fd) {
				continue
			}
			if math.Abs(c.fd) <= tol {
				return true
			}
			changed = true
		}
		if changed {
			return false
		}
	}
	return false
}

// undecideZeros makes every agreement of acc's instance undecided, all of
// them of 0 against 0 (see probeZeros): those the arrays hold, and those
// settle has tallied already.
func (acc *instanceComparisons) undecideZeros() {
	for j, st := range acc.status {
		if st == agreed && acc.est[j] == 0 && acc.claimed[j] == 0 {
			acc.status[j] = undecided
		}
	}
	t := &acc.tallied
	if t.counts.Agreed == 0 {
		return
	}
	t.counts.Uncertain += t.counts.Agreed
	t.counts.Agreed = 0
	if first := t.first[agreed]; !t.seen[undecided] || first.before(&t.first[undecided]) {
		first.status = undecided
		t.first[undecided], t.seen[undecided] = first, true
	}
	t.seen[agreed], t.hasWorst, t.worst, t.worstRatio, t.hasLeast = false, false, comparison{}, 0, false
}

// undecideDisagreements makes the comparisons of acc that disagree by at
// most within of their values undecided (every one for within +Inf).
//
// Within uncertain: those of an instance verified with a smaller step
// (see refines), which may lie near a singularity of f. There the rounding
// errors of f and the claim grow with the condition number, which the
// magnitudes do not see, so that the tolerance no longer bounds them: the
// true ∇ log det(X²) = 2X⁻ᵀ missed by 1.5·10⁻⁸ of its value at h/16,
// beyond its tolerance (Gaussian X, n = 64, seed 4, instance 144; 7.7·10⁻⁹
// against 1.1·10⁻⁹ at seed 8, instance 9). An agreement within a
// tolerance small against the values is still evidence (rounding errors
// do not make a wrong claim agree), and so is a disagreement by more than
// a tenth of the values, far beyond such rounding: a factor, sign or
// layout mistake. Made undecided too, those of a periodic f, whose
// stencils do not converge or alias at every instance (see aliases), left
// a claim ten times the gradient of sin(10⁵x) inconclusive (found by the
// review helper). A wrong claim off by less is still caught at the other
// instances.
//
// Every one: those of an entrywise check whose stencils aliased (see
// aliases), where the true gradient of Σ sin(10⁴X) failed at n = 5, its
// estimates a thousandth of the truth at every entry of an instance; acc
// holds them all (not counted).
func (acc *instanceComparisons) undecideDisagreements(within float64) {
	for j, st := range acc.status {
		err := math.Abs(acc.est[j] - acc.claimed[j])
		if st == agreed && !(err <= acc.tol[j]) && !(err > within*math.Max(math.Abs(acc.est[j]), math.Abs(acc.claimed[j]))) {
			acc.status[j] = undecided
		}
	}
}

// refines reports whether the comparisons of an instance that acc holds
// (all of them: a random-direction check) ask for a smaller step: one of
// them is undecided because its differences do not converge (see
// converges), or agrees with a tolerance too loose to decide at its own
// or the instance's typical scale (see measure.classify) that the
// truncation error dominates, which a smaller step shrinks as h⁴ (h² for
// a Hessian) while rounding grows only as 1/h (1/h²); for a Hessian,
// whose two steps give no test of convergence, also one that disagrees
// with a tolerance, mostly truncation, too loose against its own finite
// difference (tr(X⁻¹)'s true Hessian failed so at nearly singular
// samples, the estimate 10⁻⁴ of the claim). These come of a
// sample near a singularity of f (a nearly singular X under X⁻¹), whose
// distance is the step's natural scale; elsewhere h is small enough and
// nothing is evaluated again.
func (v *verification) refines(acc *instanceComparisons) bool {
	typical, second := acc.typical(), v.c.Kind == formulas.Hess
	for j, st := range acc.status {
		switch {
		case st == undecided:
			return true
		case st != agreed:
			continue
		}
		m := acc.measure(j)
		if !(2*acc.trunc[j] > m.tol) {
			continue // mostly rounding error, which a smaller step would grow
		}
		if m.err <= m.tol && m.tol > uncertain*math.Max(m.scale, typical) ||
			second && m.err > m.tol && m.tol > uncertain*math.Abs(m.fd) {
			return true
		}
	}
	return false
}

// instanceComparisons collects the comparisons of one instance as their
// values come in, in a compact form: they can only be classified for good
// once all are in (see judgeInstance), and an entrywise check of a
// matrix-valued f at n = 32 makes a million per instance (n⁴). Where they
// are only counted, it holds one block of them at a time and keeps only
// the few that wait on the instance's typical scale (see settle): 21
// instead of 48 MB resident for `run diff-inv --mode entrywise --size
// n=32 --batch 1`, 31 MB instead of 451 MB at n = 64.
type instanceComparisons struct {
	// unit is the size of the unit steps of an entrywise check, by which
	// the comparisons are divided to report them in units of the entries
	// of the gradient; 0 for random directions.
	unit float64
	// The raw values of each comparison, in the order (direction, output);
	// transposed is empty where the claim has no transpose (then NaN).
	// trunc is the part of tol that bounds the truncation error, for
	// random directions only (see refines).
	est, claimed, transposed, tol, trunc []float64
	status                               []status
	// r is the number of outputs per direction.
	r int
	// sumSq and finite sum the squared scales of the finite agreeing
	// comparisons, in order: their root mean square is the typical size
	// of a directional derivative along a random direction.
	sumSq  float64
	finite int
	// fast is set where a comparison disagrees with an estimate below
	// aliasRatio of the claim: f may vary on a scale below the step, and
	// the stencil alias (see verification.aliases).
	fast bool
	// zeroTol is the largest tolerance of the agreements of exactly 0
	// against 0, for the probe of an instance that has only those (see
	// verification.changesBelowRounding).
	zeroTol float64
	// counted is set where the comparisons are only counted (a sink with
	// a tally alone): each block's are then judged as they come (settle)
	// and not kept, but for the few whose verdict waits on the typical
	// scale of the instance, pending. offset is the index in the instance
	// of the first comparison the arrays hold, and tallied tallies those
	// before it.
	counted bool
	offset  int
	tallied tally
	pending []comparison
}

// reserve makes room for n comparisons in acc, which holds none.
func (acc *instanceComparisons) reserve(n int) {
	acc.est, acc.claimed, acc.tol = room(acc.est, n), room(acc.claimed, n), room(acc.tol, n)
	acc.status = slices.Grow(acc.status[:0], n)
}

// room returns s emptied, with room for n values: new storage, advised for
// huge pages, where s has less. An entrywise check of a matrix-valued f at
// n = 64 makes 16.7 million comparisons per instance, whose half gigabyte
// cost 2.4 s of page faults on the VM as 4 KiB pages.
func room(s []float64, n int) []float64 {
	if cap(s) >= n {
		return s[:0]
	}
	s = make([]float64, n)
	hugepages.Advise(s)
	return s[:0]
}

// addComparisons adds to acc the comparisons of instance i of values sv that
// hold r outputs per direction and per directions per instance. Values are
// laid out instance-major: row ((i·per + k)·steps + s) of sv.vals holds the
// r outputs of f at instance i, its k-th direction here, step s, of which
// only the rows of its reach were evaluated where sv.reach is set (see
// entryValues). sv.kinks[i·per + k] counts the sign changes of kinked
// arguments within its stencil. The
// comparisons are independent of one another and formed on every core
// (an entrywise check of a matrix-valued f makes millions); the sum of
// their squared scales is then taken in order, so that it is the same
// however many cores there are.
func (v *verification) addComparisons(acc *instanceComparisons, i, per, r int, sv stencilValues, cl claimed) {
	acc.r = r
	if cl.transposed != nil && len(acc.transposed) == 0 {
		// A square claim: its transposed values are kept as well.
		acc.transposed = room(acc.transposed, cap(acc.est))
	}
	base, n := len(acc.est), per*r
	acc.est, acc.claimed, acc.tol = extend(acc.est, n), extend(acc.claimed, n), extend(acc.tol, n)
	acc.status = extend(acc.status, n)
	directional := acc.unit == 0
	if directional {
		acc.trunc = extend(acc.trunc, n)
	}
	if cl.transposed != nil {
		acc.transposed = extend(acc.transposed, n)
	}
	nS := len(v.steps())
	second := v.c.Kind == formulas.Hess
	sqrtN := math.Sqrt(float64(v.dim))
	// The directions of a refined stencil are 2^(−shrinkBits·level) of
	// their size: a derivative along them, its estimate and every error
	// bound, is so much smaller (squared for a second derivative), and
	// scaled back by a power of 2, exactly.
	order := 1
	if second {
		order = 2
	}
	unscale := math.Ldexp(1, shrinkBits*sv.level*order)
	// The claim's values are scaled as the stencil's, but for an entrywise
	// check's, which come of the gradient's entries (see gradEntries) at
	// the unit step, unstretched.
	claimUnscale := unscale
	if v.stretch != 0 {
		unscale /= math.Pow(v.stretch, float64(order))
		if directional {
			claimUnscale = unscale
		}
	}
	var rows [centralSettled + 1][]int // the rows evaluated at each reach
	for at := range rows {
		rows[at] = reach(at).rows(nS)
	}
	parallelParts(n, minComparisonPart, func(lo, hi int) {
		// Direction k and output o of comparison q, stepped along with q
		// (a division per comparison cost a tenth of the loop).
		k, o := lo/r, lo%r
		for q := lo; q < hi; q, o = q+1, o+1 {
			if o == r {
				k, o = k+1, 0
			}
			// Row s of this comparison's stencil is vals[s·r].
			vals := sv.vals[(i*per+k)*nS*r+o:]
			row := func(s int) float64 { return vals[s*r] }
			epsF := sqrtN * unitRoundoff * math.Abs(sv.mags[(i*per+k)*r+o])
			var est, trunc, round float64
			converged := true
			at := fullStencil
			if sv.reach != nil {
				at = sv.reach[i*per+k]
			}
			if second {
				// Mixed second differences of the points of steps and
				// secondSteps: D(h) = [f(++) − f(+−) − f(−+) + f(−−)]/(4h²)
				// = D²f[H, V] + c₂h² + c₄h⁴ + …, at h, h/2 and h/4,
				// extrapolated twice as a first derivative's central
				// differences are: E = (64·D(h/4) − 20·D(h/2) + D(h))/45,
				// bounded by |R(h) − R(h/2)| = |5·D(h/2) − 4·D(h/4) −
				// D(h)|/3 = 15/64·|c₄|h⁴ + …, where the single step's
				// |D(h) − D(h/2)|/3 = |c₂|h²/4 held 10⁻⁶ of |f| (a claim
				// 1.000001 times the truth passed on 7 of 20 Hessians at
				// n = 5; found by the exploratory helper). Each f
				// carries a rounding error up to ε_f, so D(h/2^k) up to
				// 4^k·ε_f/h², E up to (64·16 + 20·4 + 1)/45·ε_f/h² and the
				// bound up to (5·4 + 4·16 + 1)/3·ε_f/h² of the same
				// noise, which measures what ε_f underestimates.
				h := secondStep
				d1 := (row(0) - row(1) - row(2) + row(3)) / (4 * h * h)
				d2 := (row(4) - row(5) - row(6) + row(7)) / (h * h)
				d4 := 4 * (row(8) - row(9) - row(10) + row(11)) / (h * h)
				est, trunc = (64*d4-20*d2+d1)/45, math.Abs(5*d2-4*d4-d1)/3
				round = (1105.0/45 + 85.0/3) * epsF / (h * h)
			} else if at == forwardSettled {
				// F(h) and F(h/2) agree to rounding level (entryValues):
				// along f(X + tH) = f(X) + Df[H]·t + c₂t² + c₃t³ + …,
				// F(h) = Df[H] + c₂h + c₃h² + … is the estimate,
				// bounded by 2·|F(h) − F(h/2)| = c₂h + 3c₃h²/2 + …
				// (which is at least c₃h², F(h)'s h² term, unless c₂ and
				// c₃ nearly cancel). F(h) carries up to 2ε_f/h of
				// rounding error, the bound up to 2·4ε_f/h more.
				f0 := sv.base[i*r+o]
				d1, d2 := forwardDifferences(vals, r, f0)
				est, trunc = d1, forwardBound(d1, d2, epsF)
			} else if at == centralSettled {
				// D(h) and D(h/2) agree to rounding level (entryValues):
				// R(h) = (4·D(h/2) − D(h))/3 is the estimate, bounded by
				// |D(h) − D(h/2)|/3 = |c₂|h²/4 + …, and carries up to
				// (4·2 + 1)/3·ε_f/h of rounding error, the bound up to
				// ε_f/h more.
				d1, d2 := centralDifferences(vals, r)
				est, trunc = (4*d2-d1)/3, math.Abs(d1-d2)/3
				round = (3 + 1) * epsF / step
			} else {
				// Central differences D(h) = [f(X+hH) − f(X−hH)]/(2h)
				// = Df[H] + c₂h² + c₄h⁴ + c₆h⁶ + … at h, h/2 and h/4.
				// Richardson's R(h) = (4·D(h/2) − D(h))/3 = Df[H] −
				// c₄h⁴/4 + O(h⁶), and once more E = (16·R(h/2) −
				// R(h))/15 = Df[H] + O(h⁶), the estimate. Its error is
				// bounded by that of the coarser R(h): |R(h) − R(h/2)| =
				// 15/64·|c₄|h⁴ + O(h⁶). (Bounding R(h) by D(h/2)'s error,
				// |D(h) − D(h/2)|/3 = |c₂|h²/4, gave 10⁻⁶ to 10⁻⁵ relative
				// for nested compositions: a claim off by a factor 1 +
				// 10⁻⁶ passed.) Each f carries a rounding error up to
				// ε_f, so D(h) up to ε_f/h, D(h/2) 2ε_f/h and D(h/4)
				// 4ε_f/h, and E = (64·D(h/4) − 20·D(h/2) + D(h))/45 up to
				// 297/45·ε_f/h. The bound R(h) − R(h/2) = (5·D(h/2) −
				// 4·D(h/4) − D(h))/3 carries up to 27/3·ε_f/h of the
				// same noise: it measures the rounding error that ε_f
				// underestimates (a sum of 5000 terms) as well.
				d1, d2 := centralDifferences(vals, r)
				d4 := 2 * (row(4) - row(5)) / step
				est, trunc = (64*d4-20*d2+d1)/45, math.Abs(5*d2-4*d4-d1)/3
				round = (297.0/45 + 9) * epsF / step
				converged = converges(d1, d2, d4, est, epsF)
			}
			est, trunc, round = est*unscale, trunc*unscale, round*unscale
			// The estimate and its bound use every value of the
			// stencil (and f0 where forward): finite, they vouch for
			// all of them, and only the rest are looked at one by one.
			inDomain := finite(est) && finite(trunc) ||
				allFinite(vals, rows[at], r) && (at != forwardSettled || finite(sv.base[i*r+o]))
			j := (i*per+k)*r + o
			claimed := cl.vals[j] * claimUnscale
			roundC := sqrtN * unitRoundoff * math.Abs(cl.mags[j]) * claimUnscale
			st := agreed
			if !inDomain {
				st = outOfDomain
			} else if !finite(claimed) {
				st = claimBroken
			} else if sv.kinks[i*per+k] > 0 {
				st = kinked
			} else if !converged {
				st = undecided
			}
			a := base + q
			tol := safety*(trunc+round+roundC) + v.s.ATol + v.s.RTol*math.Abs(claimed)
			if err := math.Abs(est - claimed); st == agreed && err > tol {
				// roundC is the claim's typical rounding error, √N·u
				// times its magnitude; terms that cancel through an
				// ill-conditioned inverse can err N·u times it. A
				// disagreement within that, where it is not small
				// against the values, is no evidence: the true
				// Hessian of logdet(X'*X), its terms of inv(X'*X)
				// cancelling at a nearly singular X, claimed
				// −2.7·10⁷ against the true 1.7·10⁵ and failed
				// (seed 4, instance 8; found by the soundness hunt).
				worst := tol + safety*float64(v.dim)*unitRoundoff*math.Abs(cl.mags[j])*claimUnscale
				if err <= worst && worst > uncertain*math.Max(math.Abs(est), math.Abs(claimed)) {
					st, tol = undecided, worst
				}
			}
			acc.est[a], acc.claimed[a], acc.status[a] = est, claimed, st
			acc.tol[a] = tol
			if directional {
				acc.trunc[a] = safety * trunc
			}
			if cl.transposed != nil {
				acc.transposed[a] = cl.transposed[j] * claimUnscale
			}
		}
	})
	for a := base; a < base+n; a++ {
		if acc.status[a] != agreed {
			continue
		}
		if !(math.Abs(acc.est[a]-acc.claimed[a]) <= acc.tol[a]) && aliasRatio*math.Abs(acc.claimed[a]) > math.Abs(acc.est[a]) {
			// A disagreement whose estimate is far below the claim, as
			// one that aliased is (see aliases).
			acc.fast = true
		}
		// The scale of the comparison, as comparison gives it.
		scale := math.Max(math.Abs(acc.est[a]), math.Abs(acc.claimed[a]))
		if acc.unit != 0 {
			scale /= acc.unit
		}
		if finite(scale) {
			acc.sumSq += scale * scale
			acc.finite++
		}
		if scale == 0 {
			acc.zeroTol = max(acc.zeroTol, acc.tol[a])
		}
	}
}

// judgeBatch is the number of comparisons judged at a time on one core.
const judgeBatch = 4096

// settle judges the comparisons that acc holds, of the given instance
// (counted), side by side in batches: those whose verdict does not wait on
// the instance's typical scale (see measure.settle) go to acc.tallied, the
// others to acc.pending; then it empties the arrays.
func (acc *instanceComparisons) settle(instance int) {
	const batch = judgeBatch
	n := len(acc.est)
	parts := make([]tally, (n+batch-1)/batch)
	waiting := make([][]comparison, len(parts))
	u := acc.unit
	if u == 0 {
		u = 1
	}
	parallelParts(len(parts), 1, func(lo, hi int) {
		for b := lo; b < hi; b++ {
			t := &parts[b]
			for j := b * batch; j < min(n, (b+1)*batch); j++ {
				transposed := math.NaN()
				if j < len(acc.transposed) {
					transposed = acc.transposed[j]
				}
				if acc.status[j] == agreed && t.plainAgreement(acc.est[j], acc.claimed[j], acc.tol[j], u) {
					t.n++
					t.counts.Agreed++
					t.layout(agreed, acc.claimed[j], transposed, acc.tol[j])
					t.tightest(agreed, acc.est[j], acc.claimed[j], acc.tol[j])
					continue
				}
				st, m := acc.status[j], acc.measure(j)
				wait := false
				if st == agreed {
					st, wait = m.settle()
				}
				switch {
				case wait:
					waiting[b] = append(waiting[b], acc.comparison(instance, j))
				case t.records(st, &m):
					c := acc.comparison(instance, j)
					c.status = st
					t.addOne(&c)
				default:
					t.count(st)
					t.layout(st, acc.claimed[j], transposed, acc.tol[j])
					t.tightest(st, acc.est[j], acc.claimed[j], acc.tol[j])
				}
			}
		}
	})
	for b := range parts {
		acc.tallied.merge(&parts[b])
		acc.pending = append(acc.pending, waiting[b]...)
	}
	acc.offset += n
	acc.est, acc.claimed, acc.tol, acc.trunc = acc.est[:0], acc.claimed[:0], acc.tol[:0], acc.trunc[:0]
	acc.transposed, acc.status = acc.transposed[:0], acc.status[:0]
}

// extend returns s lengthened by n entries, growing it where it must.
func extend[T any](s []T, n int) []T {
	return slices.Grow(s, n)[:len(s)+n]
}

// comparison returns comparison j of those acc holds, of the given
// instance.
func (acc *instanceComparisons) comparison(instance, j int) comparison {
	c := comparison{instance: instance, direction: (acc.offset + j) / acc.r, output: (acc.offset + j) % acc.r,
		measure: acc.measure(j), transposed: math.NaN(), status: acc.status[j]}
	if j < len(acc.transposed) {
		c.transposed = acc.transposed[j]
		if u := acc.unit; u != 0 {
			c.transposed /= u
		}
	}
	return c
}

// measure returns the measure of comparison j of acc; in units of the
// gradient's entries for an entrywise check.
func (acc *instanceComparisons) measure(j int) measure {
	est, claimed := acc.est[j], acc.claimed[j]
	m := measure{fd: est, claimed: claimed, err: math.Abs(est - claimed), tol: acc.tol[j],
		scale: math.Max(math.Abs(est), math.Abs(claimed))}
	if u := acc.unit; u != 0 {
		m.fd, m.claimed, m.err, m.tol, m.scale = m.fd/u, m.claimed/u, m.err/u, m.tol/u, m.scale/u
	}
	return m
}

// judgeInstance classifies the comparisons of one instance collected in
// acc and passes them to emit, and empties acc. Each tolerance is judged
// against the typical scale of its instance's comparisons, since one
// direction may by chance be nearly orthogonal to the gradient; per
// instance, so that verdicts do not depend on how the batch is split into
// chunks or shards. Where they are only counted (acc.counted), settle
// has judged all but those waiting on that scale, which are judged now;
// else they are judged in batches of a few thousand, side by side, one per
// core, and passed to emit in order.
func (v *verification) judgeInstance(acc *instanceComparisons, instance int, emit sink) {
	typical := acc.typical()
	if acc.counted {
		// Judged as they came but for those waiting on typical.
		for i := range acc.pending {
			c := &acc.pending[i]
			c.status = c.classify(typical)
			acc.tallied.addOne(c)
		}
		emit.tally.merge(&acc.tallied)
	} else {
		const batch = judgeBatch
		n := len(acc.est)
		batches := make([][]comparison, min(runtime.GOMAXPROCS(0), (n+batch-1)/batch))
		for start := 0; start < n; start += len(batches) * batch {
			round := min(len(batches), (n-start+batch-1)/batch)
			parallelParts(round, 1, func(lo, hi int) {
				for b := lo; b < hi; b++ {
					comps := batches[b][:0]
					for j := start + b*batch; j < min(n, start+(b+1)*batch); j++ {
						comps = append(comps, acc.judged(instance, j, typical))
					}
					batches[b] = comps
				}
			})
			for _, comps := range batches[:round] {
				emit.emit(comps)
			}
		}
	}
	acc.reset()
}

// reset empties acc for the next instance, keeping its unit and the
// storage of its arrays.
func (acc *instanceComparisons) reset() {
	*acc = instanceComparisons{unit: acc.unit, est: acc.est[:0], claimed: acc.claimed[:0],
		transposed: acc.transposed[:0], tol: acc.tol[:0], trunc: acc.trunc[:0], status: acc.status[:0], pending: acc.pending[:0]}
}

// typical returns the typical scale of the comparisons of acc's instance:
// the root mean square of the scales of its finite agreeing comparisons.
func (acc *instanceComparisons) typical() float64 {
	if acc.finite == 0 {
		return 0
	}
	return math.Sqrt(acc.sumSq / float64(acc.finite))
}

// judged returns comparison j of acc, of the given instance, classified
// against the typical scale of the instance's comparisons.
func (acc *instanceComparisons) judged(instance, j int, typical float64) comparison {
	c := acc.comparison(instance, j)
	if c.status == agreed {
		c.status = c.classify(typical)
	}
	return c
}

// allFinite reports whether the values vals[s·stride] of the rows s are
// finite.
func allFinite(vals []float64, rows []int, stride int) bool {
	for _, s := range rows {
		if !finite(vals[s*stride]) {
			return false
		}
	}
	return true
}
