//go:build cgo

package gpu_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"

	"gonum.org/v1/gonum/lapack/gonum"

	bt "github.com/gradcheck/gradcheck/backend/backendtest"

	"github.com/gradcheck/gradcheck/backend"
	"github.com/gradcheck/gradcheck/cpu"
	"github.com/gradcheck/gradcheck/gpu"
)

// The GPU backend is checked against the CPU backend, the reference, on
// identical inputs. Most operations are designed to be bit-identical (see
// package kernels) and are compared bit for bit, NaN matching any NaN. The
// exceptions get a tolerance with its reason:
//
//   - Inv: the kernels form U⁻¹L⁻¹ by substitution on the identity and
//     then permute its columns, where gonum's Dgetri inverts U first and
//     then solves X·L = U⁻¹; both are backward stable, so on the
//     well-conditioned test matrices (κ ≈ 5) they differ by about
//     n·u·κ < 1e-13 relative, held to 1e-12 normwise.
//   - Det and LogDet above n = 64, where gonum's Dgetrf switches to a
//     blocked factorization whose Gemm updates round differently: the
//     factors differ by about n·u·κ, and so do det (relatively) and logdet
//     (absolutely, it is a sum of n logarithms): 1e-12.
//   - Solve: the kernel factors column by column and substitutes one
//     column of B at a time, where gonum's Dgetrs solves by blocks; as for
//     Inv, 1e-12 normwise on well-conditioned matrices.
//   - Exp, Tanh and Pow with a fractional exponent off amd64: the kernels
//     transcribe Go's amd64 Exp (its FMA path); Go's portable Exp may differ
//     by one ulp, so 4 ulps relative (1e-15) there.
//   - MatMul, Det and LogDet when the CPU backend is built with OpenBLAS
//     (cpuLinalgExact false): its blocked kernels sum in another order, with
//     fused multiply-adds; the results differ by about k·u·max|a||b| for
//     products (1e-12 relative to the largest entry) and by n·u·κ for the
//     determinants of the Gaussian test matrices, whose condition reaches
//     about 10^4 (1e-9).

// specials are values whose handling must match too, and normals the same
// without subnormal numbers: Go's amd64 assembly for math.Log ignores that
// a subnormal number has no leading 1 bit (golang/go#56600), while the
// kernels compute Log (and Pow, which uses it) of a subnormal number
// correctly, as Go's portable code does; TestLogSubnormal checks them.
var (
	normals = []float64{0, math.Copysign(0, -1), 1, -1, math.Inf(1), math.Inf(-1), math.NaN(),
		0.5, -0.5, 2, 3, 1e300, -1e300, 710, -746, 20, -20, 0.625, 0.7, 1e-300, -1e-300}
	specials = append([]float64{1e-310, -1e-310, 5e-324}, normals...)
)

// sprinkle overwrites every third entry of h with one of the values.
func sprinkle(h bt.Host, values []float64) bt.Host {
	for i := 0; i < len(h.Data); i += 3 {
		h.Data[i] = values[(i/3)%len(values)]
	}
	return h
}

// tolerance says how a result is compared: with abs, |gpu − cpu| ≤ abs[i]
// for each finite entry i; else bit for bit when rel is 0, or max
// |gpu − cpu| ≤ rel·max(1, max |cpu|) over finite entries. Non-finite
// entries must be equal (NaN matching any NaN). On a GPU, whose kernels
// (but the random-number ones) fuse products and sums into multiply-adds
// where the emulation does not, rel is fused when that is set.
type tolerance struct {
	rel, fused float64
	abs        []float64
}

var exact = tolerance{}

// compare runs f on both backends with the same inputs and compares the
// results.
func compare(t *testing.T, name string, tol tolerance, in []bt.Host,
	f func(b backend.Backend, x []backend.Tensor) (backend.Tensor, error)) {
	t.Helper()
	compareAll(t, gpuBackends(t), name, tol, in, f)
}

// compareAll is compare on the GPU backends gs.
func compareAll(t *testing.T, gs []*gpu.Backend, name string, tol tolerance, in []bt.Host,
	f func(b backend.Backend, x []backend.Tensor) (backend.Tensor, error)) {
	t.Helper()
	c := cpu.New()
	for _, g := range gs {
		compareOn(t, g, c, name, tol, in, f)
	}
}

