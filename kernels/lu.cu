// lu.cu: LU factorization with partial pivoting, and what is read off it:
// determinants, log-determinants, inverses and solutions of linear systems.
//
// Two ways to factor. A matrix that fits in shared memory is factored by
// one block, in one launch, all of it (gc_lu). A larger one is factored by
// panels of GC_LU_NB columns, each step a launch of its own over the whole
// batch, driven from the host (package gpu, which groups the panels in
// outer panels four times as wide): gc_lu_panel factors the panel (one
// block per matrix), gc_lu_trsm forms the rows of U right of it, and the
// products of matmul.cu or dmma.cu update the rest on every
// multiprocessor. Inverses and solutions then substitute by blocks the
// same way: gc_lu_trsm within a diagonal block, products below (or above)
// it; the pivots' permutation is applied by a gather (gc_lu_perm,
// gc_lu_gather), to the rows of the right-hand sides before, or to the
// columns of U⁻¹L⁻¹ after.
//
// Both ways apply to each entry the same updates in the same order, the
// order of gonum's Dgetf2: without fused multiply-adds (the emulation) the
// factors are bit-identical to Dgetf2's, and so to the CPU backend's up to
// n = 64, where gonum switches to a blocked factorization; on a GPU the
// updates may be fused.
#include "gradcheck.cuh"

// Modes of gc_lu and gc_lu_det.
#define GC_LU_DET 0
#define GC_LU_LOGDET 1
#define GC_LU_INV 2
#define GC_LU_MASK 3

// GC_LU_NB is the width of the panels and the edge of the tiles of the
// one-block trailing update; GC_LU_SCRATCH is the shared memory those tiles
// take, in doubles (the rows of the left tile padded by one, against bank
// conflicts).
#define GC_LU_NB 16
#define GC_LU_SCRATCH (GC_LU_NB * (GC_LU_NB + 1) + GC_LU_NB * GC_LU_NB)

// GC_LU_OUTER is the height of the outer blocks of rows that package gpu
// groups four blocks of GC_LU_NB in: the most rows gc_lu_trsm solves for.
#define GC_LU_OUTER (4 * GC_LU_NB)

// GC_LU_RED is the doubles of shared memory per warp of the pivot search:
// a magnitude, a row and a value; the search takes one more, for the
// diagonal entry (lu_pivot_shared).
#define GC_LU_RED 3

// GC_WARP is the threads of a warp.
#define GC_WARP 32

// GC_LU_PANEL_ROWS is how many rows of a panel each thread of
// gc_lu_panel_regs holds in registers, and GC_LU_PANEL_SHARED the doubles
// of shared memory it takes besides the pivot search's: the pivot row and
// row j, then the moves of lu_swap_rest and their count.
#define GC_LU_PANEL_ROWS 4
#define GC_LU_PANEL_SHARED (4 * GC_LU_NB + 1)

// GC_LU_INFLIGHT is how many entries a thread reads before it writes any:
// of a row, when the panel swaps rows; of a column, when lu_substitute
// updates the rows after a block.
#define GC_LU_INFLIGHT 4

// GC_UNROLL asks NVRTC to unroll the loop that follows, so that the
// registers a small array is held in are named at compile time.
#if defined(__CUDACC_RTC__) || defined(__CUDACC__)
#define GC_UNROLL _Pragma("unroll")
#else
#define GC_UNROLL
#endif

// lu_cand is a thread's best candidate for the pivot of a column: the
// first row (−1 for none yet) of largest magnitude among the rows it has
// seen, the magnitude (−1 for none) and the entry.
struct lu_cand {
    double best, value;
    ll row;
};

// lu_none is the candidate of a thread that has seen no row.
__device__ lu_cand lu_none() { return lu_cand{-1, 0, -1}; }

// lu_see offers row i, whose entry in the column is a, to the candidate c;
// the rows must come in increasing order. A NaN entry is never taken.
__device__ void lu_see(lu_cand *c, double a, ll i) {
    double v = f64_abs(a);
    if (v > c->best) { // false for NaN
        c->best = v;
        c->row = i;
        c->value = a;
    }
}

// lu_better says whether the candidate b beats a: a row beats none, a
// larger magnitude a smaller one, and on a tie the lower row wins. It is a
// strict total order on the candidates (their magnitudes are never NaN),
// so that merging them in any order picks the same row.
__device__ bool lu_better(lu_cand b, lu_cand a) {
    return b.row >= 0 && (a.row < 0 || b.best > a.best || (b.best == a.best && b.row < a.row));
}

