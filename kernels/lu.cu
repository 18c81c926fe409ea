// lu.cu: LU factorization with partial pivoting, one block per matrix, and
// what is read off it: determinants, log-determinants and inverses.
#include "gradcheck.cuh"

// Modes of gc_lu.
#define GC_LU_DET 0
#define GC_LU_LOGDET 1
#define GC_LU_INV 2

// GC_LU_NB is the width of the panels of lu_factor and the edge of the
// tiles of its trailing updates; GC_LU_SCRATCH is the shared memory those
// tiles take, in doubles (the rows of the left tile padded by one, against
// bank conflicts).
#define GC_LU_NB 16
#define GC_LU_SCRATCH (GC_LU_NB * (GC_LU_NB + 1) + GC_LU_NB * GC_LU_NB)

// lu_pivot returns to every thread of the block the pivot row of step j:
// the first row i ≥ j of largest |a_ij|, never one whose entry is NaN
// (Idamax), and j when a_jj is NaN or every candidate is. Each thread scans
// its rows j+t, j+t+T, …, and a tree over the threads keeps the largest, the
// lower row on ties. red is 2·blockDim.x doubles of shared memory.
__device__ ll lu_pivot(const double *A, double *piv, double *red, ll n, ll j) {
    unsigned t = threadIdx.x, T = blockDim.x;
    double best = -1;
    ll besti = -1;
    for (ll i = j + t; i < n; i += T) {
        double v = f64_abs(A[i * n + j]);
        if (v > best) { // false for NaN
            best = v;
            besti = i;
        }
    }
    red[t] = best;
    red[T + t] = (double)besti;
    __syncthreads();
    for (unsigned s = T / 2; s > 0; s >>= 1) {
        if (t < s) {
            double v = red[t + s];
            ll i = (ll)red[T + t + s], k = (ll)red[T + t];
            if (i >= 0 && (k < 0 || v > red[t] || (v == red[t] && i < k))) {
                red[t] = v;
                red[T + t] = (double)i;
            }
        }
        __syncthreads();
    }
    if (t == 0) {
        ll p = (ll)red[T];
        piv[j] = (double)(p >= 0 && !f64_isnan(A[j * n + j]) ? p : j);
    }
    __syncthreads();
    return (ll)piv[j];
}

