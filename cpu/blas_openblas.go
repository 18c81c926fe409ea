//go:build openblas

package cpu

/*
#cgo LDFLAGS: -lopenblas

void openblas_set_num_threads(int);
int openblas_get_num_threads(void);

// blas_thread_shutdown_ stops the thread pool of OpenBLAS's pthread build
// (weak: the serial and OpenMP builds lack it).
void blas_thread_shutdown_(void) __attribute__((weak));

// one_thread runs as the program is loaded, right after OpenBLAS's own
// constructor has started its pool, before the Go runtime starts.
__attribute__((constructor)) static void one_thread(void) {
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

// OpenBLAS is kept to one thread per call (one_thread, above): the backend
// already runs one matrix of a batch per core, and OpenBLAS threads on top
// of that would compete for the same cores. one_thread also stops the
// threads the pthread build started when it was loaded: they would
// otherwise spin (sched_yield) for their first tenth of a second or so, the
// whole of a short run, on the cores the backend uses. It runs as a C
// constructor rather than in a Go init, which comes ~10 ms later, after the
// runtime's start-up: 198 sched_yield calls → 0 and 30 → 21 ms of CPU for
// `gradcheck --version` on the 2-core VM (strace -c; perf stat -r 60).
// With one thread per call OpenBLAS never wakes the pool again.

// blasThreads reports how many threads OpenBLAS would use for one call.
func blasThreads() int { return int(C.openblas_get_num_threads()) }
