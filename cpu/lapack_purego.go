//go:build !openblas

package cpu

// linalgPath names the linear algebra of this build: gonum's pure-Go BLAS
// and LAPACK.
const linalgPath = "gonum (pure Go)"

// lu is scratch space for LU factorizations of n×n matrices: gonum's.
type lu = gonumLU

// newLU returns scratch space for LU factorizations of n×n matrices.
func newLU(n int) *lu { return newGonumLU(n) }
