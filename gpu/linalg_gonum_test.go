//go:build cgo && !openblas

package gpu_test

// cpuLinalgExact tells whether the CPU backend's matrix products and LU
// factorizations are gonum's pure-Go code, which the kernels reproduce bit
// for bit. In a build with the tag openblas they are OpenBLAS's, whose
// blocking and fused multiply-adds round differently; the tests then hold
// those operations to tolerances instead.
const cpuLinalgExact = true
