// dmma.cu: batched matrix products on the FP64 tensor cores, which
// mma.sync drives on GPUs of compute capability 8.0 and newer (A100, H100,
// H200: twice the FP64 rate of their CUDA cores). Its PTX is made for
// compute_80 (kernels.Arch); package gpu launches gc_gemm_dmma or
// gc_gemm_dmma_async in place of gc_gemm (matmul.cu) where the GPU has
// these units.
#include "gradcheck.cuh"

// A block of GC_DMMA_THREADS threads (four warps) computes a
// GC_DMMA_TILE² tile of a result, each warp a GC_DMMA_WARP² quarter of it
// as 4×4 products of 8×8 by mma.sync.m8n8k4. Slices of GC_DMMA_K columns of
// the left factor and rows of the right one are staged in shared memory,
// their rows padded by four values so that the fragments a warp reads
// fall on distinct banks in each half-warp, in two stages: the next slice
// is fetched while the tensor cores work on this one. Each thread fetches
// GC_DMMA_FETCH values of each factor per slice.
#define GC_DMMA_TILE 64
#define GC_DMMA_K 16
#define GC_DMMA_WARP 32
#define GC_DMMA_THREADS 128
#define GC_DMMA_LDA (GC_DMMA_K + 4)
#define GC_DMMA_LDB (GC_DMMA_TILE + 4)
#define GC_DMMA_MMAS (GC_DMMA_WARP / 8)
#define GC_DMMA_FETCH (GC_DMMA_TILE * GC_DMMA_K / GC_DMMA_THREADS)
#define GC_DMMA_STAGE_A (GC_DMMA_TILE * GC_DMMA_LDA)
#define GC_DMMA_STAGE_B (GC_DMMA_K * GC_DMMA_LDB)
// GC_DMMA_BLOCKS blocks of gc_gemm_dmma_async, GC_DMMA_BLOCKS_REG of
// gc_gemm_dmma (whose fetches take registers) are to fit on a
// multiprocessor at once: ptxas keeps a thread's registers within
// 65536/(blocks·GC_DMMA_THREADS), without spilling (sm_80, sm_90).
#define GC_DMMA_BLOCKS 3
#define GC_DMMA_BLOCKS_REG 2

// cp_async8 starts copying the double at src into dst in shared memory, or
// zero when valid is false (src is not read then, but must be a valid
// address); cp_async_wait waits until this thread's copies have landed
// (visible to this thread; a barrier makes them visible to the block).
// The emulation copies at once.
__device__ __forceinline__ void cp_async8(double *dst, const double *src, bool valid) {
#if defined(__CUDACC_RTC__) || defined(__CUDACC__)
    unsigned d = (unsigned)__cvta_generic_to_shared(dst);
    asm volatile("cp.async.ca.shared.global [%0], [%1], 8, %2;" ::"r"(d), "l"(src),
                 "r"(valid ? 8 : 0)
                 : "memory");
#else
    *dst = valid ? *src : 0.0;
#endif
}

__device__ __forceinline__ void cp_async_wait() {
#if defined(__CUDACC_RTC__) || defined(__CUDACC__)
    asm volatile("cp.async.commit_group;\ncp.async.wait_group 0;" ::: "memory");
#endif
}

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

// A thread fetches, of each slice, the entries (t/GC_DMMA_K + h·GC_DMMA_ROWS_A,
// t mod GC_DMMA_K) of the slice of A and (t/GC_DMMA_TILE + h·GC_DMMA_ROWS_B,
// t mod GC_DMMA_TILE) of the slice of B, h < GC_DMMA_FETCH: row by row, so
// that a warp reads whole rows.
#define GC_DMMA_ROWS_A (GC_DMMA_THREADS / GC_DMMA_K)
#define GC_DMMA_ROWS_B (GC_DMMA_THREADS / GC_DMMA_TILE)
static_assert(GC_DMMA_THREADS % GC_DMMA_K == 0 && GC_DMMA_THREADS % GC_DMMA_TILE == 0,
              "a thread fetches the same column of each row");

