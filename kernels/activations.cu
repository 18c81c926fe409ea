// activations.cu: the activation functions of the expression language,
// its log-gamma, digamma and trigamma, softmax, log-sum-exp and the sign
// test of the verifier's kink detection.
//
// The elementwise functions transcribe package cpu (activations.go,
// gamma.go) operation by operation, on the transcriptions of Go's math.Exp and
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

// The log-gamma function, digamma and trigamma are package cpu's
// (gamma.go), which documents the ranges, the series and their accuracy;
// the tables are its tables. Every product that meets a sum is __dmul_rn,
// which is never contracted into a fused multiply-add, where Go rounds it
// (an explicit float64 conversion): under the emulation the results are
// the CPU backend's, bit for bit. On a GPU, where this file is built with
// --fmad=true, go_log's own products may still be contracted, as in every
// activation that takes a logarithm; the series' are not.

__device__ const double act_lgamma_taylor[27] = {
    0x1.b0ee6072093cep-2, 0x1.4a34cc4a60fa6p-2, -0x1.13e001a557607p-4, 0x1.51322ac7d8483p-6,
    -0x1.e404fc218f5f2p-8, 0x1.7add6eadb6c30p-9, -0x1.38ac5c2bf8e08p-10, 0x1.0b36af86396e9p-11,
    -0x1.d3fd4c76d2fc8p-13, 0x1.a127b0f17d65ap-14, -0x1.78de5bd7c81efp-15, 0x1.580dcee66eb02p-16,
    -0x1.3cbc963ce2243p-17, 0x1.2597a39f34aacp-18, -0x1.11b2eb7679541p-19, 0x1.0064cdeb22f0fp-20,
    -0x1.e2600d93cfd2fp-22, 0x1.c76bbb3f07a4dp-23, -0x1.af5a6cbbf8a97p-24, 0x1.99b93c2070b0fp-25,
    -0x1.862c734df3eacp-26, 0x1.7469daccfadcdp-27, -0x1.6434a8447aeadp-28, 0x1.555a877ffd2c3p-29,
    -0x1.47b1679258d0ep-30, 0x1.3b15d2b2fc10cp-31, -0x1.2f69a9fabe3e0p-32,
};
__device__ const double act_digamma_taylor[30] = {
    0x1.b0ee6072093cep-2, 0x1.4a34cc4a60fa6p-1, -0x1.9dd002780310ap-3, 0x1.51322ac7d8483p-4,
    -0x1.2e831d94f99b7p-5, 0x1.1c26130249124p-6, -0x1.1196d0a679c47p-7, 0x1.0b36af86396e9p-8,
    -0x1.073e7b02d6ae0p-9, 0x1.04b8ce96ee5f8p-10, -0x1.0318df2459954p-11, 0x1.020a5b2cd3042p-12,
    -0x1.01593a1177bd6p-13, 0x1.00e4af2b4e156p-14, -0x1.0097bcbf11bedp-15, 0x1.0064cdeb22f0fp-16,
    -0x1.0043073686681p-17, 0x1.002c9953744ccp-18, -0x1.001db08f9ba4ap-19, 0x1.0013c594466eap-20,
    -0x1.000d2bab28121p-21, 0x1.0008c66cec77dp-22, -0x1.0005d8f13858cp-23, 0x1.0003e59ffde12p-24,
    -0x1.000298ea55633p-25, 0x1.0001bb316ccdap-26, -0x1.0001276b90845p-27, 0x1.0000c4ed05ae3p-28,
    -0x1.0000834601a87p-29, 0x1.00005782aaebep-30,
};
__device__ const double act_lgamma_at_min[23] = {
    0x1.ef72bc8ee38acp-2, -0x1.2e4278dc6bc24p-3, 0x1.08b4294d50381p-4, -0x1.0c9a8df513153p-5,
    0x1.266e797a0a272p-6, -0x1.51f9f95020de9p-7, 0x1.8fce02b239ca7p-8, -0x1.e2f1a3ef6348cp-9,
    0x1.2831200657d67p-9, -0x1.6f97806759c19p-10, 0x1.cc72638e1d944p-11, -0x1.228ec9953cdfbp-11,
    0x1.7101ea4021c69p-12, -0x1.d721e63209348p-13, 0x1.2e23345f79aafp-13, -0x1.851159d489619p-14,
    0x1.f6c4dc29900f3p-15, -0x1.45dccdc712462p-15, 0x1.a795e35d09c87p-16, -0x1.13ffe607ab928p-16,
    0x1.687d93f42928fp-17, -0x1.d7d298ba528e3p-18, 0x1.355ab500b51cep-18,
};
__device__ const double act_digamma_at_min[25] = {
    0x1.ef72bc8ee38acp-1, -0x1.c563b54aa1a35p-2, 0x1.08b4294d50381p-2, -0x1.4fc1317257da8p-3,
    0x1.b9a5b6370f3abp-4, -0x1.27baba261cc2cp-4, 0x1.8fce02b239ca7p-5, -0x1.0fa7ec36a7d8fp-5,
    0x1.723d6807edcc0p-6, -0x1.f970508e1b6a2p-7, 0x1.5955caaa962f3p-7, -0x1.d828079282eb8p-8,
    0x1.42e1acf81d8dcp-8, -0x1.b9afc7cee8a14p-9, 0x1.2e23345f79aafp-9, -0x1.9d626f71d1f7ap-10,
    0x1.1acebbd761089p-10, -0x1.82f6345c65b35p-11, 0x1.08bdae1a261d4p-11, -0x1.6a3fddea11304p-12,
    0x1.efacab6fb8985p-13, -0x1.531f5dc5eb563p-13, 0x1.d0080f810fab5p-14, -0x1.3d7972688af67p-14,
    0x1.b2691182c5c34p-15,
};
__device__ const double act_lgamma_stirling[7] = {
    1.0 / 12, -1.0 / 360, 1.0 / 1260, -1.0 / 1680,
    1.0 / 1188, -691.0 / 360360, 1.0 / 156,
};
__device__ const double act_digamma_stirling[8] = {
    1.0 / 12, -1.0 / 120, 1.0 / 252, -1.0 / 240,
    1.0 / 132, -691.0 / 32760, 1.0 / 12, -3617.0 / 8160,
};
__device__ const double act_trigamma_stirling[9] = {
    1.0 / 6, -1.0 / 30, 1.0 / 42, -1.0 / 30,
    5.0 / 66, -691.0 / 2730, 7.0 / 6, -3617.0 / 510,
    43867.0 / 798,
};

