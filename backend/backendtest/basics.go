package backendtest

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/gradcheck/gradcheck/backend"
	"github.com/gradcheck/gradcheck/philox"
	"gonum.org/v1/gonum/floats"
)

func testHostRoundTripCopies(t *testing.T, b backend.Backend) {
	l := backend.Layout{Count: 2, Rows: 2, Cols: 3}
	data := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}
	want := slices.Clone(data)
	x := Upload(t, b, Host{L: l, Data: data})
	data[0] = 100 // FromHost copied
	got := Download(t, b, x, nil, l)
	if !slices.Equal(got.Data, want) {
		t.Fatalf("round trip %v, want %v", got.Data, want)
	}
	got.Data[1] = 100 // ToHost copied
	if again := Download(t, b, x, nil, l); !slices.Equal(again.Data, want) {
		t.Fatalf("ToHost returned the tensor's storage: %v", again.Data)
	}
}

func testEye(t *testing.T, b backend.Backend) {
	for _, n := range []int{1, 2, 5} {
		x, err := b.Eye(n)
		got := Download(t, b, x, err, backend.Layout{Count: 1, Rows: n, Cols: n})
		for i := range n {
			for j := range n {
				if want := float64(boolInt(i == j)); got.Data[i*n+j] != want {
					t.Errorf("n=%d: (%d,%d) = %v", n, i, j, got.Data[i*n+j])
				}
			}
		}
	}
}

func boolInt(v bool) int {
	if v {
		return 1
	}
	return 0
}

// fake is a tensor of some other backend.
type fake struct{}

func (fake) Layout() backend.Layout { return backend.Layout{Count: 1, Rows: 2, Cols: 2} }

func testProgrammerErrorsPanic(t *testing.T, b backend.Backend) {
	rng := rand.New(rand.NewPCG(1, 2))
	sq := Upload(t, b, RandHost(rng, 2, 3, 3))
	rect := Upload(t, b, RandHost(rng, 2, 3, 4))
	three := Upload(t, b, RandHost(rng, 3, 3, 3))
	freed := Upload(t, b, RandHost(rng, 1, 3, 3))
	b.Free(freed)
	cases := []struct {
		name, msg string
		f         func()
	}{
		{"foreign", "does not belong", func() { b.Sum(fake{}) }},
		{"freed", "after Free", func() { b.Trace(freed) }},
		{"matmul shapes", "cannot multiply", func() { b.MatMul(rect, rect) }},
		{"counts", "do not divide", func() { b.Elementwise(backend.Add, sq, three) }},
		{"elementwise shapes", "differ", func() { b.Elementwise(backend.Add, sq, rect) }},
		{"dot shapes", "differ", func() { b.Dot(sq, rect) }},
		{"inv square", "not square", func() { b.Inv(rect) }},
		{"logdet square", "not square", func() { b.LogDet(rect) }},
		{"scale", "not 1×1", func() { b.Scale(sq, sq) }},
		{"add scaled factor", "not 1×1", func() { b.AddScaled(sq, sq, sq) }},
		{"add scaled shapes", "differ", func() { b.AddScaled(sq, Upload(t, b, RandHost(rng, 2, 1, 1)), rect) }},
		{"add scaled counts", "do not divide", func() { b.AddScaled(sq, Upload(t, b, RandHost(rng, 3, 1, 1)), sq) }},
		{"diag", "not a column", func() { b.Diag(sq) }},
		{"gather nothing", "no index", func() { b.Gather(sq, nil) }},
		{"gather past the end", "index[1] = 2 outside the 2 matrices", func() { b.Gather(sq, []int{0, 2}) }},
		{"gather negative", "index[0] = -1", func() { b.Gather(sq, []int{-1}) }},
		{"fromhost length", "values for layout", func() {
			b.FromHost(backend.Layout{Count: 1, Rows: 2, Cols: 2}, []float64{1})
		}},
		{"layout", "invalid layout", func() { b.Gaussian(backend.Layout{Rows: 2, Cols: 2}, 1, 0, 0) }},
		{"elem op", "unknown op", func() { b.Elementwise(backend.Pow+1, sq, sq) }},
		{"map op", "unknown op", func() { b.Map(backend.Trigamma+1, sq) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			defer func() {
				r := recover()
				if !strings.Contains(fmt.Sprint(r), c.msg) {
					t.Fatalf("panic %v, want one containing %q", r, c.msg)
				}
			}()
			c.f()
		})
	}
}

