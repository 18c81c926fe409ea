//go:build !openblas

package cpu

// linalgPath names the linear algebra of this build: gonum's pure-Go BLAS
// and LAPACK.
const linalgPath = "gonum (pure Go)"

// newLargeLU returns LU scratch space for order n above maxSmallOrder:
// gonum's.
func newLargeLU(n int) factorizer { return newGonumLU(n) }
