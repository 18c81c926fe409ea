package backendtest

import (
	"math"
	"math/cmplx"
	"math/rand/v2"
	"testing"

	"github.com/gradcheck/gradcheck/backend"
	"gonum.org/v1/gonum/mat"
)

func testMatMul(t *testing.T, b backend.Backend) {
	rng := rand.New(rand.NewPCG(21, 22))
	shapes := [][3]int{{1, 1, 1}, {1, 5, 1}, {5, 1, 4}, {3, 7, 2}, {16, 16, 16}, {65, 33, 70}}
	for _, c := range Counts {
		for _, s := range shapes {
			m, k, n := s[0], s[1], s[2]
			ha, hb := RandHost(rng, c[0], m, k), RandHost(rng, c[1], k, n)
			y, err := b.MatMul(Upload(t, b, ha), Upload(t, b, hb))
			cnt := max(c[0], c[1])
			got := Download(t, b, y, err, backend.Layout{Count: cnt, Rows: m, Cols: n})
			for j := range cnt {
				// Result j must use a[j/(cnt/ca)] and b[j/(cnt/cb)]; using
				// another (independent random) matrix gives O(1) errors.
				want, abs := NaiveMul(m, k, n, ha.Mat(j/(cnt/c[0])), hb.Mat(j/(cnt/c[1])))
				for i, v := range got.Mat(j) {
					// Any summation order is within γ_k·(|A||B|)_ij of the
					// exact product (Higham, Thm 3.5); both sides are.
					if tol := 2 * float64(k) * U * abs[i]; math.Abs(v-want[i]) > tol {
						t.Fatalf("Counts %v shape %v: matrix %d entry %d = %v, want %v (tol %.3g)",
							c, s, j, i, v, want[i], tol)
					}
				}
			}
		}
	}
}

// MaxResidual returns max |x·y − I| (naive product) and ‖x‖_∞‖y‖_∞.
func MaxResidual(n int, x, y []float64) (res, kappa float64) {
	p, _ := NaiveMul(n, n, n, x, y)
	for i := range n {
		for j := range n {
			e := p[i*n+j]
			if i == j {
				e--
			}
			res = math.Max(res, math.Abs(e))
		}
	}
	return res, normInf(n, x) * normInf(n, y)
}

// normInf returns the maximum absolute row sum of the n×n matrix x.
func normInf(n int, x []float64) float64 {
	m := 0.0
	for i := range n {
		s := 0.0
		for _, v := range x[i*n : (i+1)*n] {
			s += math.Abs(v)
		}
		m = math.Max(m, s)
	}
	return m
}

func testInv(t *testing.T, b backend.Backend) {
	rng := rand.New(rand.NewPCG(23, 24))
	for n := 1; n <= 64; n++ {
		h := WellCond(rng, 3, n)
		y, err := b.Inv(Upload(t, b, h))
		got := Download(t, b, y, err, h.L)
		for j := range 3 {
			a, x := h.Mat(j), got.Mat(j)
			// Normwise residual bound of an LU-based inverse:
			// ‖AX − I‖ ≤ c·n·u·κ(A) with κ = ‖A‖‖X‖ (Higham §14.3); c = 10.
			for _, r := range [][2][]float64{{a, x}, {x, a}} {
				res, kappa := MaxResidual(n, r[0], r[1])
				if tol := 10 * float64(n) * U * kappa; res > tol {
					t.Fatalf("n=%d matrix %d: residual %.3g > %.3g", n, j, res, tol)
				}
			}
		}
	}
}

