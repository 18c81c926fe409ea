// matmul.cu: batched matrix products, register-blocked through shared
// memory; the products of the matrix language and the block updates of the
// LU factorization (lu.cu).
#include "gradcheck.cuh"

// A block of GC_GEMM_THREADS² threads computes a GC_GEMM_TILE² tile of a
// result, each thread the GC_GEMM_TILE/GC_GEMM_THREADS = 4 rows ty + 16r
// and 4 columns tx + 16s of it in registers; slices of GC_GEMM_K columns of
// the left factor and rows of the right one are staged in shared memory
// (the left one transposed, its rows padded by one against bank
// conflicts). Each of the 16 products a thread adds per step reuses 2 of
// the 8 values it read from shared memory.
#define GC_GEMM_TILE 64
#define GC_GEMM_K 16
#define GC_GEMM_THREADS 16
#define GC_GEMM_R (GC_GEMM_TILE / GC_GEMM_THREADS)

// gemm_tile computes the tile (i0, c0) of C = A·B (Sub false) or of
// C = C − A·B (Sub true), for m×k A, k×n B and m×n C with leading
// dimensions lda, ldb, ldc.
//
// Each entry accumulates its terms l = 0, 1, …, k−1 in order, one rounded
// product and one rounded sum per step unless fused: A·B skips the terms
// whose left factor is zero, as gonum's Dgemm does (a row of a times b, by
// axpy), so that the result is bit-identical to the CPU backend's without
// fused multiply-adds (the emulation), an infinite or NaN entry of B that
// meets only zeros included; C − A·B is the trailing update of Dgetf2, entry
// by entry (lu.cu).
template <bool Sub>
__device__ void gemm_tile(double *C, const double *A, const double *B, ll m, ll n, ll k, ll lda,
                          ll ldb, ll ldc, ll i0, ll c0, double *as, double *bs) {
    const int tx = threadIdx.x, ty = threadIdx.y, t = ty * GC_GEMM_THREADS + tx;
    const int T = GC_GEMM_THREADS * GC_GEMM_THREADS;
    double acc[GC_GEMM_R][GC_GEMM_R];
    for (int r = 0; r < GC_GEMM_R; r++) {
        for (int s = 0; s < GC_GEMM_R; s++) {
            ll i = i0 + ty + GC_GEMM_THREADS * r, c = c0 + tx + GC_GEMM_THREADS * s;
            acc[r][s] = Sub && i < m && c < n ? C[i * ldc + c] : 0.0;
        }
    }
    for (ll l0 = 0; l0 < k; l0 += GC_GEMM_K) {
        for (int e = t; e < GC_GEMM_TILE * GC_GEMM_K; e += T) {
            int r = e / GC_GEMM_K, q = e % GC_GEMM_K; // a row of the slice of A
            ll i = i0 + r, l = l0 + q;
            as[q * (GC_GEMM_TILE + 1) + r] = i < m && l < k ? A[i * lda + l] : 0.0;
            int rb = e / GC_GEMM_TILE, cb = e % GC_GEMM_TILE; // a row of the slice of B
            ll lb = l0 + rb, c = c0 + cb;
            bs[rb * GC_GEMM_TILE + cb] = lb < k && c < n ? B[lb * ldb + c] : 0.0;
        }
        __syncthreads();
        int steps = k - l0 < GC_GEMM_K ? (int)(k - l0) : GC_GEMM_K;
        for (int l = 0; l < steps; l++) {
            double av[GC_GEMM_R], bv[GC_GEMM_R];
            for (int r = 0; r < GC_GEMM_R; r++) {
                av[r] = as[l * (GC_GEMM_TILE + 1) + ty + GC_GEMM_THREADS * r];
                bv[r] = bs[l * GC_GEMM_TILE + tx + GC_GEMM_THREADS * r];
            }
            for (int r = 0; r < GC_GEMM_R; r++) {
                if (Sub) {
                    for (int s = 0; s < GC_GEMM_R; s++) {
                        acc[r][s] = acc[r][s] - av[r] * bv[s];
                    }
                } else if (av[r] != 0) {
                    for (int s = 0; s < GC_GEMM_R; s++) {
                        acc[r][s] = acc[r][s] + av[r] * bv[s];
                    }
                }
            }
        }
        __syncthreads();
    }
    for (int r = 0; r < GC_GEMM_R; r++) {
        for (int s = 0; s < GC_GEMM_R; s++) {
            ll i = i0 + ty + GC_GEMM_THREADS * r, c = c0 + tx + GC_GEMM_THREADS * s;
            if (i < m && c < n) {
                C[i * ldc + c] = acc[r][s];
            }
        }
    }
}

// gc_gemm computes, for j < count, C_j = A_{j/ra}·B_{j/rb} (sub 0) or
// C_j = C_j − A_{j/ra}·B_{j/rb} (sub 1) with gemm_tile: A_i at a + i·sa
// (m×k, leading dimension lda), B_i at b + i·sb (k×n, ldb), C_j at
// c + j·sc (m×n, ldc). The block is GC_GEMM_THREADS×GC_GEMM_THREADS threads;
// the grid is (tiles per result, matrices), and blocks loop over matrices
// when there are more than gridDim.y.
extern "C" __global__ void gc_gemm(double *c, const double *a, const double *b, ll count, ll m,
                                   ll n, ll k, ll lda, ll ldb, ll ldc, ll sa, ll sb, ll sc, ll ra,
                                   ll rb, ll sub) {
    __shared__ double as[GC_GEMM_K * (GC_GEMM_TILE + 1)], bs[GC_GEMM_K * GC_GEMM_TILE];
    gemm_tiles<GC_GEMM_TILE>(c, a, b, count, n, sa, sb, sc, ra, rb,
                             [&](double *C, const double *A, const double *B, ll i0, ll c0) {
                                 if (sub) {
                                     gemm_tile<true>(C, A, B, m, n, k, lda, ldb, ldc, i0, c0, as, bs);
                                 } else {
                                     gemm_tile<false>(C, A, B, m, n, k, lda, ldb, ldc, i0, c0, as, bs);
                                 }
                             });
}

// gc_gemm_small is gc_gemm for results of at most GC_GEMM_THREADS rows and
// columns, where a tile of gc_gemm would leave at least 15 of its 16
// threads' entries idle: one thread per entry of every result, over a
// grid-stride loop, each entry summing its terms in the same order as
// gemm_tile (and skipping the same zero left factors), so that both kernels
// give the same bits.
extern "C" __global__ void gc_gemm_small(double *c, const double *a, const double *b, ll count,
                                         ll m, ll n, ll k, ll lda, ll ldb, ll ldc, ll sa, ll sb,
                                         ll sc, ll ra, ll rb, ll sub) {
    ll total = count * m * n;
    for (ll e = grid_start(); e < total; e += grid_threads()) {
        ll j = e / (m * n), i = e % (m * n) / n, col = e % n;
        const double *A = a + (j / ra) * sa + i * lda, *B = b + (j / rb) * sb + col;
        double *C = c + j * sc + i * ldc + col;
        double acc = sub ? *C : 0.0;
        for (ll l = 0; l < k; l++) {
            double av = A[l];
            if (sub) {
                acc = acc - av * B[l * ldb];
            } else if (av != 0) {
                acc = acc + av * B[l * ldb];
            }
        }
        *C = acc;
    }
}
