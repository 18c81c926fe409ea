package backend

// Layout is the shape of a tensor: Count matrices of Rows×Cols.
type Layout struct {
	Count, Rows, Cols int
}

// Size returns the number of float64 values the tensor holds.
func (l Layout) Size() int { return l.Count * l.Rows * l.Cols }

// Tensor is a batch of matrices owned by one backend. Backends accept only
// tensors they created.
type Tensor interface {
	Layout() Layout
}

// ElemOp is an elementwise binary operation.
type ElemOp int

// Elementwise binary operations.
const (
	Add ElemOp = iota // a + b
	Sub               // a − b
	Mul               // Hadamard product a ∘ b
	Div               // elementwise a / b
	Pow               // elementwise a^b (math.Pow semantics)
)

// MapOp is an elementwise unary function.
type MapOp int

// Elementwise unary functions.
const (
	Neg  MapOp = iota // −a
	Exp               // e^a
	Log               // natural log (NaN for negative entries)
	Sqrt              // square root (NaN for negative entries)
	Abs               // |a|
	Tanh              // hyperbolic tangent

	// The functions below are written out once, operation by operation, in
	// package cpu (activations.go) and in kernels/activations.cu, so that
	// both backends compute the same bits; package cpu documents each
	// evaluation and why it is stable.

	Sigmoid  // 1/(1+e^−a)
	Softplus // log(1+e^a)
	Log1p    // log(1+a)
	Expm1    // e^a − 1
	Sin      // sine (Go's math.Sin)
	Cos      // cosine (Go's math.Cos)
	Relu     // max(a, 0); NaN stays NaN
	Step     // 1 where a > 0, 0 where a ≤ 0; NaN stays NaN
	Sign     // −1 where a < 0, 1 where a > 0, 0 where a = 0; NaN stays NaN
	Lgamma   // log Γ(a) for a > 0; NaN where a ≤ 0
	Digamma  // ψ(a) = Γ'(a)/Γ(a) for a > 0; NaN where a ≤ 0
	Trigamma // ψ'(a) for a > 0; NaN where a ≤ 0
)