// lu_pivot_shared is the doubles of shared memory lu_pivot takes for T
// threads.
__device__ ll lu_pivot_shared(unsigned T) { return GC_LU_RED * ((T + GC_WARP - 1) / GC_WARP) + 1; }

// lu_pivot returns to every thread of the block the pivot row of step j
// from each thread's candidate c, among the rows i ≥ j of column j, and
// the diag, a_jj, of the thread owner: the first row of largest |a_ij|, never one whose
// entry is NaN (Idamax), and j when a_jj is NaN or every candidate is; and
// in *pivot the pivot's value, carried through the search, so that no
// thread reads it from A again. The lanes of each warp exchange their
// candidates by shuffles (a butterfly, which leaves the warp's best in
// every lane), the first lane of each warp posts it in red, and after one
// barrier every thread merges the warps' bests in the same order, to the
// same row. red is lu_pivot_shared(blockDim.x) doubles of shared memory,
// blockDim.x a power of two; every thread of the block calls it.
__device__ ll lu_pivot(lu_cand c, double diag, unsigned owner, double *piv, double *red, ll j,
                       double *pivot) {
    unsigned t = threadIdx.x, T = blockDim.x, W = (T + GC_WARP - 1) / GC_WARP;
    unsigned lanes = T < GC_WARP ? T : GC_WARP;
    unsigned mask = lanes == GC_WARP ? 0xffffffffu : (1u << lanes) - 1;
    for (unsigned s = lanes / 2; s > 0; s >>= 1) {
        lu_cand o;
        o.best = __shfl_xor_sync(mask, c.best, s);
        o.value = __shfl_xor_sync(mask, c.value, s);
        o.row = (ll)__shfl_xor_sync(mask, (double)c.row, s);
        if (lu_better(o, c)) {
            c = o;
        }
    }
    if (t % GC_WARP == 0) {
        red[t / GC_WARP] = c.best;
        red[W + t / GC_WARP] = (double)c.row;
        red[2 * W + t / GC_WARP] = c.value;
    }
    if (t == owner) {
        red[3 * W] = diag;
    }
    // red is not written again before the next step's search, after the
    // panel's barriers.
    __syncthreads();
    for (unsigned k = 0; k < W; k++) {
        lu_cand o{red[k], red[2 * W + k], (ll)red[W + k]};
        if (lu_better(o, c)) {
            c = o;
        }
    }
    diag = red[3 * W];
    bool found = c.row >= 0 && !f64_isnan(diag);
    ll p = found ? c.row : j;
    if (t == 0) {
        piv[j] = (double)p;
    }
    *pivot = found ? c.value : diag;
    return p;
}

