// reduce.cu: one scalar per matrix: trace, sum, Frobenius inner product.
//
// One block per matrix (blocks loop over the matrices beyond the grid): each
// thread sums the entries t, t + T, t + 2T, … of its matrix left to right,
// and the block then adds the T partial sums in a tree through shared
// memory. The order of summation is thus not the CPU backend's left to
// right one, and the results differ from it by rounding, by at most
// (T + log₂T)·u·Σ|terms| for a matrix of many entries; the verifier's
// tolerance allows for the rounding of f on either backend.
#include "gradcheck.cuh"

// block_sum returns to every thread of the block the sum of the values v of
// all its threads, adding them in a tree. red is blockDim.x doubles of
// shared memory, and blockDim.x a power of two.
__device__ double block_sum(double v, double *red) {
    unsigned t = threadIdx.x;
    red[t] = v;
    __syncthreads();
    for (unsigned s = blockDim.x / 2; s > 0; s >>= 1) {
        if (t < s) {
            red[t] = red[t] + red[t + s];
        }
        __syncthreads();
    }
    double sum = red[0];
    __syncthreads(); // red is written again by the next call
    return sum;
}

// gc_trace writes the traces of count n×n matrices.
extern "C" __global__ void gc_trace(double *out, const double *a, ll count, ll n) {
    GC_DYNAMIC_SHARED(red);
    ll step = (ll)blockDim.x * (n + 1), end = n * n;
    for (ll j = blockIdx.x; j < count; j += gridDim.x) {
        const double *m = a + j * end;
        double s = 0;
        for (ll i = (ll)threadIdx.x * (n + 1); i < end; i += step) {
            s = s + m[i];
        }
        s = block_sum(s, red);
        if (threadIdx.x == 0) {
            out[j] = s;
        }
    }
}

// gc_sum writes the sums of the entries of count matrices of size entries.
extern "C" __global__ void gc_sum(double *out, const double *a, ll count, ll size) {
    GC_DYNAMIC_SHARED(red);
    for (ll j = blockIdx.x; j < count; j += gridDim.x) {
        const double *m = a + j * size;
        double s = 0;
        for (ll i = threadIdx.x; i < size; i += blockDim.x) {
            s = s + m[i];
        }
        s = block_sum(s, red);
        if (threadIdx.x == 0) {
            out[j] = s;
        }
    }
}

// gc_dot writes the inner products Σ a[j/ra]_i·b[j/rb]_i of count pairs of
// matrices of size entries.
extern "C" __global__ void gc_dot(double *out, const double *a, const double *b, ll count,
                                  ll size, ll ra, ll rb) {
    GC_DYNAMIC_SHARED(red);
    for (ll j = blockIdx.x; j < count; j += gridDim.x) {
        const double *x = a + (j / ra) * size, *y = b + (j / rb) * size;
        double s = 0;
        for (ll i = threadIdx.x; i < size; i += blockDim.x) {
            s = s + x[i] * y[i];
        }
        s = block_sum(s, red);
        if (threadIdx.x == 0) {
            out[j] = s;
        }
    }
}
