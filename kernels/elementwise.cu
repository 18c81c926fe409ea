// elementwise.cu: entry-by-entry operations on batches of matrices.
//
// Broadcasting (package backend): an operand of count c among a result of
// count C is read as matrix j/(C/c) for result matrix j; the callers pass
// that ratio as ra, rb or rs.
#include "gradcheck.cuh"

// GC_BINARY defines a kernel out[j] = a[j/ra] op b[j/rb], entry by entry,
// for count matrices of size entries.
#define GC_BINARY(name, expr)                                                                   \
    extern "C" __global__ void name(double *out, const double *a, const double *b, ll count,   \
                                    ll size, ll ra, ll rb) {                                    \
        ll total = count * size;                                                                \
        for (ll t = grid_start(); t < total; t += grid_threads()) {                             \
            ll j = t / size, i = t - j * size;                                                  \
            double x = a[(j / ra) * size + i], y = b[(j / rb) * size + i];                      \
            out[t] = (expr);                                                                    \
        }                                                                                       \
    }

GC_BINARY(gc_add, x + y)
GC_BINARY(gc_sub, x - y)
GC_BINARY(gc_mul, x * y)
GC_BINARY(gc_div, x / y)
GC_BINARY(gc_pow, go_pow(x, y))

// GC_MAP defines a kernel out = f(a) over total entries.
#define GC_MAP(name, expr)                                                                      \
    extern "C" __global__ void name(double *out, const double *a, ll total) {                   \
        for (ll t = grid_start(); t < total; t += grid_threads()) {                             \
            double x = a[t];                                                                    \
            out[t] = (expr);                                                                    \
        }                                                                                       \
    }

GC_MAP(gc_neg, -x)
GC_MAP(gc_exp, go_exp(x))
GC_MAP(gc_log, go_log(x))
GC_MAP(gc_sqrt, sqrt(x))
GC_MAP(gc_abs, f64_abs(x))
GC_MAP(gc_tanh, go_tanh(x))

// gc_add_scaled writes x + s·h: matrix j/rx of x plus matrix j/rh of h
// times the scalar s[j/rs], for count result matrices of size entries. The
// product is rounded before the sum (__dmul_rn, __dadd_rn: no contraction
// into a fused multiply-add), as on the CPU.
extern "C" __global__ void gc_add_scaled(double *out, const double *x, const double *s,
                                         const double *h, ll count, ll size, ll rx, ll rs,
                                         ll rh) {
    ll total = count * size;
    for (ll t = grid_start(); t < total; t += grid_threads()) {
        ll j = t / size, i = t - j * size;
        out[t] = __dadd_rn(x[(j / rx) * size + i], __dmul_rn(s[j / rs], h[(j / rh) * size + i]));
    }
}

// gc_scale multiplies matrix j/ra of a by the scalar s[j/rs], for count
// result matrices of size entries.
extern "C" __global__ void gc_scale(double *out, const double *s, const double *a, ll count,
                                    ll size, ll rs, ll ra) {
    ll total = count * size;
    for (ll t = grid_start(); t < total; t += grid_threads()) {
        ll j = t / size, i = t - j * size;
        out[t] = s[j / rs] * a[(j / ra) * size + i];
    }
}
