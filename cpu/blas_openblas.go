//go:build openblas

package cpu

/*
#cgo LDFLAGS: -lopenblas -ldl

#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>

void openblas_set_num_threads(int);
int openblas_get_num_threads(void);
char *openblas_get_config(void);

// openblas_shared reports whether OpenBLAS is loaded as the shared library
// libopenblas.so.0 (make build where libopenblas.a is missing), not linked
// into the binary.
static int openblas_shared(void) {
	void *shared = dlopen("libopenblas.so.0", RTLD_NOW | RTLD_NOLOAD);
	if (shared == NULL) {
		return 0;
	}
	dlclose(shared);
	return 1;
}

// blas_thread_shutdown_ stops the thread pool of OpenBLAS's pthread build
// (weak: the serial and OpenMP builds lack it).
void blas_thread_shutdown_(void) __attribute__((weak));

// one_thread keeps OpenBLAS to one thread per call and stops its pool. It
// needs OpenBLAS initialized.
static void one_thread(void) {
	openblas_set_num_threads(1);
	if (blas_thread_shutdown_) {
		blas_thread_shutdown_();
	}
}

// early_one_thread runs as the program is loaded, before the Go runtime
// starts. Where OpenBLAS is a shared library (make build) it has been
// initialized already, its pool started, and one_thread stops the pool at
// once. Linked in statically (make build and the GPU bundle, where
// libopenblas.a is installed), its constructor may run
// after this one and must not be called yet (it would crash); it reads
// OPENBLAS_NUM_THREADS and, set to 1, starts no pool at all (the variable
// passes to the processes gradcheck starts, which use no OpenBLAS). A
// shared OpenBLAS under another name is taken for a static one: setting
// the variable is then too late and harmless. Either way the Go init below
// calls one_thread again.
__attribute__((constructor)) static void early_one_thread(void) {
	if (!openblas_shared()) {
		setenv("OPENBLAS_NUM_THREADS", "1", 1);
		return;
	}
	one_thread();
}
*/
import "C"

import (
	"strings"

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
// cores the backend uses. early_one_thread (above) has done both as the
// program was loaded, ~10 ms before this init, after the runtime's
// start-up (`gradcheck --version`: 198 → 0 sched_yield calls, 30 → 21 ms
// of CPU on the 2-core VM, strace -c and perf stat -r 60); this init makes
// sure of it however OpenBLAS was linked. With one thread per call
// OpenBLAS never wakes the pool again.
func init() {
	C.one_thread()
}

// linalgPath names the linear algebra of this build: OpenBLAS as it
// reports itself (version and build options, as in "OpenBLAS 0.3.21
// NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64") and how it
// is linked, so that a comparison with another program can check that
// both run on the same library (bench/peers.sh).
var linalgPath = openBLASPath()

// openBLASPath returns linalgPath.
func openBLASPath() string {
	linked := "linked statically"
	if C.openblas_shared() != 0 {
		linked = "shared library"
	}
	return strings.TrimSpace(C.GoString(C.openblas_get_config())) + ", " + linked
}

// blasThreads reports how many threads OpenBLAS would use for one call.
func blasThreads() int { return int(C.openblas_get_num_threads()) }