func testOperandsUnchanged(t *testing.T, b backend.Backend) {
	rng := rand.New(rand.NewPCG(3, 4))
	ha, hb := WellCond(rng, 2, 5), RandHost(rng, 4, 5, 5)
	s := RandHost(rng, 2, 1, 1)
	a, x, sc := Upload(t, b, ha), Upload(t, b, hb), Upload(t, b, s)
	ops := map[string]func() (backend.Tensor, error){
		"Elementwise": func() (backend.Tensor, error) { return b.Elementwise(backend.Pow, a, x) },
		"Map":         func() (backend.Tensor, error) { return b.Map(backend.Log, a) },
		"Scale":       func() (backend.Tensor, error) { return b.Scale(sc, x) },
		"AddScaled":   func() (backend.Tensor, error) { return b.AddScaled(a, sc, a) },
		"MatMul":      func() (backend.Tensor, error) { return b.MatMul(a, x) },
		"Transpose":   func() (backend.Tensor, error) { return b.Transpose(a) },
		"Vec":         func() (backend.Tensor, error) { return b.Vec(x) },
		"Gather":      func() (backend.Tensor, error) { return b.Gather(x, []int{3, 1}) },
		"Kron":        func() (backend.Tensor, error) { return b.Kron(a, x) },
		"Inv":         func() (backend.Tensor, error) { return b.Inv(a) },
		"Det":         func() (backend.Tensor, error) { return b.Det(a) },
		"LogDet":      func() (backend.Tensor, error) { return b.LogDet(a) },
		"Trace":       func() (backend.Tensor, error) { return b.Trace(a) },
		"Sum":         func() (backend.Tensor, error) { return b.Sum(a) },
		"Dot":         func() (backend.Tensor, error) { return b.Dot(a, x) },
		"DiagOf":      func() (backend.Tensor, error) { return b.DiagOf(a) },
	}
	for name, op := range ops {
		if _, err := op(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, h := range []struct {
			t backend.Tensor
			h Host
		}{{a, ha}, {x, hb}, {sc, s}} {
			if got := Download(t, b, h.t, nil, h.h.L); !slices.Equal(got.Data, h.h.Data) {
				t.Errorf("%s modified an operand", name)
			}
		}
	}
}

func testElementwise(t *testing.T, b backend.Backend) {
	ops := []struct {
		op   backend.ElemOp
		ref  func(x, y float64) float64
		ulps float64
	}{
		{backend.Add, func(x, y float64) float64 { return x + y }, 0},
		{backend.Sub, func(x, y float64) float64 { return x - y }, 0},
		{backend.Mul, func(x, y float64) float64 { return x * y }, 0},
		{backend.Div, func(x, y float64) float64 { return x / y }, 0},
		{backend.Pow, math.Pow, transcendental},
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for _, o := range ops {
		for _, c := range Counts {
			hx, hy := RandHost(rng, c[0], 3, 4), RandHost(rng, c[1], 3, 4)
			hy.Data[0] = 0 // division by zero, 0^…
			hx.Data[1] = 0
			y, err := b.Elementwise(o.op, Upload(t, b, hx), Upload(t, b, hy))
			n := max(c[0], c[1])
			got := Download(t, b, y, err, backend.Layout{Count: n, Rows: 3, Cols: 4})
			// The result is one correctly rounded operation per entry, so
			// it must match the definition exactly; Pow within a few ulps
			// of math.Pow.
			for j := range n {
				xm, ym := hx.Mat(j/(n/c[0])), hy.Mat(j/(n/c[1]))
				for i, v := range got.Mat(j) {
					if want := o.ref(xm[i], ym[i]); !ulpsClose(v, want, o.ulps) {
						t.Fatalf("op %d counts %v: matrix %d entry %d = %v, want %v", o.op, c, j, i, v, want)
					}
				}
			}
		}
	}
}

func testMap(t *testing.T, b backend.Backend) {
	ops := []struct {
		op   backend.MapOp
		ref  func(float64) float64
		ulps float64
	}{
		{backend.Neg, func(x float64) float64 { return -x }, 0},
		{backend.Exp, math.Exp, transcendental},
		{backend.Log, logRef, transcendental},
		{backend.Sqrt, math.Sqrt, 0},
		{backend.Abs, math.Abs, 0},
		{backend.Tanh, math.Tanh, transcendental},
	}
	rng := rand.New(rand.NewPCG(7, 8))
	h := RandHost(rng, 3, 4, 2)
	h.Data[0], h.Data[1], h.Data[2] = 0, math.Inf(1), math.NaN()
	h.Data[3], h.Data[4] = math.Exp(-720), 0x1p-1074 // subnormal
	x := Upload(t, b, h)
	for _, o := range ops {
		y, err := b.Map(o.op, x)
		got := Download(t, b, y, err, h.L)
		// Negative entries give NaN for Log and Sqrt, as the math package;
		// Neg, Sqrt and Abs are exact, the others within a few ulps.
		for i, v := range got.Data {
			if want := o.ref(h.Data[i]); !ulpsClose(v, want, o.ulps) {
				t.Fatalf("op %d: entry %d = %v, want %v", o.op, i, v, want)
			}
		}
	}
}

// logRef is the natural logarithm through math.Log2, which normalizes a
// subnormal x first: math.Log on amd64 returns about −709.09 for every x
// below 2⁻¹⁰²² (Go issue 56600).
func logRef(x float64) float64 { return math.Log2(x) * math.Ln2 }

func testScale(t *testing.T, b backend.Backend) {
	rng := rand.New(rand.NewPCG(9, 10))
	for _, c := range Counts {
		hs, ha := RandHost(rng, c[0], 1, 1), RandHost(rng, c[1], 2, 3)
		y, err := b.Scale(Upload(t, b, hs), Upload(t, b, ha))
		n := max(c[0], c[1])
		got := Download(t, b, y, err, backend.Layout{Count: n, Rows: 2, Cols: 3})
		for j := range n {
			s, am := hs.Data[j/(n/c[0])], ha.Mat(j/(n/c[1]))
			for i, v := range got.Mat(j) {
				if v != s*am[i] { // one correctly rounded product
					t.Fatalf("Counts %v: matrix %d entry %d = %v, want %v", c, j, i, v, s*am[i])
				}
			}
		}
	}
}

// testAddScaled checks x + s·h against one rounded product and one rounded
// sum per entry, for every way the counts of x, s and h broadcast (among
// them the verifier's: x per instance, s per point, h per direction), on
// small matrices and on matrices large enough that a backend may split
// them into parts (the counts, then the rows and columns).
func testAddScaled(t *testing.T, b backend.Backend) {
	rng := rand.New(rand.NewPCG(21, 22))
	for _, c := range [][5]int{{1, 1, 1, 3, 2}, {2, 12, 6, 3, 2}, {1, 4, 4, 3, 2}, {4, 1, 4, 3, 2}, {4, 4, 1, 3, 2}, {3, 6, 2, 3, 2}, {6, 1, 1, 3, 2},
		{2, 12, 6, 40, 41}, {1, 6, 1, 200, 201}} {
		r, k := c[3], c[4]
		hx, hs, hh := RandHost(rng, c[0], r, k), RandHost(rng, c[1], 1, 1), RandHost(rng, c[2], r, k)
		y, err := b.AddScaled(Upload(t, b, hx), Upload(t, b, hs), Upload(t, b, hh))
		n := max(c[0], c[1], c[2])
		got := Download(t, b, y, err, backend.Layout{Count: n, Rows: r, Cols: k})
		for j := range n {
			xm, s, hm := hx.Mat(j/(n/c[0])), hs.Data[j/(n/c[1])], hh.Mat(j/(n/c[2]))
			for i, v := range got.Mat(j) {
				p := s * hm[i]
				if want := xm[i] + p; v != want {
					t.Fatalf("counts %v: matrix %d entry %d = %v, want %v", c, j, i, v, want)
				}
			}
		}
	}
}

func testTranspose(t *testing.T, b backend.Backend) {
	rng := rand.New(rand.NewPCG(11, 12))
	for _, s := range [][3]int{{1, 1, 1}, {3, 1, 5}, {2, 5, 3}, {4, 7, 1}, {2, 6, 6}} {
		h := RandHost(rng, s[0], s[1], s[2])
		y, err := b.Transpose(Upload(t, b, h))
		got := Download(t, b, y, err, backend.Layout{Count: s[0], Rows: s[2], Cols: s[1]})
		for j := range s[0] {
			for r := range s[1] {
				for c := range s[2] {
					if got.Mat(j)[c*s[1]+r] != h.Mat(j)[r*s[2]+c] {
						t.Fatalf("%v: matrix %d (%d,%d) not transposed", s, j, r, c)
					}
				}
			}
		}
	}
}

// testVec checks that Vec stacks the columns: entry i + r·j of the
// column is entry (i, j) of the r×c matrix.
func testVec(t *testing.T, b backend.Backend) {
	rng := rand.New(rand.NewPCG(41, 42))
	for _, s := range [][3]int{{1, 1, 1}, {3, 1, 5}, {2, 5, 3}, {4, 7, 1}, {2, 6, 6}} {
		h := RandHost(rng, s[0], s[1], s[2])
		y, err := b.Vec(Upload(t, b, h))
		got := Download(t, b, y, err, backend.Layout{Count: s[0], Rows: s[1] * s[2], Cols: 1})
		for j := range s[0] {
			for r := range s[1] {
				for c := range s[2] {
					if got.Mat(j)[r+c*s[1]] != h.Mat(j)[r*s[2]+c] {
						t.Fatalf("%v: matrix %d (%d,%d) is not entry %d of its vec", s, j, r, c, r+c*s[1])
					}
				}
			}
		}
	}
}

func testGather(t *testing.T, b backend.Backend) {
	rng := rand.New(rand.NewPCG(13, 14))
	for _, c := range []struct {
		rows, cols int
		count      int
		index      []int
	}{
		{1, 1, 1, []int{0}},
		{2, 3, 5, []int{4, 0, 0, 2}},
		{3, 3, 4, []int{1, 2}},
		{4, 1, 3, []int{2, 1, 0, 2, 1, 0}},
	} {
		h := RandHost(rng, c.count, c.rows, c.cols)
		y, err := b.Gather(Upload(t, b, h), c.index)
		got := Download(t, b, y, err, backend.Layout{Count: len(c.index), Rows: c.rows, Cols: c.cols})
		for j, i := range c.index {
			if !slices.Equal(got.Mat(j), h.Mat(i)) {
				t.Fatalf("%d×(%d×%d), index %v: matrix %d is %v, want matrix %d, %v",
					c.count, c.rows, c.cols, c.index, j, got.Mat(j), i, h.Mat(i))
			}
		}
	}
}

func testKron(t *testing.T, b backend.Backend) {
	rng := rand.New(rand.NewPCG(13, 14))
	shapes := [][4]int{{1, 1, 1, 1}, {2, 3, 4, 5}, {3, 1, 1, 2}, {2, 2, 3, 3}}
	for _, c := range Counts {
		for _, s := range shapes {
			m, n, p, q := s[0], s[1], s[2], s[3]
			ha, hb := RandHost(rng, c[0], m, n), RandHost(rng, c[1], p, q)
			y, err := b.Kron(Upload(t, b, ha), Upload(t, b, hb))
			cnt := max(c[0], c[1])
			got := Download(t, b, y, err, backend.Layout{Count: cnt, Rows: m * p, Cols: n * q})
			// Definition: (a⊗b)[r][c] = a[r/p][c/q]·b[r%p][c%q], one exact
			// rounding per entry.
			for j := range cnt {
				am, bm := ha.Mat(j/(cnt/c[0])), hb.Mat(j/(cnt/c[1]))
				for r := range m * p {
					for col := range n * q {
						want := am[(r/p)*n+col/q] * bm[(r%p)*q+col%q]
						if v := got.Mat(j)[r*n*q+col]; v != want {
							t.Fatalf("Counts %v shape %v: matrix %d (%d,%d) = %v, want %v",
								c, s, j, r, col, v, want)
						}
					}
				}
			}
		}
	}
}

// checkScalars compares 1×1 results with references within 2·k·u·mag[j]:
// a sum of k terms in any order is within γ_k·Σ|terms| ≈ k·u·Σ|terms| of
// the exact value, and both sides are such sums.
func checkScalars(t *testing.T, name string, got, want, mag []float64, k int) {
	t.Helper()
	for j := range want {
		if tol := 2 * float64(k) * U * mag[j]; math.Abs(got[j]-want[j]) > tol {
			t.Errorf("%s: matrix %d = %v, want %v (tol %.3g)", name, j, got[j], want[j], tol)
		}
	}
}

func testTraceSumDot(t *testing.T, b backend.Backend) {
	rng := rand.New(rand.NewPCG(15, 16))
	for _, n := range []int{1, 4, 33} {
		h := RandHost(rng, 5, n, n)
		x := Upload(t, b, h)
		one := backend.Layout{Count: 5, Rows: 1, Cols: 1}
		tr, err := b.Trace(x)
		gotTr := Download(t, b, tr, err, one)
		sum, err := b.Sum(x)
		gotSum := Download(t, b, sum, err, one)
		var wantTr, magTr, wantSum, magSum []float64
		for j := range 5 {
			d := make([]float64, n)
			for i := range n {
				d[i] = h.Mat(j)[i*n+i]
			}
			m := h.Mat(j)
			wantTr = append(wantTr, floats.Sum(d))
			magTr = append(magTr, floats.Norm(d, 1))
			wantSum = append(wantSum, floats.Sum(m))
			magSum = append(magSum, floats.Norm(m, 1))
		}
		checkScalars(t, fmt.Sprint("Trace n=", n), gotTr.Data, wantTr, magTr, n)
		checkScalars(t, fmt.Sprint("Sum n=", n), gotSum.Data, wantSum, magSum, n*n)
	}
	for _, c := range Counts {
		ha, hb := RandHost(rng, c[0], 7, 5), RandHost(rng, c[1], 7, 5)
		d, err := b.Dot(Upload(t, b, ha), Upload(t, b, hb))
		cnt := max(c[0], c[1])
		got := Download(t, b, d, err, backend.Layout{Count: cnt, Rows: 1, Cols: 1})
		var want, mag []float64
		for j := range cnt {
			am, bm := ha.Mat(j/(cnt/c[0])), hb.Mat(j/(cnt/c[1]))
			want = append(want, floats.Dot(am, bm))
			p := make([]float64, len(am))
			floats.MulTo(p, am, bm)
			mag = append(mag, floats.Norm(p, 1))
		}
		checkScalars(t, fmt.Sprint("Dot Counts ", c), got.Data, want, mag, 35)
	}
}

func testDiag(t *testing.T, b backend.Backend) {
	rng := rand.New(rand.NewPCG(17, 18))
	for _, n := range []int{1, 3, 6} {
		v := RandHost(rng, 4, n, 1)
		d, err := b.Diag(Upload(t, b, v))
		got := Download(t, b, d, err, backend.Layout{Count: 4, Rows: n, Cols: n})
		for j := range 4 {
			for r := range n {
				for c := range n {
					want := 0.0
					if r == c {
						want = v.Mat(j)[r]
					}
					if got.Mat(j)[r*n+c] != want {
						t.Fatalf("Diag n=%d: matrix %d (%d,%d) = %v, want %v", n, j, r, c, got.Mat(j)[r*n+c], want)
					}
				}
			}
		}
		h := RandHost(rng, 4, n, n)
		d, err = b.DiagOf(Upload(t, b, h))
		gotOf := Download(t, b, d, err, backend.Layout{Count: 4, Rows: n, Cols: 1})
		for j := range 4 {
			for i := range n {
				if gotOf.Mat(j)[i] != h.Mat(j)[i*n+i] {
					t.Fatalf("DiagOf n=%d: matrix %d entry %d = %v", n, j, i, gotOf.Mat(j)[i])
				}
			}
		}
	}
}

func testGaussian(t *testing.T, b backend.Backend) {
	l := backend.Layout{Count: 7, Rows: 5, Cols: 3} // odd size: a half pair per matrix
	draw := func(key uint64, stream, first uint32) Host {
		x, err := b.Gaussian(l, key, stream, first)
		return Download(t, b, x, err, l)
	}
	g := draw(42, 3, 10)
	if again := draw(42, 3, 10); !slices.Equal(g.Data, again.Data) {
		t.Error("same (key, stream, first) gave different draws")
	}
	for c := range l.Count {
		want := make([]float64, 15)
		philox.Fill(want, 42, 3, 10+uint32(c))
		if !slices.Equal(g.Mat(c), want) {
			t.Errorf("matrix %d differs from philox.Fill with index %d", c, 10+c)
		}
	}
	shifted := draw(42, 3, 11)
	if !slices.Equal(g.Data[15:], shifted.Data[:len(shifted.Data)-15]) {
		t.Error("first+1 does not shift the matrices by one")
	}
	for _, other := range []Host{draw(42, 4, 10), draw(43, 3, 10)} {
		for i, v := range other.Data {
			if v == g.Data[i] {
				t.Errorf("another stream or key repeats entry %d", i)
			}
		}
	}
}
