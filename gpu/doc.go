// Package gpu is the GPU backend of gradcheck: the batched operations of
// package backend as launches of the CUDA kernels of package kernels, on a
// Device. A Device is either a real GPU (package gpu/cuda, built only with
// the tag cuda, the only package that imports gorgonia.org/cu) or the host
// emulation of the kernels (package kernels/emu), so the same launch code
// is tested without a GPU.
//
// Both backends draw bit-identical inputs (package philox). The kernels
// follow the CPU backend's arithmetic (gonum's Dgemm and Dgetf2 steps, Go's
// math functions), so that under emulation, which fuses no multiply-add,
// most operations give bit-identical results on amd64. The exceptions
// differ by rounding: Sum, Dot and Trace, which add in a tree; Inv, whose
// substitutions differ from LAPACK's Dgetri; Det, LogDet and Inv above
// 64×64, where gonum switches to its own blocked factorization; a CPU
// backend built with OpenBLAS; and on a GPU every kernel but the
// random-number ones, which may fuse products and sums. One more differs by
// more: Log (and Pow) of a subnormal number, where Go's amd64 assembly is
// wrong (golang/go#56600) and the kernels are not. See package kernels.
//
// Launches do not wait for their kernels; a fault shows at a later call
// unless GRADCHECK_GPU_SYNC=1 (package gpu/cuda).
//
// Every launch is checked, and its error names the kernel and its grid.
// Freed device memory is kept for reuse by tensors of the same size.
package gpu
