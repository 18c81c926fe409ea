// shape.cu: kernels that move entries: identity, transpose, Kronecker
// product, diagonal matrices and diagonals. One thread per output entry, in
// a grid-stride loop, so that writes are coalesced.
#include "gradcheck.cuh"

// gc_eye writes the n×n identity.
extern "C" __global__ void gc_eye(double *out, ll n) {
    ll total = n * n;
    for (ll t = grid_start(); t < total; t += grid_threads()) {
        out[t] = (t / n == t % n) ? 1.0 : 0.0;
    }
}

// gc_transpose writes the c×r transposes of count r×c matrices.
extern "C" __global__ void gc_transpose(double *out, const double *a, ll count, ll r, ll c) {
    ll size = r * c, total = count * size;
    for (ll t = grid_start(); t < total; t += grid_threads()) {
        ll j = t / size, rem = t - j * size;
        ll k = rem / r, i = rem - k * r; // out[j] entry (k, i)
        out[t] = a[j * size + i * c + k];
    }
}

// gc_kron writes the Kronecker products a[j/ra] ⊗ b[j/rb] of m×n and p×q
// matrices, count (mp)×(nq) results.
extern "C" __global__ void gc_kron(double *out, const double *a, const double *b, ll count, ll m,
                                   ll n, ll p, ll q, ll ra, ll rb) {
    ll cols = n * q, size = m * p * cols, total = count * size;
    for (ll t = grid_start(); t < total; t += grid_threads()) {
        ll j = t / size, rem = t - j * size;
        ll row = rem / cols, col = rem - row * cols;
        ll i = row / p, r = row - i * p;
        ll k = col / q, l = col - k * q;
        out[t] = a[(j / ra) * m * n + i * n + k] * b[(j / rb) * p * q + r * q + l];
    }
}

// gc_diag writes the n×n diagonal matrices of count n-vectors.
extern "C" __global__ void gc_diag(double *out, const double *a, ll count, ll n) {
    ll size = n * n, total = count * size;
    for (ll t = grid_start(); t < total; t += grid_threads()) {
        ll j = t / size, rem = t - j * size;
        ll r = rem / n, c = rem - r * n;
        out[t] = r == c ? a[j * n + r] : 0.0;
    }
}

// gc_diagof writes the diagonals (n-vectors) of count n×n matrices.
extern "C" __global__ void gc_diagof(double *out, const double *a, ll count, ll n) {
    ll total = count * n;
    for (ll t = grid_start(); t < total; t += grid_threads()) {
        ll j = t / n, i = t - j * n;
        out[t] = a[j * n * n + i * n + i];
    }
}

// gc_copy writes count matrices of size entries, matrix j a copy of matrix
// j/ra of a.
extern "C" __global__ void gc_copy(double *out, const double *a, ll count, ll size, ll ra) {
    ll total = count * size;
    for (ll t = grid_start(); t < total; t += grid_threads()) {
        ll j = t / size;
        out[t] = a[(j / ra) * size + (t - j * size)];
    }
}

// gc_gather writes count matrices of size entries, matrix j a copy of
// matrix index[j] of a.
extern "C" __global__ void gc_gather(double *out, const double *a, const ll *index, ll count, ll size) {
    ll total = count * size;
    for (ll t = grid_start(); t < total; t += grid_threads()) {
        ll j = t / size;
        out[t] = a[index[j] * size + (t - j * size)];
    }
}
