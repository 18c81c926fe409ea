package backendtest

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gradcheck/gradcheck/backend"
)

// Run runs the conformance suite on b, one subtest per check. Under
// go test -short it leaves out the check at n = 1024.
func Run(t *testing.T, b backend.Backend) {
	for _, c := range []struct {
		name  string
		check func(*testing.T, backend.Backend)
	}{
		{"HostRoundTripCopies", testHostRoundTripCopies},
		{"Eye", testEye},
		{"ProgrammerErrorsPanic", testProgrammerErrorsPanic},
		{"OperandsUnchanged", testOperandsUnchanged},
		{"Elementwise", testElementwise},
		{"Map", testMap},
		{"Scale", testScale},
		{"AddScaled", testAddScaled},
		{"Transpose", testTranspose},
		{"Vec", testVec},
		{"Gather", testGather},
		{"Kron", testKron},
		{"TraceSumDot", testTraceSumDot},
		{"Diag", testDiag},
		{"Gaussian", testGaussian},
		{"MatMul", testMatMul},
		{"Inv", testInv},
		{"Singular", testSingular},
		{"DetTriangular", testDetTriangular},
		{"DetPermutation", testDetPermutation},
		{"DetSmallFormulas", testDetSmallFormulas},
		{"DetIdentities", testDetIdentities},
		{"LogDetMatchesDet", testLogDetMatchesDet},
		{"LogDetEigen", testLogDetEigen},
		{"LogDetLarge", testLogDetLarge},
	} {
		t.Run(c.name, func(t *testing.T) { c.check(t, b) })
	}
}

// U is the unit roundoff of float64, for error bounds.
const U = 0x1p-53

// Host is a batch of matrices in host memory, the reference side.
type Host struct {
	L    backend.Layout
	Data []float64
}

// Mat returns matrix j of h.
func (h Host) Mat(j int) []float64 {
	s := h.L.Rows * h.L.Cols
	return h.Data[j*s : (j+1)*s]
}

// RandHost returns count r×c matrices of N(0,1) entries.
func RandHost(rng *rand.Rand, count, r, c int) Host {
	h := Host{L: backend.Layout{Count: count, Rows: r, Cols: c}}
	h.Data = make([]float64, h.L.Size())
	for i := range h.Data {
		h.Data[i] = rng.NormFloat64()
	}
	return h
}

// WellCond returns count n×n matrices I + G/(3√n): ‖G/(3√n)‖₂ ≈ 2/3, so
// the condition number is about (1+2/3)/(1−2/3) = 5.
func WellCond(rng *rand.Rand, count, n int) Host {
	h := RandHost(rng, count, n, n)
	s := 1 / (3 * math.Sqrt(float64(n)))
	for j := range count {
		m := h.Mat(j)
		for i := range m {
			m[i] *= s
		}
		for i := range n {
			m[i*n+i]++
		}
	}
	return h
}

// Pivoting returns count matrices of WellCond with their rows shuffled: as
// well conditioned, but with the diagonal's dominant entries moved off the
// diagonal, so that LU with partial pivoting swaps rows at almost every
// step (WellCond's needs no swap at all).
func Pivoting(rng *rand.Rand, count, n int) Host {
	h := WellCond(rng, count, n)
	for j := range count {
		m := h.Mat(j)
		rng.Shuffle(n, func(a, b int) {
			for c := range n {
				m[a*n+c], m[b*n+c] = m[b*n+c], m[a*n+c]
			}
		})
	}
	return h
}

// Upload stores h on b.
func Upload(t testing.TB, b backend.Backend, h Host) backend.Tensor {
	t.Helper()
	x, err := b.FromHost(h.L, h.Data)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// Download copies x, the outcome of an operation that returned err, from
// b, failing the test on err or a layout other than want.
func Download(t testing.TB, b backend.Backend, x backend.Tensor, err error, want backend.Layout) Host {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	if x.Layout() != want {
		t.Fatalf("layout %+v, want %+v", x.Layout(), want)
	}
	d, err := b.ToHost(x, nil)
	if err != nil {
		t.Fatal(err)
	}
	return Host{L: want, Data: d}
}

// Scalars returns the 1×1 results of op on h.
func Scalars(t testing.TB, b backend.Backend, op func(backend.Tensor) (backend.Tensor, error), h Host) []float64 {
	t.Helper()
	y, err := op(Upload(t, b, h))
	return Download(t, b, y, err, backend.Layout{Count: h.L.Count, Rows: 1, Cols: 1}).Data
}

// transcendental is the error allowed in Exp, Log, Tanh and Pow, in ulps:
// Go's math package and a device's libm may differ in the last place or
// two (DESIGN.md, "Data flow"); a backend that must match another bit for
// bit (the GPU backend the CPU's) checks that in its own tests.
const transcendental = 4

// ulpsClose reports whether got is within ulps units in the last place of
// want; infinities and NaN must match.
func ulpsClose(got, want, ulps float64) bool {
	if Same(got, want) {
		return true
	}
	if math.IsNaN(got) || math.IsInf(got, 0) || math.IsNaN(want) || math.IsInf(want, 0) {
		return false
	}
	return math.Abs(got-want) <= ulps*U*2*math.Abs(want)
}

// Same reports whether x and y are equal, counting NaN equal to NaN.
func Same(x, y float64) bool {
	return x == y || (math.IsNaN(x) && math.IsNaN(y))
}

// NaiveMul returns the m×n product of m×k a and k×n b by the triple loop,
// and |a|·|b| for error bounds.
func NaiveMul(m, k, n int, a, b []float64) (c, abs []float64) {
	c, abs = make([]float64, m*n), make([]float64, m*n)
	for i := range m {
		for j := range n {
			s, sa := 0.0, 0.0
			for l := range k {
				s += a[i*k+l] * b[l*n+j]
				sa += math.Abs(a[i*k+l] * b[l*n+j])
			}
			c[i*n+j], abs[i*n+j] = s, sa
		}
	}
	return c, abs
}

// Counts are the (a, b) count pairs of the broadcasting checks: equal, one
// side shared by all, and a proper divisor on either side.
var Counts = [][2]int{{1, 1}, {3, 3}, {1, 4}, {4, 1}, {3, 1}, {2, 4}, {4, 2}, {12, 3}, {2, 6}}