// compareOn is compare on the GPU backend g against the CPU backend c.
func compareOn(t *testing.T, g, c backend.Backend, name string, tol tolerance, in []bt.Host,
	f func(b backend.Backend, x []backend.Tensor) (backend.Tensor, error)) {
	t.Helper()
	name = g.(*gpu.Backend).Device().Name() + ": " + name
	if !emulated(g) && tol.fused != 0 {
		tol.rel = tol.fused
	}
	run := func(b backend.Backend) (backend.Layout, []float64) {
		xs := make([]backend.Tensor, len(in))
		for i, h := range in {
			xs[i] = bt.Upload(t, b, h)
		}
		r, err := f(b, xs)
		if err != nil {
			t.Fatalf("%s on %s: %v", name, b.Name(), err)
		}
		l := r.Layout()
		defer b.Free(r)
		return l, bt.Download(t, b, r, nil, l).Data
	}
	wl, want := run(c)
	gl, got := run(g)
	if gl != wl {
		t.Fatalf("%s: layout %+v, cpu %+v", name, gl, wl)
	}
	if tol.rel == 0 && tol.abs == nil {
		for i := range want {
			if math.Float64bits(got[i]) != math.Float64bits(want[i]) && !(math.IsNaN(got[i]) && math.IsNaN(want[i])) {
				t.Errorf("%s: entry %d = %v (%#x), cpu %v (%#x)", name, i,
					got[i], math.Float64bits(got[i]), want[i], math.Float64bits(want[i]))
				return
			}
		}
		return
	}
	scale, diff := 1.0, 0.0
	for i, v := range want {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			if !(math.IsNaN(v) && math.IsNaN(got[i])) && got[i] != v {
				t.Errorf("%s: entry %d = %v, cpu %v", name, i, got[i], v)
				return
			}
			continue
		}
		if tol.abs != nil {
			if d := math.Abs(got[i] - v); !(d <= tol.abs[i]) {
				t.Errorf("%s: entry %d = %v, cpu %v: differ by %.3g, more than %.3g", name, i, got[i], v, d, tol.abs[i])
				return
			}
			continue
		}
		scale = max(scale, math.Abs(v))
		diff = max(diff, math.Abs(got[i]-v))
	}
	if diff > tol.rel*scale {
		t.Errorf("%s: max difference %.3g, more than %.3g × %.3g", name, diff, tol.rel, scale)
	}
}

// linalg returns exact where the CPU backend's linear algebra is gonum's,
// else the tolerance rel; on a GPU, which fuses multiply-adds and so rounds
// as OpenBLAS does, rel.
func linalg(rel float64) tolerance {
	if cpuLinalgExact {
		return tolerance{fused: rel}
	}
	return tolerance{rel: rel}
}

// mathTol is the tolerance of the transcribed Exp, Log and Tanh (and what
// uses them). On a GPU, where the kernels may fuse more products and sums
// than Go's code does, each fusion changes a result by at most an ulp or
// so: 1e-14 relative to the largest entry.
func mathTol() tolerance {
	if runtime.GOARCH == "amd64" {
		return tolerance{fused: 1e-14}
	}
	return tolerance{rel: 1e-15, fused: 1e-14}
}

func TestElementwise(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	ops := []struct {
		op  backend.ElemOp
		tol tolerance
	}{{backend.Add, exact}, {backend.Sub, exact}, {backend.Mul, exact}, {backend.Div, exact}, {backend.Pow, mathTol()}}
	for _, o := range ops {
		for _, c := range bt.Counts {
			values := specials
			if o.op == backend.Pow {
				values = normals
			}
			x, y := sprinkle(bt.RandHost(rng, c[0], 3, 4), values), bt.RandHost(rng, c[1], 3, 4)
			if o.op == backend.Pow {
				for i := range y.Data { // halves, integers and fractions
					y.Data[i] = math.Round(8*y.Data[i]) / []float64{2, 1, 8}[i%3]
				}
			}
			sprinkle(y, values)
			compare(t, fmt.Sprintf("Elementwise(%d) bt.Counts %v", o.op, c), o.tol, []bt.Host{x, y},
				func(b backend.Backend, v []backend.Tensor) (backend.Tensor, error) {
					return b.Elementwise(o.op, v[0], v[1])
				})
		}
	}
}

