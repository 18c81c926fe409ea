package gradcheck

import (
	"fmt"
	"hash/fnv"
	"math"

	"github.com/gradcheck/gradcheck/backend"
	"github.com/gradcheck/gradcheck/formulas"
)

// claimKey is the Philox key of a claim's inputs: FNV-1a of the seed and
// the claim's name, so that every claim draws its own stream and adding a
// claim to a file changes nobody else's inputs.
func claimKey(seed uint64, claim string) uint64 {
	h := fnv.New64a()
	var b [8]byte
	for i := range b {
		b[i] = byte(seed >> (8 * i))
	}
	h.Write(b[:])
	h.Write([]byte(claim))
	return h.Sum64()
}

// streamID names one random stream of a claim: a variable ("var/X"), its
// directions ("dir/X"), a reduction ("w/F").
func streamID(name string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(name))
	return h.Sum32()
}

// sampler draws the random inputs of one claim for the instances
// [first, first+count). Matrix j of a variable is drawn from counter index
// first+j, so an instance's inputs do not depend on how the batch is split.
type sampler struct {
	ev    *evaluator
	key   uint64
	first int
	count int
	// shrink is the power of 2 that directions are scaled by beyond their
	// usual size: less than 0 for an instance re-verified with a smaller
	// step (see verification.refines), more than 0 for the probe of an
	// exact agreement (see verification.changesBelowRounding).
	shrink int
	// stretch, where not 0, scales the directions by a factor that is no
	// power of 2, for the check of a stencil that may alias (see
	// verification.aliases).
	stretch float64
}

// gaussian draws count·per matrices of N(0,1) entries from stream name,
// matrix j from counter index first·per + j.
func (s *sampler) gaussian(name string, shape formulas.Shape, per int) (backend.Tensor, error) {
	l := backend.Layout{Count: s.count * per, Rows: shape.Rows, Cols: shape.Cols}
	return s.ev.b.Gaussian(l, s.key, streamID(name), uint32(s.first*per))
}

// variable draws variable v of the given shape from its distribution
// (DESIGN.md, "Claims"):
//
//	gauss          N(0, 1/rows) entries (a scalar is N(0,1))
//	positive       e^{g/2}, g ~ N(0,1)
//	small          N(0, 1/(4·rows)) entries, so that e^X and log stay tame
//	sym            (G + Gᵀ)/(2√n)
//	wellcond       square: I + G/(3√n), eigenvalues within 1/3 of 1,
//	               condition ≈ 2; m×n: U·diag(s)·Vᵀ with orthonormal
//	               columns U, V and singular values s = 1 + tanh(g)/3 in
//	               (2/3, 4/3)
//	spd            S·e^{t/n}/det(S)^{1/n} with S = I + GGᵀ/n, t ~ N(0,1):
//	               SPD, log det = t, condition ≲ 5
//	posdef-nonsym  spd + (G' − G'ᵀ)/(2√n): xᵀAx > 0 but A ≠ Aᵀ
//	orth           square: Cayley transform (I − K)(I + K)⁻¹ of
//	               K = (G − Gᵀ)/(2√n), orthogonal with det 1; m×n: the first
//	               columns of that (tall) or the first rows (wide),
//	               orthonormal columns or rows
func (s *sampler) variable(v formulas.Var, shape formulas.Shape) (backend.Tensor, error) {
	square := map[formulas.Dist]bool{formulas.SPD: true, formulas.PosDefNonSym: true, formulas.Sym: true}
	if square[v.Dist] && !shape.IsSquare() {
		return nil, fmt.Errorf("variable %s: dist %s needs a square matrix, got %v", v.Name, v.Dist, shape)
	}
	if v.Dist == formulas.Simplex && shape.Rows < 2 {
		// A probability vector of one entry is the constant 1.
		return nil, fmt.Errorf("variable %s: dist simplex needs at least 2 rows, got %v at these sizes", v.Name, shape)
	}
	o := s.ev.ops()
	switch {
	case v.Dist == formulas.Orth:
		return o.result(s.orthonormal(o, "var/"+v.Name, shape))
	case v.Dist == formulas.WellCond && !shape.IsSquare():
		return o.result(s.wellConditioned(o, v, shape))
	}
	g := o.add(s.gaussian("var/"+v.Name, shape, 1))
	n := float64(shape.Rows)
	switch v.Dist {
	case formulas.Gauss, "":
		return o.result(o.scaled(1/math.Sqrt(n), g))
	case formulas.Positive:
		return o.result(o.mapEach(backend.Exp, o.scaled(0.5, g)))
	case formulas.Simplex:
		return o.result(o.softmax(g))
	case formulas.Small:
		return o.result(o.scaled(1/(2*math.Sqrt(n)), g))
	case formulas.Sym:
		return o.result(o.scaled(1/math.Sqrt(n), o.sym(g)))
	case formulas.WellCond:
		return o.result(o.elementwise(backend.Add, o.eye(shape.Rows), o.scaled(1/(3*math.Sqrt(n)), g)))
	case formulas.SPD:
		return o.result(spd(o, g, s.logDets(o, v)))
	case formulas.PosDefNonSym:
		g2 := o.add(s.gaussian("var/"+v.Name+"/skew", shape, 1))
		return o.result(o.elementwise(backend.Add, spd(o, g, s.logDets(o, v)), skew(o, g2, 1/(2*math.Sqrt(n)))))
	}
	o.result(nil)
	return nil, fmt.Errorf("variable %s: unknown dist %q", v.Name, v.Dist)
}

