// Package rank1 holds the kernels under the CPU backend's LU of small
// matrices: the row-major rank-one update a −= x·uᵀ (BLAS's dger with
// α = −1), alone (Sub) and as one whole step of an LU factorization
// (Step), in AVX2 assembly on amd64 processors that have it and in Go
// elsewhere. Both round exactly as gonum's BLAS does, so that the LU built
// on them gives gonum's factors bit for bit. It is its own package because
// Go assembly cannot live in a package that uses cgo, as package cpu does
// in its OpenBLAS build.
package rank1
