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
//	wellcond       I + G/(3√n): eigenvalues within 1/3 of 1, condition ≈ 2
//	spd            S/det(S)^{1/n} with S = I + GGᵀ/n: SPD, det 1, condition ≲ 5
//	posdef-nonsym  spd + (G' − G'ᵀ)/(2√n): xᵀAx > 0 but A ≠ Aᵀ
//	orth           Cayley transform (I − K)(I + K)⁻¹ of K = (G − Gᵀ)/(2√n)
func (s *sampler) variable(v formulas.Var, shape formulas.Shape) (backend.Tensor, error) {
	square := map[formulas.Dist]bool{formulas.WellCond: true, formulas.SPD: true,
		formulas.PosDefNonSym: true, formulas.Sym: true, formulas.Orth: true}
	if square[v.Dist] && !shape.IsSquare() {
		return nil, fmt.Errorf("variable %s: dist %s needs a square matrix, got %v", v.Name, v.Dist, shape)
	}
	g, err := s.gaussian("var/"+v.Name, shape, 1)
	if err != nil {
		return nil, err
	}
	defer s.ev.release(g)
	ev := s.ev
	n := float64(shape.Rows)
	switch v.Dist {
	case formulas.Gauss, "":
		return ev.scaled(1/math.Sqrt(n), g)
	case formulas.Positive:
		half, err := ev.scaled(0.5, g)
		if err != nil {
			return nil, err
		}
		defer ev.release(half)
		return ev.b.Map(backend.Exp, half)
	case formulas.Small:
		return ev.scaled(1/(2*math.Sqrt(n)), g)
	case formulas.Sym:
		sym, err := ev.sym(g)
		if err != nil {
			return nil, err
		}
		defer ev.release(sym)
		return ev.scaled(1/math.Sqrt(n), sym)
	case formulas.WellCond:
		return s.identityPlus(g, 1/(3*math.Sqrt(n)))
	case formulas.SPD:
		return s.spd(g)
	case formulas.PosDefNonSym:
		spd, err := s.spd(g)
		if err != nil {
			return nil, err
		}
		defer ev.release(spd)
		g2, err := s.gaussian("var/"+v.Name+"/skew", shape, 1)
		if err != nil {
			return nil, err
		}
		defer ev.release(g2)
		k, err := s.skew(g2, 1/(2*math.Sqrt(n)))
		if err != nil {
			return nil, err
		}
		defer ev.release(k)
		return ev.b.Elementwise(backend.Add, spd, k)
	case formulas.Orth:
		return s.cayley(g)
	}
	return nil, fmt.Errorf("variable %s: unknown dist %q", v.Name, v.Dist)
}

// identityPlus returns I + c·g.
func (s *sampler) identityPlus(g backend.Tensor, c float64) (backend.Tensor, error) {
	ev := s.ev
	eye, err := ev.b.Eye(g.Layout().Rows)
	if err != nil {
		return nil, err
	}
	defer ev.release(eye)
	cg, err := ev.scaled(c, g)
	if err != nil {
		return nil, err
	}
	defer ev.release(cg)
	return ev.b.Elementwise(backend.Add, eye, cg)
}

// skew returns c·(g − gᵀ).
func (s *sampler) skew(g backend.Tensor, c float64) (backend.Tensor, error) {
	ev := s.ev
	gt, err := ev.b.Transpose(g)
	if err != nil {
		return nil, err
	}
	defer ev.release(gt)
	d, err := ev.b.Elementwise(backend.Sub, g, gt)
	if err != nil {
		return nil, err
	}
	defer ev.release(d)
	return ev.scaled(c, d)
}

