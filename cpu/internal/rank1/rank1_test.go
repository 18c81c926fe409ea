package rank1

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestSub checks every entry Sub writes against the single rounding it
// promises, exactly: math.FMA(−x, u, a) with the assembly kernel, a − x·u
// (two roundings) without; and that it writes nothing else (the entries
// between rows and right of len(u) keep a sentinel), over shapes that take
// every path of the assembly (pairs of rows and a last single one; four
// entries at a time and the rest one by one) and strided multipliers.
func TestSub(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const sentinel = 12345.5
	for _, m := range []int{0, 1, 2, 3, 4, 7} {
		for _, w := range []int{0, 1, 3, 4, 5, 8, 9, 13} {
			for _, incx := range []int{1, 3} {
				lda := w + 2
				a := make([]float64, m*lda)
				for i := range a {
					if i%lda < w {
						a[i] = rng.NormFloat64()
					} else {
						a[i] = sentinel
					}
				}
				x := make([]float64, max(1, m*incx))
				for i := range x {
					x[i] = rng.NormFloat64()
				}
				u := make([]float64, w)
				for i := range u {
					u[i] = rng.NormFloat64()
				}
				orig := append([]float64(nil), a...)
				Sub(a, lda, m, x, incx, u)
				for i := range m {
					for j := range lda {
						k := i*lda + j
						want := sentinel
						if j < w {
							want = orig[k] - x[i*incx]*u[j]
							if Assembly {
								want = math.FMA(-x[i*incx], u[j], orig[k])
							}
						}
						if a[k] != want {
							t.Fatalf("m=%d w=%d incx=%d: a[%d][%d] = %v, want %v", m, w, incx, i, j, a[k], want)
						}
					}
				}
			}
		}
	}
}

// TestSubPanicsOnShortOperands checks that Sub bounds-checks what the
// assembly would not.
func TestSubPanicsOnShortOperands(t *testing.T) {
	for name, call := range map[string]func(){
		"short a": func() { Sub(make([]float64, 7), 4, 2, make([]float64, 2), 1, make([]float64, 4)) },
		"short x": func() { Sub(make([]float64, 8), 4, 2, make([]float64, 2), 2, make([]float64, 4)) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			call()
		}()
	}
}

func BenchmarkSub(b *testing.B) {
	const n = 64
	a, u := make([]float64, n*n), make([]float64, n)
	for b.Loop() {
		Sub(a[1:], n, n, a, n, u[:n-1])
	}
	b.ReportMetric(2*n*(n-1)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}