func testSingular(t *testing.T, b backend.Backend) {
	rng := rand.New(rand.NewPCG(25, 26))
	zero := Host{L: backend.Layout{Count: 1, Rows: 1, Cols: 1}, Data: []float64{0}}
	zeroCol := RandHost(rng, 1, 6, 6)
	dupRow := RandHost(rng, 1, 6, 6)
	for i := range 6 {
		zeroCol.Data[i*6+2] = 0
		dupRow.Data[4*6+i] = dupRow.Data[1*6+i]
	}
	for name, h := range map[string]Host{"zero": zero, "zero column": zeroCol, "equal rows": dupRow} {
		x := Upload(t, b, h)
		inv, err := b.Inv(x)
		gotInv := Download(t, b, inv, err, h.L)
		for i, v := range gotInv.Data {
			if !math.IsNaN(v) {
				t.Errorf("%s: inverse entry %d = %v, want NaN", name, i, v)
			}
		}
		one := backend.Layout{Count: 1, Rows: 1, Cols: 1}
		d, err := b.Det(x)
		if got := Download(t, b, d, err, one).Data[0]; got != 0 {
			t.Errorf("%s: det = %v, want 0", name, got)
		}
		ld, err := b.LogDet(x)
		if got := Download(t, b, ld, err, one).Data[0]; !math.IsInf(got, -1) {
			t.Errorf("%s: logdet = %v, want -Inf", name, got)
		}
	}
}

// RelClose reports whether got is within rel·|want| of want.
func RelClose(got, want, rel float64) bool {
	return math.Abs(got-want) <= rel*math.Abs(want)
}

func testDetTriangular(t *testing.T, b backend.Backend) {
	rng := rand.New(rand.NewPCG(27, 28))
	for n := 1; n <= 40; n++ {
		for _, lower := range []bool{false, true} {
			h := RandHost(rng, 2, n, n)
			want := make([]float64, 2)
			for j := range 2 {
				m, p := h.Mat(j), 1.0
				for r := range n {
					for c := range n {
						switch {
						case r == c:
							m[r*n+c] = (1 + rng.Float64()) * float64(1-2*rng.IntN(2))
							p *= m[r*n+c]
						case (c > r) == lower:
							m[r*n+c] = 0
						default:
							m[r*n+c] /= 3 * math.Sqrt(float64(n))
						}
					}
				}
				want[j] = p
			}
			// Upper triangular: LU is the matrix itself, so only the n
			// roundings of the product differ. Lower triangular: pivoting
			// may swap rows; with diagonal 1…2 and off-diagonal G/(3√n) the
			// matrix is well conditioned (κ ≲ 10) and the relative error of
			// det is below n·u per pivot, n pivots: 10·n²·u.
			tol := 10 * float64(n*n) * U
			for j, got := range Scalars(t, b, b.Det, h) {
				if !RelClose(got, want[j], tol) {
					t.Errorf("n=%d lower=%v: det = %v, want %v", n, lower, got, want[j])
				}
			}
		}
	}
}

func testDetPermutation(t *testing.T, b backend.Backend) {
	rng := rand.New(rand.NewPCG(29, 30))
	for n := 1; n <= 20; n++ {
		for range 3 {
			p := rng.Perm(n)
			h := Host{L: backend.Layout{Count: 1, Rows: n, Cols: n}, Data: make([]float64, n*n)}
			inversions := 0
			for i := range n {
				h.Data[i*n+p[i]] = 1
				for k := i + 1; k < n; k++ {
					if p[k] < p[i] {
						inversions++
					}
				}
			}
			want := float64(1 - 2*(inversions%2))
			// Pivoting picks the 1s; no rounding happens.
			if got := Scalars(t, b, b.Det, h)[0]; got != want {
				t.Errorf("n=%d perm %v: det = %v, want %v", n, p, got, want)
			}
			ld := Scalars(t, b, b.LogDet, h)[0]
			if want > 0 && ld != 0 || want < 0 && !math.IsNaN(ld) {
				t.Errorf("n=%d perm %v: logdet = %v for det %v", n, p, ld, want)
			}
		}
	}
}

