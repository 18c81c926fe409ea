package formulas_test

import (
	"fmt"

	"github.com/gradcheck/gradcheck/formulas"
)

// ExampleLoadSpec loads the spec file of LoadSpec's documentation.
func ExampleLoadSpec() {
	spec := `formulas:
  - name: logdet
    f: logdet(X)
    wrt: X
    grad: inv(X)'
    vars:
      X: {shape: "n,n", dist: spd}
    sizes: {n: 6}
    source: "Matrix cookbook (2012), eq. 57"
`
	claims, err := formulas.LoadSpec("spec.yaml", []byte(spec))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range claims {
		fmt.Println(c.Name, c.Kind, formulas.FormatSizes(c.Sizes))
		fmt.Println(c)
	}
	// Output:
	// logdet grad n=6
	// grad_X logdet(X) = inv(X)'
}
