// reduce.cu: one scalar per matrix: trace, sum, Frobenius inner product.
//
// The order of summation is fixed, and it is the CPU backend's: left to
// right over the entries in row-major order, one thread per matrix. Every
// result is then bit-identical to the CPU backend's, which matters beyond
// style: the verifier divides differences of such sums by the step h, so
// any change of order would show in every error it reports. A parallel tree
// would be faster for a few huge matrices; batches of many matrices, the
// verifier's case, keep the GPU busy one thread per matrix.
#include "gradcheck.cuh"

// gc_trace writes the traces of count n×n matrices.
extern "C" __global__ void gc_trace(double *out, const double *a, ll count, ll n) {
    for (ll j = grid_start(); j < count; j += grid_threads()) {
        const double *m = a + j * n * n;
        double s = 0;
        for (ll i = 0; i < n; i++) {
            s = s + m[i * n + i];
        }
        out[j] = s;
    }
}

// gc_sum writes the sums of the entries of count matrices of size entries.
extern "C" __global__ void gc_sum(double *out, const double *a, ll count, ll size) {
    for (ll j = grid_start(); j < count; j += grid_threads()) {
        const double *m = a + j * size;
        double s = 0;
        for (ll i = 0; i < size; i++) {
            s = s + m[i];
        }
        out[j] = s;
    }
}

// gc_dot writes the inner products Σ a[j/ra]_i·b[j/rb]_i of count pairs of
// matrices of size entries.
extern "C" __global__ void gc_dot(double *out, const double *a, const double *b, ll count,
                                  ll size, ll ra, ll rb) {
    for (ll j = grid_start(); j < count; j += grid_threads()) {
        const double *x = a + (j / ra) * size, *y = b + (j / rb) * size;
        double s = 0;
        for (ll i = 0; i < size; i++) {
            s = s + x[i] * y[i];
        }
        out[j] = s;
    }
}
