package gradcheck

import (
	"math"

	"github.com/gradcheck/gradcheck/backend"
)

// The matrix exponential and logarithm are composed from the batched
// operations, so every backend has them without a kernel of its own. Both
// choose their scaling for the whole batch (the largest any element needs),
// so that the perturbed copies X ± hH of one instance take the same
// arithmetic path and their difference is smooth in h.

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

// frobeniusNorms returns ‖x_j‖_F for every stored matrix of x.
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
	for i := range v {
		v[i] = math.Sqrt(v[i])
	}
	return v, nil
}

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
	norm, _ := maxFinite(o.norms(x))
	squarings := 0
	if norm > expmScaledNorm {
		squarings = int(math.Ceil(math.Log2(norm / expmScaledNorm)))
	}
	a := o.scaled(math.Ldexp(1, -squarings), x)
	eye := o.eye(x.Layout().Rows)
	t := o.elementwise(backend.Add, eye, o.scaled(1/float64(expmTaylorDegree), a))
	for k := expmTaylorDegree - 1; k >= 1; k-- {
		t = o.elementwise(backend.Add, eye, o.scaled(1/float64(k), o.matMul(a, t)))
		o.compact(t, a, eye)
	}
	for range squarings {
		t = o.matMul(t, t)
		o.compact(t)
	}
	return o.result(t)
}

// logm returns the principal logarithm by inverse scaling and squaring:
// log x = 2^k log(x^(1/2^k)), with square roots taken until the root is
// within logmTarget of I, and log Y = 2 atanh(Z), Z = (Y−I)(Y+I)⁻¹, summed as
// an odd series by Horner's rule in Z².
func (ev *evaluator) logm(x backend.Tensor) (backend.Tensor, error) {
	o := ev.ops()
	eye := o.eye(x.Layout().Rows)
	y, roots := x, 0
	for ; roots < logmMaxRoots; roots++ {
		far, finite := maxFinite(o.norms(o.elementwise(backend.Sub, y, eye)))
		if far <= logmTarget || !finite || o.err != nil {
			break
		}
		y = o.add(ev.sqrtm(y, eye))
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
	return o.result(o.scaled(math.Ldexp(2, roots), o.matMul(z, p)))
}

// sqrtm returns the principal square root by the Denman–Beavers iteration
// Y ← (Y + Z⁻¹)/2, Z ← (Z + Y⁻¹)/2 from Y = x, Z = I, which converges
// quadratically to x^{1/2}. It stops one step after the largest relative
// change falls below 1e-12, when the next step reaches rounding level.
func (ev *evaluator) sqrtm(x, eye backend.Tensor) (backend.Tensor, error) {
	o := ev.ops()
	y, z := x, eye
	average := func(a, b backend.Tensor) backend.Tensor {
		return o.scaled(0.5, o.elementwise(backend.Add, a, o.inv(b)))
	}
	settled := false
	for step := 0; step < sqrtmMaxSteps && o.err == nil; step++ {
		yNext, zNext := average(y, z), average(z, y)
		changes := o.norms(o.elementwise(backend.Sub, yNext, y))
		sizes := o.norms(yNext)
		y, z = yNext, zNext
		o.compact(y, z)
		if settled {
			break
		}
		settled = true
		for i, c := range changes {
			if !(c <= 1e-12*sizes[i]) {
				settled = false
			}
		}
	}
	return o.result(y)
}
