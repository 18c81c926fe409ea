package bench

import (
	"cmp"
	"slices"
	"sync"
	"time"

	"github.com/gradcheck/gradcheck/backend"
)

// Counter is a backend.Backend that forwards every operation to another
// backend and tallies, per operation, the calls, the flops and bytes of
// Cost and the wall time spent inside the wrapped backend; it also tracks
// the bytes of live tensors (created and not yet freed) and their high
// water mark. Wrapping a backend in a Counter is how bench counts the
// flops of a verification without a formula per claim.
//
// The times are those of the calls: a backend that returns before its work
// is done (an asynchronous device queue) must be synchronized by its
// operations for them to mean the evaluation time. A Counter is safe for
// concurrent use.
type Counter struct {
	b backend.Backend

	mu         sync.Mutex
	ops        map[Op]*OpStat
	live, peak int64
}

var _ backend.Backend = (*Counter)(nil)

// NewCounter returns a Counter of the operations done on b.
func NewCounter(b backend.Backend) *Counter {
	return &Counter{b: b, ops: map[Op]*OpStat{}}
}

// OpStat is what a Counter tallied for one operation.
type OpStat struct {
	Op      Op      `json:"op"`
	Calls   int64   `json:"calls"`
	Flops   float64 `json:"flops"`
	Bytes   float64 `json:"bytes"`
	Seconds float64 `json:"seconds"`
}

// Stats is a snapshot of a Counter.
type Stats struct {
	// Ops holds the operations called, most flops first (then most time).
	Ops []OpStat
	// Flops, Bytes and Seconds are the totals over Ops.
	Flops, Bytes, Seconds float64
	// LiveBytes is the size of the tensors created and not freed, and
	// PeakBytes its largest value so far.
	LiveBytes, PeakBytes int64
}

// Stats returns the tallies so far.
func (c *Counter) Stats() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := Stats{LiveBytes: c.live, PeakBytes: c.peak}
	for _, o := range c.ops {
		s.Ops = append(s.Ops, *o)
		s.Flops += o.Flops
		s.Bytes += o.Bytes
		s.Seconds += o.Seconds
	}
	slices.SortFunc(s.Ops, func(a, b OpStat) int {
		return cmp.Or(cmp.Compare(b.Flops, a.Flops), cmp.Compare(b.Seconds, a.Seconds), cmp.Compare(a.Op, b.Op))
	})
	return s
}

