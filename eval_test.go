package gradcheck

import (
	"context"
	"testing"

	"github.com/gradcheck/gradcheck/backend"
	"github.com/gradcheck/gradcheck/cpu"
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
