// Package emu runs the CUDA kernels of package kernels on the CPU: the same
// sources, compiled as host C++ against the emulation header cuda_emu.h
// with floating-point contraction off (emu.cc says so by pragma, since cgo
// does not accept -ffp-contract=off), so that no product and sum are fused,
// as in the random-number kernels' PTX (--fmad=false); the other kernels may
// fuse on a GPU, which the tests allow for. Device implements gpu.Device with it, so
// that the GPU backend's launch code runs and is tested without a GPU.
//
// A launch runs its blocks one after another on the calling thread, and the
// threads of a block as fibers whose __syncthreads() is a real barrier:
// between two barriers, in the order of their index (New) or in reverse
// (NewReverse), so that a kernel that misses a barrier reads stale shared
// memory one way or the other. The warp-level operations the kernels use
// (__shfl_xor_sync, __syncthreads_or and the FP64 tensor cores' mma) are
// exchanges through two of those barriers, so every thread of a block must
// reach them together, as the kernels' callers do. Launches from different
// goroutines run in parallel.
package emu
