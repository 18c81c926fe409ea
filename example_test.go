package gradcheck_test

import (
	"context"
	"fmt"
	"log"

	"github.com/gradcheck/gradcheck"
	"github.com/gradcheck/gradcheck/cpu"
	"github.com/gradcheck/gradcheck/formulas"
)

// Verify a claim from Go: the gradient of log det X is X⁻ᵀ. A claim is
// data, written in the same language as a YAML spec; here it is built from
// a formulas.Spec, verified on the CPU backend at n = 16, and judged by its
// Result.
func Example() {
	claim, err := formulas.Build(formulas.Spec{
		Name: "logdet", F: "logdet(X)", Wrt: "X", Grad: "inv(X)'",
		Vars: []formulas.SpecVar{{Name: "X", VarSpec: formulas.VarSpec{Shape: "n,n", Dist: "wellcond"}}},
	})
	if err != nil {
		log.Fatal(err)
	}
	s := gradcheck.DefaultSettings()
	s.Sizes = map[string]int{"n": 16}
	r := gradcheck.Verify(context.Background(), cpu.New(), claim, s)
	fmt.Println(claim, "→", r.Verdict, r.Sizes)
	fmt.Println("within tolerance:", r.MaxRelErr <= r.Tolerance)
	// Output:
	// grad_X logdet(X) = inv(X)' → pass map[n:16]
	// within tolerance: true
}

// A wrong claim fails, with a diagnosis of the likely mistake: inv(X) is
// the gradient of log det X in numerator layout, the transpose of the
// denominator-layout gradient the claim states. Here the claim comes from
// a YAML spec, as a file holds them, and is resolved first: resolving
// shape-checks it at its sizes, once, as a run of many claims does.
func ExampleVerifyResolved() {
	spec := `
formulas:
  - name: logdet-transposed
    f: logdet(X)
    wrt: X
    grad: inv(X)
    vars:
      X: {shape: "n,n", dist: wellcond}
`
	claims, err := formulas.LoadSpec("claims.yaml", []byte(spec))
	if err != nil {
		log.Fatal(err)
	}
	resolved, err := claims[0].Resolve(map[string]int{"n": 16})
	if err != nil {
		log.Fatal(err)
	}
	r := gradcheck.VerifyResolved(context.Background(), cpu.New(), resolved, gradcheck.DefaultSettings())
	fmt.Println(r.Name, r.Verdict, r.Diagnosis)
	// Output: logdet-transposed fail transpose
}
