package selftest

import (
	"context"
	"testing"

	"github.com/gradcheck/gradcheck"
	"github.com/gradcheck/gradcheck/formulas"
)

// TestResolving checks that Resolving hands verify the claim resolved at
// the settings' sizes, and turns a claim that does not resolve into an
// Error verdict without calling verify.
func TestResolving(t *testing.T) {
	c, err := formulas.Build(formulas.Spec{Name: "tr", F: "tr(X)", Wrt: "X", Grad: "eye(n)",
		Vars: []formulas.SpecVar{{Name: "X", VarSpec: formulas.VarSpec{Shape: "n,n"}}}})
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]int
	verify := Resolving(func(_ context.Context, rc *formulas.Resolved, _ gradcheck.Settings) (gradcheck.Result, error) {
		got = rc.Sizes
		return gradcheck.Result{Verdict: gradcheck.Pass}, nil
	})
	s := gradcheck.DefaultSettings()
	s.Sizes = map[string]int{"n": 5}
	if r, err := verify(context.Background(), c, s); err != nil || r.Verdict != gradcheck.Pass || got["n"] != 5 {
		t.Errorf("verify: %v, %v, sizes %v; want pass at n=5", r.Verdict, err, got)
	}
	got = nil
	s.Sizes = map[string]int{"n": 0}
	r, err := verify(context.Background(), c, s)
	if err != nil || r.Verdict != gradcheck.Error || r.Reason == "" || r.Name != "tr" || got != nil {
		t.Errorf("n=0: %+v, %v; want an Error verdict with its reason, verify not called", r, err)
	}
}
