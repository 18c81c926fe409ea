// activations.cu: the activation functions of the expression language,
// softmax, log-sum-exp and the sign test of the verifier's
// kink detection.
//
// The elementwise functions transcribe package cpu (activations.go)
// operation by operation, on the transcriptions of Go's math.Exp and
// math.Log in gradcheck.cuh, and Go's math.Sin and math.Cos (sin.go,
// trig_reduce.go) with their Payne–Hanek reduction; the results are the
// CPU backend's, bit for bit. Shifts by 64 or more are 0 in Go and
// undefined in C, hence shl and shr.
#include "gradcheck.cuh"

__device__ __forceinline__ ull act_shl(ull x, unsigned s) { return s >= 64 ? 0 : x << s; }
__device__ __forceinline__ ull act_shr(ull x, unsigned s) { return s >= 64 ? 0 : x >> s; }

// act_mul64 is Go's bits.Mul64: the 128-bit product x·y as (hi, lo).
__device__ void act_mul64(ull x, ull y, ull *hi, ull *lo) {
    const ull mask32 = 0xFFFFFFFFULL;
    ull x0 = x & mask32, x1 = x >> 32, y0 = y & mask32, y1 = y >> 32;
    ull w0 = x0 * y0;
    ull t = x1 * y0 + (w0 >> 32);
    ull w1 = t & mask32, w2 = t >> 32;
    w1 += x0 * y1;
    *hi = x1 * y1 + w2 + (w1 >> 32);
    *lo = x * y;
}

// act_clz is Go's bits.LeadingZeros64.
__device__ unsigned act_clz(ull x) {
    unsigned n = 0;
    for (ull bit = 1ULL << 63; bit != 0 && (x & bit) == 0; bit >>= 1) {
        n++;
    }
    return n;
}

// act_trig_reduce is Go's trigReduce: for x ≥ 2^29, the octant j and the
// reduced argument z of x, through the bits of 4/π in mPi4.
__device__ double act_trig_reduce(double x, ull *j) {
    const double pi4 = 0x1.921fb54442d18p-1;
    if (x < pi4) {
        *j = 0;
        return x;
    }
    const ull mpi4[20] = {
        0x0000000000000001ULL, 0x45f306dc9c882a53ULL, 0xf84eafa3ea69bb81ULL, 0xb6c52b3278872083ULL,
        0xfca2c757bd778ac3ULL, 0x6e48dc74849ba5c0ULL, 0x0c925dd413a32439ULL, 0xfc3bd63962534e7dULL,
        0xd1046bea5d768909ULL, 0xd338e04d68befc82ULL, 0x7323ac7306a673e9ULL, 0x3908bf177bf25076ULL,
        0x3ff12fffbc0b301fULL, 0xde5e2316b414da3eULL, 0xda6cfd9e4f96136eULL, 0x9e8c7ecd3cbfd45aULL,
        0xea4f758fd7cbe2f6ULL, 0x7a0e73ef14a525d4ULL, 0xd7f6bf623f1aba10ULL, 0xac06608df8f6d757ULL,
    };
    ull ix = f64_bits(x);
    int exp = (int)((ix >> 52) & 0x7FF) - 1023 - 52;
    ix &= ~(0x7FFULL << 52);
    ix |= 1ULL << 52;
    unsigned digit = (unsigned)(exp + 61) / 64, bitshift = (unsigned)(exp + 61) % 64;
    ull z0 = act_shl(mpi4[digit], bitshift) | act_shr(mpi4[digit + 1], 64 - bitshift);
    ull z1 = act_shl(mpi4[digit + 1], bitshift) | act_shr(mpi4[digit + 2], 64 - bitshift);
    ull z2 = act_shl(mpi4[digit + 2], bitshift) | act_shr(mpi4[digit + 3], 64 - bitshift);
    ull z2hi, z2lo, z1hi, z1lo;
    act_mul64(z2, ix, &z2hi, &z2lo);
    act_mul64(z1, ix, &z1hi, &z1lo);
    ull z0lo = z0 * ix;
    ull lo = z1lo + z2hi;
    ull carry = lo < z1lo ? 1 : 0;
    ull hi = z0lo + z1hi + carry;
    *j = hi >> 61;
    hi = hi << 3 | lo >> 61;
    unsigned lz = act_clz(hi);
    ull e = (ull)(1023 - (ll)(lz + 1));
    hi = act_shl(hi, lz + 1) | act_shr(lo, 64 - (lz + 1));
    hi >>= 64 - 52;
    hi |= e << 52;
    double z = f64_frombits(hi);
    if ((*j & 1) == 1) {
        *j = (*j + 1) & 7;
        z = z - 1;
    }
    return z * pi4;
}

