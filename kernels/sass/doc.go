// Package sass holds the machine code of the GPU backend's kernels for the
// GPUs most used for verification (compute capability 8.0: A100; 9.0: H100,
// H200), assembled ahead of time from the PTX of package kernels by NVIDIA's
// PTX assembler (kernels/internal/ptxgen, kernels.SASSArchs), one cubin per
// module and architecture, committed and embedded here.
//
// The driver loads a cubin as it is, where the PTX would first be compiled
// by its JIT compiler: about 3 seconds on an H200 the first time, on every
// start where its compute cache is not kept (a fresh container, a batch
// job's node). Package gpu/cuda loads the cubin for the GPU at hand when
// there is one, and the PTX otherwise. The manifest SOURCES names the PTX
// each cubin was made from by its SHA-256, so that a test without the
// assembler can tell a stale cubin.
package sass