// TestPowSpecialCases runs every pair of special values through Pow, where
// math.Pow has most of its cases.
func TestPowSpecialCases(t *testing.T) {
	n := len(normals)
	x, y := bt.Host{L: backend.Layout{Count: 1, Rows: n, Cols: n}}, bt.Host{L: backend.Layout{Count: 1, Rows: n, Cols: n}}
	for i := range n {
		for j := range n {
			x.Data = append(x.Data, normals[i])
			y.Data = append(y.Data, normals[j])
		}
	}
	compare(t, "Pow specials", mathTol(), []bt.Host{x, y}, func(b backend.Backend, v []backend.Tensor) (backend.Tensor, error) {
		return b.Elementwise(backend.Pow, v[0], v[1])
	})
}

func TestMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	ops := []struct {
		op  backend.MapOp
		tol tolerance
	}{{backend.Neg, exact}, {backend.Exp, mathTol()}, {backend.Log, tolerance{fused: 1e-14}}, {backend.Sqrt, exact},
		{backend.Abs, exact}, {backend.Tanh, mathTol()},
		{backend.Sigmoid, mathTol()}, {backend.Softplus, mathTol()}, {backend.Log1p, mathTol()},
		{backend.Expm1, mathTol()}, {backend.Sin, mathTol()}, {backend.Cos, mathTol()},
		{backend.Relu, exact}, {backend.Step, exact}, {backend.Sign, exact},
		{backend.Lgamma, mathTol()}, {backend.Digamma, mathTol()}, {backend.Trigamma, mathTol()}}
	for _, o := range ops {
		x := bt.RandHost(rng, 3, 20, 30)
		for i := range x.Data {
			x.Data[i] *= []float64{1, 5, 300}[i%3]
		}
		values := specials
		if o.op == backend.Log {
			values = normals
		}
		sprinkle(x, values)
		compare(t, fmt.Sprintf("Map(%d)", o.op), o.tol, []bt.Host{x}, func(b backend.Backend, v []backend.Tensor) (backend.Tensor, error) {
			return b.Map(o.op, v[0])
		})
	}
}

// TestGammaFunctions compares lgamma, digamma and trigamma on positive
// arguments, where TestMap's Gaussian ones are NaN half the time: log-uniform
// in [10⁻³, 10⁶] (each range of package cpu's gamma.go: the series near 1,
// 2 and digamma's zero, the recurrences, the asymptotic series), the seams
// between the ranges and their neighbours, and the special values.
func TestGammaFunctions(t *testing.T) {
	rng := rand.New(rand.NewPCG(27, 28))
	x := bt.Host{L: backend.Layout{Count: 2, Rows: 30, Cols: 20}}
	for range x.L.Size() {
		x.Data = append(x.Data, 1e-3*math.Pow(1e9, rng.Float64()))
	}
	i := 1
	for _, s := range []float64{0.5, 1, 1.2, 1.4616321449683622, 1.75, 2, 2.5, 10} {
		for _, v := range []float64{math.Nextafter(s, 0), s, math.Nextafter(s, 20)} {
			x.Data[i] = v
			i += 3
		}
	}
	sprinkle(x, specials)
	for _, op := range []backend.MapOp{backend.Lgamma, backend.Digamma, backend.Trigamma} {
		compare(t, fmt.Sprintf("Map(%d) positive", op), mathTol(), []bt.Host{x}, func(b backend.Backend, v []backend.Tensor) (backend.Tensor, error) {
			return b.Map(op, v[0])
		})
	}
}

func TestScale(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, c := range bt.Counts {
		s, x := sprinkle(bt.RandHost(rng, c[0], 1, 1), specials), sprinkle(bt.RandHost(rng, c[1], 4, 3), specials)
		compare(t, fmt.Sprintf("Scale counts %v", c), exact, []bt.Host{s, x}, func(b backend.Backend, v []backend.Tensor) (backend.Tensor, error) {
			return b.Scale(v[0], v[1])
		})
	}
}

