package gradcheck

import (
	"context"
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"

	"github.com/gradcheck/gradcheck/cpu"
	"github.com/gradcheck/gradcheck/formulas"
)

// draw samples count instances of a variable of distribution dist and the
// given shape, as gonum matrices.
func draw(t *testing.T, dist formulas.Dist, shape formulas.Shape, count int) []*mat.Dense {
	t.Helper()
	ev := newEvaluator(context.Background(), cpu.New(), nil)
	defer ev.close()
	smp := &sampler{ev: ev, key: claimKey(1, "draw"), count: count}
	x, err := smp.variable(formulas.Var{Name: "X", Dist: dist}, shape)
	if err != nil {
		t.Fatal(err)
	}
	defer ev.release(x)
	data, err := ev.b.ToHost(x, nil)
	if err != nil {
		t.Fatal(err)
	}
	size := shape.Rows * shape.Cols
	out := make([]*mat.Dense, count)
	for i := range out {
		out[i] = mat.NewDense(shape.Rows, shape.Cols, data[i*size:(i+1)*size])
	}
	return out
}

// TestSPDDeterminantVaries checks that spd inputs make no claim about the
// determinant true by a fixed value (issue 11): their log-determinants,
// computed by gonum's LU, spread by about 1 between instances, and the
// matrices stay symmetric positive definite with finite determinants at
// n = 512 (the log-determinant does not grow with n).
func TestSPDDeterminantVaries(t *testing.T) {
	for _, n := range []int{5, 512} {
		count := 32
		if n > 100 {
			count = 8
		}
		var logDets []float64
		for i, x := range draw(t, formulas.SPD, formulas.Shape{Rows: n, Cols: n}, count) {
			var chol mat.Cholesky
			if !mat.EqualApprox(x, x.T(), 1e-12) || !chol.Factorize(mat.NewSymDense(n, x.RawMatrix().Data)) {
				t.Fatalf("n = %d, instance %d: not symmetric positive definite", n, i)
			}
			ld := chol.LogDet()
			if math.IsInf(mat.Det(x), 0) || math.Abs(ld) > 6 {
				t.Fatalf("n = %d, instance %d: log det %g", n, i, ld)
			}
			logDets = append(logDets, ld)
		}
		// The sample standard deviation of count N(0,1) draws is within
		// [0.5, 1.6] with probability above 1 − 1e-4 for count ≥ 8.
		if sd := stat.StdDev(logDets, nil); sd < 0.5 || sd > 1.6 {
			t.Errorf("n = %d: log det spread %.3f over %d instances, want about 1", n, sd, count)
		}
	}
}

// TestRectangularDists checks wellcond and orth on tall, wide and square
// shapes against gonum's SVD: wellcond's singular values lie in
// (2/3, 4/3); orth has orthonormal columns (tall) or rows (wide), and a
// square orth matrix is orthogonal with determinant 1 (intended, and
// documented: the Cayley transform gives rotations).
func TestRectangularDists(t *testing.T) {
	for _, sh := range []formulas.Shape{{Rows: 7, Cols: 4}, {Rows: 4, Cols: 7}, {Rows: 5, Cols: 5}, {Rows: 6, Cols: 1}} {
		for i, x := range draw(t, formulas.WellCond, sh, 4) {
			var svd mat.SVD
			if !svd.Factorize(x, mat.SVDNone) {
				t.Fatal("SVD failed")
			}
			for _, s := range svd.Values(nil) {
				// A square wellcond is I + G/(3√n), of no prescribed
				// spectrum.
				if !sh.IsSquare() && (s <= 2.0/3 || s >= 4.0/3) {
					t.Errorf("wellcond %v, instance %d: singular value %g outside (2/3, 4/3)", sh, i, s)
				}
			}
		}
		for i, x := range draw(t, formulas.Orth, sh, 4) {
			var gram mat.Dense
			k := min(sh.Rows, sh.Cols)
			if sh.Rows >= sh.Cols {
				gram.Mul(x.T(), x)
			} else {
				gram.Mul(x, x.T())
			}
			if !mat.EqualApprox(&gram, eye(k), 1e-13) {
				t.Errorf("orth %v, instance %d: not orthonormal", sh, i)
			}
			if sh.IsSquare() && math.Abs(mat.Det(x)-1) > 1e-12 {
				t.Errorf("orth %v, instance %d: det %g, want 1", sh, i, mat.Det(x))
			}
		}
	}
}

func eye(n int) *mat.Dense {
	m := mat.NewDense(n, n, nil)
	for i := range n {
		m.Set(i, i, 1)
	}
	return m
}

// TestSimplexDraws checks dist simplex: every entry positive and every
// column summing to 1 within the rounding of a softmax (a few u per
// entry), on a vector and a matrix.
func TestSimplexDraws(t *testing.T) {
	for _, sh := range []formulas.Shape{{Rows: 7, Cols: 1}, {Rows: 5, Cols: 3}, {Rows: 2, Cols: 1}} {
		for i, x := range draw(t, formulas.Simplex, sh, 4) {
			for c := range sh.Cols {
				sum := 0.0
				for r := range sh.Rows {
					if v := x.At(r, c); !(v > 0) {
						t.Errorf("simplex %v, instance %d: entry (%d, %d) = %g, want positive", sh, i, r, c, v)
					}
					sum += x.At(r, c)
				}
				if math.Abs(sum-1) > 8*float64(sh.Rows)*unitRoundoff {
					t.Errorf("simplex %v, instance %d: column %d sums to %.17g, want 1", sh, i, c, sum)
				}
			}
		}
	}
}