#define ACT_GAMMA_SERIES_FROM 10.0
#define ACT_GAMMA_MIN_HI 0x1.762d86356be3fp+0
#define ACT_GAMMA_MIN_LO 0x1.b86a722197829p-54
#define ACT_LGAMMA_MIN (-0x1.f19b9bcc38a42p-4)
#define ACT_HALF_LOG_2PI_MINUS_HALF 0x1.acfe390c97d69p-2

// act_log is package cpu's log: Go's math.Log, of a subnormal x as
// log f + e·ln 2 with x = f·2^e.
__device__ double act_log(double x) {
    if (x > 0 && x < 0x1p-1022) {
        int e;
        double f = go_frexp(x, &e);
        return go_log(f) + __dmul_rn((double)e, 0x1.62e42fefa39efp-1); // math.Ln2
    }
    return go_log(x);
}

__device__ double act_horner(const double *c, int n, double z) {
    double p = c[n - 1];
    for (int j = n - 2; j >= 0; j--) {
        p = c[j] + __dmul_rn(z, p);
    }
    return p;
}

__device__ double act_lgamma_near2(double z) {
    return __dmul_rn(z, act_horner(act_lgamma_taylor, 27, z));
}

__device__ double act_lgamma_asymptotic(double x) {
    double r = 1 / x;
    double s = __dmul_rn(r, act_horner(act_lgamma_stirling, 7, r * r));
    return __dmul_rn(x - 0.5, act_log(x) - 1) + ACT_HALF_LOG_2PI_MINUS_HALF + s;
}