// act_sincos is Go's sin (want_cos 0) or cos (want_cos 1) of x ≥ 0 after
// the special cases: the octant, the reduced argument, and the polynomial
// of the octant's function.
__device__ double act_sincos(double x, bool want_cos, bool sign) {
    ull j;
    double y, z;
    if (x >= 0x1p29) {
        z = act_trig_reduce(x, &j);
    } else {
        j = (ull)(x * 0x1.45f306dc9c883p+0); // 4/π
        y = (double)j;
        if ((j & 1) == 1) {
            j++;
            y = y + 1;
        }
        j &= 7;
        z = ((x - y * 7.85398125648498535156e-1) - y * 3.77489470793079817668e-8) -
            y * 2.69515142907905952645e-15;
    }
    if (j > 3) {
        j -= 4;
        sign = !sign;
    }
    if (want_cos && j > 1) {
        sign = !sign;
    }
    double zz = z * z;
    bool cosine = (j == 1 || j == 2) != want_cos;
    if (cosine) {
        y = 1.0 - 0.5 * zz +
            zz * zz *
                ((((((-1.13585365213876817300e-11 * zz) + 2.08757008419747316778e-9) * zz +
                    -2.75573141792967388112e-7) *
                       zz +
                   2.48015872888517045348e-5) *
                      zz +
                  -1.38888888888730564116e-3) *
                     zz +
                 4.16666666666665929218e-2);
    } else {
        y = z + z * zz *
                    ((((((1.58962301576546568060e-10 * zz) + -2.50507477628578072866e-8) * zz +
                        2.75573136213857245213e-6) *
                           zz +
                       -1.98412698295895385996e-4) *
                          zz +
                      8.33333333332211858878e-3) *
                         zz +
                     -1.66666666666666307295e-1);
    }
    return sign ? -y : y;
}

// act_sin is Go's math.Sin.
__device__ double act_sin(double x) {
    if (x == 0 || f64_isnan(x)) {
        return x;
    }
    if (f64_isinf(x)) {
        return f64_nan();
    }
    return x < 0 ? act_sincos(-x, false, true) : act_sincos(x, false, false);
}

// act_cos is Go's math.Cos.
__device__ double act_cos(double x) {
    if (f64_isnan(x) || f64_isinf(x)) {
        return f64_nan();
    }
    return act_sincos(f64_abs(x), true, false);
}

// The remaining functions are package cpu's, which documents them.

__device__ double act_sigmoid(double x) {
    if (x >= 0) {
        return 1 / (1 + go_exp(-x));
    }
    double e = go_exp(x);
    return e / (1 + e);
}

__device__ double act_log1p(double x) {
    double w = 1 + x;
    if (w == 1) {
        return x;
    }
    if (f64_isinf(w) && w > 0) {
        return w;
    }
    return x * go_log(w) / (w - 1);
}

__device__ double act_expm1(double x) {
    double u = go_exp(x);
    if (u == 1) {
        return x;
    }
    if (u - 1 == -1) {
        return -1;
    }
    if (f64_isinf(u) && u > 0) {
        return u;
    }
    return (u - 1) * x / go_log(u);
}

__device__ double act_softplus(double x) {
    double m = 0;
    if (x > 0) {
        m = x;
    }
    return m + act_log1p(go_exp(-f64_abs(x)));
}

