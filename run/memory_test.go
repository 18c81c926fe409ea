package run

import (
	"strings"
	"testing"

	"github.com/gradcheck/gradcheck"
	"github.com/gradcheck/gradcheck/formulas"
)

// TestCheckMemoryNamesClaim checks the message that refuses a claim too
// large for --mem: it names the claim at its sizes, and a claim without
// size symbols by its name alone ("inline at : one instance ..." before).
func TestCheckMemoryNamesClaim(t *testing.T) {
	for _, tc := range []struct {
		shape, grad, want string
	}{
		{"n,n", "eye(n)", "big n=3: one instance needs"},
		{"3,3", "eye(3)", "big: one instance needs"},
	} {
		t.Run(tc.shape, func(t *testing.T) {
			c, err := formulas.Build(formulas.Spec{Name: "big", F: "tr(X)", Wrt: "X", Grad: tc.grad,
				Vars: []formulas.SpecVar{{Name: "X", VarSpec: formulas.VarSpec{Shape: tc.shape}}}})
			if err != nil {
				t.Fatal(err)
			}
			ts := []Target{{Claim: c, Select: []string{"run", "big"}}}
			if _, err := Resolve(ts, map[string]int{"n": 3}); err != nil {
				t.Fatal(err)
			}
			s := gradcheck.DefaultSettings()
			s.MemBytes = 1
			err = CheckMemory(ts, s)
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("CheckMemory: %v, want it to begin %q", err, tc.want)
			}
		})
	}
}