// lu_panel factors the columns k0 … kend−1 of the n×n matrix A (row-major)
// below row k0, step by step, recording in piv[j] the row swapped with row j
// at step j: the pivot is the first entry of largest magnitude (lu_pivot),
// rows are swapped whole, the column below the pivot is multiplied by
// 1/pivot, and every entry of the panel right of and below the pivot gets
// a_ik − a_ij·a_jk. (Dgetf2 divides instead of multiplying by the
// reciprocal when |pivot| < 2^−1022; there, and only there, this divides
// each entry where Dgetf2 repeats the first division.) Each thread takes
// the rows j+1+t, j+1+t+T, …, two at a time; it reads their entries in
// the panel, and the pivot row's, into registers before it writes any: the
// compiler cannot tell that the rows differ, and would otherwise wait for
// each entry's store before the next entry's loads (on an H200, about
// 6.7 µs per column in global memory). Row swaps likewise. The entries of
// the next column that a thread computes are the next pivot search's
// candidates: it offers them as it goes, so that only the panel's first
// column is read again for its search. kend − k0 ≤ GC_LU_NB. red is
// lu_pivot_shared(blockDim.x) doubles of shared memory, blockDim.x a power
// of two; every thread of the block calls it.
__device__ void lu_panel(double *A, double *piv, double *red, ll n, ll k0, ll kend) {
    unsigned t = threadIdx.x, T = blockDim.x;
    // The candidates of the first column from A; each step's update offers
    // those of the next. Thread 0 sees row k0 first, and keeps a_(k0)(k0).
    lu_cand cand = lu_none();
    double diag = 0;
    for (ll i = k0 + t; i < n; i += T) {
        double a = A[i * n + k0];
        diag = i == k0 ? a : diag;
        lu_see(&cand, a, i);
    }
    for (ll j = k0; j < kend; j++) {
        double pv;
        ll p = lu_pivot(cand, diag, 0, piv, red, j, &pv);
        cand = lu_none();
        if (pv != 0 && p != j) {
            // GC_LU_INFLIGHT entries of each row read before any is written.
            for (ll c0 = t; c0 < n; c0 += GC_LU_INFLIGHT * T) {
                double top[GC_LU_INFLIGHT], bottom[GC_LU_INFLIGHT];
                for (int h = 0; h < GC_LU_INFLIGHT; h++) {
                    ll c = c0 + h * T;
                    top[h] = c < n ? A[j * n + c] : 0;
                    bottom[h] = c < n ? A[p * n + c] : 0;
                }
                for (int h = 0; h < GC_LU_INFLIGHT; h++) {
                    ll c = c0 + h * T;
                    if (c < n) {
                        A[j * n + c] = bottom[h];
                        A[p * n + c] = top[h];
                    }
                }
            }
            __syncthreads();
        }
        // As Dgetf2, scale only below a nonzero pivot, but update in any
        // case: a NaN below a zero pivot spreads along its row.
        bool tiny = f64_abs(pv) < 0x1p-1022;
        double r = 1 / pv;
        // u[q] and row[q] are the entries of column j+1+q, for j+1+q < kend.
        double u[GC_LU_NB - 1];
        for (int q = 0; q < GC_LU_NB - 1; q++) {
            u[q] = j + 1 + q < kend ? A[j * n + j + 1 + q] : 0;
        }
        // Two rows in flight at once: both read before either is written.
        for (ll i0 = j + 1 + t; i0 < n; i0 += 2 * T) {
            double l[2], row[2][GC_LU_NB - 1];
            for (int h = 0; h < 2; h++) {
                ll i = i0 + h * T;
                l[h] = i < n ? A[i * n + j] : 0;
                for (int q = 0; q < GC_LU_NB - 1; q++) {
                    row[h][q] = i < n && j + 1 + q < kend ? A[i * n + j + 1 + q] : 0;
                }
            }
            for (int h = 0; h < 2 && i0 + h * T < n; h++) {
                double *R = A + (i0 + h * T) * n;
                if (pv != 0) {
                    l[h] = tiny ? l[h] / pv : l[h] * r;
                    R[j] = l[h];
                }
                double next = 0; // the new a_i(j+1)
                for (int q = 0; q < GC_LU_NB - 1; q++) {
                    if (j + 1 + q < kend) {
                        double a = row[h][q] - l[h] * u[q];
                        R[j + 1 + q] = a;
                        next = q == 0 ? a : next;
                    }
                }
                // Rows j+1 … n−1 of column j+1, each updated by one thread,
                // are the candidates of the next step, thread 0's first:
                // a_(j+1)(j+1).
                if (j + 1 < kend) {
                    diag = i0 + h * T == j + 1 ? next : diag;
                    lu_see(&cand, next, i0 + h * T);
                }
            }
        }
        __syncthreads();
    }
}

// lu_swap_rest applies the row swaps piv[k0] … piv[kend−1] of a panel, in
// order, to the columns of A outside the panel: thread 0 composes them into
// a list of moves, row list[h] taking the entry of row from[h], and each
// thread then moves its columns' entries, all read before any is written.
// scratch is 4·GC_LU_NB + 1 doubles of shared memory; every thread of the
// block calls it.
__device__ void lu_swap_rest(double *A, const double *piv, double *scratch, ll n, ll k0, ll kend) {
    unsigned t = threadIdx.x, T = blockDim.x;
    double *list = scratch, *from = scratch + 2 * GC_LU_NB, *moves = scratch + 4 * GC_LU_NB;
    __syncthreads(); // every thread has done with scratch's last use
    if (t == 0) {
        // The rows the swaps touch, each with the row whose entry it holds.
        int cnt = 0;
        for (ll j = k0; j < kend; j++) {
            ll rs[2] = {j, (ll)piv[j]};
            int at[2];
            for (int e = 0; e < 2; e++) {
                at[e] = -1;
                for (int h = 0; h < cnt; h++) {
                    at[e] = (ll)list[h] == rs[e] ? h : at[e];
                }
                if (at[e] < 0) {
                    at[e] = cnt;
                    list[cnt] = from[cnt] = (double)rs[e];
                    cnt++;
                }
            }
            double tmp = from[at[0]];
            from[at[0]] = from[at[1]];
            from[at[1]] = tmp;
        }
        *moves = cnt;
    }
    __syncthreads();
    int cnt = (int)*moves;
    for (ll c = t; c < n; c += T) {
        if (c >= k0 && c < kend) {
            continue;
        }
        double v[2 * GC_LU_NB];
        GC_UNROLL
        for (int h = 0; h < 2 * GC_LU_NB; h++) {
            v[h] = h < cnt ? A[(ll)from[h] * n + c] : 0;
        }
        GC_UNROLL
        for (int h = 0; h < 2 * GC_LU_NB; h++) {
            if (h < cnt) {
                A[(ll)list[h] * n + c] = v[h];
            }
        }
    }
}

