// Package rank1 holds the one kernel under the CPU backend's LU of small
// matrices: a row-major rank-one update a −= x·uᵀ (BLAS's dger with
// α = −1), in assembly with fused multiply-adds on amd64 processors that
// have AVX2 and FMA3, in Go elsewhere. It is its own package because Go
// assembly cannot live in a package that uses cgo, as package cpu does in
// its OpenBLAS build.
package rank1
