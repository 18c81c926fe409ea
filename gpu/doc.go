// Package gpu is the GPU backend of gradcheck: the batched operations of
// package backend as launches of the CUDA kernels of package kernels, on a
// Device. A Device is either a real GPU (package gpu/cuda, built only with
// the tag cuda, the only package that imports gorgonia.org/cu) or the host
// emulation of the kernels (package kernels/emu), so the same launch code
// is tested without a GPU.
//
// The kernels reproduce the CPU backend's arithmetic operation by operation
// (the order of every sum, gonum's Dgemm and Dgetf2 steps, Go's math
// functions), so that on amd64 both backends compute bit-identical results,
// and the verifier identical Results. The exceptions differ by rounding:
// Inv, whose substitutions differ from LAPACK's Dgetri; Det, LogDet and Inv
// above 64×64, where gonum switches to a blocked factorization; and a CPU
// backend built with OpenBLAS. One more differs by more: Log (and Pow) of a
// subnormal number, where Go's amd64 assembly is wrong (golang/go#56600)
// and the kernels are not. See package kernels.
//
// Every launch is checked, and its error names the kernel and its grid.
// Freed device memory is kept for reuse by tensors of the same size.
package gpu
