package gradcheck

import (
	"math"
	"slices"

	"github.com/gradcheck/gradcheck/backend"
	"gonum.org/v1/gonum/floats"
)

// The matrix exponential and logarithm are composed from the batched
// operations, so every backend has them without a kernel of its own. Both
// choose their scaling per instance: the largest that any matrix of the
// instance needs (its perturbed copies X ± hH, its directions), so that
// the copies of one instance take the same arithmetic path and their
// difference is smooth in h, and so that an instance's values do not
// depend on the instances that share its chunk: `--instance K`, a shard
// and a run with another --mem give instance K's numbers bit for bit. An
// instance that needs fewer squarings (square roots, iterations) than
// another of the batch keeps its matrix through the extra steps by a
// blend m∘new + (1−m)∘old with m 0 or 1, exact up to the sign of a zero
// entry.

const (
	// expmTaylorDegree terms of the Taylor series after scaling to
	// ‖A‖_F ≤ expmScaledNorm leave a truncation error below
	// 0.5^15/15! ≈ 2.3e-17, under the unit roundoff.
	expmTaylorDegree = 14
	expmScaledNorm   = 0.5

	// logmTarget is the distance ‖Y − I‖_F below which the series for
	// log Y = 2 atanh((Y−I)(Y+I)⁻¹) is summed; its argument then has norm
	// about ≤ 0.143, and logmTerms odd powers reach 0.143^21/21 < 1e-19.
	logmTarget = 0.25
	logmTerms  = 10
	// logmMaxRoots bounds the number of square roots taken; a matrix that
	// needs more has eigenvalues near the negative real axis or zero.
	logmMaxRoots = 40
	// sqrtmMaxSteps bounds the Denman–Beavers iterations per square root.
	sqrtmMaxSteps = 40
)

// frobeniusNorms returns ‖x_j‖_F for every stored matrix of x. It is
// √⟨x_j, x_j⟩ where the sum of squares is a normal number well above
// underflow; a matrix whose sum of squares is not (entries below 10⁻¹⁵⁴,
// whose squares underflow, or above 10¹⁵⁴, whose squares overflow) is
// summed again on the host with scaling. Unscaled, an identity between
// matrices of entries 10⁻²⁰⁰ compared norms of 0 and passed whatever its
// right side (1e-200*X = 2e-200*X), and one of entries 10¹⁶⁰ was out of
// f's domain.
func (ev *evaluator) frobeniusNorms(x backend.Tensor) ([]float64, error) {
	sq, err := ev.b.Dot(x, x)
	if err != nil {
		return nil, err
	}
	defer ev.release(sq)
	v, err := ev.b.ToHost(sq, nil)
	if err != nil {
		return nil, err
	}
	var host []float64
	for i := range v {
		if v[i] >= minSumOfSquares && v[i] <= math.MaxFloat64 {
			v[i] = math.Sqrt(v[i])
			continue
		}
		if host == nil {
			if host, err = ev.b.ToHost(x, nil); err != nil {
				return nil, err
			}
		}
		per := len(host) / len(v)
		v[i] = floats.Norm(host[i*per:(i+1)*per], 2)
	}
	return v, nil
}

// minSumOfSquares is the least sum of squares that frobeniusNorms takes
// as it comes: squares of entries below 2⁻⁵¹¹ are subnormal or 0, and
// where the sum is at least 2⁻⁹⁰⁰ the ones lost are at most 2⁻¹²² of it
// per entry.
const minSumOfSquares = 0x1p-900

// maxFinite returns the largest finite value of v and whether every value is
// finite.
func maxFinite(v []float64) (float64, bool) {
	m, ok := 0.0, true
	for _, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			ok = false
			continue
		}
		m = math.Max(m, x)
	}
	return m, ok
}

