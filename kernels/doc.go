// Package kernels holds the CUDA kernels of gradcheck's GPU backend: their
// CUDA C sources (*.cu, with the shared header gradcheck.cuh) and the PTX
// that NVRTC made of them (*.ptx, generated with the options of
// CompileOptions, committed, and embedded here for the CUDA device of
// package gpu): for compute capability 7.5, except the products on the FP64
// tensor cores (dmma.cu), for 8.0 (Arch). Package kernels/sass holds the
// same modules as machine code for the GPUs of SASSArchs. Package
// kernels/emu compiles the same sources as host C++, so that the kernels
// run and are tested on machines without a GPU.
//
// Every kernel is extern "C", named gc_*, and takes pointers and 8-byte
// scalars only. The kernels follow the CPU backend's arithmetic: they
// factorize as gonum's Dgetf2 does, and evaluate Exp, Log, Tanh, Pow, Sin and
// Cos by transcriptions of Go's package math (the activations of
// activations.cu by transcriptions of package cpu), never by CUDA's own
// functions. The
// random-number kernels are built with --fmad=false and draw bit for bit
// what package philox draws, so that both backends verify the same inputs.
// The others may fuse a product and a sum on the GPU, and the reductions sum
// in a tree; their results differ from the CPU backend's by rounding, which
// package gpu's tests bound. The emulation never fuses (emu.cc), so under it
// only the reductions' order, solves and the exceptions of package gpu differ.
package kernels
