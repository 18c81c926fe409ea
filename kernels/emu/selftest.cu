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

// emu_test_vote runs on one 1-D block of T threads: every thread votes
// t == which, and out[t] = the vote's result; then threads t ≥ live return,
// and the others vote 0: out[T+t] = that vote's result, 0 unless a thread
// that returned were still counted with its earlier vote.
extern "C" __global__ void emu_test_vote(ll *out, ll live, ll which) {
    ll t = threadIdx.x, T = blockDim.x;
    out[t] = __syncthreads_or(t == which);
    if (t >= live) {
        return;
    }
    out[T + t] = __syncthreads_or(0);
}

// emu_test_shfl runs on one 1-D block of T threads, two shuffles in a row:
// out[t] is what thread t gets from __shfl_xor_sync(mask, t, lane_mask),
// and out[T+t] from __shfl_xor_sync(mask, −t, 1); the second would read
// the first's values if a lane could post before every lane had read.
extern "C" __global__ void emu_test_shfl(double *out, ll mask, ll lane_mask) {
    ll t = threadIdx.x, T = blockDim.x;
    out[t] = __shfl_xor_sync((unsigned)mask, (double)t, (int)lane_mask);
    out[T + t] = __shfl_xor_sync((unsigned)mask, (double)-t, 1);
}

// emu_test_mma runs mma_grid (dmma.cu) once in each warp w of a 1-D block,
// on 2×3 fragments: with the 16×4 matrix a + 64w, the 4×24 matrix b + 96w
// and the 16×24 matrix c + 384w (row-major), each lane loads its fragments
// by the layout of the PTX ISA, and the warp writes the 16×24 result to
// out + 384w.
extern "C" __global__ void emu_test_mma(double *out, const double *a, const double *b,
                                        const double *c) {
    int t = threadIdx.x, w = t / 32, g = t % 32 / 4, q = t % 4;
    a += 64 * w;
    b += 96 * w;
    c += 384 * w;
    out += 384 * w;
    double af[2], bf[3], acc[2][3][2];
    for (int r = 0; r < 2; r++) {
        af[r] = a[4 * (8 * r + g) + q];
    }
    for (int s = 0; s < 3; s++) {
        bf[s] = b[24 * q + 8 * s + g];
    }
    for (int r = 0; r < 2; r++) {
        for (int s = 0; s < 3; s++) {
            for (int e = 0; e < 2; e++) {
                acc[r][s][e] = c[24 * (8 * r + g) + 8 * s + 2 * q + e];
            }
        }
    }
    mma_grid(acc, af, bf);
    for (int r = 0; r < 2; r++) {
        for (int s = 0; s < 3; s++) {
            for (int e = 0; e < 2; e++) {
                out[24 * (8 * r + g) + 8 * s + 2 * q + e] = acc[r][s][e];
            }
        }
    }
}

// emu_test_race has a race on purpose: thread 0 writes base to shared
// memory and every thread reads it back with no barrier between, out[t] =
// what thread t read. Run in index order, every thread reads base; run in
// reverse order, the threads after 0 read what shared memory held before
// (0: the emulation zeroes it at each launch).
extern "C" __global__ void emu_test_race(double *out, double base) {
    GC_DYNAMIC_SHARED(s);
    if (threadIdx.x == 0) {
        s[0] = base;
    }
    out[threadIdx.x] = s[0];
}