// dmma_fetch starts fetching the slice l0 … l0+GC_DMMA_K−1 of the columns
// of A and rows of B that the tile (i0, c0) needs into the stage (as, bs),
// zeros outside the factors: with Async, by cp.async straight into shared
// memory; otherwise into the registers fa, fb, which dmma_land stores.
template <bool Async>
__device__ __forceinline__ void dmma_fetch(const double *A, const double *B, ll m, ll n, ll k,
                                           ll lda, ll ldb, ll i0, ll c0, ll l0, double *as,
                                           double *bs, double (&fa)[GC_DMMA_FETCH],
                                           double (&fb)[GC_DMMA_FETCH]) {
    const int t = threadIdx.x;
    const int ra = t / GC_DMMA_K, pa = t % GC_DMMA_K, rb = t / GC_DMMA_TILE, cb = t % GC_DMMA_TILE;
    const bool colA = l0 + pa < k, colB = c0 + cb < n;
    const double *srcA = A + (i0 + ra) * lda + l0 + pa, *srcB = B + (l0 + rb) * ldb + c0 + cb;
    double *dstA = as + ra * GC_DMMA_LDA + pa, *dstB = bs + rb * GC_DMMA_LDB + cb;
    for (int h = 0; h < GC_DMMA_FETCH; h++) {
        bool inA = colA && i0 + ra + h * GC_DMMA_ROWS_A < m;
        bool inB = colB && l0 + rb + h * GC_DMMA_ROWS_B < k;
        const double *a = srcA + h * GC_DMMA_ROWS_A * lda, *b = srcB + h * GC_DMMA_ROWS_B * ldb;
        if constexpr (Async) {
            cp_async8(dstA + h * GC_DMMA_ROWS_A * GC_DMMA_LDA, inA ? a : A, inA);
            cp_async8(dstB + h * GC_DMMA_ROWS_B * GC_DMMA_LDB, inB ? b : B, inB);
        } else {
            fa[h] = inA ? *a : 0.0;
            fb[h] = inB ? *b : 0.0;
        }
    }
}

// dmma_land completes the fetch of dmma_fetch into the stage (as, bs) and
// returns whether this thread's part of the slice of B holds an infinite
// or NaN entry (with Check; C − A·B, which skips no term, does not ask).
// The block must pass a barrier before it reads the stage.
template <bool Async, bool Check>
__device__ __forceinline__ int dmma_land(double *as, double *bs,
                                         const double (&fa)[GC_DMMA_FETCH],
                                         const double (&fb)[GC_DMMA_FETCH]) {
    if constexpr (Async) {
        cp_async_wait();
    }
    const int t = threadIdx.x;
    double *dstA = as + t / GC_DMMA_K * GC_DMMA_LDA + t % GC_DMMA_K;
    double *dstB = bs + t / GC_DMMA_TILE * GC_DMMA_LDB + t % GC_DMMA_TILE;
    int nonfinite = 0;
    for (int h = 0; h < GC_DMMA_FETCH; h++) {
        double *b = dstB + h * GC_DMMA_ROWS_B * GC_DMMA_LDB;
        if constexpr (!Async) {
            dstA[h * GC_DMMA_ROWS_A * GC_DMMA_LDA] = fa[h];
            *b = fb[h];
        }
        if constexpr (Check) {
            nonfinite |= f64_isnan(*b) || f64_isinf(*b);
        }
    }
    return nonfinite;
}

// dmma_slice adds the products of a staged slice to the warp's quarter
// (rows wr…, columns wc…) of the tile: by the tensor cores, the products of
// −A for C − A·B (Sub); one by one, skipping the zero entries of A, for A·B
// where special says that the slice of B holds an infinite or NaN entry.
template <bool Sub>
__device__ __forceinline__ void dmma_slice(double (&acc)[GC_DMMA_MMAS][GC_DMMA_MMAS][2],
                                           const double *as, const double *bs, bool special,
                                           int wr, int wc, int g, int q) {
    if (!Sub && special) {
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
        return;
    }
    // The terms beyond k are 0·0, which leave every sum as it is (an
    // accumulator of A·B is never −0, and C − A·B adds −0).
    for (int l = 0; l < GC_DMMA_K; l += 4) {
        double af[GC_DMMA_MMAS], bf[GC_DMMA_MMAS];
        for (int r = 0; r < GC_DMMA_MMAS; r++) {
            double a = as[(wr + 8 * r + g) * GC_DMMA_LDA + l + q];
            af[r] = Sub ? -a : a;
            bf[r] = bs[(l + q) * GC_DMMA_LDB + wc + 8 * r + g];
        }
        mma_grid(acc, af, bf);
    }
}

