// selftest.cu: kernels that test the emulator itself (barrier and atomic
// semantics); they exist only in the emulation, not in the PTX.
#include "../gradcheck.cuh"

// emu_test_barrier runs on one 1-D block of T threads with T doubles of
// shared memory. Threads t < live write base + t to shared memory and, after
// a barrier, read their neighbour's entry: out[t] = base + (t+1) mod live;
// after two more barriers, out[T+t] = 2·(base + t). Threads t ≥ live return
// at once, and the barriers wait only for the others. Without a real
// barrier a thread would read what an earlier launch left.
extern "C" __global__ void emu_test_barrier(double *out, ll live, double base) {
    GC_DYNAMIC_SHARED(s);
    ll t = threadIdx.x, T = blockDim.x;
    if (t >= live) {
        return;
    }
    s[t] = base + (double)t;
    __syncthreads();
    double v = s[(t + 1) % live];
    __syncthreads();
    s[t] = 2 * v;
    __syncthreads();
    out[t] = v;
    out[T + t] = s[(t + live - 1) % live];
}

// emu_test_atomics exercises the atomics of the emulation from every thread
// of the grid, whose global index is id: atomicAdd counts the threads into
// out[0], atomicMax and atomicMin find the largest and smallest id in out[1]
// and out[2], atomicCAS lets the first thread to come write id+1 into
// out[3], and atomicExch leaves the last one's id in out[4] (first and last
// in the emulation's order: blocks in order, threads in order). out[2] and
// out[3] must start as a large value and 0.
extern "C" __global__ void emu_test_atomics(ll *out) {
    ll id = (ll)blockIdx.x * blockDim.x + threadIdx.x;
    atomicAdd(&out[0], 1LL);
    atomicMax(&out[1], id);
    atomicMin(&out[2], id);
    atomicCAS(&out[3], 0LL, id + 1);
    atomicExch(&out[4], id);
}
