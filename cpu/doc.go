// Package cpu is the CPU backend of gradcheck: the batched operations of
// package backend on row-major float64 slices, with products and LU
// factorizations through gonum's pure-Go BLAS and LAPACK, and the stored
// matrices of a batch spread over all cores.
//
// Built with the tag openblas (cgo and libopenblas-dev; `make build` sets
// it when the library is installed), products go through OpenBLAS's dgemm
// and the LU of larger matrices through OpenBLAS's own dgetrf and dgetri,
// several times faster than the pure-Go default.
//
// In either build, on amd64 processors with AVX2, the LU of matrices of
// order up to 64 (the determinants, log-determinants, inverses and solves
// of the entrywise checks at small n) goes through the package's own
// unblocked LU on AVX2 kernels (package rank1): gonum's LU and OpenBLAS
// are tuned for large matrices and pay their call overheads per row or
// per matrix. LinalgPath says which paths a binary uses.
package cpu
