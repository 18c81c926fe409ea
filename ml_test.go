package gradcheck

import (
	"context"
	"testing"

	"github.com/gradcheck/gradcheck/backend"
	"github.com/gradcheck/gradcheck/cpu"
	"github.com/gradcheck/gradcheck/formulas"
)

// mlClaims returns the claims of examples/ml.yaml and their `# expect:`
// comments.
func mlClaims(t *testing.T) ([]*formulas.Claim, map[string]string) {
	t.Helper()
	claims, data := loadSpecFile(t, "examples/ml.yaml")
	return claims, expectations(t, data)
}

// checkMLExamples checks on b that every claim of examples/ml.yaml gives
// the verdict and diagnosis its comment names, at its own sizes, for seeds
// 1 to 3 (GRADCHECK_SEEDS to change).
func checkMLExamples(t *testing.T, b backend.Backend) {
	claims, want := mlClaims(t)
	if len(claims) < 15 {
		t.Fatalf("%d claims, want at least 15", len(claims))
	}
	for _, c := range claims {
		t.Run(c.Name, func(t *testing.T) {
			for seed := 1; seed <= seedCount(3); seed++ {
				s := DefaultSettings()
				s.Seed = uint64(seed)
				res := Verify(context.Background(), b, c, s)
				if want[c.Name] == "pass" {
					if res.Verdict != Pass {
						t.Fatalf("seed %d: %s (%s), want pass", seed, res.Verdict, res.Reason)
					}
					continue
				}
				checkDiagnosis(t, res, seed, want[c.Name])
			}
		})
	}
}

// TestMLExamples checks examples/ml.yaml on the CPU backend.
func TestMLExamples(t *testing.T) { checkMLExamples(t, cpu.New()) }
