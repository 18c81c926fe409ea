package cpu

import (
	"bufio"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/gonum/diff/fd"
)

// ulpsOf returns |got − want| in units of the last place of want (of the
// smallest normal number below it).
func ulpsOf(got, want float64) float64 {
	return math.Abs(got-want) / (math.Max(math.Abs(want), 0x1p-1022) * 0x1p-52)
}

// TestGammaTable compares lgamma, digamma and trigamma with 40-digit
// values rounded to double (testdata/gamma.txt, made with mpmath) at 300
// points of [10⁻³⁰⁰, 10³⁰⁰]: log-uniform in [10⁻³, 10⁶], uniform in
// [0.4, 2.8] where the Taylor series and their seams are, around
// digamma's zero x₀, at the seams and their neighbours. The functions
// measured within 2.7 ulps of the true value (at 42,000 points), the
// reference is within ½ ulp of it: 3.5 ulps, also at lgamma's zeros 1
// and 2 and digamma's x₀, where only the series keep the error relative.
func TestGammaTable(t *testing.T) {
	f, err := os.Open("testdata/gamma.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	funcs := []struct {
		name string
		f    func(float64) float64
	}{{"lgamma", lgamma}, {"digamma", digamma}, {"trigamma", trigamma}}
	worst := make([]float64, len(funcs))
	s, lines := bufio.NewScanner(f), 0
	for s.Scan() {
		if strings.HasPrefix(s.Text(), "#") {
			continue
		}
		fields := strings.Fields(s.Text())
		var v [4]float64
		for i := range v {
			if v[i], err = strconv.ParseFloat(fields[i], 64); err != nil {
				t.Fatalf("line %q: %v", s.Text(), err)
			}
		}
		lines++
		for i, fn := range funcs {
			got, want := fn.f(v[0]), v[i+1]
			if math.IsInf(want, 1) && got == want {
				continue
			}
			u := ulpsOf(got, want)
			worst[i] = math.Max(worst[i], u)
			if !(u <= 3.5) {
				t.Errorf("%s(%v) = %v, want %v: %.1f ulps", fn.name, v[0], got, want, u)
			}
		}
	}
	if lines < 300 {
		t.Fatalf("read %d reference lines, want 300", lines)
	}
	t.Logf("worst ulps: lgamma %.2f, digamma %.2f, trigamma %.2f", worst[0], worst[1], worst[2])
}

// gammaTestPoints returns 4000 arguments log-uniform in [10⁻³, 10⁶] and
// 2000 uniform in [0.4, 2.8].
func gammaTestPoints() []float64 {
	rng := rand.New(rand.NewPCG(11, 12))
	var xs []float64
	for range 4000 {
		xs = append(xs, 1e-3*math.Pow(1e9, rng.Float64()))
	}
	for range 2000 {
		xs = append(xs, 0.4+2.4*rng.Float64())
	}
	return xs
}

// TestLgammaMath compares lgamma with math.Lgamma, an implementation of
// its own (FreeBSD's rational approximations), within 4 ulps: 2.7 for
// lgamma and about 1 for math.Lgamma. Not on [0.18, 0.23] and
// [1.18, 1.23], where math.Lgamma is off by up to 286 ulps (2·10⁻¹⁵
// relative at 1.2, against 40-digit values); TestGammaTable covers them.
func TestLgammaMath(t *testing.T) {
	for _, x := range gammaTestPoints() {
		if x >= 0.18 && x <= 0.23 || x >= 1.18 && x <= 1.23 {
			continue
		}
		want, _ := math.Lgamma(x)
		if u := ulpsOf(lgamma(x), want); !(u <= 4) {
			t.Errorf("lgamma(%v) = %v, math.Lgamma %v: %.1f ulps", x, lgamma(x), want, u)
		}
	}
}