// expm returns e^x by scaling and squaring: e^x = (T(x/2^s))^(2^s) with T the
// Taylor polynomial of degree expmTaylorDegree, evaluated by Horner's rule
// from the inside out: T = I + a(I + a/2(I + … (I + a/k))).
func (ev *evaluator) expm(x backend.Tensor) (backend.Tensor, error) {
	o := ev.ops()
	g := ev.groupSize(x.Layout().Count)
	norms := groupMax(o.norms(x), g)
	squarings := make([]int, len(norms))
	scales := make([]float64, len(norms))
	most := 0
	for i, norm := range norms {
		if norm > expmScaledNorm {
			squarings[i] = int(math.Ceil(math.Log2(norm / expmScaledNorm)))
		}
		scales[i], most = math.Ldexp(1, -squarings[i]), max(most, squarings[i])
	}
	a := o.scale(o.perMatrix(scales, g), x)
	eye := o.eye(x.Layout().Rows)
	t := o.elementwise(backend.Add, eye, o.scaled(1/float64(expmTaylorDegree), a))
	for k := expmTaylorDegree - 1; k >= 1; k-- {
		t = o.elementwise(backend.Add, eye, o.scaled(1/float64(k), o.matMul(a, t)))
		o.compact(t, a, eye)
	}
	for k := range most {
		active := make([]float64, len(squarings))
		for i, s := range squarings {
			if k < s {
				active[i] = 1
			}
		}
		// A finished instance squares I rather than its result, whose
		// square could overflow, and keeps its result.
		m := o.perMatrix(active, g)
		t = o.blend(m, o.matMul(o.blend(m, t, eye), o.blend(m, t, eye)), t)
		o.compact(t, eye)
	}
	return o.result(t)
}

// groupSize returns how many consecutive matrices of a tensor of count
// matrices belong to one instance: a chunk's tensors hold its instances in
// order, each with all its directions and steps; a tensor of another count
// (a constant) is one group.
func (ev *evaluator) groupSize(count int) int {
	if ev.memoCount > 0 && count%ev.memoCount == 0 {
		return count / ev.memoCount
	}
	return count
}

// groupMax returns the largest finite value of each group of g
// consecutive values of v (0 for a group with none).
func groupMax(v []float64, g int) []float64 {
	if len(v) == 0 {
		return nil
	}
	out := make([]float64, len(v)/g)
	for i := range out {
		out[i], _ = maxFinite(v[i*g : (i+1)*g])
	}
	return out
}

// perMatrix returns a tensor of one 1×1 matrix per matrix of a batch of
// len(vals)·g matrices: vals[i] for each of group i's g matrices, for
// Scale.
func (o *ops) perMatrix(vals []float64, g int) backend.Tensor {
	data := make([]float64, len(vals)*g)
	for j := range data {
		data[j] = vals[j/g]
	}
	return o.fromHost(backend.Layout{Count: len(data), Rows: 1, Cols: 1}, data)
}

// blend returns m∘a + (1−m)∘b for the per-matrix 1×1 entries m, each 0
// or 1: a where m is 1, b where it is 0.
func (o *ops) blend(m, a, b backend.Tensor) backend.Tensor {
	notM := o.elementwise(backend.Sub, o.scalar(1), m)
	return o.elementwise(backend.Add, o.scale(m, a), o.scale(notM, b))
}