// lu_panel_regs is lu_panel with the panel held in registers: thread t
// holds the entries of rows k0+t+mT, m < GC_LU_PANEL_ROWS, in the panel's
// columns, n − k0 ≤ GC_LU_PANEL_ROWS·T, so that a step reads and writes
// no global memory. Row j, the pivot row's destination, is thread (j−k0)'s
// first; the pivot row's owner posts it in shared memory for every thread
// (its entries right of column j are the step's u), and the owner of row j
// posts row j for the pivot row's owner to take: one barrier besides the
// pivot search's. The row swaps of the columns outside the panel are
// applied at the end, all sixteen at once (lu_swap_rest). The same
// operations in the same order as lu_panel, so the same factors. red is
// lu_pivot_shared(blockDim.x) + GC_LU_PANEL_SHARED doubles of shared
// memory, blockDim.x a power of two of at least GC_LU_NB; every thread of
// the block calls it.
__device__ void lu_panel_regs(double *A, double *piv, double *red, ll n, ll k0, ll kend) {
    unsigned t = threadIdx.x, T = blockDim.x;
    double *rowP = red + lu_pivot_shared(T), *rowJ = rowP + GC_LU_NB;
    double a[GC_LU_PANEL_ROWS][GC_LU_NB];
    GC_UNROLL
    for (int m = 0; m < GC_LU_PANEL_ROWS; m++) {
        ll i = k0 + t + (ll)m * T;
        GC_UNROLL
        for (int q = 0; q < GC_LU_NB; q++) {
            a[m][q] = i < n && k0 + q < kend ? A[i * n + k0 + q] : 0;
        }
    }
    GC_UNROLL
    for (int q = 0; q < GC_LU_NB; q++) {
        ll j = k0 + q;
        if (j >= kend) {
            break;
        }
        // Thread q sees row j first, and keeps a_jj.
        lu_cand cand = lu_none();
        double diag = 0;
        GC_UNROLL
        for (int m = 0; m < GC_LU_PANEL_ROWS; m++) {
            ll i = k0 + t + (ll)m * T;
            if (i >= j && i < n) {
                diag = i == j ? a[m][q] : diag;
                lu_see(&cand, a[m][q], i);
            }
        }
        double pv;
        ll p = lu_pivot(cand, diag, (unsigned)q, piv, red, j, &pv);
        // The row that ends up at j: the pivot row, unless Dgetf2 would not
        // swap (p == j, or a zero pivot).
        bool swap = pv != 0 && p != j;
        ll src = swap ? p : j;
        unsigned owner = (unsigned)((src - k0) % T);
        int slot = (int)((src - k0) / T);
        // rowP, rowJ were last read before the pivot search's barrier.
        if (t == owner) {
            GC_UNROLL
            for (int m = 0; m < GC_LU_PANEL_ROWS; m++) {
                if (m == slot) {
                    GC_UNROLL
                    for (int c = 0; c < GC_LU_NB; c++) {
                        rowP[c] = a[m][c];
                    }
                }
            }
        }
        if (swap && t == (unsigned)q) {
            GC_UNROLL
            for (int c = 0; c < GC_LU_NB; c++) {
                rowJ[c] = a[0][c];
            }
        }
        __syncthreads();
        if (swap && t == (unsigned)q) {
            GC_UNROLL
            for (int c = 0; c < GC_LU_NB; c++) {
                a[0][c] = rowP[c];
            }
        }
        if (swap && t == owner) {
            GC_UNROLL
            for (int m = 0; m < GC_LU_PANEL_ROWS; m++) {
                if (m == slot) {
                    GC_UNROLL
                    for (int c = 0; c < GC_LU_NB; c++) {
                        a[m][c] = rowJ[c];
                    }
                }
            }
        }
        // As lu_panel: scale below a nonzero pivot, update in any case.
        bool tiny = f64_abs(pv) < 0x1p-1022;
        double r = 1 / pv;
        GC_UNROLL
        for (int m = 0; m < GC_LU_PANEL_ROWS; m++) {
            ll i = k0 + t + (ll)m * T;
            if (i > j && i < n) {
                double l = a[m][q];
                if (pv != 0) {
                    l = tiny ? l / pv : l * r;
                    a[m][q] = l;
                }
                GC_UNROLL
                for (int c = q + 1; c < GC_LU_NB; c++) {
                    a[m][c] = a[m][c] - l * rowP[c];
                }
            }
        }
    }
    GC_UNROLL
    for (int m = 0; m < GC_LU_PANEL_ROWS; m++) {
        ll i = k0 + t + (ll)m * T;
        GC_UNROLL
        for (int q = 0; q < GC_LU_NB; q++) {
            if (i < n && k0 + q < kend) {
                A[i * n + k0 + q] = a[m][q];
            }
        }
    }
    lu_swap_rest(A, piv, rowP, n, k0, kend);
}

