//go:build cgo

package gpu_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	bt "github.com/gradcheck/gradcheck/backend/backendtest"

	"github.com/gradcheck/gradcheck/backend"
	"github.com/gradcheck/gradcheck/cpu"
	"github.com/gradcheck/gradcheck/gpu"
)

// TestTensorCores checks the products on the tensor cores (gc_gemm_dmma and
// gc_gemm_dmma_async) against those of gc_gemm on the same device: in the
// emulation bit for bit, as all three add each entry's terms in the same
// order, rounding each product and sum; on a GPU, which may round a product
// and a sum as one, within 1e-12 of the largest entry. The operations are
// the products (shapes around the 64×64 tile and the 8×8 fragments, k
// around the 16-deep slice and its two stages, broadcast counts) and those
// that update by products: LU above n = 64 (Det, LogDet, Inv) and Solve.
func TestTensorCores(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	for _, g := range gpuBackends(t) {
		if g.Device().Limits().Products == gpu.FMA {
			t.Logf("%s: no FP64 tensor cores", g.Device().Name())
			continue
		}
		cores := gpu.New(withProducts(g.Device(), gpu.FMA))
		defer cores.Close()
		for _, p := range []gpu.Products{gpu.DMMA, gpu.DMMAAsync} {
			tc := gpu.New(withProducts(g.Device(), p))
			defer tc.Close()
			check := func(name string, tol tolerance, in []bt.Host, f func(backend.Backend, []backend.Tensor) (backend.Tensor, error)) {
				t.Helper()
				compareOn(t, tc, cores, fmt.Sprintf("%s by %s (cpu: gc_gemm)", name, p.Kernel()), tol, in, f)
			}
			testProducts(t, rng, g, check)
		}
	}
}

// testProducts runs the operations of TestTensorCores through check.
func testProducts(t *testing.T, rng *rand.Rand, g *gpu.Backend,
	check func(string, tolerance, []bt.Host, func(backend.Backend, []backend.Tensor) (backend.Tensor, error))) {
	matmul := func(b backend.Backend, v []backend.Tensor) (backend.Tensor, error) { return b.MatMul(v[0], v[1]) }
	for _, s := range [][3]int{{17, 1, 17}, {17, 3, 40}, {64, 16, 64}, {65, 17, 63}, {8, 64, 200}, {130, 47, 70}, {128, 128, 128}} {
		for _, c := range bt.Counts {
			x, y := bt.RandHost(rng, c[0], s[0], s[1]), bt.RandHost(rng, c[1], s[1], s[2])
			check(fmt.Sprintf("MatMul %v counts %v", s, c), tolerance{fused: 1e-12}, []bt.Host{x, y}, matmul)
		}
	}
	for _, n := range []int{80, 129} {
		in := []bt.Host{bt.WellCond(rng, 3, n)}
		for name, f := range map[string]func(backend.Backend, backend.Tensor) (backend.Tensor, error){
			"Det": backend.Backend.Det, "LogDet": backend.Backend.LogDet, "Inv": backend.Backend.Inv,
		} {
			check(fmt.Sprintf("%s n=%d", name, n), tolerance{fused: 1e-12}, in,
				func(b backend.Backend, v []backend.Tensor) (backend.Tensor, error) { return f(b, v[0]) })
		}
		check(fmt.Sprintf("Solve n=%d", n), tolerance{fused: 1e-12}, append(in, bt.RandHost(rng, 1, n, 20)),
			func(b backend.Backend, v []backend.Tensor) (backend.Tensor, error) { return b.Solve(v[0], v[1]) })
	}
	// An infinite or NaN entry of the right factor that meets only zeros
	// of the left one leaves the product finite on both (the zero term is
	// skipped, as gonum's Dgemm does); small integers, so that every sum is
	// exact on a GPU too. In the second and third slices of 16, and in both
	// stages.
	x, y := zerosMeetInf(rng, 70, 40, 66)
	check("MatMul zeros times Inf", exact, []bt.Host{x, y}, matmul)
	if cpuLinalgExact { // OpenBLAS does not skip the zeros
		compareOn(t, g, cpu.New(), "MatMul zeros times Inf, against the CPU", exact, []bt.Host{x, y}, matmul)
	}
}

// TestProductsNames checks that every Products has a name that parses
// back to it and a kernel, and that other names are refused.
func TestProductsNames(t *testing.T) {
	for _, p := range []gpu.Products{gpu.FMA, gpu.DMMA, gpu.DMMAAsync} {
		got, err := gpu.ParseProducts(p.String())
		if err != nil || got != p || !strings.HasPrefix(p.Kernel(), "gc_gemm") {
			t.Errorf("%d: name %q parses to %v, %v; kernel %q", int(p), p.String(), got, err, p.Kernel())
		}
	}
	if _, err := gpu.ParseProducts("tensor"); err == nil || !strings.Contains(err.Error(), "fma, dmma or dmma-async") {
		t.Errorf("ParseProducts(tensor): %v", err)
	}
}

// zerosMeetInf returns an m×k left factor of small integers with zero
// columns and a k×n right one with infinite and NaN entries in the rows
// those columns meet (and one row with an infinity that a nonzero entry
// meets, which makes its column of the product infinite or NaN).
func zerosMeetInf(rng *rand.Rand, m, k, n int) (x, y bt.Host) {
	x = bt.Host{L: backend.Layout{Count: 1, Rows: m, Cols: k}, Data: make([]float64, m*k)}
	y = bt.Host{L: backend.Layout{Count: 1, Rows: k, Cols: n}, Data: make([]float64, k*n)}
	for i := range x.Data {
		x.Data[i] = float64(rng.IntN(7) - 3)
	}
	for i := range y.Data {
		y.Data[i] = float64(rng.IntN(9) - 4)
	}
	for _, l := range []int{3, 17, 18, 39} { // zero columns of x
		for i := range m {
			x.Data[i*k+l] = 0
		}
		y.Data[l*n+l] = math.Inf(1)
		y.Data[l*n+l+1] = math.NaN()
		y.Data[l*n+n-1] = math.Inf(-1)
	}
	y.Data[5*n+7] = math.Inf(1) // column 5 of x is not zero
	return x, y
}