__device__ double act_relu(double x) { return x < 0 ? 0.0 : x; }

__device__ double act_step(double x) {
    if (x > 0) {
        return 1;
    }
    if (x <= 0) {
        return 0;
    }
    return x;
}

__device__ double act_signum(double x) {
    if (x > 0) {
        return 1;
    }
    if (x < 0) {
        return -1;
    }
    if (x == 0) {
        return 0;
    }
    return x;
}

// gc_activation applies function op to total entries: 0 sigmoid,
// 1 softplus, 2 log1p, 3 expm1, 4 sin, 5 cos, 6 relu, 7 step, 8 sign
// (package gpu's activationOps).
extern "C" __global__ void gc_activation(ll op, double *out, const double *a, ll total) {
    for (ll t = grid_start(); t < total; t += grid_threads()) {
        double x = a[t], y;
        switch (op) {
        case 0: y = act_sigmoid(x); break;
        case 1: y = act_softplus(x); break;
        case 2: y = act_log1p(x); break;
        case 3: y = act_expm1(x); break;
        case 4: y = act_sin(x); break;
        case 5: y = act_cos(x); break;
        case 6: y = act_relu(x); break;
        case 7: y = act_step(x); break;
        default: y = act_signum(x); break;
        }
        out[t] = y;
    }
}

// gc_softmax writes the softmax of every column of count rows×cols
// matrices, one thread per column, in the CPU backend's order.
extern "C" __global__ void gc_softmax(double *out, const double *a, ll count, ll rows, ll cols) {
    ll total = count * cols;
    for (ll t = grid_start(); t < total; t += grid_threads()) {
        ll j = t / cols, c = t - j * cols;
        const double *x = a + j * rows * cols + c;
        double *y = out + j * rows * cols + c;
        double m = x[0];
        for (ll i = 1; i < rows; i++) {
            if (x[i * cols] > m) {
                m = x[i * cols];
            }
        }
        double s = 0;
        for (ll i = 0; i < rows; i++) {
            double e = go_exp(x[i * cols] - m);
            y[i * cols] = e;
            s = s + e;
        }
        for (ll i = 0; i < rows; i++) {
            y[i * cols] = y[i * cols] / s;
        }
    }
}

// gc_logsumexp writes log Σ e^x of each of count matrices of size entries,
// as m + log Σ e^(x−m) in row-major order, one thread per matrix.
extern "C" __global__ void gc_logsumexp(double *out, const double *a, ll count, ll size) {
    for (ll j = grid_start(); j < count; j += grid_threads()) {
        const double *x = a + j * size;
        double m = x[0];
        bool nan = false;
        for (ll i = 0; i < size; i++) {
            if (x[i] > m) {
                m = x[i];
            }
            nan = nan || f64_isnan(x[i]);
        }
        if (nan) {
            out[j] = f64_nan();
            continue;
        }
        if (f64_isinf(m)) {
            out[j] = m;
            continue;
        }
        double s = 0;
        for (ll i = 0; i < size; i++) {
            s = s + go_exp(x[i] - m);
        }
        out[j] = m + go_log(s);
    }
}

// act_sign is −1, 0 or +1 (0 for NaN), as package cpu's sign.
__device__ __forceinline__ int act_sign(double x) { return x > 0 ? 1 : (x < 0 ? -1 : 0); }

// gc_sign_changes counts, for each of runs runs of group consecutive
// matrices of size entries, the entries whose sign differs within the run.
extern "C" __global__ void gc_sign_changes(double *out, const double *a, ll runs, ll group,
                                           ll size) {
    for (ll g = grid_start(); g < runs; g += grid_threads()) {
        const double *first = a + g * group * size;
        ll changed = 0;
        for (ll i = 0; i < size; i++) {
            int s = act_sign(first[i]);
            for (ll m = 1; m < group; m++) {
                if (act_sign(first[m * size + i]) != s) {
                    changed++;
                    break;
                }
            }
        }
        out[g] = (double)changed;
    }
}