// Backend evaluates batched matrix operations. Every method returns a new
// tensor and an error; an error means the backend itself failed (device
// fault, out of memory), never that a value was not finite: non-finite
// values propagate as IEEE NaN and ±Inf for the verifier to judge.
//
// Shapes are checked before evaluation; calling an operation with operands
// of incompatible shapes or counts is a programmer error and may panic.
type Backend interface {
	// Name identifies the backend in reports ("cpu", "gpu").
	Name() string

	// FromHost stores data, Count row-major Rows×Cols matrices one after
	// another, in a new tensor.
	FromHost(l Layout, data []float64) (Tensor, error)
	// ToHost copies a tensor's matrices into host memory, in the layout
	// FromHost reads: into dst when it has the capacity (a caller that
	// downloads the values of every block of a check reuses one buffer),
	// else into a new slice, which it returns.
	ToHost(t Tensor, dst []float64) ([]float64, error)
	// Free releases the tensor's storage early; the tensor must not be used
	// afterwards. Freeing is optional on backends with garbage-collected
	// memory.
	Free(t Tensor)

	// Gaussian draws l.Count matrices of independent N(0,1) entries from the
	// Philox4x32-10 stream of package philox: matrix c is philox.Fill with
	// the given key, stream and matrix index first+c. The result is
	// bit-identical on every backend.
	Gaussian(l Layout, key uint64, stream, first uint32) (Tensor, error)
	// Eye returns the n×n identity (Count 1).
	Eye(n int) (Tensor, error)

	// Elementwise applies op entry by entry to equally shaped a and b.
	Elementwise(op ElemOp, a, b Tensor) (Tensor, error)
	// Map applies op to every entry of a.
	Map(op MapOp, a Tensor) (Tensor, error)
	// Scale multiplies each matrix of a by the matching 1×1 entry of s.
	Scale(s, a Tensor) (Tensor, error)
	// AddScaled returns x + s·h: each matrix of h multiplied by the
	// matching 1×1 entry of s and added to the matching matrix of x, the
	// product rounded before the sum (no fused multiply-add), so that it is
	// Elementwise(Add, x, Scale(s, h)) bit for bit, in one pass over the
	// result. The verifier forms its perturbed points X + t·H with it.
	AddScaled(x, s, h Tensor) (Tensor, error)
	// MatMul returns the matrix products a·b.
	MatMul(a, b Tensor) (Tensor, error)
	// Transpose returns aᵀ.
	Transpose(a Tensor) (Tensor, error)
	// Vec stacks the columns of each matrix of a into one column
	// (rows·cols × 1), the vec of Magnus and Neudecker: the transpose's
	// row-major values.
	Vec(a Tensor) (Tensor, error)
	// Gather returns matrices index[0], index[1], … of a, in that order
	// (an index may repeat), as a tensor of len(index) matrices. The
	// verifier restricts a batch to the instances that still need a panel
	// of an integral with it, on the device that holds the batch.
	Gather(a Tensor, index []int) (Tensor, error)
	// Kron returns the Kronecker products a ⊗ b.
	Kron(a, b Tensor) (Tensor, error)
	// Inv returns the inverses of square matrices, through LU with partial
	// pivoting; a singular matrix yields non-finite entries.
	Inv(a Tensor) (Tensor, error)
	// Det returns the determinants (1×1) of square matrices, through LU.
	Det(a Tensor) (Tensor, error)
	// LogDet returns log(det a) (1×1) through LU, without forming det a, so
	// that it cannot overflow; −Inf where det a = 0 and NaN where det a < 0,
	// as math.Log would give.
	LogDet(a Tensor) (Tensor, error)
	// Trace returns the traces (1×1) of square matrices.
	Trace(a Tensor) (Tensor, error)
	// Sum returns the sums (1×1) of all entries.
	Sum(a Tensor) (Tensor, error)
	// Dot returns the Frobenius inner products ⟨a, b⟩ = Σ a_ij b_ij (1×1) of
	// equally shaped a and b.
	Dot(a, b Tensor) (Tensor, error)
	// Diag turns n×1 vectors into n×n diagonal matrices.
	Diag(a Tensor) (Tensor, error)
	// DiagOf returns the diagonals (n×1) of square matrices.
	DiagOf(a Tensor) (Tensor, error)

	// Softmax returns e^x/Σe^x of every column of every matrix, computed
	// as e^(x−m)/Σe^(x−m) with m the column's largest entry.
	Softmax(a Tensor) (Tensor, error)
	// LogSumExp returns log Σ e^x over all entries of each matrix (1×1),
	// computed as m + log Σ e^(x−m) with m the largest entry; ±Inf where
	// m is, NaN where an entry is.
	LogSumExp(a Tensor) (Tensor, error)
	// Solve returns X with a·X = b for square a, through LU with partial
	// pivoting, never forming a⁻¹; counts broadcast. A zero pivot yields a
	// matrix of NaN.
	Solve(a, b Tensor) (Tensor, error)
	// SignChanges counts, for each run of group consecutive matrices of a
	// (group dividing the count), the entries whose sign (−, 0 or +) is
	// not the same in all of them: a result of Count/group 1×1 values.
	// The verifier asks it whether a finite-difference stencil crosses a
	// kink of abs, relu, step, sign or norm2 of one number.
	SignChanges(a Tensor, group int) (Tensor, error)
}

// OnDevice is implemented by a backend that runs on a device of its own
// with memory of its own (the GPU backend), so that code that holds a
// Backend, such as the GPU worker, can name the device and fit its work to
// the memory left, without knowing the backend's type.
type OnDevice interface {
	// DeviceName describes the device, e.g. "NVIDIA H100 80GB HBM3".
	DeviceName() string
	// FreeMemory returns the bytes of device memory free now, or an error
	// when the device cannot tell.
	FreeMemory() (int64, error)
}