// TestAddScaled checks x + s·h on the emulated GPU against the CPU, bit for
// bit, with special values (the product rounded before the sum on both).
func TestAddScaled(t *testing.T) {
	rng := rand.New(rand.NewPCG(25, 26))
	for _, c := range [][3]int{{1, 1, 1}, {2, 12, 6}, {4, 1, 4}, {3, 6, 2}} {
		x, s, h := sprinkle(bt.RandHost(rng, c[0], 4, 3), specials), sprinkle(bt.RandHost(rng, c[1], 1, 1), specials), sprinkle(bt.RandHost(rng, c[2], 4, 3), specials)
		compare(t, fmt.Sprintf("AddScaled counts %v", c), exact, []bt.Host{x, s, h}, func(b backend.Backend, v []backend.Tensor) (backend.Tensor, error) {
			return b.AddScaled(v[0], v[1], v[2])
		})
	}
}

func TestMatMul(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	shapes := [][3]int{{1, 1, 1}, {3, 5, 2}, {6, 1, 6}, {1, 7, 1}, {17, 33, 9}, {40, 48, 32}, {16, 16, 16}, {16, 4, 17}, {5, 200, 3}, {70, 65, 3}, {130, 70, 129}}
	for _, s := range shapes {
		for _, c := range bt.Counts {
			x, y := bt.RandHost(rng, c[0], s[0], s[1]), bt.RandHost(rng, c[1], s[1], s[2])
			compare(t, fmt.Sprintf("MatMul %v bt.Counts %v", s, c), linalg(1e-12), []bt.Host{x, y}, func(b backend.Backend, v []backend.Tensor) (backend.Tensor, error) {
				return b.MatMul(v[0], v[1])
			})
		}
	}
	if !cpuLinalgExact {
		return
	}
	// gonum skips a zero entry of the left factor, so an infinite entry of
	// the right factor that meets only zeros leaves the product finite.
	x := bt.Host{L: backend.Layout{Count: 1, Rows: 2, Cols: 2}, Data: []float64{0, 1, math.Copysign(0, -1), 2}}
	y := bt.Host{L: backend.Layout{Count: 1, Rows: 2, Cols: 2}, Data: []float64{math.Inf(1), math.NaN(), 3, 4}}
	compare(t, "MatMul zero times Inf", exact, []bt.Host{x, y}, func(b backend.Backend, v []backend.Tensor) (backend.Tensor, error) {
		return b.MatMul(v[0], v[1])
	})
}

func TestShapes(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	one := func(name string, in bt.Host, f func(backend.Backend, backend.Tensor) (backend.Tensor, error)) {
		compare(t, name, exact, []bt.Host{in}, func(b backend.Backend, v []backend.Tensor) (backend.Tensor, error) {
			return f(b, v[0])
		})
	}
	for _, s := range [][2]int{{1, 1}, {1, 5}, {5, 1}, {3, 7}, {33, 17}} {
		one(fmt.Sprintf("Transpose %v", s), bt.RandHost(rng, 3, s[0], s[1]), backend.Backend.Transpose)
	}
	for _, n := range []int{1, 2, 9} {
		one(fmt.Sprintf("Diag %d", n), bt.RandHost(rng, 3, n, 1), backend.Backend.Diag)
		one(fmt.Sprintf("DiagOf %d", n), bt.RandHost(rng, 3, n, n), backend.Backend.DiagOf)
		compare(t, fmt.Sprintf("Eye %d", n), exact, nil, func(b backend.Backend, _ []backend.Tensor) (backend.Tensor, error) {
			return b.Eye(n)
		})
	}
	for _, c := range bt.Counts {
		x, y := bt.RandHost(rng, c[0], 2, 3), bt.RandHost(rng, c[1], 4, 5)
		compare(t, fmt.Sprintf("Kron counts %v", c), exact, []bt.Host{x, y}, func(b backend.Backend, v []backend.Tensor) (backend.Tensor, error) {
			return b.Kron(v[0], v[1])
		})
	}
}