// orthonormal draws rows×cols matrices from stream with orthonormal columns
// (rows ≥ cols) or rows (rows < cols): of the r×r orthogonal Cayley
// transform (I − K)(I + K)⁻¹ of K = (G − Gᵀ)/(2√r), r = max(rows, cols),
// the first cols columns, or the transpose of its first rows columns. I + K
// is invertible for skew K.
func (s *sampler) orthonormal(o *ops, stream string, shape formulas.Shape) backend.Tensor {
	r, c := max(shape.Rows, shape.Cols), min(shape.Rows, shape.Cols)
	g := o.add(s.gaussian(stream, formulas.Shape{Rows: r, Cols: r}, 1))
	k := skew(o, g, 1/(2*math.Sqrt(float64(r))))
	eye := o.eye(r)
	q := o.matMul(o.elementwise(backend.Sub, eye, k), o.inv(o.elementwise(backend.Add, eye, k)))
	if c < r {
		// The first c columns: Q·[I; 0].
		first := make([]float64, r*c)
		for i := range c {
			first[i*c+i] = 1
		}
		q = o.matMul(q, o.fromHost(backend.Layout{Count: 1, Rows: r, Cols: c}, first))
	}
	if shape.Rows < shape.Cols {
		q = o.transpose(q)
	}
	return q
}

// wellConditioned draws m×n matrices U·diag(s)·Vᵀ with orthonormal columns
// U (m×k) and V (n×k), k = min(m, n), and singular values
// s = 1 + tanh(g)/3 in (2/3, 4/3): condition below 2 at any shape.
func (s *sampler) wellConditioned(o *ops, v formulas.Var, shape formulas.Shape) backend.Tensor {
	k := min(shape.Rows, shape.Cols)
	u := s.orthonormal(o, "var/"+v.Name, formulas.Shape{Rows: shape.Rows, Cols: k})
	w := s.orthonormal(o, "var/"+v.Name+"/right", formulas.Shape{Rows: shape.Cols, Cols: k})
	g := o.add(s.gaussian("var/"+v.Name+"/singular", formulas.Shape{Rows: k, Cols: 1}, 1))
	sv := o.elementwise(backend.Add, o.broadcast(o.scalar(1), k, 1), o.scaled(1.0/3, o.mapEach(backend.Tanh, g)))
	d := o.diag(sv)
	return o.matMul(o.matMul(u, d), o.transpose(w))
}