// lu_factor overwrites the n×n matrix A (row-major) with its LU factors,
// L\U with L unit lower triangular, recording in piv[j] the row swapped
// with row j at step j. red is scratch of 2·blockDim.x + GC_LU_SCRATCH
// doubles in shared memory, and blockDim.x a power of two. Every thread of
// the block calls it.
//
// The arithmetic is gonum's Dgetf2 (the path lapack64.Getrf takes for
// n ≤ 64): at step j the pivot is the first entry of largest magnitude
// (lu_pivot), rows are swapped whole, the column below the pivot is
// multiplied by 1/pivot, and every entry right of and below the pivot gets
// a_ik − a_ij·a_jk. Those updates are applied by panels of GC_LU_NB
// columns (a right-looking blocked factorization): within the panel step by
// step; to the rows of U right of it by forward substitution; to the
// trailing matrix tile by tile, each tile of L and U read once into shared
// memory. Each entry still receives the same updates in the same order
// (a row swap moves rows that lag by the same updates), so without fused
// multiply-adds (the emulation) the factors are bit-identical to Dgetf2's,
// and the CPU backend's; on a GPU the updates may be fused. (Dgetf2 divides
// instead of multiplying by the reciprocal when |pivot| < 2^−1022; there,
// and only there, this kernel divides each entry where Dgetf2 repeats the
// first division.) No loop divides 64-bit integers.
__device__ void lu_factor(double *A, double *piv, double *red, ll n) {
    unsigned t = threadIdx.x, T = blockDim.x;
    double *Ls = red + 2 * T, *Us = Ls + GC_LU_NB * (GC_LU_NB + 1);
    for (ll k0 = 0; k0 < n; k0 += GC_LU_NB) {
        ll kend = k0 + GC_LU_NB < n ? k0 + GC_LU_NB : n;
        // The panel, columns k0 … kend−1, step by step.
        for (ll j = k0; j < kend; j++) {
            ll p = lu_pivot(A, piv, red, n, j);
            double pv = A[p * n + j];
            __syncthreads();
            if (pv != 0) {
                if (p != j) {
                    for (ll c = t; c < n; c += T) {
                        double tmp = A[j * n + c];
                        A[j * n + c] = A[p * n + c];
                        A[p * n + c] = tmp;
                    }
                }
                __syncthreads();
                if (f64_abs(pv) >= 0x1p-1022) {
                    double r = 1 / pv;
                    for (ll i = j + 1 + t; i < n; i += T) {
                        A[i * n + j] = A[i * n + j] * r;
                    }
                } else {
                    for (ll i = j + 1 + t; i < n; i += T) {
                        A[i * n + j] = A[i * n + j] / pv;
                    }
                }
                __syncthreads();
            }
            // The rest of the panel's columns: swept by the block row by
            // row when they are at least as many as its threads, else split
            // among T/width groups of width threads, the groups taking
            // every (T/width)th row.
            unsigned width = (unsigned)(kend - j - 1);
            if (width >= T) {
                for (ll i = j + 1; i < n; i++) {
                    for (ll c = j + 1 + t; c < kend; c += T) {
                        A[i * n + c] = A[i * n + c] - A[i * n + j] * A[j * n + c];
                    }
                }
            } else if (width > 0) {
                unsigned groups = T / width, g = t / width;
                ll c = j + 1 + (t - g * width);
                if (g < groups) {
                    for (ll i = j + 1 + g; i < n; i += groups) {
                        A[i * n + c] = A[i * n + c] - A[i * n + j] * A[j * n + c];
                    }
                }
            }
            __syncthreads();
        }
        if (kend == n) {
            break;
        }
        // The rows k0 … kend−1 of U right of the panel: forward
        // substitution with the panel's unit lower triangle, a column per
        // thread.
        for (ll c = kend + t; c < n; c += T) {
            for (ll r = k0 + 1; r < kend; r++) {
                double s = A[r * n + c];
                for (ll q = k0; q < r; q++) {
                    s = s - A[r * n + q] * A[q * n + c];
                }
                A[r * n + c] = s;
            }
        }
        __syncthreads();
        // The trailing matrix, tile by tile: a_ic − Σ_q l_iq·u_qc, q in
        // order, the tiles of L (rows i, columns k0 …) and of U (rows k0 …,
        // columns c) in shared memory.
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

// lu_inverse writes into out (n×n, row-major) the inverse of the matrix
// whose factors lu_factor left in A and piv: column c of the inverse is
// U⁻¹L⁻¹(P e_c), by forward and back substitution, one column per thread,
// using the column of out as its vector. An exactly singular U gives a
// matrix of NaN, as the CPU backend does.
__device__ void lu_inverse(double *out, const double *A, const double *piv, ll n) {
    bool singular = false;
    for (ll i = 0; i < n; i++) {
        singular = singular || A[i * n + i] == 0;
    }
    for (ll c = threadIdx.x; c < n; c += blockDim.x) {
        if (singular) {
            for (ll i = 0; i < n; i++) {
                out[i * n + c] = f64_nan();
            }
            continue;
        }
        for (ll i = 0; i < n; i++) {
            out[i * n + c] = i == c ? 1.0 : 0.0;
        }
        for (ll i = 0; i < n; i++) {
            ll p = (ll)piv[i];
            if (p != i) {
                double tmp = out[i * n + c];
                out[i * n + c] = out[p * n + c];
                out[p * n + c] = tmp;
            }
        }
        for (ll i = 1; i < n; i++) {
            double s = out[i * n + c];
            for (ll l = 0; l < i; l++) {
                s = s - A[i * n + l] * out[l * n + c];
            }
            out[i * n + c] = s;
        }
        for (ll i = n - 1; i >= 0; i--) {
            double s = out[i * n + c];
            for (ll l = i + 1; l < n; l++) {
                s = s - A[i * n + l] * out[l * n + c];
            }
            out[i * n + c] = s / A[i * n + i];
        }
    }
}

// gc_lu factorizes count n×n matrices, one block per matrix, and writes by
// mode: GC_LU_DET the determinants, GC_LU_LOGDET the log-determinants,
// GC_LU_INV the inverses. Blocks loop over matrices when there are more
// than gridDim.x.
//
// blockDim.x must be a power of two. With work null, a matrix is factorized
// in dynamic shared memory, which must hold n² + n + 2·blockDim.x +
// GC_LU_SCRATCH doubles. Otherwise work holds count·(n² + n) doubles of
// global memory, the factors and pivots of each matrix, and shared memory
// only 2·blockDim.x + GC_LU_SCRATCH.
//
// The determinant is the product of the diagonal of U taken in order,
// starting from −1 for an odd permutation; the log-determinant is
// Σ log|u_ii| (Go's math.Log, summed in order), −Inf for a zero pivot and
// NaN for a negative determinant. Both are the CPU backend's arithmetic.
extern "C" __global__ void gc_lu(ll mode, double *out, const double *a, double *work, ll count,
                                 ll n) {
    GC_DYNAMIC_SHARED(smem);
    ll nn = n * n;
    for (ll j = blockIdx.x; j < count; j += gridDim.x) {
        double *A, *piv, *red;
        if (work == 0) {
            A = smem;
            piv = smem + nn;
            red = piv + n;
        } else {
            A = work + j * (nn + n);
            piv = A + nn;
            red = smem;
        }
        for (ll e = threadIdx.x; e < nn; e += blockDim.x) {
            A[e] = a[j * nn + e];
        }
        __syncthreads();
        lu_factor(A, piv, red, n);
        if (mode == GC_LU_INV) {
            lu_inverse(out + j * nn, A, piv, n);
        } else if (threadIdx.x == 0) {
            bool odd = false;
            for (ll i = 0; i < n; i++) {
                odd = odd != ((ll)piv[i] != i);
            }
            if (mode == GC_LU_DET) {
                double d = odd ? -1.0 : 1.0;
                for (ll i = 0; i < n; i++) {
                    d = d * A[i * n + i];
                }
                out[j] = d;
            } else {
                double s = 0;
                for (ll i = 0; i < n; i++) {
                    double u = A[i * n + i];
                    if (u < 0) {
                        odd = !odd;
                    }
                    s = s + go_log(f64_abs(u));
                }
                out[j] = (odd && !(f64_isinf(s) && s < 0)) ? f64_nan() : s;
            }
        }
        __syncthreads();
    }
}
