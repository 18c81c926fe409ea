//go:build openblas

package cpu

/*
#cgo LDFLAGS: -lopenblas

void openblas_set_num_threads(int);

// blas_thread_shutdown_ stops the thread pool of OpenBLAS's pthread build
// (weak: the serial and OpenMP builds lack it).
void blas_thread_shutdown_(void) __attribute__((weak));

static void one_thread(void) {
	openblas_set_num_threads(1);
	if (blas_thread_shutdown_) {
		blas_thread_shutdown_();
	}
}
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
// compete for the same cores. It also stops the threads the pthread build
// started when it was loaded: they would otherwise spin (sched_yield) for
// their first tenth of a second or so, the whole of a short run, on the
// cores the backend uses. With one thread per call OpenBLAS never wakes
// them (its calls run single-threaded without the pool).
func init() {
	C.one_thread()
}
