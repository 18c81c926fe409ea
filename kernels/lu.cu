// lu.cu: LU factorization with partial pivoting, one block per matrix, and
// what is read off it: determinants, log-determinants and inverses.
#include "gradcheck.cuh"

// Modes of gc_lu.
#define GC_LU_DET 0
#define GC_LU_LOGDET 1
#define GC_LU_INV 2

// lu_factor overwrites the n×n matrix A (row-major) with its LU factors,
// L\U with L unit lower triangular, recording in piv[j] the row swapped
// with row j at step j. red is scratch of 2·blockDim.x doubles in shared
// memory, and blockDim.x a power of two. Every thread of the block calls
// it.
//
// The arithmetic is gonum's Dgetf2 (the path lapack64.Getrf takes for
// n ≤ 64), step for step: the pivot is the first entry of largest
// magnitude (Idamax: an entry that is NaN is never chosen unless it is the
// first), rows are swapped whole, the column below the pivot is multiplied
// by 1/pivot, and the trailing matrix gets a_ik − a_ij·a_jk. Each entry is
// touched by one thread per step, so without fused multiply-adds (the
// emulation) the factors are bit-identical to the CPU backend's; on a GPU
// the update may be fused. (Dgetf2 divides instead of multiplying by the
// reciprocal when |pivot| < 2^−1022; there, and only there, this kernel
// divides each entry where Dgetf2 repeats the first division.)
__device__ void lu_factor(double *A, double *piv, double *red, ll n) {
    unsigned t = threadIdx.x, T = blockDim.x;
    for (ll j = 0; j < n; j++) {
        // Each thread scans its rows j+t, j+t+T, … for the first largest
        // |a_ij| (NaN never), then a tree over the threads keeps the
        // largest, the lower row on ties.
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
        ll p = (ll)piv[j];
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
        // The trailing update, with no division in the loops: where the
        // trailing matrix is at least as wide as the block, the threads
        // sweep each row; else they split into T/rest groups of rest
        // threads, one column each, the groups taking every (T/rest)th row.
        unsigned rest = (unsigned)(n - j - 1);
        if (rest >= T) {
            for (ll i = j + 1; i < n; i++) {
                double l = A[i * n + j];
                for (ll c = j + 1 + t; c < n; c += T) {
                    A[i * n + c] = A[i * n + c] - l * A[j * n + c];
                }
            }
        } else if (rest > 0) {
            unsigned groups = T / rest, g = t / rest;
            ll c = j + 1 + (t - g * rest);
            if (g < groups) {
                for (ll i = j + 1 + g; i < n; i += groups) {
                    A[i * n + c] = A[i * n + c] - A[i * n + j] * A[j * n + c];
                }
            }
        }
        __syncthreads();
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
// in dynamic shared memory, which must hold n² + n + 2·blockDim.x doubles. Otherwise work holds
// count·(n² + n) doubles of global memory, the factors and pivots of each
// matrix, and shared memory only 2·blockDim.x.
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