// lu_forward overwrites the rows r0 … r1−1 of the column c of X (leading
// dimension ldx) with the solution of the unit lower triangular system
// whose matrix is the diagonal block r0 … r1−1 of the factors A (n×n):
// x_r − Σ_{q=r0}^{r−1} a_rq·x_q, q in order.
__device__ void lu_forward(double *X, ll ldx, const double *A, ll n, ll r0, ll r1, ll c) {
    for (ll r = r0 + 1; r < r1; r++) {
        double s = X[r * ldx + c];
        for (ll q = r0; q < r; q++) {
            s = s - A[r * n + q] * X[q * ldx + c];
        }
        X[r * ldx + c] = s;
    }
}

// lu_backward is lu_forward for the upper triangle, diagonal included:
// (x_r − Σ_{q=r+1}^{r1−1} a_rq·x_q)/a_rr, from row r1−1 up.
__device__ void lu_backward(double *X, ll ldx, const double *A, ll n, ll r0, ll r1, ll c) {
    for (ll r = r1 - 1; r >= r0; r--) {
        double s = X[r * ldx + c];
        for (ll q = r + 1; q < r1; q++) {
            s = s - A[r * n + q] * X[q * ldx + c];
        }
        X[r * ldx + c] = s / A[r * n + r];
    }
}

// lu_block_solve is lu_forward (upper false) or lu_backward (upper true)
// for a diagonal block of at most GC_LU_NB rows, r1 − r0 ≤ GC_LU_NB: the
// same operations in the same order, on the column held in registers (x),
// loaded before and stored after, so that its loads need not wait for its
// stores (X and A might alias, for all the compiler knows). x keeps the
// solution.
__device__ void lu_block_solve(bool upper, double *x, double *X, ll ldx, const double *A, ll n,
                               ll r0, ll r1, ll c) {
    for (int q = 0; q < GC_LU_NB; q++) {
        x[q] = r0 + q < r1 ? X[(r0 + q) * ldx + c] : 0;
    }
    if (upper) {
        GC_UNROLL
        for (int r = GC_LU_NB - 1; r >= 0; r--) {
            if (r0 + r < r1) {
                const double *Ar = A + (r0 + r) * n + r0;
                double s = x[r];
                GC_UNROLL
                for (int q = r + 1; q < GC_LU_NB; q++) {
                    if (r0 + q < r1) {
                        s = s - Ar[q] * x[q];
                    }
                }
                x[r] = s / Ar[r];
            }
        }
    } else {
        GC_UNROLL
        for (int r = 1; r < GC_LU_NB; r++) {
            if (r0 + r < r1) {
                const double *Ar = A + (r0 + r) * n + r0;
                double s = x[r];
                GC_UNROLL
                for (int q = 0; q < r; q++) {
                    s = s - Ar[q] * x[q];
                }
                x[r] = s;
            }
        }
    }
    for (int q = 0; q < GC_LU_NB; q++) {
        if (r0 + q < r1) {
            X[(r0 + q) * ldx + c] = x[q];
        }
    }
}

