// Package cpu is the CPU backend of gradcheck: the batched operations of
// package backend on row-major float64 slices, with products and LU
// factorizations through gonum's pure-Go BLAS and LAPACK, and the stored
// matrices of a batch spread over all cores.
//
// Built with the tag openblas (cgo and libopenblas-dev; `make build` sets
// it when the library is installed), products go through OpenBLAS's dgemm
// and the LU of matrices of order 64 and more through OpenBLAS's own dgetrf
// and dgetri, several times faster than the pure-Go default. LinalgPath
// says which path a binary uses.
package cpu
