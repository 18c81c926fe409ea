//go:build !openblas

package cpu

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// level3 computes MatMul's products: gonum's pure-Go dgemm.
var level3 blas.Float64Level3 = gonum.Implementation{}