// logm returns the principal logarithm by inverse scaling and squaring:
// log x = 2^k log(x^(1/2^k)), with square roots taken until the root is
// within logmTarget of I, and log Y = 2 atanh(Z), Z = (Y−I)(Y+I)⁻¹, summed as
// an odd series by Horner's rule in Z². An instance whose square roots do
// not converge, or do not come near I, has an eigenvalue on the closed
// negative real axis, where the principal logarithm is not defined: its
// logarithm is NaN, out of the domain, as log's of a negative number is
// (it was a finite matrix of no meaning, and expm(logm(X)) = X failed for
// Gaussian X instead of leaving its domain).
func (ev *evaluator) logm(x backend.Tensor) (backend.Tensor, error) {
	o := ev.ops()
	g := ev.groupSize(x.Layout().Count)
	eye := o.eye(x.Layout().Rows)
	y := x
	var roots []int      // per group
	var undefined []bool // per group
	for step := 0; step < logmMaxRoots && o.err == nil; step++ {
		far := o.norms(o.elementwise(backend.Sub, y, eye))
		if roots == nil {
			roots, undefined = make([]int, len(far)/g), make([]bool, len(far)/g)
		}
		// A group whose roots are within the target (or not finite,
		// which no root mends) is done.
		active, any := make([]float64, len(roots)), false
		for i := range roots {
			worst, finite := maxFinite(far[i*g : (i+1)*g])
			if worst > logmTarget && finite && !undefined[i] {
				active[i], any = 1, true
				roots[i]++
				undefined[i] = step == logmMaxRoots-1 // still far after the last root
			}
		}
		if !any {
			break
		}
		m := o.perMatrix(active, g)
		root, unsettled, err := ev.sqrtm(o.blend(m, y, eye), eye, active, g)
		y = o.blend(m, o.add(root, err), y)
		for i, u := range unsettled {
			undefined[i] = undefined[i] || u
		}
		o.compact(y, eye)
	}
	z := o.matMul(o.elementwise(backend.Sub, y, eye), o.inv(o.elementwise(backend.Add, y, eye)))
	z2 := o.matMul(z, z)
	// p = Σ_j Z^{2j}/(2j+1), by Horner: p = I/(2J+1); p ← I/(2j+1) + Z²p.
	p := o.scaled(1/float64(2*logmTerms+1), eye)
	for j := logmTerms - 1; j >= 0; j-- {
		p = o.elementwise(backend.Add, o.scaled(1/float64(2*j+1), eye), o.matMul(z2, p))
		o.compact(p, eye, z, z2)
	}
	scales := make([]float64, len(roots))
	for i, r := range roots {
		scales[i] = math.Ldexp(2, r)
		if undefined[i] {
			scales[i] = math.NaN()
		}
	}
	return o.result(o.scale(o.perMatrix(scales, g), o.matMul(z, p)))
}

// sqrtm returns the principal square root by the Denman–Beavers iteration
// Y ← (Y + Z⁻¹)/2, Z ← (Z + Y⁻¹)/2 from Y = x, Z = I, which converges
// quadratically to x^{1/2}, for the groups of g matrices where active is
// 1 (the others, I here, come back as they are). A group stops one step
// after the largest relative change of its matrices falls below 1e-12,
// when the next step reaches rounding level, and keeps its root through
// the steps other groups still take. unsettled reports the groups still
// changing after sqrtmMaxSteps steps: a real negative eigenvalue, which
// has no principal root, keeps the iteration from converging.
func (ev *evaluator) sqrtm(x, eye backend.Tensor, active []float64, g int) (root backend.Tensor, unsettled []bool, err error) {
	o := ev.ops()
	y, z := x, eye
	average := func(a, b backend.Tensor) backend.Tensor {
		return o.scaled(0.5, o.elementwise(backend.Add, a, o.inv(b)))
	}
	going := slices.Clone(active) // groups still iterating
	settled := make([]bool, len(active))
	for step := 0; step < sqrtmMaxSteps && o.err == nil && slices.Contains(going, 1); step++ {
		yNext, zNext := average(y, z), average(z, y)
		changes := o.norms(o.elementwise(backend.Sub, yNext, y))
		sizes := o.norms(yNext)
		m := o.perMatrix(going, g)
		y, z = o.blend(m, yNext, y), o.blend(m, zNext, z)
		o.compact(y, z, eye)
		for i := range going {
			if going[i] == 0 {
				continue
			}
			if settled[i] {
				going[i] = 0
				continue
			}
			settled[i] = true
			for j := i * g; j < (i+1)*g && j < len(changes); j++ {
				if !(changes[j] <= 1e-12*sizes[j]) {
					settled[i] = false
				}
			}
		}
	}
	unsettled = make([]bool, len(going))
	for i, still := range going {
		unsettled[i] = still == 1 && !settled[i]
	}
	root, err = o.result(y)
	return root, unsettled, err
}