func testDetSmallFormulas(t *testing.T, b backend.Backend) {
	rng := rand.New(rand.NewPCG(31, 32))
	h2, h3 := RandHost(rng, 50, 2, 2), RandHost(rng, 50, 3, 3)
	d2, d3 := Scalars(t, b, b.Det, h2), Scalars(t, b, b.Det, h3)
	for j := range 50 {
		a := h2.Mat(j)
		want, mag := a[0]*a[3]-a[1]*a[2], math.Abs(a[0]*a[3])+math.Abs(a[1]*a[2])
		// Both sides are a few roundings of terms of total size mag; 10·u
		// per term. Cancellation is covered since the bound is absolute.
		if math.Abs(d2[j]-want) > 20*U*mag {
			t.Errorf("2×2 %v: det = %v, want %v", a, d2[j], want)
		}
		m := h3.Mat(j)
		terms := []float64{
			m[0] * m[4] * m[8], m[1] * m[5] * m[6], m[2] * m[3] * m[7],
			-m[2] * m[4] * m[6], -m[0] * m[5] * m[7], -m[1] * m[3] * m[8],
		}
		want, mag = 0, 0
		for _, v := range terms {
			want += v
			mag += math.Abs(v)
		}
		// LU's pivots can amplify the absolute error somewhat beyond the
		// Sarrus terms' size; 100·u·mag leaves room for that.
		if math.Abs(d3[j]-want) > 100*U*mag {
			t.Errorf("3×3 %v: det = %v, want %v", m, d3[j], want)
		}
	}
}

func testDetIdentities(t *testing.T, b backend.Backend) {
	rng := rand.New(rand.NewPCG(33, 34))
	for n := 1; n <= 32; n++ {
		ha, hb := WellCond(rng, 1, n), WellCond(rng, 1, n)
		detA, detB := Scalars(t, b, b.Det, ha)[0], Scalars(t, b, b.Det, hb)[0]
		// det(cA) = cⁿ det A. Scaling by a power of two (or −1) is exact and
		// commutes with every step of LU, so these match exactly; c = 3
		// rounds each entry once (relative u each), which moves det by at
		// most about n·κ·u; κ ≈ 5.
		for _, c := range []float64{2, 0.5, -1, 3} {
			hc := Host{L: ha.L, Data: make([]float64, n*n)}
			for i, v := range ha.Data {
				hc.Data[i] = c * v
			}
			got, want := Scalars(t, b, b.Det, hc)[0], math.Pow(c, float64(n))*detA
			tol := 0.0
			if c == 3 {
				tol = 20 * float64(n*n) * U
			}
			if !RelClose(got, want, tol) {
				t.Errorf("n=%d: det(%vA) = %v, want %v", n, c, got, want)
			}
		}
		// det(AB) = det A det B, AB formed by the naive product. Each det is
		// backward stable: relative error ≲ n·κ·γ_n ≈ n²·κ·u with κ(AB) ≤ 25;
		// 100·n²·u covers the three determinants.
		ab, _ := NaiveMul(n, n, n, ha.Data, hb.Data)
		got := Scalars(t, b, b.Det, Host{L: ha.L, Data: ab})[0]
		if want := detA * detB; !RelClose(got, want, 100*float64(n*n)*U) {
			t.Errorf("n=%d: det(AB) = %v, det A det B = %v", n, got, want)
		}
	}
}

func testLogDetMatchesDet(t *testing.T, b backend.Backend) {
	rng := rand.New(rand.NewPCG(35, 36))
	for n := 1; n <= 64; n++ {
		h := WellCond(rng, 4, n)
		// Flip one row of matrix 1 and two of matrix 2: det < 0 and det > 0.
		for i := range n {
			h.Mat(1)[i] = -h.Mat(1)[i]
			if n > 1 {
				h.Mat(2)[i], h.Mat(2)[n+i] = -h.Mat(2)[i], -h.Mat(2)[n+i]
			}
		}
		det, logdet := Scalars(t, b, b.Det, h), Scalars(t, b, b.LogDet, h)
		for j := range 4 {
			if det[j] < 0 {
				if !math.IsNaN(logdet[j]) {
					t.Errorf("n=%d matrix %d: det %v < 0 but logdet = %v", n, j, det[j], logdet[j])
				}
				continue
			}
			// Same LU on both sides; they differ by n roundings in the
			// product and n in the logs and their sum: 10·n·u·(1+|logdet|).
			want := math.Log(det[j])
			if tol := 10 * float64(n) * U * (1 + math.Abs(want)); math.Abs(logdet[j]-want) > tol {
				t.Errorf("n=%d matrix %d: logdet = %v, log det = %v", n, j, logdet[j], want)
			}
		}
	}
}

