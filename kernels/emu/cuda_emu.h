// cuda_emu.h: just enough of CUDA C for gradcheck's kernels to compile and
// run as host C++ (g++ -std=c++17 -O2 -ffp-contract=off).
//
// A launch runs the blocks of its grid one after another on the calling
// thread. The threads of a block are fibers with stacks of their own: each
// runs until it reaches __syncthreads() or returns, and a barrier opens only
// when every thread of the block that has not returned has reached it, so
// __syncthreads() has the semantics of the real barrier (a kernel that forgot
// one reads stale shared memory here as on a GPU, deterministically).
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

inline double *dynamic_shared() { return block.shared; }

} // namespace cuda_emu

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __restrict__ __restrict
#define __shared__ static thread_local

#define threadIdx (::cuda_emu::thread_idx)
#define blockIdx (::cuda_emu::block.idx)
#define blockDim (::cuda_emu::block.dim)
#define gridDim (::cuda_emu::block.grid)

inline void __syncthreads() { ::cuda_emu::syncthreads(); }

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
