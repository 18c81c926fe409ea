// cuda_emu.h: just enough of CUDA C for gradcheck's kernels to compile and
// run as host C++ (g++ -std=c++17 -O2 -ffp-contract=off).
//
// A launch runs the blocks of its grid one after another on the calling
// thread. The threads of a block are fibers with stacks of their own: each
// runs until it reaches __syncthreads() or returns, and a barrier opens only
// when every thread of the block that has not returned has reached it, so
// __syncthreads() has the semantics of the real barrier (a kernel that forgot
// one reads stale shared memory here as on a GPU, deterministically; which
// thread reads stale memory depends on the order the threads run in between
// barriers, their index's or its reverse, chosen per device in emu.go).
// __shared__ variables are per-block storage (a block runs alone on its OS
// thread, so thread_local storage is that block's), and atomics need no
// hardware support since the threads of an emulated grid never run at the
// same time.
#ifndef CUDA_EMU_H
#define CUDA_EMU_H

#include <cmath>
#include <cstdint>
#include <cstring>

struct dim3 {
    unsigned x, y, z;
};
typedef dim3 uint3;

namespace cuda_emu {

// Block is what the threads of the running block share.
struct Block {
    dim3 idx, dim, grid;
    double *shared; // dynamic shared memory
};

// thread_idx is threadIdx of the running thread, block its block.
extern thread_local dim3 thread_idx;
extern thread_local Block block;

// syncthreads waits until every live thread of the block has arrived.
void syncthreads();

// syncthreads_or is syncthreads that also returns whether pred was nonzero
// in any thread of the block.
int syncthreads_or(int pred);

// mma_m8n8k4 is R·S of mma.sync.aligned.m8n8k4.row.col.f64
// (kernels/dmma.cu) at once: the lanes of a warp exchange their fragments,
// and lane 4g + q adds to its entries (g, 2q) and (g, 2q+1) of each 8×8
// accumulator (r, s), at acc[2(rS + s)] and acc[2(rS + s) + 1], the four
// terms of the product of left fragment r (entry (g, q) in lane 4g + q's
// a[r]) by right fragment s (entry (q, g) in lane 4g + q's b[s]), in
// order, each product and sum rounded. Every thread of the block must call
// it together, as each call takes two of the barrier's rounds; R + S is at
// most 8.
void mma_m8n8k4(double *acc, const double *a, int R, const double *b, int S);

// shfl_xor is __shfl_xor_sync for doubles: lane l of a warp gets the v of
// lane l ^ lane_mask. mask names the lanes that take part; it must name
// both, and both must exist, or the emulation stops with a message, where a
// GPU's result would be undefined. As mma_m8n8k4, every thread of the block
// must call it together: each call takes two of the barrier's rounds.
double shfl_xor(unsigned mask, double v, int lane_mask);

inline double *dynamic_shared() { return block.shared; }

} // namespace cuda_emu

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __restrict__ __restrict
#define __shared__ static thread_local
#define __launch_bounds__(...)

#define threadIdx (::cuda_emu::thread_idx)
#define blockIdx (::cuda_emu::block.idx)
#define blockDim (::cuda_emu::block.dim)
#define gridDim (::cuda_emu::block.grid)

inline void __syncthreads() { ::cuda_emu::syncthreads(); }
inline int __syncthreads_or(int pred) { return ::cuda_emu::syncthreads_or(pred); }
inline double __shfl_xor_sync(unsigned mask, double v, int lane_mask) {
    return ::cuda_emu::shfl_xor(mask, v, lane_mask);
}

inline long long __double_as_longlong(double x) {
    long long v;
    std::memcpy(&v, &x, sizeof v);
    return v;
}

inline double __longlong_as_double(long long v) {
    double x;
    std::memcpy(&x, &v, sizeof x);
    return x;
}

// The round-to-nearest product and sum that the device build keeps from
// being contracted into a fused multiply-add; the host build does not
// contract at all.
inline double __dmul_rn(double a, double b) { return a * b; }
inline double __dadd_rn(double a, double b) { return a + b; }

// Atomics: the threads of an emulated grid take turns, so a plain
// read-modify-write is atomic.
template <typename T> inline T atomicAdd(T *p, T v) {
    T old = *p;
    *p = old + v;
    return old;
}

template <typename T> inline T atomicMax(T *p, T v) {
    T old = *p;
    if (v > old) {
        *p = v;
    }
    return old;
}

template <typename T> inline T atomicMin(T *p, T v) {
    T old = *p;
    if (v < old) {
        *p = v;
    }
    return old;
}

template <typename T> inline T atomicExch(T *p, T v) {
    T old = *p;
    *p = v;
    return old;
}

template <typename T> inline T atomicCAS(T *p, T compare, T v) {
    T old = *p;
    if (old == compare) {
        *p = v;
    }
    return old;
}

// The device math library, as far as the kernels use it: functions that
// are correctly rounded on both sides (sqrt, fma), exact (fabs, rint in the
// default rounding mode), or not used for results that must match bits.
using std::fabs;
using std::fma;
using std::rint;
using std::sqrt;

#endif // CUDA_EMU_H
