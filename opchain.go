package gradcheck

import (
	"math"
	"slices"

	"github.com/gradcheck/gradcheck/backend"
)

// ops chains batched operations with a sticky error, so that a sequence of
// operations reads as the formula it computes: after the first failure every
// later operation is skipped and returns nil, and result reports the error
// once. Every tensor an operation returns is an intermediate that result
// frees, except the one it returns.
type ops struct {
	ev    *evaluator
	err   error
	temps []backend.Tensor
}

// ops starts a chain of operations on the evaluator's backend.
func (ev *evaluator) ops() *ops { return &ops{ev: ev} }

// add records the outcome of one operation.
func (o *ops) add(t backend.Tensor, err error) backend.Tensor {
	if err != nil {
		o.err = err
		return nil
	}
	o.temps = append(o.temps, t)
	return t
}

// result frees every intermediate but t and returns t with the chain's
// first error.
func (o *ops) result(t backend.Tensor) (backend.Tensor, error) {
	for _, tmp := range o.temps {
		if tmp != t || o.err != nil {
			o.ev.release(tmp)
		}
	}
	o.temps = nil
	if o.err != nil {
		return nil, o.err
	}
	return t, nil
}

func (o *ops) transpose(a backend.Tensor) backend.Tensor {
	if o.err != nil {
		return nil
	}
	return o.add(o.ev.b.Transpose(a))
}

func (o *ops) matMul(a, b backend.Tensor) backend.Tensor {
	if o.err != nil {
		return nil
	}
	return o.add(o.ev.b.MatMul(a, b))
}

func (o *ops) trace(a backend.Tensor) backend.Tensor {
	if o.err != nil {
		return nil
	}
	return o.add(o.ev.b.Trace(a))
}

func (o *ops) diag(v backend.Tensor) backend.Tensor {
	if o.err != nil {
		return nil
	}
	return o.add(o.ev.b.Diag(v))
}

func (o *ops) elementwise(op backend.ElemOp, a, b backend.Tensor) backend.Tensor {
	if o.err != nil {
		return nil
	}
	return o.add(o.ev.b.Elementwise(op, a, b))
}

func (o *ops) mapEach(op backend.MapOp, a backend.Tensor) backend.Tensor {
	if o.err != nil {
		return nil
	}
	return o.add(o.ev.b.Map(op, a))
}

// softmax is e^x/Σe^x of each column of each matrix of a.
func (o *ops) softmax(a backend.Tensor) backend.Tensor {
	if o.err != nil {
		return nil
	}
	return o.add(o.ev.b.Softmax(a))
}

// scale multiplies each matrix of a by the matching 1×1 entry of s.
func (o *ops) scale(s, a backend.Tensor) backend.Tensor {
	if o.err != nil {
		return nil
	}
	return o.add(o.ev.b.Scale(s, a))
}

func (o *ops) addScaled(x, s, h backend.Tensor) backend.Tensor {
	if o.err != nil {
		return nil
	}
	return o.add(o.ev.b.AddScaled(x, s, h))
}

// scaled multiplies a by the constant c.
func (o *ops) scaled(c float64, a backend.Tensor) backend.Tensor {
	return o.scale(o.scalar(c), a)
}

func (o *ops) scalar(c float64) backend.Tensor {
	if o.err != nil {
		return nil
	}
	return o.add(o.ev.scalar(c))
}

func (o *ops) eye(n int) backend.Tensor {
	if o.err != nil {
		return nil
	}
	return o.add(o.ev.b.Eye(n))
}

func (o *ops) inv(a backend.Tensor) backend.Tensor {
	if o.err != nil {
		return nil
	}
	return o.add(o.ev.b.Inv(a))
}

func (o *ops) logDet(a backend.Tensor) backend.Tensor {
	if o.err != nil {
		return nil
	}
	return o.add(o.ev.b.LogDet(a))
}

func (o *ops) dot(a, b backend.Tensor) backend.Tensor {
	if o.err != nil {
		return nil
	}
	return o.add(o.ev.b.Dot(a, b))
}

// sym returns (a + aᵀ)/2.
func (o *ops) sym(a backend.Tensor) backend.Tensor {
	return o.scaled(0.5, o.elementwise(backend.Add, a, o.transpose(a)))
}

// norms returns ‖a_j‖_F for every stored matrix of a.
func (o *ops) norms(a backend.Tensor) []float64 {
	if o.err != nil {
		return nil
	}
	v, err := o.ev.frobeniusNorms(a)
	if err != nil {
		o.err = err
	}
	return v
}

// host downloads a.
func (o *ops) host(a backend.Tensor) []float64 {
	if o.err != nil {
		return nil
	}
	v, err := o.ev.b.ToHost(a, nil)
	if err != nil {
		o.err = err
	}
	return v
}

func (o *ops) fromHost(l backend.Layout, data []float64) backend.Tensor {
	if o.err != nil {
		return nil
	}
	return o.add(o.ev.b.FromHost(l, data))
}

// compact frees every intermediate but keep, so that a long iteration holds
// only its current state.
func (o *ops) compact(keep ...backend.Tensor) {
	var kept []backend.Tensor
	for _, t := range o.temps {
		if slices.Contains(keep, t) {
			kept = append(kept, t)
		} else {
			o.ev.release(t)
		}
	}
	o.temps = kept
}

// do runs an operation composed elsewhere (expm, logm) in the chain.
func (o *ops) do(f func() (backend.Tensor, error)) backend.Tensor {
	if o.err != nil {
		return nil
	}
	return o.add(f())
}

// lesser returns the entrywise minimum of the non-negative b and a,
// b − relu(b − a): exact where b is finite, and b where a is +Inf (the
// componentwise bound of a magnitude may overflow where the normwise one
// does not).
func (o *ops) lesser(b, a backend.Tensor) backend.Tensor {
	return o.elementwise(backend.Sub, b, o.mapEach(backend.Relu, o.elementwise(backend.Sub, b, a)))
}

// perEntry returns matrices of layout l whose entries all equal vals[j]
// in matrix j (one value per matrix).
func (o *ops) perEntry(vals []float64, l backend.Layout) backend.Tensor {
	return o.scale(o.fromHost(backend.Layout{Count: len(vals), Rows: 1, Cols: 1}, vals), o.filled(1, l.Rows, l.Cols))
}

// broadcast returns rows×cols matrices whose entries all equal the 1×1 s.
func (o *ops) broadcast(s backend.Tensor, rows, cols int) backend.Tensor {
	return o.scale(s, o.filled(1, rows, cols))
}

// spread returns the entrywise magnitude |a| plus, in every entry, the root
// mean square of the entries of a: the scale of a normwise rounding error
// (see invMagnitude).
func (o *ops) spread(a backend.Tensor) backend.Tensor {
	if o.err != nil {
		return nil
	}
	l := a.Layout()
	abs := o.mapEach(backend.Abs, a)
	rms := o.scaled(1/math.Sqrt(float64(l.Rows*l.Cols)), o.mapEach(backend.Sqrt, o.dot(abs, abs)))
	return o.elementwise(backend.Add, abs, o.broadcast(rms, l.Rows, l.Cols))
}

// filled returns one rows×cols matrix whose entries all equal c.
func (o *ops) filled(c float64, rows, cols int) backend.Tensor {
	data := make([]float64, rows*cols)
	for i := range data {
		data[i] = c
	}
	return o.fromHost(backend.Layout{Count: 1, Rows: rows, Cols: cols}, data)
}