// spd returns S·e^{−logdet(S)/n} for S = I + g·gᵀ/n, whose determinant is 1
// so that det and logdet formulas stay near 1 and 0 at any n.
func (s *sampler) spd(g backend.Tensor) (backend.Tensor, error) {
	ev := s.ev
	n := g.Layout().Rows
	gt, err := ev.b.Transpose(g)
	if err != nil {
		return nil, err
	}
	defer ev.release(gt)
	ggt, err := ev.b.MatMul(g, gt)
	if err != nil {
		return nil, err
	}
	defer ev.release(ggt)
	sm, err := s.identityPlus(ggt, 1/float64(n))
	if err != nil {
		return nil, err
	}
	defer ev.release(sm)
	ld, err := ev.b.LogDet(sm)
	if err != nil {
		return nil, err
	}
	defer ev.release(ld)
	e, err := ev.scaled(-1/float64(n), ld)
	if err != nil {
		return nil, err
	}
	defer ev.release(e)
	factor, err := ev.b.Map(backend.Exp, e)
	if err != nil {
		return nil, err
	}
	defer ev.release(factor)
	return ev.b.Scale(factor, sm)
}

// cayley returns the orthogonal (I − K)(I + K)⁻¹ for K = (g − gᵀ)/(2√n);
// I + K is invertible for every skew K.
func (s *sampler) cayley(g backend.Tensor) (backend.Tensor, error) {
	ev := s.ev
	k, err := s.skew(g, 1/(2*math.Sqrt(float64(g.Layout().Rows))))
	if err != nil {
		return nil, err
	}
	defer ev.release(k)
	eye, err := ev.b.Eye(g.Layout().Rows)
	if err != nil {
		return nil, err
	}
	defer ev.release(eye)
	minus, err := ev.b.Elementwise(backend.Sub, eye, k)
	if err != nil {
		return nil, err
	}
	defer ev.release(minus)
	plus, err := ev.b.Elementwise(backend.Add, eye, k)
	if err != nil {
		return nil, err
	}
	defer ev.release(plus)
	plusInv, err := ev.b.Inv(plus)
	if err != nil {
		return nil, err
	}
	defer ev.release(plusInv)
	return ev.b.MatMul(minus, plusInv)
}

// directions draws per Gaussian directions for every instance of x, the
// variable v, scaled so that ‖H‖_F = max(1, ‖X‖_F); symmetric when v lives
// in the space of symmetric matrices.
func (s *sampler) directions(v formulas.Var, x backend.Tensor, per int) (backend.Tensor, error) {
	ev := s.ev
	l := x.Layout()
	h, err := s.gaussian("dir/"+v.Name, formulas.Shape{Rows: l.Rows, Cols: l.Cols}, per)
	if err != nil {
		return nil, err
	}
	if v.SymSpace {
		sym, err := ev.sym(h)
		ev.release(h)
		if err != nil {
			return nil, err
		}
		h = sym
	}
	defer ev.release(h)
	xNorms, err := ev.frobeniusNorms(x)
	if err != nil {
		return nil, err
	}
	hNorms, err := ev.frobeniusNorms(h)
	if err != nil {
		return nil, err
	}
	factors := make([]float64, len(hNorms))
	for j, hn := range hNorms {
		factors[j] = math.Max(1, xNorms[j/per]) / hn
	}
	return ev.scaleEach(factors, h)
}

// scaleEach multiplies matrix j of t by factors[j].
func (ev *evaluator) scaleEach(factors []float64, t backend.Tensor) (backend.Tensor, error) {
	f, err := ev.b.FromHost(backend.Layout{Count: len(factors), Rows: 1, Cols: 1}, factors)
	if err != nil {
		return nil, err
	}
	defer ev.release(f)
	return ev.b.Scale(f, t)
}

// maskedDirections draws one direction per mask for every instance of x:
// Gaussian on the entries the mask selects and zero elsewhere, scaled like
// directions.
func (s *sampler) maskedDirections(v formulas.Var, x backend.Tensor, masks [][]bool) (backend.Tensor, error) {
	ev := s.ev
	h, err := s.directions(v, x, len(masks))
	if err != nil {
		return nil, err
	}
	defer ev.release(h)
	l := h.Layout()
	data := make([]float64, 0, l.Size())
	for range s.count {
		for _, m := range masks {
			for _, on := range m {
				data = append(data, map[bool]float64{true: 1}[on])
			}
		}
	}
	mask, err := ev.b.FromHost(l, data)
	if err != nil {
		return nil, err
	}
	defer ev.release(mask)
	return ev.b.Elementwise(backend.Mul, h, mask)
}
