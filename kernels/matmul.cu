// matmul.cu: batched matrix products through shared-memory tiles.
#include "gradcheck.cuh"

// gc_matmul writes the products a[j/ra]·b[j/rb] of m×k and k×n matrices,
// count m×n results. A block of tile×tile threads computes one tile×tile
// tile of a result, staging tile×tile tiles of both operands in dynamic
// shared memory (2·tile² doubles); the grid is (tiles per result, matrices),
// and blocks loop over matrices when there are more than gridDim.y.
//
// Each thread accumulates its entry over l = 0, 1, …, k−1 in order, one
// rounded product and one rounded sum per step, skipping terms whose left
// factor is zero: the arithmetic of gonum's Dgemm (a row of a times b, by
// axpy), so the result is bit-identical to the CPU backend's.
extern "C" __global__ void gc_matmul(double *out, const double *a, const double *b, ll count,
                                     ll m, ll k, ll n, ll ra, ll rb, ll tile) {
    GC_DYNAMIC_SHARED(smem);
    double *as = smem, *bs = smem + tile * tile;
    ll tx = threadIdx.x, ty = threadIdx.y;
    ll tilesN = (n + tile - 1) / tile;
    ll row = (blockIdx.x / tilesN) * tile + ty;
    ll col = (blockIdx.x % tilesN) * tile + tx;
    for (ll j = blockIdx.y; j < count; j += gridDim.y) {
        const double *x = a + (j / ra) * m * k, *y = b + (j / rb) * k * n;
        double acc = 0;
        for (ll l0 = 0; l0 < k; l0 += tile) {
            as[ty * tile + tx] = (row < m && l0 + tx < k) ? x[row * k + l0 + tx] : 0.0;
            bs[ty * tile + tx] = (l0 + ty < k && col < n) ? y[(l0 + ty) * n + col] : 0.0;
            __syncthreads();
            ll steps = k - l0 < tile ? k - l0 : tile;
            for (ll l = 0; l < steps; l++) {
                double v = as[ty * tile + l];
                if (v != 0) {
                    acc = acc + v * bs[l * tile + tx];
                }
            }
            __syncthreads();
        }
        if (row < m && col < n) {
            out[j * m * n + row * n + col] = acc;
        }
    }
}