// lu_substitute is lu_forward (upper false) or lu_backward (upper true) for
// the rows r0 … r1−1 of column c, r1 − r0 ≤ GC_LU_OUTER, by blocks of
// GC_LU_NB rows: each block solved in registers (lu_block_solve), then its
// terms subtracted from the rows of r0 … r1−1 after it (below it for L,
// above it for U), GC_LU_INFLIGHT rows at a time, read before any is
// written (the compiler cannot tell that X and A differ), each in the
// order of q. Each entry gets the same operations in the same order as
// from a substitution per block with products between them, which is how
// package gpu substituted before gc_lu_trsm took whole outer blocks, in
// one pass.
__device__ void lu_substitute(bool upper, double *X, ll ldx, const double *A, ll n, ll r0, ll r1,
                              ll c) {
    ll blocks = (r1 - r0 + GC_LU_NB - 1) / GC_LU_NB;
    for (ll b = 0; b < blocks; b++) {
        ll k0 = r0 + (upper ? blocks - 1 - b : b) * GC_LU_NB;
        ll kend = k0 + GC_LU_NB < r1 ? k0 + GC_LU_NB : r1;
        double x[GC_LU_NB];
        lu_block_solve(upper, x, X, ldx, A, n, k0, kend, c);
        ll lo = upper ? r0 : kend, hi = upper ? k0 : r1;
        for (ll r = lo; r < hi; r += GC_LU_INFLIGHT) {
            double s[GC_LU_INFLIGHT];
            GC_UNROLL
            for (int h = 0; h < GC_LU_INFLIGHT; h++) {
                s[h] = r + h < hi ? X[(r + h) * ldx + c] : 0;
            }
            GC_UNROLL
            for (int h = 0; h < GC_LU_INFLIGHT; h++) {
                const double *Ar = A + (r + h) * n + k0;
                GC_UNROLL
                for (int q = 0; q < GC_LU_NB; q++) {
                    if (r + h < hi && k0 + q < kend) {
                        s[h] = s[h] - Ar[q] * x[q];
                    }
                }
            }
            GC_UNROLL
            for (int h = 0; h < GC_LU_INFLIGHT; h++) {
                if (r + h < hi) {
                    X[(r + h) * ldx + c] = s[h];
                }
            }
        }
    }
}

// lu_factor overwrites the n×n matrix A with its LU factors, L\U with L
// unit lower triangular, by panels (lu_panel): after each, the rows of U
// right of it by forward substitution, a column per thread, and the
// trailing matrix tile by tile, each entry a_ic − Σ_q l_iq·u_qc with q in
// order, the tiles of L and U read once into shared memory. red is scratch
// of lu_pivot_shared(blockDim.x) + GC_LU_SCRATCH doubles in shared memory.
__device__ void lu_factor(double *A, double *piv, double *red, ll n) {
    unsigned t = threadIdx.x, T = blockDim.x;
    double *Ls = red + lu_pivot_shared(T), *Us = Ls + GC_LU_NB * (GC_LU_NB + 1);
    for (ll k0 = 0; k0 < n; k0 += GC_LU_NB) {
        ll kend = k0 + GC_LU_NB < n ? k0 + GC_LU_NB : n;
        lu_panel(A, piv, red, n, k0, kend);
        if (kend == n) {
            break;
        }
        for (ll c = kend + t; c < n; c += T) {
            lu_substitute(false, A, n, A, n, k0, kend, c);
        }
        __syncthreads();
        unsigned nb = (unsigned)(kend - k0);
        for (ll i0 = kend; i0 < n; i0 += GC_LU_NB) {
            for (ll c0 = kend; c0 < n; c0 += GC_LU_NB) {
                for (unsigned e = t; e < GC_LU_NB * GC_LU_NB; e += T) {
                    unsigned r = e / GC_LU_NB, q = e % GC_LU_NB; // constant divisor: a shift
                    ll i = i0 + r, c = c0 + q;
                    Ls[r * (GC_LU_NB + 1) + q] = i < n && q < nb ? A[i * n + k0 + q] : 0;
                    Us[r * GC_LU_NB + q] = r < nb && c < n ? A[(k0 + r) * n + c] : 0;
                }
                __syncthreads();
                for (unsigned e = t; e < GC_LU_NB * GC_LU_NB; e += T) {
                    unsigned r = e / GC_LU_NB, cc = e % GC_LU_NB;
                    ll i = i0 + r, c = c0 + cc;
                    if (i < n && c < n) {
                        double s = A[i * n + c];
                        for (unsigned q = 0; q < nb; q++) {
                            s = s - Ls[r * (GC_LU_NB + 1) + q] * Us[q * GC_LU_NB + cc];
                        }
                        A[i * n + c] = s;
                    }
                }
                __syncthreads();
            }
        }
    }
}

