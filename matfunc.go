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
	v, err := ev.b.ToHost(sq)
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

// scaled returns c·x.
func (ev *evaluator) scaled(c float64, x backend.Tensor) (backend.Tensor, error) {
	s, err := ev.scalar(c)
	if err != nil {
		return nil, err
	}
	defer ev.release(s)
	return ev.b.Scale(s, x)
}

// expm returns e^x by scaling and squaring: e^x = (T(x/2^s))^(2^s) with T the
// Taylor polynomial of degree expmTaylorDegree, evaluated by Horner's rule.
func (ev *evaluator) expm(x backend.Tensor) (backend.Tensor, error) {
	norms, err := ev.frobeniusNorms(x)
	if err != nil {
		return nil, err
	}
	norm, _ := maxFinite(norms)
	squarings := 0
	if norm > expmScaledNorm {
		squarings = int(math.Ceil(math.Log2(norm / expmScaledNorm)))
	}
	a, err := ev.scaled(math.Ldexp(1, -squarings), x)
	if err != nil {
		return nil, err
	}
	defer ev.release(a)
	eye, err := ev.b.Eye(x.Layout().Rows)
	if err != nil {
		return nil, err
	}
	defer ev.release(eye)
	// t = I + a/k·t for k = degree … 1, starting from t = I.
	var t backend.Tensor
	for k := expmTaylorDegree; k >= 1; k-- {
		var at backend.Tensor
		if t == nil {
			at, err = ev.scaled(1/float64(k), a)
		} else {
			at, err = ev.b.MatMul(a, t)
			ev.release(t)
			if err == nil {
				scaledAt, e2 := ev.scaled(1/float64(k), at)
				ev.release(at)
				at, err = scaledAt, e2
			}
		}
		if err != nil {
			return nil, err
		}
		t, err = ev.b.Elementwise(backend.Add, eye, at)
		ev.release(at)
		if err != nil {
			return nil, err
		}
	}
	for i := 0; i < squarings; i++ {
		sq, err := ev.b.MatMul(t, t)
		ev.release(t)
		if err != nil {
			return nil, err
		}
		t = sq
	}
	return t, nil
}

// logm returns the principal logarithm by inverse scaling and squaring:
// log x = 2^k log(x^(1/2^k)), with square roots taken until the root is
// within logmTarget of I, and log Y = 2 atanh(Z), Z = (Y−I)(Y+I)⁻¹, summed as
// an odd series by Horner's rule in Z².
func (ev *evaluator) logm(x backend.Tensor) (backend.Tensor, error) {
	n := x.Layout().Rows
	eye, err := ev.b.Eye(n)
	if err != nil {
		return nil, err
	}
	defer ev.release(eye)
	y, err := ev.copy(x)
	if err != nil {
		return nil, err
	}
	roots := 0
	for ; ; roots++ {
		diff, err := ev.b.Elementwise(backend.Sub, y, eye)
		if err != nil {
			return nil, err
		}
		dist, err := ev.frobeniusNorms(diff)
		ev.release(diff)
		if err != nil {
			return nil, err
		}
		far, finite := maxFinite(dist)
		if far <= logmTarget || !finite || roots == logmMaxRoots {
			break
		}
		root, err := ev.sqrtm(y, eye)
		ev.release(y)
		if err != nil {
			return nil, err
		}
		y = root
	}
	defer ev.release(y)

	num, err := ev.b.Elementwise(backend.Sub, y, eye)
	if err != nil {
		return nil, err
	}
	defer ev.release(num)
	den, err := ev.b.Elementwise(backend.Add, y, eye)
	if err != nil {
		return nil, err
	}
	denInv, err := ev.b.Inv(den)
	ev.release(den)
	if err != nil {
		return nil, err
	}
	z, err := ev.b.MatMul(num, denInv)
	ev.release(denInv)
	if err != nil {
		return nil, err
	}
	defer ev.release(z)
	z2, err := ev.b.MatMul(z, z)
	if err != nil {
		return nil, err
	}
	defer ev.release(z2)
	// p = Σ_j Z^{2j}/(2j+1), by Horner: p = I/(2J+1); p = I/(2j+1) + Z²p.
	p, err := ev.scaled(1/float64(2*logmTerms+1), eye)
	if err != nil {
		return nil, err
	}
	for j := logmTerms - 1; j >= 0; j-- {
		zp, err := ev.b.MatMul(z2, p)
		ev.release(p)
		if err != nil {
			return nil, err
		}
		c, err := ev.scaled(1/float64(2*j+1), eye)
		if err != nil {
			ev.release(zp)
			return nil, err
		}
		p, err = ev.b.Elementwise(backend.Add, c, zp)
		ev.release(c, zp)
		if err != nil {
			return nil, err
		}
	}
	zp, err := ev.b.MatMul(z, p)
	ev.release(p)
	if err != nil {
		return nil, err
	}
	defer ev.release(zp)
	return ev.scaled(math.Ldexp(2, roots), zp)
}

// sqrtm returns the principal square root by the Denman–Beavers iteration
// Y ← (Y + Z⁻¹)/2, Z ← (Z + Y⁻¹)/2 from Y = x, Z = I, which converges
// quadratically to x^{1/2}. It stops one step after the largest relative
// change falls below 1e-12, when the next step reaches rounding level.
func (ev *evaluator) sqrtm(x, eye backend.Tensor) (backend.Tensor, error) {
	y, err := ev.copy(x)
	if err != nil {
		return nil, err
	}
	z, err := ev.copy(eye)
	if err != nil {
		return nil, err
	}
	defer func() { ev.release(z) }()
	settled := false
	for step := 0; step < sqrtmMaxSteps; step++ {
		yNext, err := ev.averageWithInverse(y, z)
		if err != nil {
			return nil, err
		}
		zNext, err := ev.averageWithInverse(z, y)
		if err != nil {
			ev.release(yNext)
			return nil, err
		}
		change, err := ev.b.Elementwise(backend.Sub, yNext, y)
		ev.release(y, z)
		y, z = yNext, zNext
		if err != nil {
			return nil, err
		}
		changes, err := ev.frobeniusNorms(change)
		ev.release(change)
		if err != nil {
			return nil, err
		}
		sizes, err := ev.frobeniusNorms(y)
		if err != nil {
			return nil, err
		}
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
	return y, nil
}

// averageWithInverse returns (a + b⁻¹)/2.
func (ev *evaluator) averageWithInverse(a, b backend.Tensor) (backend.Tensor, error) {
	bInv, err := ev.b.Inv(b)
	if err != nil {
		return nil, err
	}
	defer ev.release(bInv)
	s, err := ev.b.Elementwise(backend.Add, a, bInv)
	if err != nil {
		return nil, err
	}
	defer ev.release(s)
	return ev.scaled(0.5, s)
}
