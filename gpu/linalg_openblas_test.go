//go:build cgo && openblas

package gpu_test

// cpuLinalgExact tells whether the CPU backend's matrix products and LU
// factorizations are gonum's pure-Go code; in this build (tag openblas)
// they are OpenBLAS's. See linalg_gonum_test.go.
const cpuLinalgExact = false
