//go:build !noasm

package philox

import (
	"math"
	"math/rand/v2"
	"testing"

	"golang.org/x/sys/cpu"
)

// paths lists the kernels that this processor runs, by name: Go always,
// AVX2 where it has AVX2.
func paths() map[string]bool {
	p := map[string]bool{"Go": false}
	if cpu.X86.HasAVX2 {
		p["AVX2"] = true
	}
	return p
}

// withAssembly runs f with Assembly set to on, then restores it.
func withAssembly(on bool, f func()) {
	defer func(old bool) { Assembly = old }(Assembly)
	Assembly = on
	f()
}

// TestFillReferenceBothPaths runs the tests against the documented
// algorithm and the pinned values with the Go kernel and with the
// assembly kernel.
func TestFillReferenceBothPaths(t *testing.T) {
	for name, on := range paths() {
		withAssembly(on, func() {
			t.Run(name+"/FillAtMatchesReference", TestFillAtMatchesReference)
			t.Run(name+"/FillMatchesReferenceLong", TestFillMatchesReferenceLong)
			t.Run(name+"/FillPinned", TestFillPinned)
		})
	}
}

// fillBoth returns FillAt's entries with the Go kernel and with the
// assembly kernel.
func fillBoth(n int, key uint64, stream, index uint32, offset int) (goDraws, asmDraws []float64) {
	goDraws, asmDraws = make([]float64, n), make([]float64, n)
	withAssembly(false, func() { FillAt(goDraws, key, stream, index, offset) })
	withAssembly(true, func() { FillAt(asmDraws, key, stream, index, offset) })
	return goDraws, asmDraws
}

// TestAssemblyMatchesGo checks FillAt with the assembly kernel bit for
// bit against FillAt with the Go kernel: over lengths around the group of
// 2·lanes entries and odd ones (the last part drawn one pair at a time),
// offsets from 0 to where the pair number wraps around 2^32, and random
// keys, streams and indices; then over 10^7 draws of random streams.
func TestAssemblyMatchesGo(t *testing.T) {
	if !cpu.X86.HasAVX2 {
		t.Skip("no AVX2")
	}
	compared := 0
	check := func(n int, key uint64, stream, index uint32, offset int) {
		t.Helper()
		want, got := fillBoth(n, key, stream, index, offset)
		for i := range want {
			if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
				t.Fatalf("FillAt(len %d, key %#x, stream %d, index %d, offset %d)[%d] = %v (AVX2), %v (Go)",
					n, key, stream, index, offset, i, got[i], want[i])
			}
		}
		compared += n
	}
	rng := rand.New(rand.NewPCG(11, 12))
	lengths := []int{0, 1, 2, 63, 64, 65, 127, 128, 129, 191, 1000, 4097}
	offsets := []int{0, 2, 62, 64, 1000, 2 * (1<<32 - 40), 2 * (1<<32 - 1)}
	keys := []uint64{0, 1, math.MaxUint64, rng.Uint64()}
	for _, n := range lengths {
		for _, off := range offsets {
			for _, key := range keys {
				check(n, key, rng.Uint32(), rng.Uint32(), off)
			}
		}
	}
	for range 100 {
		check(100000+rng.IntN(64), rng.Uint64(), rng.Uint32(), rng.Uint32(), 2*rng.IntN(1<<20))
	}
	t.Logf("%d draws compared", compared)
}

// BenchmarkFillPaths is BenchmarkFill with each kernel; ns/draw is the
// time per entry.
func BenchmarkFillPaths(b *testing.B) {
	for _, name := range []string{"Go", "AVX2"} {
		on, ok := paths()[name]
		if !ok {
			continue
		}
		b.Run(name, func(b *testing.B) {
			withAssembly(on, func() {
				dst := make([]float64, 4096)
				b.SetBytes(int64(8 * len(dst)))
				for i := 0; i < b.N; i++ {
					Fill(dst, uint64(i), 0, 0)
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(dst)), "ns/draw")
			})
		})
	}
}
