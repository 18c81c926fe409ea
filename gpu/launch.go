package gpu

import (
	"fmt"
	"math"

	"github.com/gradcheck/gradcheck/backend"
)

// launch runs a kernel and names it, its grid and its block in any error.
func (b *Backend) launch(kernel string, grid, block Dim, shared int, args ...uint64) error {
	if err := b.dev.Launch(kernel, grid, block, shared, args...); err != nil {
		return fmt.Errorf("gpu: %s<<<%v, %v, %d>>>: %w", kernel, grid, block, shared, err)
	}
	return nil
}

// launch1D runs a grid-stride kernel over total work items.
func (b *Backend) launch1D(kernel string, total int, args ...uint64) error {
	threads := b.lim.Threads
	blocks := min(max(1, (total+threads-1)/threads), b.lim.Blocks)
	return b.launch(kernel, Dim{blocks, 1, 1}, Dim{threads, 1, 1}, 0, args...)
}

// run allocates a tensor of layout l and fills it with launch; on failure
// it frees the tensor and returns the error.
func (b *Backend) run(l backend.Layout, launch func(out *tensor) error) (backend.Tensor, error) {
	out, err := b.newTensor(l)
	if err != nil {
		return nil, err
	}
	if err := launch(out); err != nil {
		b.Free(out)
		return nil, err
	}
	return out, nil
}

// pow2 returns the largest power of two not above n ≥ 1.
func pow2(n int) int {
	p := 1
	for 2*p <= n {
		p *= 2
	}
	return p
}

// p returns the device address of t as a kernel parameter.
func (t *tensor) p() uint64 { return uint64(t.buf.p) }

// w converts an int to a kernel parameter.
func w(n int) uint64 { return uint64(n) }

// broadcast is backend.Broadcast for the operands x and y of op.
func broadcast(op string, x, y *tensor) (count, rx, ry int) {
	return backend.Broadcast("gpu", op, x.l, y.l)
}

// sameShape panics unless x and y hold matrices of the same shape.
func sameShape(op string, x, y *tensor) { backend.SameShape("gpu", op, x.l, y.l) }

// square panics unless the matrices of t are square, and returns their order.
func square(op string, t *tensor) int { return backend.Square("gpu", op, t.l) }

// Gaussian draws l.Count matrices of independent N(0,1) entries: matrix c is
// philox.Fill with key, stream and index first+c, bit for bit.
func (b *Backend) Gaussian(l backend.Layout, key uint64, stream, first uint32) (backend.Tensor, error) {
	size := l.Rows * l.Cols
	return b.run(l, func(out *tensor) error {
		return b.launch1D("gc_gaussian", l.Count*((size+1)/2),
			out.p(), w(l.Count), w(size), key, uint64(stream), uint64(first))
	})
}

// Eye returns the n×n identity (Count 1).
func (b *Backend) Eye(n int) (backend.Tensor, error) {
	return b.run(backend.Layout{Count: 1, Rows: n, Cols: n}, func(out *tensor) error {
		return b.launch1D("gc_eye", n*n, out.p(), w(n))
	})
}

// elemKernels names the kernel of each ElemOp.
var elemKernels = [...]string{
	backend.Add: "gc_add",
	backend.Sub: "gc_sub",
	backend.Mul: "gc_mul",
	backend.Div: "gc_div",
	backend.Pow: "gc_pow",
}

// Elementwise applies op entry by entry to equally shaped x and y,
// broadcasting the smaller count. Pow is Go's math.Pow, transcribed.
func (b *Backend) Elementwise(op backend.ElemOp, x, y backend.Tensor) (backend.Tensor, error) {
	if op < 0 || int(op) >= len(elemKernels) {
		panic(fmt.Sprintf("gpu: Elementwise: unknown op %d", op))
	}
	xt, yt := b.get("Elementwise", x), b.get("Elementwise", y)
	sameShape("Elementwise", xt, yt)
	count, rx, ry := broadcast("Elementwise", xt, yt)
	size := xt.l.Rows * xt.l.Cols
	return b.run(backend.Layout{Count: count, Rows: xt.l.Rows, Cols: xt.l.Cols}, func(out *tensor) error {
		return b.launch1D(elemKernels[op], count*size,
			out.p(), xt.p(), yt.p(), w(count), w(size), w(rx), w(ry))
	})
}

// mapKernels names the kernel of each MapOp.
var mapKernels = [...]string{
	backend.Neg:  "gc_neg",
	backend.Exp:  "gc_exp",
	backend.Log:  "gc_log",
	backend.Sqrt: "gc_sqrt",
	backend.Abs:  "gc_abs",
	backend.Tanh: "gc_tanh",
}

