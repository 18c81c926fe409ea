package gradcheck

import (
	"context"
	"reflect"
	"testing"

	"github.com/gradcheck/gradcheck/cpu"
	"github.com/gradcheck/gradcheck/formulas"
)

// TestEntrywiseBlocksDoNotMatter checks that an entrywise check streamed in
// blocks of a few directions gives the same result, to the bit, as one
// block holding every direction: for a right and a wrong gradient (whose
// failing entries and diagnosis come from the comparisons) and for a
// matrix-valued f, whose instances make n⁴ comparisons.
func TestEntrywiseBlocksDoNotMatter(t *testing.T) {
	claims, err := formulas.LoadSpec("blocks.yaml", []byte(`formulas:
  - name: tr-axb
    f: tr(A*X*B)
    wrt: X
    grad: A'*B'
    vars: {A: {shape: "n,n"}, X: {shape: "n,n"}, B: {shape: "n,n"}}
  - name: tr-axb-wrong
    f: tr(A*X*B)
    wrt: X
    grad: B*A
    vars: {A: {shape: "n,n"}, X: {shape: "n,n"}, B: {shape: "n,n"}}
  - name: diff-inv
    f: inv(X)
    wrt: X
    diff: -inv(X)*dX*inv(X)
    vars:
      X: {shape: "n,n", dist: wellcond}
`))
	if err != nil {
		t.Fatal(err)
	}
	s := DefaultSettings()
	s.Mode, s.Batch, s.Sizes = Entrywise, 3, map[string]int{"n": 7}
	defer func(b int64) { entrywiseBytes = b }(entrywiseBytes)
	for _, c := range claims {
		entrywiseBytes = 1 << 40 // one block
		whole := Verify(context.Background(), cpu.New(), c, s)
		entrywiseBytes = 1 // one direction per block
		blocks := Verify(context.Background(), cpu.New(), c, s)
		if !reflect.DeepEqual(whole, blocks) {
			t.Errorf("%s: in one block %+v\nin blocks of one direction %+v", c.Name, whole, blocks)
		}
		want := map[string]Verdict{"tr-axb": Pass, "tr-axb-wrong": Fail, "diff-inv": Pass}[c.Name]
		if whole.Verdict != want || (want == Fail && len(whole.Entries) == 0) {
			t.Errorf("%s: verdict %s with %d entries, want %s", c.Name, whole.Verdict, len(whole.Entries), want)
		}
	}
}

// TestStepGroupsDoNotMatter checks that a directional check whose
// perturbed points are evaluated one step at a time gives the same result,
// to the bit, as one evaluation of all steps, for a gradient, a
// matrix-valued differential reduced by W, and a Hessian (eight points of mixed differences).
func TestStepGroupsDoNotMatter(t *testing.T) {
	claims, err := formulas.LoadSpec("steps.yaml", []byte(`formulas:
  - name: tr-axb
    f: tr(A*X*B)
    wrt: X
    grad: A'*B'
    vars: {A: {shape: "n,n"}, X: {shape: "n,n"}, B: {shape: "n,n"}}
  - name: diff-inv
    f: inv(X)
    wrt: X
    diff: -inv(X)*dX*inv(X)
    vars:
      X: {shape: "n,n", dist: wellcond}
  - name: quad-form-hess
    f: x'*A*x
    wrt: x
    hess: A + A'
    vars: {A: {shape: "n,n"}, x: {shape: "n"}}
`))
	if err != nil {
		t.Fatal(err)
	}
	s := DefaultSettings()
	s.Sizes = map[string]int{"n": 9}
	defer func(b int) { perturbedBytes = b }(perturbedBytes)
	for _, c := range claims {
		perturbedBytes = 1 << 40
		whole := Verify(context.Background(), cpu.New(), c, s)
		perturbedBytes = 1
		steps := Verify(context.Background(), cpu.New(), c, s)
		if !reflect.DeepEqual(whole, steps) || whole.Verdict != Pass {
			t.Errorf("%s: all steps at once %+v\none step at a time %+v", c.Name, whole, steps)
		}
	}
}
