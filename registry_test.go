package gradcheck

import (
	"context"
	"testing"

	"github.com/gradcheck/gradcheck/cpu"
	"github.com/gradcheck/gradcheck/formulas"
)

func TestRegistryPassesDefault(t *testing.T) {
	claims, err := formulas.Registry()
	if err != nil {
		t.Fatal(err)
	}
	b := cpu.New()
	for _, c := range claims {
		res := Verify(context.Background(), b, c, DefaultSettings())
		t.Logf("%-28s %-6s %-12s rel=%.2e tol=%.2e %s", c.Name, c.Kind, res.Verdict, res.MaxRelErr, res.Tolerance, res.Reason)
		if res.Verdict != Pass {
			t.Errorf("%s: %s (%s)", c.Name, res.Verdict, res.Reason)
		}
	}
}