// skew returns c·(g − gᵀ).
func skew(o *ops, g backend.Tensor, c float64) backend.Tensor {
	return o.scaled(c, o.elementwise(backend.Sub, g, o.transpose(g)))
}

// logDets draws the log-determinant of each instance of the spd variable
// v: N(0,1), from its own stream.
func (s *sampler) logDets(o *ops, v formulas.Var) backend.Tensor {
	return o.add(s.gaussian("var/"+v.Name+"/logdet", formulas.Shape{Rows: 1, Cols: 1}, 1))
}

// spd returns S·e^{(t − logdet(S))/n} for S = I + g·gᵀ/n, whose
// log-determinant is t: drawn N(0,1) per instance, it varies by about 1
// between instances at any n, so that no det or logdet claim holds by a
// fixed determinant, yet the entries (S scaled by e^{O(1)/n}) and the
// determinant stay far from overflow at n = 2048.
func spd(o *ops, g, t backend.Tensor) backend.Tensor {
	n := g.Layout().Rows
	sm := o.elementwise(backend.Add, o.eye(n), o.scaled(1/float64(n), o.matMul(g, o.transpose(g))))
	factor := o.mapEach(backend.Exp, o.scaled(1/float64(n), o.elementwise(backend.Sub, t, o.logDet(sm))))
	return o.scale(factor, sm)
}

// directions draws per Gaussian directions for every instance of x, the
// variable v, scaled so that ‖H‖_F = c_k·max(1, ‖X‖_F) (times 2^shrink)
// for the k-th direction of an instance (see directionScale); symmetric
// when v lives in the space of symmetric matrices.
func (s *sampler) directions(v formulas.Var, x backend.Tensor, per int) (backend.Tensor, error) {
	return s.directionsFrom("dir/"+v.Name, v, x, per)
}

// directionsFrom draws directions like directions, from the named stream.
func (s *sampler) directionsFrom(stream string, v formulas.Var, x backend.Tensor, per int) (backend.Tensor, error) {
	l := x.Layout()
	o := s.ev.ops()
	h := o.add(s.gaussian(stream, formulas.Shape{Rows: l.Rows, Cols: l.Cols}, per))
	if v.SymSpace {
		h = o.sym(h)
	}
	xNorms, hNorms := o.norms(x), o.norms(h)
	factors := make([]float64, len(hNorms))
	for j, hn := range hNorms {
		factors[j] = math.Ldexp(directionScale(j%per, per)*math.Max(1, xNorms[j/per])/hn, s.shrink)
		if s.stretch != 0 {
			factors[j] *= s.stretch
		}
	}
	return o.result(o.scale(o.fromHost(backend.Layout{Count: len(factors), Rows: 1, Cols: 1}, factors), h))
}

// directionScale is c_k = 2^(k/per − 1/2), the norm of direction k of per
// relative to max(1, ‖X‖_F): from 0.71 to 1.41, no two alike and none 1.
// A claim off by a power of ‖dX‖ (a Hessian form with 2 where 2·dx'·dx
// belongs) agrees along directions of one norm: of norm max(1, ‖X‖_F)
// alone, every direction had norm 1 where ‖X‖_F ≤ 1 (small, orth), and
// such claims passed.
func directionScale(k, per int) float64 {
	return math.Exp2(float64(k)/float64(per) - 0.5)
}

// maskedDirections draws one direction per mask for every instance of x:
// Gaussian on the entries the mask selects and zero elsewhere, scaled like
// directions.
func (s *sampler) maskedDirections(v formulas.Var, x backend.Tensor, masks [][]bool) (backend.Tensor, error) {
	o := s.ev.ops()
	h := o.add(s.directions(v, x, len(masks)))
	l := x.Layout()
	l.Count = s.count * len(masks)
	data := make([]float64, 0, l.Size())
	for range s.count {
		for _, m := range masks {
			for _, on := range m {
				data = append(data, map[bool]float64{true: 1}[on])
			}
		}
	}
	return o.result(o.elementwise(backend.Mul, h, o.fromHost(l, data)))
}