// sumBound returns, for each sum Σ_i terms(j, i) of m terms, a bound on the
// difference between two orders of summation: each computed sum is within
// (m−1)·u·Σ|terms| of the exact one (Higham, Accuracy and Stability, §4.2;
// a tree is better, and a product adds u·|term| to each), so the two are
// within 2·m·u·Σ|terms|, plus the smallest subnormal for sums of zeros.
func sumBound(count, m int, term func(j, i int) float64) []float64 {
	const u = 0x1p-53
	bound := make([]float64, count)
	for j := range bound {
		abs := 0.0
		for i := range m {
			abs += math.Abs(term(j, i))
		}
		bound[j] = 2*float64(m)*u*abs + math.SmallestNonzeroFloat64
	}
	return bound
}

// TestReduce checks Sum, Dot and Trace, which add in a tree on the GPU, at
// sizes below, at and above the block's threads (the strided loop), with
// special values among the entries, against the CPU backend's left to right
// sums within sumBound.
func TestReduce(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	for _, s := range [][2]int{{1, 1}, {1, 5}, {5, 1}, {3, 7}, {33, 17}, {31, 31}, {64, 64}, {129, 129}, {300, 300}} {
		x := bt.RandHost(rng, 3, s[0], s[1])
		if s[0] < 64 {
			sprinkle(x, specials)
		}
		size := s[0] * s[1]
		compare(t, fmt.Sprintf("Sum %v", s), tolerance{abs: sumBound(3, size, func(j, i int) float64 { return x.Data[j*size+i] })},
			[]bt.Host{x}, func(b backend.Backend, v []backend.Tensor) (backend.Tensor, error) { return b.Sum(v[0]) })
		if s[0] == s[1] {
			n := s[0]
			compare(t, fmt.Sprintf("Trace %d", n), tolerance{abs: sumBound(3, n, func(j, i int) float64 { return x.Data[j*size+i*(n+1)] })},
				[]bt.Host{x}, func(b backend.Backend, v []backend.Tensor) (backend.Tensor, error) { return b.Trace(v[0]) })
		}
	}
	for _, c := range bt.Counts {
		for _, s := range [][2]int{{6, 7}, {129, 129}} {
			x, y := sprinkle(bt.RandHost(rng, c[0], s[0], s[1]), specials), bt.RandHost(rng, c[1], s[0], s[1])
			count, size := max(c[0], c[1]), s[0]*s[1]
			rx, ry := count/c[0], count/c[1]
			bound := sumBound(count, size, func(j, i int) float64 { return x.Data[(j/rx)*size+i] * y.Data[(j/ry)*size+i] })
			compare(t, fmt.Sprintf("Dot %v counts %v", s, c), tolerance{abs: bound}, []bt.Host{x, y},
				func(b backend.Backend, v []backend.Tensor) (backend.Tensor, error) { return b.Dot(v[0], v[1]) })
		}
	}
}

func TestLU(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	backends := wideLU(t)
	ops := []struct {
		name string
		f    func(backend.Backend, backend.Tensor) (backend.Tensor, error)
	}{{"Det", backend.Backend.Det}, {"LogDet", backend.Backend.LogDet}, {"Inv", backend.Backend.Inv}}
	// From n = 80 a matrix does not fit in 48 KiB of shared memory: the
	// global-memory variant of the kernel. Sizes above and below the
	// block's threads take both branches of the trailing update; 31 and
	// 129 are not multiples of the block's width. The backends with 256
	// LU threads take the sizes up to 129 (up to four warps, at n = 64
	// two in the one-block kernel): each thread costs the emulation a
	// fiber, and TestBlockedLUIsDgetf2 has eight warps at n = 200.
	for _, n := range []int{1, 2, 3, 5, 6, 17, 31, 48, 64, 80, 129, 300} {
		backends := backends
		if n > 129 {
			backends = gpuBackends(t)
		}
		for _, o := range ops {
			tol, gaussTol := linalg(1e-12), linalg(1e-9)
			if o.name == "Inv" || n > 64 {
				tol, gaussTol = tolerance{rel: 1e-12}, tolerance{rel: 1e-9}
			}
			inputs := map[string]bt.Host{"wellcond": bt.WellCond(rng, 3, n), "pivoting": bt.Pivoting(rng, 2, n)}
			if o.name != "Inv" { // ill-conditioned inputs: signs
				inputs["gauss"] = bt.RandHost(rng, 4, n, n)
			}
			for kind, in := range inputs {
				tol := tol
				if kind == "gauss" {
					tol = gaussTol
				}
				compareAll(t, backends, fmt.Sprintf("%s %s n=%d", o.name, kind, n), tol, []bt.Host{in},
					func(b backend.Backend, v []backend.Tensor) (backend.Tensor, error) { return o.f(b, v[0]) })
			}
		}
	}
	// Singular matrices (an exact zero pivot), ties in the pivot search,
	// a negative determinant and a NaN.
	singular := bt.Host{L: backend.Layout{Count: 6, Rows: 3, Cols: 3}, Data: []float64{
		1, 2, 3, 2, 4, 6, 1, 1, 1, // rank 2
		0, 0, 0, 1, 2, 3, 4, 5, 6, // zero row
		2, 1, 0, -2, 3, 1, 2, 5, 7, // tie |2| = |-2| = |2|
		0, 1, 0, 1, 0, 0, 0, 0, 1, // det −1
		1, math.NaN(), 0, 0, 1, 0, 0, 0, 1,
		math.NaN(), 1, 2, 3, 4, 5, 6, 7, 8, // NaN pivot with larger entries below: no swap, a NaN column of L
	}}
	for _, o := range ops {
		tol := linalg(1e-12)
		if o.name == "Inv" {
			tol = tolerance{rel: 1e-12}
		}
		compareAll(t, backends, o.name+" special", tol, []bt.Host{singular},
			func(b backend.Backend, v []backend.Tensor) (backend.Tensor, error) { return o.f(b, v[0]) })
	}
}

