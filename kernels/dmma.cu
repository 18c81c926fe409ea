// dmma.cu: batched matrix products on the FP64 tensor cores, which
// mma.sync drives on GPUs of compute capability 8.0 and newer (A100, H100,
// H200: twice the FP64 rate of their CUDA cores). Its PTX is made for
// compute_80 (kernels.Arch); package gpu launches gc_gemm_dmma in place of
// gc_gemm (matmul.cu) where the GPU has these units.
#include "gradcheck.cuh"

// A block of GC_DMMA_THREADS threads (four warps) computes a
// GC_DMMA_TILE² tile of a result, each warp a GC_DMMA_WARP² quarter of it
// as 4×4 products of 8×8 by mma.sync.m8n8k4. Slices of GC_DMMA_K columns of
// the left factor and rows of the right one are staged in shared memory,
// their rows padded by four values so that the fragments a warp reads
// fall on distinct banks in each half-warp.
#define GC_DMMA_TILE 64
#define GC_DMMA_K 16
#define GC_DMMA_WARP 32
#define GC_DMMA_THREADS 128
#define GC_DMMA_LDA (GC_DMMA_K + 4)
#define GC_DMMA_LDB (GC_DMMA_TILE + 4)
#define GC_DMMA_MMAS (GC_DMMA_WARP / 8)

// mma_grid adds to a warp's R×S accumulators of 8×8 the products of its R
// fragments of 8×4 of a left factor by its S fragments of 4×8 of a right
// one: acc[r][s] += a[r]·b[s], by mma.sync.m8n8k4.f64. Lane l = 4g + q holds
// entry (g, q) of fragment a[r] in a[r], entry (q, g) of b[s] in b[s], and
// entries (g, 2q) and (g, 2q+1) of acc[r][s] in acc[r][s][0] and [1] (PTX
// ISA, "Matrix fragments for mma.m8n8k4 with .f64"). Every lane of the warp
// must call it together.
template <int R, int S>
__device__ __forceinline__ void mma_grid(double (&acc)[R][S][2], const double (&a)[R],
                                         const double (&b)[S]) {
#if defined(__CUDACC_RTC__) || defined(__CUDACC__)
    for (int r = 0; r < R; r++) {
        for (int s = 0; s < S; s++) {
            asm volatile(
                "mma.sync.aligned.m8n8k4.row.col.f64.f64.f64.f64 {%0,%1}, {%2}, {%3}, {%0,%1};"
                : "+d"(acc[r][s][0]), "+d"(acc[r][s][1])
                : "d"(a[r]), "d"(b[s]));
        }
    }
#else
    // The emulation exchanges the fragments once for the R·S products, and
    // adds the four terms of each entry in order, each product and sum
    // rounded (cuda_emu.h).
    ::cuda_emu::mma_m8n8k4(&acc[0][0][0], a, R, b, S);
#endif
}

