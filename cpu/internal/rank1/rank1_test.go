package rank1

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestSub checks every entry Sub writes against a − x·u rounded as Go
// rounds it (after the product and after the difference), exactly, with
// or without the assembly kernel; and that it writes nothing else (the entries
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

// TestSub2 checks Sub2 against Sub with x and u, then Sub with y and v,
// bit for bit, and against sub2Go, over the shapes of TestSub; and that it
// writes nothing beyond the m rows of len(u) entries.
func TestSub2(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const sentinel = 12345.5
	fill := func(n int) []float64 {
		s := make([]float64, n)
		for i := range s {
			s[i] = rng.NormFloat64()
		}
		return s
	}
	for _, m := range []int{0, 1, 2, 3, 7} {
		for _, w := range []int{0, 1, 3, 4, 5, 8, 9, 13} {
			for _, incx := range []int{1, 3} {
				lda := w + 2
				a := fill(m * lda)
				for i := range a {
					if i%lda >= w {
						a[i] = sentinel
					}
				}
				x, y := fill(max(1, m*incx)), fill(max(1, m*incx))
				u, v := fill(w), fill(w+1) // v may be longer than u
				want := append([]float64(nil), a...)
				Sub(want, lda, m, x, incx, u)
				Sub(want, lda, m, y, incx, v[:w])
				inGo := append([]float64(nil), a...)
				if m > 0 {
					sub2Go(inGo, lda, m, x, y, incx, u, v)
				}
				Sub2(a, lda, m, x, y, incx, u, v)
				for k := range a {
					if a[k] != want[k] || inGo[k] != want[k] {
						t.Fatalf("m=%d w=%d incx=%d: a[%d][%d] = %v (in Go %v), want %v",
							m, w, incx, k/lda, k%lda, a[k], inGo[k], want[k])
					}
				}
			}
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("Sub2 with v shorter than u: no panic")
		}
	}()
	Sub2(make([]float64, 8), 4, 2, make([]float64, 2), make([]float64, 2), 1, make([]float64, 4), make([]float64, 3))
}

func BenchmarkSub(b *testing.B) {
	const n = 64
	a, u := make([]float64, n*n), make([]float64, n)
	for b.Loop() {
		Sub(a[1:], n, n, a, n, u[:n-1])
	}
	b.ReportMetric(2*n*(n-1)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

// TestStep checks Step entry by entry against what it promises, exactly:
// the multipliers v·recip, each updated entry rounded as Sub rounds it, and
// the first row of largest updated |r[1]|; over the shapes of TestSub and
// pivots of either sign, and that nothing else is written.
func TestStep(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const sentinel = 12345.5
	for _, m := range []int{1, 2, 3, 4, 7} {
		for _, w := range []int{0, 1, 3, 4, 5, 8, 9, 13} {
			lda := w + 3
			a := make([]float64, m*lda)
			for i := range a {
				if i%lda <= w {
					a[i] = rng.NormFloat64()
				} else {
					a[i] = sentinel
				}
			}
			u := make([]float64, w)
			for i := range u {
				u[i] = rng.NormFloat64()
			}
			recip := 1 / (3 * rng.NormFloat64())
			want := append([]float64(nil), a...)
			wantNext, best := 0, 0.0
			for i := range m {
				row := want[i*lda:]
				row[0] *= recip
				for j, x := range u {
					row[1+j] -= row[0] * x
				}
				if v := math.Abs(row[1]); w > 0 && (i == 0 || v > best) {
					wantNext, best = i, v
				}
			}
			next := Step(a, lda, m, u, recip)
			if next != wantNext {
				t.Errorf("m=%d w=%d: next pivot row %d, want %d", m, w, next, wantNext)
			}
			for k := range a {
				if a[k] != want[k] {
					t.Fatalf("m=%d w=%d: a[%d][%d] = %v, want %v", m, w, k/lda, k%lda, a[k], want[k])
				}
			}
		}
	}
}

// TestStepPivotSearch checks the search for the next pivot on ties, signs
// and NaN, as LAPACK's idamax: the first entry of largest magnitude, where
// a NaN is never larger, and a NaN first is never beaten. (u = 0 leaves
// the entries as they are, and recip = 1 the multipliers.)
func TestStepPivotSearch(t *testing.T) {
	nan := math.NaN()
	for _, c := range []struct {
		col  []float64
		want int
	}{
		{[]float64{1, -3, 3, nan, 2}, 1},
		{[]float64{nan, 5, 7}, 0},
		{[]float64{0, 0, 0}, 0},
		{[]float64{2, nan, -4, 4}, 2},
		{[]float64{-0.5}, 0},
	} {
		a := make([]float64, 2*len(c.col))
		for i, v := range c.col {
			a[2*i+1] = v
		}
		if got := Step(a, 2, len(c.col), []float64{0}, 1); got != c.want {
			t.Errorf("%v: next pivot row %d, want %d", c.col, got, c.want)
		}
	}
}