// TestLogDetEigen compares LogDet with Σ log|λ_i| from mat.Eigen (a Schur
// decomposition, independent of LU).
func testLogDetEigen(t *testing.T, b backend.Backend) {
	rng := rand.New(rand.NewPCG(37, 38))
	for _, n := range []int{1, 2, 10, 128} {
		h := WellCond(rng, 1, n)
		var eig mat.Eigen
		if !eig.Factorize(mat.NewDense(n, n, h.Data), mat.EigenNone) {
			t.Fatal("eigen decomposition failed")
		}
		want := 0.0
		for _, l := range eig.Values(nil) {
			want += math.Log(cmplx.Abs(l))
		}
		got := Scalars(t, b, b.LogDet, h)[0]
		t.Logf("n=%d: logdet %v, eigen %v, difference %.3g", n, got, want, got-want)
		// Both are exact for a perturbation ‖E‖ ≲ c·n·u·‖A‖ (backward
		// stability), which moves log det by |tr(A⁻¹E)| ≤ n·‖A⁻¹‖‖E‖ ≈
		// c·n²·κ·u; κ ≈ 5, c = 10.
		if tol := 50 * float64(n*n) * U; math.Abs(got-want) > tol {
			t.Errorf("n=%d: logdet = %v, Σ log|λ| = %v (tol %.3g)", n, got, want, tol)
		}
	}
}

// TestLogDetLarge checks at n = 1024, where det of a scaled matrix
// overflows, LogDet against Σ log|r_ii| of a Householder QR (independent of
// LU).
func testLogDetLarge(t *testing.T, b backend.Backend) {
	if testing.Short() {
		t.Skip("n = 1024")
	}
	const n = 1024
	h := WellCond(rand.New(rand.NewPCG(39, 40)), 1, n)
	var qr mat.QR
	qr.Factorize(mat.NewDense(n, n, h.Data))
	var r mat.Dense
	qr.RTo(&r)
	want := 0.0
	for i := range n {
		want += math.Log(math.Abs(r.At(i, i)))
	}
	// Same backward-error argument as TestLogDetEigen: 50·n²·u ≈ 1.2e-8.
	tol := 50 * float64(n*n) * U
	got := Scalars(t, b, b.LogDet, h)[0]
	t.Logf("logdet %v, QR %v, difference %.3g, tol %.3g", got, want, got-want, tol)
	if math.IsNaN(got) || math.Abs(got-want) > tol {
		t.Fatalf("logdet = %v, Σ log|r_ii| = %v (tol %.3g)", got, want, tol)
	}
	// 4A: det = 4¹⁰²⁴·det A = 2²⁰⁴⁸·det A overflows; logdet does not. The
	// LU of 4A is exactly 4× that of A, so only the n logs and the sum round.
	for i := range h.Data {
		h.Data[i] *= 4
	}
	if det := Scalars(t, b, b.Det, h)[0]; !math.IsInf(det, 1) {
		t.Errorf("det(4A) = %v; expected overflow to +Inf", det)
	}
	got4 := Scalars(t, b, b.LogDet, h)[0]
	want4 := got + n*math.Log(4)
	if math.Abs(got4-want4) > 10*n*U*math.Abs(want4) {
		t.Errorf("logdet(4A) = %v, want %v", got4, want4)
	}
}
