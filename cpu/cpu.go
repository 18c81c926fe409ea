package cpu

import (
	"fmt"
	"math"
	"runtime"

	"github.com/gradcheck/gradcheck/backend"
	"github.com/gradcheck/gradcheck/internal/hugepages"
	"github.com/gradcheck/gradcheck/internal/parts"
)

// Backend evaluates batched matrix operations on the CPU. It holds no state
// besides its worker count and is safe for concurrent use.
type Backend struct {
	workers int
}

var _ backend.Backend = (*Backend)(nil)

// New returns a CPU backend that spreads the matrices of a batch over
// runtime.GOMAXPROCS(0) goroutines.
func New() *Backend {
	return &Backend{workers: runtime.GOMAXPROCS(0)}
}

// Name returns "cpu".
func (*Backend) Name() string { return "cpu" }

// tensor is the CPU backend's backend.Tensor: Count row-major Rows×Cols
// matrices stored one after another.
type tensor struct {
	l    backend.Layout
	data []float64 // nil once freed
}

// Layout returns the tensor's shape.
func (t *tensor) Layout() backend.Layout { return t.l }

// mat returns stored matrix j.
func (t *tensor) mat(j int) []float64 {
	s := t.l.Rows * t.l.Cols
	return t.data[j*s : (j+1)*s]
}

// newTensor returns a tensor of layout l whose entries are undefined: the
// storage of a freed tensor of the same size where there is one. Every
// operation that calls it writes every entry.
func newTensor(l backend.Layout) *tensor {
	checkLayout(l)
	return &tensor{l: l, data: storage(l.Size())}
}

// newZeroTensor returns a tensor of layout l with every entry 0.
func newZeroTensor(l backend.Layout) *tensor {
	t := newTensor(l)
	clear(t.data)
	return t
}

// Free keeps for reuse the storage of tensors of minPooled values (64 KiB)
// or more: up to maxPooled values (32 MiB) in freed, larger ones in
// freedLarge, which holds at most maxLargeHeld values (256 MiB) in all.
// The allocator serves smaller tensors as fast. The bound keeps what waits
// for reuse from growing with n (a verification's chunks are sized for what
// is live, not for what is kept).
//
// Measured on the 2-core VM (`run det logdet-spd tr-axb diff-inv` at
// n = 512, batch 8, median of 5 alternated with the binary without
// freedLarge): 4.03 → 3.56 s wall, 0.87 → 0.42 s system, 674 → 480 MB
// peak resident; at n = 1024 (det diff-inv tr-axb) 20.8 → 20.0 s and
// 3.6 → 2.6 s system, the peak resident 1363 → 1596 MB, the bound's worth.
// A limit of 512 MiB did no better at n = 512.
const (
	minPooled    = 8 << 10
	maxPooled    = 4 << 20
	maxLargeHeld = 32 << 20
)

// freed and freedLarge hold the storage of freed tensors for reuse. Fresh
// storage costs the runtime's zeroing and, once the runtime has returned it
// to the system, page faults on first touch — at n = 16 in entrywise mode
// more than all the arithmetic.
var (
	freed      sizedPool[*[]float64]
	freedLarge = boundedCache{limit: maxLargeHeld}
)

// DropFreed drops the storage of freed tensors kept for reuse, which is
// shared by every CPU backend of the process, so that the heap a later
// measurement sees is its own: after bench's peak (products at n = 2048),
// the 256 MiB kept made the HEAP column of every claim 200 to 290 MiB
// (found by the exploratory helper). It costs the next allocations their
// fresh pages.
func DropFreed() {
	freed.clear()
	freedLarge.clear()
}

// poison, set by this package's tests, fills the storage newTensor hands
// out with NaN, so that an operation that leaves an entry unwritten fails
// its test.
var poison bool

// storage returns n values, reused or new.
func storage(n int) []float64 {
	var d []float64
	switch {
	case n > maxPooled:
		d = freedLarge.get(n)
	case n >= minPooled:
		if v, ok := freed.get(n); ok {
			d = *v
		}
	}
	if d == nil {
		d = make([]float64, n)
		hugepages.Advise(d)
	}
	if poison {
		for i := range d {
			d[i] = math.NaN()
		}
	}
	return d
}

// recycle keeps the storage of a freed tensor for reuse.
func recycle(d []float64) {
	switch {
	case len(d) > maxPooled:
		freedLarge.put(d)
	case len(d) >= minPooled:
		freed.put(len(d), &d)
	}
}

// checkLayout panics unless l has at least one matrix of at least 1×1.
func checkLayout(l backend.Layout) { backend.CheckLayout("cpu", l) }

// get returns t as a live CPU tensor, panicking on a tensor of another
// backend or one that was freed.
func get(op string, t backend.Tensor) *tensor {
	c, ok := t.(*tensor)
	switch {
	case !ok:
		panic(fmt.Sprintf("cpu: %s: tensor %T does not belong to the cpu backend", op, t))
	case c.data == nil:
		panic(fmt.Sprintf("cpu: %s: tensor used after Free", op))
	}
	return c
}

// square panics unless the matrices of t are square, and returns their order.
func square(op string, t *tensor) int { return backend.Square("cpu", op, t.l) }

// broadcast is backend.Broadcast for the operands a and b of op.
func broadcast(op string, a, b *tensor) (count, ra, rb int) {
	return backend.Broadcast("cpu", op, a.l, b.l)
}

// sameShape panics unless a and b hold matrices of the same shape.
func sameShape(op string, a, b *tensor) { backend.SameShape("cpu", op, a.l, b.l) }

// parallel calls f on contiguous chunks [lo, hi) covering [0, count), one
// chunk per worker, and returns when all are done. With one chunk f runs in
// the caller. Workers allocate their scratch space once per chunk.
func (b *Backend) parallel(count int, f func(lo, hi int)) {
	parts.Run(count, min(b.workers, count), f)
}

// FromHost copies data, l.Count row-major l.Rows×l.Cols matrices, into a new
// tensor. It panics unless len(data) == l.Size().
func (*Backend) FromHost(l backend.Layout, data []float64) (backend.Tensor, error) {
	checkLayout(l)
	backend.CheckHost("cpu", l, len(data))
	t := newTensor(l)
	copy(t.data, data)
	return t, nil
}

// ToHost returns a copy of the tensor's values in the layout FromHost
// reads, in dst when it has the capacity.
func (*Backend) ToHost(t backend.Tensor, dst []float64) ([]float64, error) {
	return append(dst[:0], get("ToHost", t).data...), nil
}

// Free keeps the tensor's storage for reuse by a later tensor; using the
// tensor afterwards panics.
func (*Backend) Free(t backend.Tensor) {
	c := get("Free", t)
	recycle(c.data)
	c.data = nil
}

// Eye returns the n×n identity (Count 1).
func (*Backend) Eye(n int) (backend.Tensor, error) {
	t := newZeroTensor(backend.Layout{Count: 1, Rows: n, Cols: n})
	for i := range n {
		t.data[i*n+i] = 1
	}
	return t, nil
}

// Gather returns matrices index[0], index[1], … of a, in that order.
func (*Backend) Gather(a backend.Tensor, index []int) (backend.Tensor, error) {
	x := get("Gather", a)
	backend.CheckGather("cpu", x.l, index)
	t := newTensor(backend.Layout{Count: len(index), Rows: x.l.Rows, Cols: x.l.Cols})
	for j, i := range index {
		copy(t.mat(j), x.mat(i))
	}
	return t, nil
}
