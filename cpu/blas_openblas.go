//go:build openblas

package cpu

/*
#cgo LDFLAGS: -lopenblas

void openblas_set_num_threads(int);
*/
import "C"

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/netlib/blas/netlib"
)

// level3 computes MatMul's products: OpenBLAS's dgemm through gonum's cgo
// binding. It is not installed as blas64's implementation, which would
// route gonum's pure-Go LU (used below minOpenBLASOrder where the small LU
// has no assembly) through a cgo call per Level 1 and 2 operation and make
// it several times slower.
var level3 blas.Float64Level3 = netlib.Implementation{}

// init keeps OpenBLAS to one thread per call: the backend already runs one
// matrix of a batch per core, and OpenBLAS threads on top of that would
// compete for the same cores.
func init() {
	C.openblas_set_num_threads(1)
}