__device__ double act_lgamma_core(double x) {
    if (x < 1.2) {
        return act_lgamma_near2(x - 1) - act_log(x);
    }
    if (x < 1.75) {
        double t = x - ACT_GAMMA_MIN_HI - ACT_GAMMA_MIN_LO;
        return ACT_LGAMMA_MIN + __dmul_rn(t * t, act_horner(act_lgamma_at_min, 23, t));
    }
    return act_lgamma_near2(x - 2);
}

__device__ double act_lgamma(double x) {
    if (!(x > 0)) {
        return f64_nan();
    }
    if (x >= ACT_GAMMA_SERIES_FROM) {
        return act_lgamma_asymptotic(x);
    }
    if (x < 0.5) {
        return act_lgamma_near2(x) - act_log1p(x) - act_log(x);
    }
    if (x < 2.5) {
        return act_lgamma_core(x);
    }
    double p = 1;
    while (x >= 2.5) {
        x = x - 1;
        p = p * x;
    }
    return act_lgamma_core(x) + act_log(p);
}

__device__ double act_digamma_asymptotic(double x) {
    double r = 1 / x;
    double w = r * r;
    return act_log(x) - __dmul_rn(0.5, r) - __dmul_rn(w, act_horner(act_digamma_stirling, 8, w));
}

__device__ double act_digamma_core(double x) {
    if (x < 1.2) {
        return act_horner(act_digamma_taylor, 30, x - 1) - 1 / x;
    }
    if (x < 1.75) {
        double t = x - ACT_GAMMA_MIN_HI - ACT_GAMMA_MIN_LO;
        return __dmul_rn(t, act_horner(act_digamma_at_min, 25, t));
    }
    return act_horner(act_digamma_taylor, 30, x - 2);
}

__device__ double act_digamma(double x) {
    if (!(x > 0)) {
        return f64_nan();
    }
    if (x >= ACT_GAMMA_SERIES_FROM) {
        return act_digamma_asymptotic(x);
    }
    if (x < 0.5) {
        return act_horner(act_digamma_taylor, 30, x) - 1 / (1 + x) - 1 / x;
    }
    if (x < 2.5) {
        return act_digamma_core(x);
    }
    double s = 0;
    while (x >= 2.5) {
        x = x - 1;
        s = s + 1 / x;
    }
    return act_digamma_core(x) + s;
}

__device__ double act_trigamma_asymptotic(double x) {
    double r = 1 / x;
    double w = r * r;
    return r + __dmul_rn(w, 0.5 + __dmul_rn(r, act_horner(act_trigamma_stirling, 9, w)));
}

__device__ double act_trigamma(double x) {
    if (!(x > 0)) {
        return f64_nan();
    }
    if (x >= ACT_GAMMA_SERIES_FROM) {
        return act_trigamma_asymptotic(x);
    }
    int n = 0;
    while (x + (double)n < ACT_GAMMA_SERIES_FROM) {
        n++;
    }
    double s = act_trigamma_asymptotic(x + (double)n);
    for (int i = n - 1; i >= 0; i--) {
        double r = 1 / (x + (double)i);
        s = s + __dmul_rn(r, r);
    }
    return s;
}

// gc_activation applies function op to total entries: 0 sigmoid,
// 1 softplus, 2 log1p, 3 expm1, 4 sin, 5 cos, 6 relu, 7 step, 8 sign,
// 9 lgamma, 10 digamma, 11 trigamma (backend.MapOp from Sigmoid on, as
// package gpu's activation passes them).
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
        case 8: y = act_signum(x); break;
        case 9: y = act_lgamma(x); break;
        case 10: y = act_digamma(x); break;
        default: y = act_trigamma(x); break;
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
