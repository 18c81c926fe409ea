package gradcheck

import (
	"context"
	"math"
	"reflect"
	"testing"

	"github.com/gradcheck/gradcheck/backend"
	"github.com/gradcheck/gradcheck/cpu"
	"github.com/gradcheck/gradcheck/formulas"
)

// TestMatrixFunctionsPerInstance checks that the claims with e^X and
// log X give the same result whether the instances are verified in one
// chunk or one at a time (a memory budget that fits one instance): their
// scaling was chosen for the whole chunk, so that an instance's numbers,
// and with them a sharded run's and `--instance K`'s, depended on the
// instances beside it (diff-logm-unit at n = 8, seed 7).
func TestMatrixFunctionsPerInstance(t *testing.T) {
	claims, err := formulas.Registry()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"diff-expm": true, "diff-logm": true, "diff-logm-spd": true, "diff-logm-unit": true}
	b := cpu.New()
	for _, c := range claims {
		if !want[c.Name] {
			continue
		}
		delete(want, c.Name)
		for _, seed := range []uint64{1, 7} {
			s := DefaultSettings()
			s.Sizes, s.Seed = map[string]int{"n": 8}, seed
			whole := Verify(context.Background(), b, c, s)
			s.MemBytes = 1 // one instance per chunk
			alone := Verify(context.Background(), b, c, s)
			if !reflect.DeepEqual(whole, alone) {
				t.Errorf("%s seed %d: one chunk and one instance at a time differ:\n%+v\n%+v", c.Name, seed, whole, alone)
			}
		}
	}
	if len(want) > 0 {
		t.Errorf("not in the registry: %v", want)
	}
}

// TestFrobeniusNormsScaled checks ‖x_j‖_F of matrices whose squares
// underflow or overflow against the norm of the same matrix unscaled,
// times the power of 2 that scales it (exact): an identity between
// matrices of entries 10⁻²⁰⁰ compared norms of 0 and passed whatever its
// right side.
func TestFrobeniusNormsScaled(t *testing.T) {
	const rows, cols = 3, 4
	y := make([]float64, rows*cols)
	for i := range y {
		y[i] = float64(i%5) - 1.5
	}
	var want float64
	for _, e := range y {
		want += e * e
	}
	want = math.Sqrt(want)
	exps := []int{0, -700, 700, -1060, 1000}
	data := make([]float64, 0, len(exps)*len(y))
	for _, e := range exps {
		for _, x := range y {
			data = append(data, math.Ldexp(x, e))
		}
	}
	b := cpu.New()
	ev := newEvaluator(context.Background(), b, nil)
	defer ev.close()
	x, err := b.FromHost(backend.Layout{Count: len(exps), Rows: rows, Cols: cols}, data)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ev.frobeniusNorms(x)
	if err != nil {
		t.Fatal(err)
	}
	for j, e := range exps {
		// Entries 2⁻¹⁰⁶⁰·y are subnormal, y's smallest rounded to 2⁻¹⁰⁷⁴'s
		// multiples: a few units of 2⁻⁸ of the norm.
		tol := 4 * unitRoundoff
		if e < -1022 {
			tol = 0x1p-8
		}
		if w := math.Ldexp(want, e); math.Abs(got[j]-w) > tol*w {
			t.Errorf("matrix %d (2^%d·y): norm %g, want %g", j, e, got[j], w)
		}
	}
}