// done records a call of op that began at start and returned t and err,
// from the given operands, and returns t and err.
func (c *Counter) done(op Op, start time.Time, t backend.Tensor, err error, operands ...backend.Layout) (backend.Tensor, error) {
	elapsed := time.Since(start).Seconds()
	var flops, bytes float64
	var size int64
	if err == nil {
		flops, bytes = Cost(op, t.Layout(), operands...)
		size = 8 * int64(t.Layout().Size())
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.tally(op, elapsed, flops, bytes)
	c.live += size
	c.peak = max(c.peak, c.live)
	return t, err
}

// tally adds one call to op's OpStat; c.mu must be held.
func (c *Counter) tally(op Op, seconds, flops, bytes float64) {
	s := c.ops[op]
	if s == nil {
		s = &OpStat{Op: op}
		c.ops[op] = s
	}
	s.Calls++
	s.Flops += flops
	s.Bytes += bytes
	s.Seconds += seconds
}

// Name returns the wrapped backend's name.
func (c *Counter) Name() string { return c.b.Name() }

// FromHost forwards to the wrapped backend.
func (c *Counter) FromHost(l backend.Layout, data []float64) (backend.Tensor, error) {
	start := time.Now()
	t, err := c.b.FromHost(l, data)
	return c.done(OpFromHost, start, t, err)
}

// ToHost forwards to the wrapped backend.
func (c *Counter) ToHost(t backend.Tensor, dst []float64) ([]float64, error) {
	start := time.Now()
	data, err := c.b.ToHost(t, dst)
	elapsed := time.Since(start).Seconds()
	_, bytes := Cost(OpToHost, backend.Layout{}, t.Layout())
	c.mu.Lock()
	defer c.mu.Unlock()
	c.tally(OpToHost, elapsed, 0, bytes)
	return data, err
}

// Free forwards to the wrapped backend and counts the tensor's bytes as
// released.
func (c *Counter) Free(t backend.Tensor) {
	start := time.Now()
	c.b.Free(t)
	elapsed := time.Since(start).Seconds()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.tally(OpFree, elapsed, 0, 0)
	c.live -= 8 * int64(t.Layout().Size())
}

// Gaussian forwards to the wrapped backend.
func (c *Counter) Gaussian(l backend.Layout, key uint64, stream, first uint32) (backend.Tensor, error) {
	start := time.Now()
	t, err := c.b.Gaussian(l, key, stream, first)
	return c.done(OpGaussian, start, t, err)
}

// Eye forwards to the wrapped backend.
func (c *Counter) Eye(n int) (backend.Tensor, error) {
	start := time.Now()
	t, err := c.b.Eye(n)
	return c.done(OpEye, start, t, err)
}

// Elementwise forwards to the wrapped backend.
func (c *Counter) Elementwise(op backend.ElemOp, a, b backend.Tensor) (backend.Tensor, error) {
	start := time.Now()
	t, err := c.b.Elementwise(op, a, b)
	return c.done(OpElementwise, start, t, err, a.Layout(), b.Layout())
}

// Map forwards to the wrapped backend.
func (c *Counter) Map(op backend.MapOp, a backend.Tensor) (backend.Tensor, error) {
	start := time.Now()
	t, err := c.b.Map(op, a)
	return c.done(OpMap, start, t, err, a.Layout())
}

// AddScaled forwards to the wrapped backend.
func (c *Counter) AddScaled(x, s, h backend.Tensor) (backend.Tensor, error) {
	start := time.Now()
	t, err := c.b.AddScaled(x, s, h)
	return c.done(OpAddScaled, start, t, err, x.Layout(), s.Layout(), h.Layout())
}

// Scale forwards to the wrapped backend.
func (c *Counter) Scale(s, a backend.Tensor) (backend.Tensor, error) {
	start := time.Now()
	t, err := c.b.Scale(s, a)
	return c.done(OpScale, start, t, err, s.Layout(), a.Layout())
}

// MatMul forwards to the wrapped backend.
func (c *Counter) MatMul(a, b backend.Tensor) (backend.Tensor, error) {
	start := time.Now()
	t, err := c.b.MatMul(a, b)
	return c.done(OpMatMul, start, t, err, a.Layout(), b.Layout())
}

// Transpose forwards to the wrapped backend.
func (c *Counter) Transpose(a backend.Tensor) (backend.Tensor, error) {
	start := time.Now()
	t, err := c.b.Transpose(a)
	return c.done(OpTranspose, start, t, err, a.Layout())
}

// Vec forwards to the wrapped backend.
func (c *Counter) Vec(a backend.Tensor) (backend.Tensor, error) {
	start := time.Now()
	t, err := c.b.Vec(a)
	return c.done(OpVec, start, t, err, a.Layout())
}

// Gather forwards to the wrapped backend.
func (c *Counter) Gather(a backend.Tensor, index []int) (backend.Tensor, error) {
	start := time.Now()
	t, err := c.b.Gather(a, index)
	return c.done(OpGather, start, t, err, a.Layout())
}

// Kron forwards to the wrapped backend.
func (c *Counter) Kron(a, b backend.Tensor) (backend.Tensor, error) {
	start := time.Now()
	t, err := c.b.Kron(a, b)
	return c.done(OpKron, start, t, err, a.Layout(), b.Layout())
}

// Inv forwards to the wrapped backend.
func (c *Counter) Inv(a backend.Tensor) (backend.Tensor, error) {
	start := time.Now()
	t, err := c.b.Inv(a)
	return c.done(OpInv, start, t, err, a.Layout())
}

// Det forwards to the wrapped backend.
func (c *Counter) Det(a backend.Tensor) (backend.Tensor, error) {
	start := time.Now()
	t, err := c.b.Det(a)
	return c.done(OpDet, start, t, err, a.Layout())
}

// LogDet forwards to the wrapped backend.
func (c *Counter) LogDet(a backend.Tensor) (backend.Tensor, error) {
	start := time.Now()
	t, err := c.b.LogDet(a)
	return c.done(OpLogDet, start, t, err, a.Layout())
}

// Trace forwards to the wrapped backend.
func (c *Counter) Trace(a backend.Tensor) (backend.Tensor, error) {
	start := time.Now()
	t, err := c.b.Trace(a)
	return c.done(OpTrace, start, t, err, a.Layout())
}

// Sum forwards to the wrapped backend.
func (c *Counter) Sum(a backend.Tensor) (backend.Tensor, error) {
	start := time.Now()
	t, err := c.b.Sum(a)
	return c.done(OpSum, start, t, err, a.Layout())
}

// Dot forwards to the wrapped backend.
func (c *Counter) Dot(a, b backend.Tensor) (backend.Tensor, error) {
	start := time.Now()
	t, err := c.b.Dot(a, b)
	return c.done(OpDot, start, t, err, a.Layout(), b.Layout())
}

// Diag forwards to the wrapped backend.
func (c *Counter) Diag(a backend.Tensor) (backend.Tensor, error) {
	start := time.Now()
	t, err := c.b.Diag(a)
	return c.done(OpDiag, start, t, err, a.Layout())
}

// DiagOf forwards to the wrapped backend.
func (c *Counter) DiagOf(a backend.Tensor) (backend.Tensor, error) {
	start := time.Now()
	t, err := c.b.DiagOf(a)
	return c.done(OpDiagOf, start, t, err, a.Layout())
}

// Softmax forwards to the wrapped backend.
func (c *Counter) Softmax(a backend.Tensor) (backend.Tensor, error) {
	start := time.Now()
	t, err := c.b.Softmax(a)
	return c.done(OpSoftmax, start, t, err, a.Layout())
}

// LogSumExp forwards to the wrapped backend.
func (c *Counter) LogSumExp(a backend.Tensor) (backend.Tensor, error) {
	start := time.Now()
	t, err := c.b.LogSumExp(a)
	return c.done(OpLogSumExp, start, t, err, a.Layout())
}

// Solve forwards to the wrapped backend.
func (c *Counter) Solve(a, b backend.Tensor) (backend.Tensor, error) {
	start := time.Now()
	t, err := c.b.Solve(a, b)
	return c.done(OpSolve, start, t, err, a.Layout(), b.Layout())
}

// SignChanges forwards to the wrapped backend.
func (c *Counter) SignChanges(a backend.Tensor, group int) (backend.Tensor, error) {
	start := time.Now()
	t, err := c.b.SignChanges(a, group)
	return c.done(OpSignChanges, start, t, err, a.Layout())
}