// lu_singular says whether the factors A (n×n) have an exact zero pivot.
__device__ bool lu_singular(const double *A, ll n) {
    for (ll i = 0; i < n; i++) {
        if (A[i * n + i] == 0) {
            return true;
        }
    }
    return false;
}

// lu_compose writes to perm, as doubles, the permutation that the row swaps
// piv[0], piv[1], … of the factors of an n×n matrix make, applied in order
// to the indices 0 … n−1: row r of P·X is row perm[r] of X. With reverse
// set, the swaps go from the last to the first, which composes the
// inverse permutation: column c of X·P is column perm[c] of X.
__device__ void lu_compose(double *perm, const double *piv, ll n, bool reverse) {
    for (ll i = 0; i < n; i++) {
        perm[i] = (double)i;
    }
    for (ll h = 0; h < n; h++) {
        ll i = reverse ? n - 1 - h : h, p = (ll)piv[i];
        double tmp = perm[i];
        perm[i] = perm[p];
        perm[p] = tmp;
    }
}

// lu_det returns, from the factors A and pivots piv of an n×n matrix, its
// determinant (GC_LU_DET): the product of the diagonal of U taken in order,
// starting from −1 for an odd permutation; or its log-determinant
// (GC_LU_LOGDET): Σ log|u_ii| (Go's math.Log, summed in order), −Inf for a
// zero pivot and NaN for a negative determinant. Both are the CPU backend's
// arithmetic.
__device__ double lu_det(ll mode, const double *A, const double *piv, ll n) {
    bool odd = false;
    for (ll i = 0; i < n; i++) {
        odd = odd != ((ll)piv[i] != i);
    }
    if (mode == GC_LU_DET) {
        double d = odd ? -1.0 : 1.0;
        for (ll i = 0; i < n; i++) {
            d = d * A[i * n + i];
        }
        return d;
    }
    double s = 0;
    for (ll i = 0; i < n; i++) {
        double u = A[i * n + i];
        if (u < 0) {
            odd = !odd;
        }
        s = s + go_log(f64_abs(u));
    }
    return (odd && !(f64_isinf(s) && s < 0)) ? f64_nan() : s;
}

// gc_lu factorizes count n×n matrices, one block per matrix, in dynamic
// shared memory, which must hold n² + 2n + lu_pivot_shared(blockDim.x) +
// GC_LU_SCRATCH doubles (blockDim.x a power of two), and writes by mode:
// GC_LU_DET the determinants, GC_LU_LOGDET the log-determinants, GC_LU_INV
// the inverses. Blocks loop over matrices when there are more than
// gridDim.x.
//
// Column c of the inverse A⁻¹ = U⁻¹L⁻¹P is U⁻¹L⁻¹e_r with r = perm[c], the
// inverse permutation of the pivots (lu_compose): by forward substitution
// from row r, above which L⁻¹e_r is zero, then back substitution, one
// column per thread. An exactly singular U gives a matrix of NaN, as the
// CPU backend does.
extern "C" __global__ void gc_lu(ll mode, double *out, const double *a, ll count, ll n) {
    GC_DYNAMIC_SHARED(smem);
    ll nn = n * n;
    double *A = smem, *piv = smem + nn, *perm = piv + n, *red = perm + n;
    for (ll j = blockIdx.x; j < count; j += gridDim.x) {
        for (ll e = threadIdx.x; e < nn; e += blockDim.x) {
            A[e] = a[j * nn + e];
        }
        __syncthreads();
        lu_factor(A, piv, red, n);
        if (mode == GC_LU_INV) {
            if (threadIdx.x == 0) {
                lu_compose(perm, piv, n, true);
            }
            __syncthreads();
            double *X = out + j * nn;
            bool singular = lu_singular(A, n);
            for (ll c = threadIdx.x; c < n; c += blockDim.x) {
                ll r = (ll)perm[c];
                for (ll i = 0; i < n; i++) {
                    X[i * n + c] = singular ? f64_nan() : (i == r ? 1.0 : 0.0);
                }
                if (!singular) {
                    lu_forward(X, n, A, n, r, n, c);
                    lu_backward(X, n, A, n, 0, n, c);
                }
            }
        } else if (threadIdx.x == 0) {
            out[j] = lu_det(mode, A, piv, n);
        }
        __syncthreads();
    }
}