// Map applies op to every entry of a. Exp, Log and Tanh are Go's math
// functions, transcribed; the activation functions from Sigmoid on run in
// kernels/activations.cu.
func (b *Backend) Map(op backend.MapOp, a backend.Tensor) (backend.Tensor, error) {
	if op < 0 || op > backend.Trigamma {
		panic(fmt.Sprintf("gpu: Map: unknown op %d", op))
	}
	at := b.get("Map", a)
	if op >= backend.Sigmoid {
		return b.activation(op, at)
	}
	return b.run(at.l, func(out *tensor) error {
		return b.launch1D(mapKernels[op], at.l.Size(), out.p(), at.p(), w(at.l.Size()))
	})
}

// Scale multiplies each matrix of a by the matching 1×1 entry of s,
// broadcasting the smaller count.
func (b *Backend) Scale(s, a backend.Tensor) (backend.Tensor, error) {
	st, at := b.get("Scale", s), b.get("Scale", a)
	backend.CheckScale("gpu", "Scale", st.l)
	count, rs, ra := broadcast("Scale", st, at)
	size := at.l.Rows * at.l.Cols
	return b.run(backend.Layout{Count: count, Rows: at.l.Rows, Cols: at.l.Cols}, func(out *tensor) error {
		return b.launch1D("gc_scale", count*size,
			out.p(), st.p(), at.p(), w(count), w(size), w(rs), w(ra))
	})
}

// AddScaled returns x + s·h, broadcasting the smaller counts, with the
// product rounded before the sum (kernels/elementwise.cu).
func (b *Backend) AddScaled(x, s, h backend.Tensor) (backend.Tensor, error) {
	xt, st, ht := b.get("AddScaled", x), b.get("AddScaled", s), b.get("AddScaled", h)
	count, rx, rs, rh := backend.BroadcastScaled("gpu", xt.l, st.l, ht.l)
	size := ht.l.Rows * ht.l.Cols
	return b.run(backend.Layout{Count: count, Rows: ht.l.Rows, Cols: ht.l.Cols}, func(out *tensor) error {
		return b.launch1D("gc_add_scaled", count*size,
			out.p(), xt.p(), st.p(), ht.p(), w(count), w(size), w(rx), w(rs), w(rh))
	})
}

// MatMul returns the matrix products x·y, broadcasting the smaller count,
// register-blocked through shared memory (kernels/matmul.cu).
func (b *Backend) MatMul(x, y backend.Tensor) (backend.Tensor, error) {
	xt, yt := b.get("MatMul", x), b.get("MatMul", y)
	backend.CheckMatMul("gpu", xt.l, yt.l)
	count, rx, ry := broadcast("MatMul", xt, yt)
	m, k, n := xt.l.Rows, xt.l.Cols, yt.l.Cols
	return b.run(backend.Layout{Count: count, Rows: m, Cols: n}, func(out *tensor) error {
		return b.gemm(false, out.matrices(), xt.matrices(), yt.matrices(), count, m, n, k, rx, ry)
	})
}

// Transpose returns the transposes of the matrices of a.
func (b *Backend) Transpose(a backend.Tensor) (backend.Tensor, error) {
	at := b.get("Transpose", a)
	r, c := at.l.Rows, at.l.Cols
	return b.run(backend.Layout{Count: at.l.Count, Rows: c, Cols: r}, func(out *tensor) error {
		return b.launch1D("gc_transpose", at.l.Size(), out.p(), at.p(), w(at.l.Count), w(r), w(c))
	})
}

// Vec returns the columns of each matrix of a stacked into one column: the
// transpose kernel's output, laid out as a column.
func (b *Backend) Vec(a backend.Tensor) (backend.Tensor, error) {
	at := b.get("Vec", a)
	r, c := at.l.Rows, at.l.Cols
	return b.run(backend.Layout{Count: at.l.Count, Rows: r * c, Cols: 1}, func(out *tensor) error {
		return b.launch1D("gc_transpose", at.l.Size(), out.p(), at.p(), w(at.l.Count), w(r), w(c))
	})
}