// dmma_tile computes the tile (i0, c0) of C = A·B (Sub false) or of
// C = C − A·B (Sub true), for m×k A, k×n B and m×n C with leading
// dimensions lda, ldb, ldc, as gemm_tile of matmul.cu does: each entry
// accumulates its terms l = 0, 1, …, k−1 in order (the emulation rounds
// each product and sum, so that its results are gemm_tile's bit for bit;
// the tensor cores round as they do). A·B skips the terms whose left
// factor is zero, as gemm_tile does, where it matters: in a slice whose B
// holds an infinite or NaN entry (0·∞ is NaN; a skipped term is not). The
// slices pass through the two stages in turn, as and bs holding two of
// GC_DMMA_STAGE_A and GC_DMMA_STAGE_B doubles: while the tensor cores work
// on one, the next is fetched into the other (Async: by cp.async; else
// into registers), and one barrier a slice both publishes the next stage
// and frees this one.
template <bool Sub, bool Async>
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
    double fa[GC_DMMA_FETCH], fb[GC_DMMA_FETCH];
    if (k > 0) {
        dmma_fetch<Async>(A, B, m, n, k, lda, ldb, i0, c0, 0, as, bs, fa, fb);
        bool special = __syncthreads_or(dmma_land<Async, !Sub>(as, bs, fa, fb));
        for (ll l0 = 0, stage = 0; l0 < k; l0 += GC_DMMA_K, stage ^= 1) {
            double *as0 = as + stage * GC_DMMA_STAGE_A, *bs0 = bs + stage * GC_DMMA_STAGE_B;
            double *as1 = as + (stage ^ 1) * GC_DMMA_STAGE_A, *bs1 = bs + (stage ^ 1) * GC_DMMA_STAGE_B;
            bool more = l0 + GC_DMMA_K < k;
            if (more) {
                dmma_fetch<Async>(A, B, m, n, k, lda, ldb, i0, c0, l0 + GC_DMMA_K, as1, bs1, fa, fb);
            }
            dmma_slice<Sub>(acc, as0, bs0, special, wr, wc, g, q);
            special = __syncthreads_or(more && dmma_land<Async, !Sub>(as1, bs1, fa, fb));
        }
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

// dmma_kernel is gc_gemm (matmul.cu) on the tensor cores, with the same
// parameters: for j < count, C_j = A_{j/ra}·B_{j/rb} (sub 0) or
// C_j = C_j − A_{j/ra}·B_{j/rb} (sub 1). The block is GC_DMMA_THREADS
// threads; the grid is (tiles per result, matrices), and blocks loop over
// matrices when there are more than gridDim.y.
template <bool Async>
__device__ __forceinline__ void dmma_kernel(double *c, const double *a, const double *b, ll count,
                                            ll m, ll n, ll k, ll lda, ll ldb, ll ldc, ll sa,
                                            ll sb, ll sc, ll ra, ll rb, ll sub) {
    __shared__ double as[2 * GC_DMMA_STAGE_A], bs[2 * GC_DMMA_STAGE_B];
    gemm_tiles<GC_DMMA_TILE>(c, a, b, count, n, sa, sb, sc, ra, rb,
                             [&](double *C, const double *A, const double *B, ll i0, ll c0) {
                                 if (sub) {
                                     dmma_tile<true, Async>(C, A, B, m, n, k, lda, ldb, ldc, i0, c0, as, bs);
                                 } else {
                                     dmma_tile<false, Async>(C, A, B, m, n, k, lda, ldb, ldc, i0, c0, as, bs);
                                 }
                             });
}

// gc_gemm_dmma is dmma_kernel fetching each next slice into registers.
extern "C" __global__ void __launch_bounds__(GC_DMMA_THREADS, GC_DMMA_BLOCKS_REG)
    gc_gemm_dmma(double *c, const double *a, const double *b, ll count, ll m, ll n, ll k, ll lda,
                 ll ldb, ll ldc, ll sa, ll sb, ll sc, ll ra, ll rb, ll sub) {
    dmma_kernel<false>(c, a, b, count, m, n, k, lda, ldb, ldc, sa, sb, sc, ra, rb, sub);
}

// gc_gemm_dmma_async is dmma_kernel copying each next slice straight into
// shared memory by cp.async, which takes no registers.
extern "C" __global__ void __launch_bounds__(GC_DMMA_THREADS, GC_DMMA_BLOCKS)
    gc_gemm_dmma_async(double *c, const double *a, const double *b, ll count, ll m, ll n, ll k,
                       ll lda, ll ldb, ll ldc, ll sa, ll sb, ll sc, ll ra, ll rb, ll sub) {
    dmma_kernel<true>(c, a, b, count, m, n, k, lda, ldb, ldc, sa, sb, sc, ra, rb, sub);
}