// gc_lu_panel factors the panel of columns k0 … k0+GC_LU_NB−1 (lu_panel) of
// count n×n matrices held one after another in lu, with their pivots in
// piv (n per matrix), one block per matrix.
extern "C" __global__ void gc_lu_panel(double *lu, double *piv, ll count, ll n, ll k0) {
    GC_DYNAMIC_SHARED(red);
    ll kend = k0 + GC_LU_NB < n ? k0 + GC_LU_NB : n;
    for (ll j = blockIdx.x; j < count; j += gridDim.x) {
        lu_panel(lu + j * n * n, piv + j * n, red, n, k0, kend);
    }
}

// gc_lu_panel_regs is gc_lu_panel with the panel in registers
// (lu_panel_regs), for n − k0 ≤ GC_LU_PANEL_ROWS·blockDim.x.
extern "C" __global__ void gc_lu_panel_regs(double *lu, double *piv, ll count, ll n, ll k0) {
    GC_DYNAMIC_SHARED(red);
    ll kend = k0 + GC_LU_NB < n ? k0 + GC_LU_NB : n;
    for (ll j = blockIdx.x; j < count; j += gridDim.x) {
        lu_panel_regs(lu + j * n * n, piv + j * n, red, n, k0, kend);
    }
}

// gc_lu_trsm substitutes the rows r0 … r1−1 (r1 − r0 ≤ GC_LU_OUTER) of the
// ncols columns of X (matrix j at x + j·sx, leading dimension ldx) against
// the diagonal block r0 … r1−1 of the factors of matrix j/ra in lu (n×n
// each, one after another): forward with the unit lower triangle, or
// backward with the upper one when upper is 1 (lu_substitute). One thread
// per column; the grid is (column blocks, matrices), the blocks looping
// over matrices beyond gridDim.y.
extern "C" __global__ void gc_lu_trsm(ll upper, double *x, const double *lu, ll count, ll n,
                                      ll ncols, ll ldx, ll sx, ll r0, ll r1, ll ra) {
    ll c = (ll)blockIdx.x * blockDim.x + threadIdx.x;
    if (c >= ncols) {
        return;
    }
    for (ll j = blockIdx.y; j < count; j += gridDim.y) {
        lu_substitute(upper != 0, x + j * sx, ldx, lu + (j / ra) * n * n, n, r0, r1, c);
    }
}

// gc_lu_perm writes for each of count matrices, one thread per matrix, the
// permutation of its pivots in piv (lu_compose), n indices per matrix.
extern "C" __global__ void gc_lu_perm(double *perm, const double *piv, ll count, ll n, ll reverse) {
    for (ll j = grid_start(); j < count; j += grid_threads()) {
        lu_compose(perm + j * n, piv + j * n, n, reverse != 0);
    }
}

// gc_lu_gather permutes the rows (cols 0) or the columns (cols 1) of
// count rows×ncols matrices: entry (r, c) of matrix j of out is entry
// (perm[r], c), or (r, perm[c]), of matrix j/rx of x, where perm is the
// permutation j/rp of gc_lu_perm. One thread per entry of out: its writes
// are coalesced, its reads of x are where the permutation sends them.
extern "C" __global__ void gc_lu_gather(ll cols, double *out, const double *x, const double *perm,
                                        ll count, ll rows, ll ncols, ll rx, ll rp) {
    ll size = rows * ncols, total = count * size, n = cols ? ncols : rows;
    for (ll t = grid_start(); t < total; t += grid_threads()) {
        ll j = t / size, e = t - j * size, r = e / ncols, c = e - r * ncols;
        const double *p = perm + (j / rp) * n;
        ll from = cols ? r * ncols + (ll)p[c] : (ll)p[r] * ncols + c;
        out[t] = x[(j / rx) * size + from];
    }
}

// gc_lu_det writes for each of count matrices, from its factors and
// pivots, one thread per matrix, by mode: the determinant or
// log-determinant (lu_det), or with GC_LU_MASK NaN where the factors have an
// exact zero pivot and 1 elsewhere; scaling an inverse or a solution by the
// mask (gc_scale) leaves a matrix of NaN for a singular one, as the CPU
// backend does, and the others unchanged.
extern "C" __global__ void gc_lu_det(ll mode, double *out, const double *lu, const double *piv,
                                     ll count, ll n) {
    for (ll j = grid_start(); j < count; j += grid_threads()) {
        const double *A = lu + j * n * n;
        if (mode == GC_LU_MASK) {
            out[j] = lu_singular(A, n) ? f64_nan() : 1.0;
        } else {
            out[j] = lu_det(mode, A, piv + j * n, n);
        }
    }
}