// TestLogSubnormal checks Log and Pow of subnormal numbers against
// log(x·2^52) − 52·log 2, which involves only normal numbers: within 2 ulps.
func TestLogSubnormal(t *testing.T) {
	for _, b := range gpuBackends(t) {
		testLogSubnormal(t, b)
	}
}

func testLogSubnormal(t *testing.T, b *gpu.Backend) {
	xs := []float64{5e-324, 1e-320, 1e-310, 2.2e-308}
	l := backend.Layout{Count: 1, Rows: len(xs), Cols: 1}
	x := bt.Upload(t, b, bt.Host{L: l, Data: xs})
	half := bt.Upload(t, b, bt.Host{L: l, Data: []float64{0.25, 0.25, 0.25, 0.25}})
	lg, err := b.Map(backend.Log, x)
	logs := bt.Download(t, b, lg, err, l).Data
	pw, err := b.Elementwise(backend.Pow, x, half)
	pows := bt.Download(t, b, pw, err, l).Data
	for i, v := range xs {
		want := math.Log(v*0x1p52) - 52*math.Ln2
		if d := math.Abs(logs[i] - want); d > 2*0x1p-52*math.Abs(want) {
			t.Errorf("Log(%v) = %v, want %v", v, logs[i], want)
		}
		want = math.Exp(0.25 * want)
		if d := math.Abs(pows[i] - want); d > 1e-12*want {
			t.Errorf("Pow(%v, 0.25) = %v, want %v", v, pows[i], want)
		}
	}
}

// TestActivations compares softmax, log-sum-exp and the sign test of
// kink detection, all bit for bit: the kernels sum in the CPU backend's
// order.
func TestActivations(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	for _, sh := range [][2]int{{1, 1}, {2, 1}, {7, 1}, {5, 4}, {48, 3}} {
		x := bt.RandHost(rng, 3, sh[0], sh[1])
		for i := range x.Data {
			x.Data[i] *= []float64{1, 30, 800}[i%3]
		}
		name := fmt.Sprintf("%d×%d", sh[0], sh[1])
		compare(t, "Softmax "+name, mathTol(), []bt.Host{x}, func(b backend.Backend, v []backend.Tensor) (backend.Tensor, error) {
			return b.Softmax(v[0])
		})
		compare(t, "LogSumExp "+name, mathTol(), []bt.Host{x}, func(b backend.Backend, v []backend.Tensor) (backend.Tensor, error) {
			return b.LogSumExp(v[0])
		})
		compare(t, "LogSumExp specials "+name, mathTol(), []bt.Host{sprinkle(x, specials)}, func(b backend.Backend, v []backend.Tensor) (backend.Tensor, error) {
			return b.LogSumExp(v[0])
		})
	}
	// Runs of 4 with a sign that changes in some entries, zeros and NaN.
	signs := bt.RandHost(rng, 12, 3, 2)
	for i := range signs.Data {
		signs.Data[i] = []float64{1, -1, 0, 2, math.NaN(), -0.5}[(i*7/3)%6]
	}
	for _, group := range []int{1, 2, 4, 12} {
		compare(t, fmt.Sprintf("SignChanges group %d", group), exact, []bt.Host{signs}, func(b backend.Backend, v []backend.Tensor) (backend.Tensor, error) {
			return b.SignChanges(v[0], group)
		})
	}
}