// dmma_tile computes the tile (i0, c0) of C = A·B (Sub false) or of
// C = C − A·B (Sub true), for m×k A, k×n B and m×n C with leading
// dimensions lda, ldb, ldc, as gemm_tile of matmul.cu does: each entry
// accumulates its terms l = 0, 1, …, k−1 in order (the emulation rounds
// each product and sum, so that its results are gemm_tile's bit for bit;
// the tensor cores round as they do). C − A·B adds the products of −A.
// A·B skips the terms whose left factor is zero, as gemm_tile does, where
// it matters: in a slice whose B holds an infinite or NaN entry, the
// entries are summed one by one (0·∞ is NaN; a skipped term is not).
template <bool Sub>
__device__ void dmma_tile(double *C, const double *A, const double *B, ll m, ll n, ll k, ll lda,
                          ll ldb, ll ldc, ll i0, ll c0, double *as, double *bs) {
    const int t = threadIdx.x, lane = t % 32, warp = t / 32;
    const int g = lane / 4, q = lane % 4;
    // The warp's quarter of the tile.
    const int wr = (warp / 2) * GC_DMMA_WARP, wc = (warp % 2) * GC_DMMA_WARP;
    double acc[GC_DMMA_MMAS][GC_DMMA_MMAS][2];
    for (int r = 0; r < GC_DMMA_MMAS; r++) {
        for (int s = 0; s < GC_DMMA_MMAS; s++) {
            for (int e = 0; e < 2; e++) {
                ll i = i0 + wr + 8 * r + g, c = c0 + wc + 8 * s + 2 * q + e;
                acc[r][s][e] = Sub && i < m && c < n ? C[i * ldc + c] : 0.0;
            }
        }
    }
    for (ll l0 = 0; l0 < k; l0 += GC_DMMA_K) {
        int nonfinite = 0;
        for (int e = t; e < GC_DMMA_TILE * GC_DMMA_K; e += GC_DMMA_THREADS) {
            int r = e / GC_DMMA_K, p = e % GC_DMMA_K; // a row of the slice of A
            ll i = i0 + r, l = l0 + p;
            double a = i < m && l < k ? A[i * lda + l] : 0.0;
            as[r * GC_DMMA_LDA + p] = Sub ? -a : a;
            int rb = e / GC_DMMA_TILE, cb = e % GC_DMMA_TILE; // a row of the slice of B
            ll lb = l0 + rb, c = c0 + cb;
            double b = lb < k && c < n ? B[lb * ldb + c] : 0.0;
            bs[rb * GC_DMMA_LDB + cb] = b;
            nonfinite |= !Sub && (f64_isnan(b) || f64_isinf(b));
        }
        if (__syncthreads_or(nonfinite)) {
            // The entries of the slice beyond k are zeros of A, skipped.
            for (int l = 0; l < GC_DMMA_K; l++) {
                for (int r = 0; r < GC_DMMA_MMAS; r++) {
                    double a = as[(wr + 8 * r + g) * GC_DMMA_LDA + l];
                    if (a != 0) {
                        for (int s = 0; s < GC_DMMA_MMAS; s++) {
                            for (int e = 0; e < 2; e++) {
                                double b = bs[l * GC_DMMA_LDB + wc + 8 * s + 2 * q + e];
                                acc[r][s][e] = acc[r][s][e] + a * b;
                            }
                        }
                    }
                }
            }
        } else {
            // The terms beyond k are 0·0, which leave every sum as it is
            // (an accumulator of A·B is never −0, and C − A·B adds −0).
            for (int l = 0; l < GC_DMMA_K; l += 4) {
                double af[GC_DMMA_MMAS], bf[GC_DMMA_MMAS];
                for (int r = 0; r < GC_DMMA_MMAS; r++) {
                    af[r] = as[(wr + 8 * r + g) * GC_DMMA_LDA + l + q];
                    bf[r] = bs[(l + q) * GC_DMMA_LDB + wc + 8 * r + g];
                }
                mma_grid(acc, af, bf);
            }
        }
        __syncthreads();
    }
    for (int r = 0; r < GC_DMMA_MMAS; r++) {
        for (int s = 0; s < GC_DMMA_MMAS; s++) {
            for (int e = 0; e < 2; e++) {
                ll i = i0 + wr + 8 * r + g, c = c0 + wc + 8 * s + 2 * q + e;
                if (i < m && c < n) {
                    C[i * ldc + c] = acc[r][s][e];
                }
            }
        }
    }
}

// gc_gemm_dmma is gc_gemm (matmul.cu) on the tensor cores, with the same
// parameters: for j < count, C_j = A_{j/ra}·B_{j/rb} (sub 0) or
// C_j = C_j − A_{j/ra}·B_{j/rb} (sub 1). The block is GC_DMMA_THREADS
// threads; the grid is (tiles per result, matrices), and blocks loop over
// matrices when there are more than gridDim.y.
extern "C" __global__ void __launch_bounds__(GC_DMMA_THREADS)
    gc_gemm_dmma(double *c, const double *a, const double *b, ll count, ll m, ll n, ll k, ll lda,
                 ll ldb, ll ldc, ll sa, ll sb, ll sc, ll ra, ll rb, ll sub) {
    __shared__ double as[GC_DMMA_TILE * GC_DMMA_LDA], bs[GC_DMMA_K * GC_DMMA_LDB];
    gemm_tiles<GC_DMMA_TILE>(c, a, b, count, n, sa, sb, sc, ra, rb,
                             [&](double *C, const double *A, const double *B, ll i0, ll c0) {
                                 if (sub) {
                                     dmma_tile<true>(C, A, B, m, n, k, lda, ldb, ldc, i0, c0, as, bs);
                                 } else {
                                     dmma_tile<false>(C, A, B, m, n, k, lda, ldb, ldc, i0, c0, as, bs);
                                 }
                             });
}