// Gather returns matrices index[0], index[1], … of a, in that order, by
// one kernel: the indices go to the device as the bits of int64 words in a
// buffer of float64 words (the size of an int64), which the kernel reads
// as integers. The buffer returns to the pool at once: a later copy into it
// waits for the kernel, on the one stream.
func (b *Backend) Gather(a backend.Tensor, index []int) (backend.Tensor, error) {
	at := b.get("Gather", a)
	backend.CheckGather("gpu", at.l, index)
	words := make([]float64, len(index))
	for j, i := range index {
		words[j] = math.Float64frombits(uint64(i))
	}
	idx, err := b.alloc(len(words))
	if err != nil {
		return nil, err
	}
	defer b.release(idx)
	if err := b.dev.CopyIn(idx.p, words); err != nil {
		return nil, fmt.Errorf("gpu: copying %d indices to the device: %w", len(words), err)
	}
	l := backend.Layout{Count: len(index), Rows: at.l.Rows, Cols: at.l.Cols}
	return b.run(l, func(out *tensor) error {
		return b.launch1D("gc_gather", l.Size(), out.p(), at.p(), uint64(idx.p), w(l.Count), w(l.Rows*l.Cols))
	})
}

// Kron returns the Kronecker products x ⊗ y, broadcasting the smaller
// count.
func (b *Backend) Kron(x, y backend.Tensor) (backend.Tensor, error) {
	xt, yt := b.get("Kron", x), b.get("Kron", y)
	count, rx, ry := broadcast("Kron", xt, yt)
	m, n, p, q := xt.l.Rows, xt.l.Cols, yt.l.Rows, yt.l.Cols
	l := backend.Layout{Count: count, Rows: m * p, Cols: n * q}
	return b.run(l, func(out *tensor) error {
		return b.launch1D("gc_kron", l.Size(), out.p(), xt.p(), yt.p(),
			w(count), w(m), w(n), w(p), w(q), w(rx), w(ry))
	})
}

// reduce runs a reduction kernel of kernels/reduce.cu on count matrices of
// size terms: one block per matrix, of a power of two threads, no more than
// the terms, with a double of shared memory per thread.
func (b *Backend) reduce(kernel string, count, size int, args ...uint64) (backend.Tensor, error) {
	threads := pow2(min(size, b.lim.Threads))
	grid := Dim{min(count, b.lim.Blocks), 1, 1}
	return b.run(backend.Layout{Count: count, Rows: 1, Cols: 1}, func(out *tensor) error {
		return b.launch(kernel, grid, Dim{threads, 1, 1}, threads*8, append([]uint64{out.p()}, args...)...)
	})
}

// Trace returns the traces (1×1) of square matrices.
func (b *Backend) Trace(a backend.Tensor) (backend.Tensor, error) {
	at := b.get("Trace", a)
	n := square("Trace", at)
	return b.reduce("gc_trace", at.l.Count, n, at.p(), w(at.l.Count), w(n))
}

// Sum returns the sums (1×1) of all entries of each matrix.
func (b *Backend) Sum(a backend.Tensor) (backend.Tensor, error) {
	at := b.get("Sum", a)
	size := at.l.Rows * at.l.Cols
	return b.reduce("gc_sum", at.l.Count, size, at.p(), w(at.l.Count), w(size))
}

// Dot returns the Frobenius inner products ⟨x, y⟩ (1×1) of equally shaped x
// and y, broadcasting the smaller count.
func (b *Backend) Dot(x, y backend.Tensor) (backend.Tensor, error) {
	xt, yt := b.get("Dot", x), b.get("Dot", y)
	sameShape("Dot", xt, yt)
	count, rx, ry := broadcast("Dot", xt, yt)
	size := xt.l.Rows * xt.l.Cols
	return b.reduce("gc_dot", count, size, xt.p(), yt.p(), w(count), w(size), w(rx), w(ry))
}

// Diag turns n×1 vectors into n×n diagonal matrices.
func (b *Backend) Diag(a backend.Tensor) (backend.Tensor, error) {
	at := b.get("Diag", a)
	backend.CheckColumn("gpu", "Diag", at.l)
	n, count := at.l.Rows, at.l.Count
	return b.run(backend.Layout{Count: count, Rows: n, Cols: n}, func(out *tensor) error {
		return b.launch1D("gc_diag", count*n*n, out.p(), at.p(), w(count), w(n))
	})
}

// DiagOf returns the diagonals (n×1) of square matrices.
func (b *Backend) DiagOf(a backend.Tensor) (backend.Tensor, error) {
	at := b.get("DiagOf", a)
	n := square("DiagOf", at)
	count := at.l.Count
	return b.run(backend.Layout{Count: count, Rows: n, Cols: 1}, func(out *tensor) error {
		return b.launch1D("gc_diagof", count*n, out.p(), at.p(), w(count), w(n))
	})
}
