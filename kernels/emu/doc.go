// Package emu runs the CUDA kernels of package kernels on the CPU: the same
// sources, compiled as host C++ against the emulation header cuda_emu.h
// with floating-point contraction off (emu.cc says so by pragma, since cgo
// does not accept -ffp-contract=off), so that no product and sum are fused,
// as in the PTX built with --fmad=false. Device implements gpu.Device with it, so
// that the GPU backend's launch code runs and is tested without a GPU.
//
// A launch runs its blocks one after another on the calling thread, and the
// threads of a block as fibers whose __syncthreads() is a real barrier.
// Launches from different goroutines run in parallel.
//
// It needs cgo (a C++ compiler); without it the package is empty and the
// GPU backend's tests are skipped.
package emu