// TestGammaKnownValues checks digamma and trigamma at points where they
// have closed forms in γ, π, log 2, log 3 and Catalan's constant G
// (Abramowitz and Stegun 6.3, 6.4; DLMF 5.4, 5.15), and digamma at its
// zero x₀ = 1.4616321449683623412626595… (DLMF 5.4.iii) rounded to
// double, where ψ is ψ'(x₀)·(x − x₀) = −9.2412655217294275·10⁻¹⁷. Each reference is a
// sum of a few float64 terms, itself within about 2 ulps of its terms'
// magnitude: 4 ulps of that.
func TestGammaKnownValues(t *testing.T) {
	const (
		euler   = 0.57721566490153286060651209008240243
		catalan = 0.91596559417721901505460351493238411
	)
	pi2 := math.Pi * math.Pi
	tests := []struct {
		name string
		f    func(float64) float64
		x    float64
		// terms add up to the value.
		terms []float64
	}{
		{"digamma", digamma, 1, []float64{-euler}},
		{"digamma", digamma, 2, []float64{1, -euler}},
		{"digamma", digamma, 0.5, []float64{-euler, -2 * math.Ln2}},
		{"digamma", digamma, 1.5, []float64{2, -euler, -2 * math.Ln2}},
		{"digamma", digamma, 0.25, []float64{-euler, -math.Pi / 2, -3 * math.Ln2}},
		{"digamma", digamma, 0.75, []float64{-euler, math.Pi / 2, -3 * math.Ln2}},
		{"digamma", digamma, 3, []float64{1.5, -euler}},
		{"digamma", digamma, 11, []float64{7381.0 / 2520, -euler}},
		{"digamma", digamma, 1.4616321449683623, []float64{-9.2412655217294275e-17}},
		{"trigamma", trigamma, 1, []float64{pi2 / 6}},
		{"trigamma", trigamma, 2, []float64{pi2 / 6, -1}},
		{"trigamma", trigamma, 0.5, []float64{pi2 / 2}},
		{"trigamma", trigamma, 1.5, []float64{pi2 / 2, -4}},
		{"trigamma", trigamma, 0.25, []float64{pi2, 8 * catalan}},
		{"trigamma", trigamma, 0.75, []float64{pi2, -8 * catalan}},
	}
	for _, tc := range tests {
		want, scale := 0.0, 0.0
		for _, v := range tc.terms {
			want += v
			scale += math.Abs(v)
		}
		tol := 4 * scale * 0x1p-52
		if tc.x == 1.4616321449683623 {
			// 4 ulps of the value: relative, where the recurrence
			// would leave an error of about 10⁻¹⁶.
			tol = 4 * 9.25e-17 * 0x1p-52
		}
		if got := tc.f(tc.x); !(math.Abs(got-want) <= tol) {
			t.Errorf("%s(%v) = %.17g, want %.17g (±%.2g)", tc.name, tc.x, got, want, tol)
		}
	}
}

// TestGammaDerivatives checks that digamma is the derivative of lgamma and
// trigamma that of digamma, by central differences (gonum's fd) with step
// h = 10⁻⁵·x, over [10⁻³, 10⁶]: their error, u·|F(x)|/h from rounding
// plus h²·|F⁽³⁾(x)|/6 from truncation, is below 10⁻⁹ of |F(x)|/x + |F'(x)|
// there (F⁽³⁾·x² stays within a few |F'| + |F|/x for these functions).
func TestGammaDerivatives(t *testing.T) {
	pairs := []struct {
		name string
		f, d func(float64) float64
	}{{"digamma", lgamma, digamma}, {"trigamma", digamma, trigamma}}
	for _, p := range pairs {
		for _, x := range gammaTestPoints() {
			got := p.d(x)
			want := fd.Derivative(p.f, x, &fd.Settings{Formula: fd.Central, Step: 1e-5 * x})
			tol := 1e-9 * (math.Abs(p.f(x))/x + math.Abs(got))
			if !(math.Abs(got-want) <= tol) {
				t.Errorf("%s(%v) = %v, central difference %v (±%.2g)", p.name, x, got, want, tol)
			}
		}
	}
}

// TestGammaDomain checks the values outside x > 0 (NaN) and at +Inf.
func TestGammaDomain(t *testing.T) {
	for _, x := range []float64{0, math.Copysign(0, -1), -1, -0.5, -1e300, math.Inf(-1), math.NaN()} {
		for _, f := range []func(float64) float64{lgamma, digamma, trigamma} {
			if v := f(x); !math.IsNaN(v) {
				t.Errorf("at %v: %v, want NaN", x, v)
			}
		}
	}
	inf := math.Inf(1)
	if lgamma(inf) != inf || digamma(inf) != inf || trigamma(inf) != 0 {
		t.Errorf("at +Inf: %v, %v, %v; want +Inf, +Inf, 0", lgamma(inf), digamma(inf), trigamma(inf))
	}
}
