// Package kernels holds the CUDA kernels of gradcheck's GPU backend: their
// CUDA C sources (*.cu, with the shared header gradcheck.cuh) and the PTX
// that NVRTC made of them (*.ptx, generated for compute_75 with
// --fmad=false, committed, and embedded here for the CUDA device of package
// gpu). Package kernels/emu compiles the same sources as host C++, so that
// the kernels run and are tested on machines without a GPU.
//
// Every kernel is extern "C", named gc_*, and takes pointers and 8-byte
// scalars only. The kernels reproduce the CPU backend's arithmetic operation
// by operation: they sum in the CPU backend's order, factorize as gonum's
// Dgetf2 does, and evaluate Exp, Log, Tanh, Pow, Sin and Cos by
// transcriptions of Go's package math (the activations of activations.cu by
// transcriptions of package cpu), never by CUDA's own functions; with
// --fmad=false no product and sum are fused unless written as fma. The
// emulation and the GPU therefore compute the same bits, and both the CPU
// backend's, except for inverses and solves (see package gpu).
package kernels