// TestSolve compares A\B on well-conditioned matrices, with counts that
// broadcast, and on singular ones (NaN on both).
func TestSolve(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 24))
	for _, n := range []int{1, 3, 17, 48, 80, 129} {
		for _, c := range bt.Counts {
			rhs := bt.RandHost(rng, c[1], n, 2+n%3)
			for kind, a := range map[string]bt.Host{"wellcond": bt.WellCond(rng, c[0], n), "pivoting": bt.Pivoting(rng, c[0], n)} {
				compare(t, fmt.Sprintf("Solve %s n=%d counts %v", kind, n, c), tolerance{rel: 1e-12, fused: 1e-12}, []bt.Host{a, rhs},
					func(b backend.Backend, v []backend.Tensor) (backend.Tensor, error) { return b.Solve(v[0], v[1]) })
			}
		}
	}
	singular := bt.Host{L: backend.Layout{Count: 2, Rows: 3, Cols: 3}, Data: []float64{
		1, 2, 3, 2, 4, 6, 1, 1, 1,
		0, 0, 0, 1, 2, 3, 4, 5, 6,
	}}
	compare(t, "Solve singular", exact, []bt.Host{singular, bt.RandHost(rng, 1, 3, 1)},
		func(b backend.Backend, v []backend.Tensor) (backend.Tensor, error) { return b.Solve(v[0], v[1]) })
}

// TestBlockedLUIsDgetf2 checks the blocked factorization of matrices too
// large for one block's shared memory against gonum's unblocked Dgetf2,
// whose order of updates it follows: the determinant, the product of the
// diagonal of U in order from ±1 by the parity of the pivots, is
// Dgetf2's bit for bit in the emulation (which does not fuse). On a GPU,
// which fuses, the factors differ by about n·u·κ, κ reaching about 10^4
// for these Gaussian matrices: 1e-9 relative, as in TestLU. Gaussian
// matrices pivot at almost every step; n = 200 spans several panels of 16
// and 64 columns, with a last one narrower. The emulation factors with
// blocks of 16 threads, within one warp; it factors here with a CUDA
// device's 256 too, so that the pivot search merges the bests of 8 warps,
// with the panels in registers (gc_lu_panel_regs, which the 16 threads
// take only for a panel of at most 64 rows) and in global memory
// (gc_lu_panel).
func TestBlockedLUIsDgetf2(t *testing.T) {
	rng := rand.New(rand.NewPCG(51, 52))
	backends := append(wideLU(t), emulatedWith(t, " (256 LU threads, panels in memory)",
		func(l *gpu.Limits) { l.LUThreads, l.PanelInRegisters = 256, false })...)
	for _, n := range []int{80, 129, 200} {
		in := bt.RandHost(rng, 3, n, n)
		want := make([]float64, in.L.Count)
		for j := range want {
			a := slices.Clone(in.Mat(j))
			ipiv := make([]int, n)
			gonum.Implementation{}.Dgetf2(n, n, a, n, ipiv)
			want[j] = 1
			for i, p := range ipiv {
				if p != i {
					want[j] = -want[j]
				}
			}
			for i := range n {
				want[j] *= a[i*n+i]
			}
		}
		for _, g := range backends {
			got := bt.Scalars(t, g, g.Det, in)
			for j := range want {
				if emulated(g) && got[j] != want[j] || !(math.Abs(got[j]-want[j]) <= 1e-9*math.Abs(want[j])) {
					t.Errorf("%s, %d LU threads: n=%d: det of matrix %d = %v, Dgetf2's factors give %v",
						g.Device().Name(), g.Device().Limits().LUThreads, n, j, got[j], want[j])
				}
			}
		}
	}
}
