package gradcheck

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gradcheck/gradcheck/backend"
	"github.com/gradcheck/gradcheck/cpu"
	"github.com/gradcheck/gradcheck/formulas"
)

// countingBackend counts the calls of Inv.
type countingBackend struct {
	*cpu.Backend
	inversions int
}

func (b *countingBackend) Inv(x backend.Tensor) (backend.Tensor, error) {
	b.inversions++
	return b.Backend.Inv(x)
}

// TestMemoizedInverse checks that the evaluator inverts each matrix once
// per set of bindings: in d(X⁻¹) = −X⁻¹·dX·X⁻¹ the claim, its magnitude and
// the magnitude of f share X⁻¹, so a verification in one chunk inverts the
// perturbed points once and X once, whatever the number of occurrences.
func TestMemoizedInverse(t *testing.T) {
	claims := chunkClaims(t, "diff-inv")
	b := &countingBackend{Backend: cpu.New()}
	s := DefaultSettings()
	s.Sizes = map[string]int{"n": 12}
	if res := Verify(context.Background(), b, claims[0], s); res.Verdict != Pass {
		t.Fatalf("%s: %s", res.Verdict, res.Reason)
	}
	if b.inversions != 2 {
		t.Errorf("%d calls of Inv, want 2: the perturbed points, then X once", b.inversions)
	}
}

// TestMemoizedAcrossBlocks checks that an entrywise check split into one
// block per direction inverts X once for all of them: the claim of det,
// det(X)·X⁻ᵀ, and its magnitude read X alone, which stays bound while each
// block binds new directions dX (and f, det, factors the perturbed points
// without Inv).
func TestMemoizedAcrossBlocks(t *testing.T) {
	claims := chunkClaims(t, "det")
	defer func(b int64) { entrywiseBytes = b }(entrywiseBytes)
	entrywiseBytes = 1
	b := &countingBackend{Backend: cpu.New()}
	s := DefaultSettings()
	s.Mode, s.Batch, s.Sizes = Entrywise, 1, map[string]int{"n": 5}
	if res := Verify(context.Background(), b, claims[0], s); res.Verdict != Pass {
		t.Fatalf("%s: %s", res.Verdict, res.Reason)
	}
	if b.inversions != 1 {
		t.Errorf("%d calls of Inv over 25 blocks, want 1", b.inversions)
	}
}

// TestTraceOfProduct checks tr(P*Q), which the evaluator sums as ⟨Pᵀ, Q⟩,
// against the trace of the product formed on the host, for rectangular,
// nested and scalar factors, and its magnitude against tr(|P|·|Q|).
func TestTraceOfProduct(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	randVar := func(r, c int) hostVar {
		v := hostVar{shape: formulas.Shape{Rows: r, Cols: c}, data: make([]float64, r*c)}
		for i := range v.data {
			v.data[i] = rng.NormFloat64()
		}
		return v
	}
	vars := map[string]hostVar{"A": randVar(3, 5), "X": randVar(5, 4), "B": randVar(4, 3), "c": randVar(1, 1), "d": randVar(1, 1)}
	// product returns the host product of the named variables.
	product := func(names ...string) ([]float64, int, int) {
		p, r, c := vars[names[0]].data, vars[names[0]].shape.Rows, vars[names[0]].shape.Cols
		for _, name := range names[1:] {
			q := vars[name]
			if q.shape.Rows == 1 && q.shape.Cols == 1 {
				out := make([]float64, len(p))
				for i, v := range p {
					out[i] = v * q.data[0]
				}
				p = out
				continue
			}
			out := make([]float64, r*q.shape.Cols)
			for i := range r {
				for j := range q.shape.Cols {
					for k := range c {
						out[i*q.shape.Cols+j] += p[i*c+k] * q.data[k*q.shape.Cols+j]
					}
				}
			}
			p, c = out, q.shape.Cols
		}
		return p, r, c
	}
	trace := func(m []float64, r, c int) float64 {
		s := 0.0
		for i := range min(r, c) {
			s += m[i*c+i]
		}
		return s
	}
	for _, tt := range []struct {
		src   string
		names []string
	}{
		{"tr(A*X*B)", []string{"A", "X", "B"}},
		{"tr(X*B*A)", []string{"X", "B", "A"}},
		{"tr(c*(A*X*B))", []string{"A", "X", "B", "c"}},
		{"tr((A*X*B)*d)", []string{"A", "X", "B", "d"}},
		{"tr(c*d)", []string{"c", "d"}},
	} {
		got, _ := evalOn(t, cpu.New(), tt.src, vars, nil)
		want := trace(product(tt.names...))
		if math.Abs(got[0]-want) > 1e-13*(1+math.Abs(want)) {
			t.Errorf("%s = %.17g, want %.17g", tt.src, got[0], want)
		}
	}

	// The magnitude: tr(|A|·|X|·|B|).
	b := cpu.New()
	ev := newEvaluator(context.Background(), b, nil)
	defer ev.close()
	for _, name := range []string{"A", "X", "B"} {
		v := vars[name]
		x, err := b.FromHost(backend.Layout{Count: 1, Rows: v.shape.Rows, Cols: v.shape.Cols}, v.data)
		if err != nil {
			t.Fatal(err)
		}
		ev.bind(name, x)
		abs := hostVar{shape: v.shape, data: make([]float64, len(v.data))}
		for i, e := range v.data {
			abs.data[i] = math.Abs(e)
		}
		vars[name] = abs
	}
	e, err := formulas.Parse("tr(A*X*B)")
	if err != nil {
		t.Fatal(err)
	}
	m, err := ev.magnitude(e)
	if err != nil {
		t.Fatal(err)
	}
	got, err := b.ToHost(m, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := trace(product("A", "X", "B")); math.Abs(got[0]-want) > 1e-13*want {
		t.Errorf("magnitude of tr(A*X*B) = %.17g, want tr(|A||X||B|) = %.17g", got[0], want)
	}
}
