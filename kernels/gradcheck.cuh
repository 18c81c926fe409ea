// gradcheck.cuh: what every kernel source of gradcheck includes.
//
// The kernels compile in two ways: to PTX with NVRTC (kernels.CompileOptions:
// --fmad=false for the random-number kernels only, see DESIGN.md, "GPU"),
// and as host C++ against the emulation header emu/cuda_emu.h, without
// contraction, for tests on machines without a GPU. This header hides the
// few differences behind macros, and holds the device arithmetic that must
// give the same bits in both builds and in Go (Philox always; the others
// where no product and sum are fused): the Philox generator of package
// philox, and transcriptions of Go's math.Exp, math.Log, math.Tanh
// and math.Pow. They use only +, -, *, / and sqrt (correctly rounded on the
// GPU and the host), explicit fma where Go's code fuses, integer operations
// and bit reinterpretation; CUDA's own exp/log/pow are never called, since
// they may differ from Go's in the last place.
//
// Kernel conventions: every kernel is extern "C" and named gc_*; every
// parameter is a pointer or an 8-byte scalar (long long or double), since
// the Go side passes each parameter as one 8-byte word.
#ifndef GRADCHECK_CUH
#define GRADCHECK_CUH

#if defined(__CUDACC_RTC__) || defined(__CUDACC__)
// Device build: dynamic shared memory is an extern __shared__ array.
#define GC_DYNAMIC_SHARED(name) extern __shared__ double name[]
#else
#include "emu/cuda_emu.h"
#define GC_DYNAMIC_SHARED(name) double *name = ::cuda_emu::dynamic_shared()
#endif

typedef long long ll;
typedef unsigned long long ull;

// f64_bits returns the IEEE-754 bit pattern of x.
__device__ __forceinline__ ull f64_bits(double x) {
    return (ull)__double_as_longlong(x);
}

// f64_frombits returns the double with bit pattern b.
__device__ __forceinline__ double f64_frombits(ull b) {
    return __longlong_as_double((ll)b);
}

__device__ __forceinline__ bool f64_isnan(double x) { return x != x; }

// f64_nan is Go's math.NaN().
__device__ __forceinline__ double f64_nan() { return f64_frombits(0x7FF8000000000001ULL); }

__device__ __forceinline__ double f64_inf(int sign) {
    return f64_frombits(sign >= 0 ? 0x7FF0000000000000ULL : 0xFFF0000000000000ULL);
}

__device__ __forceinline__ double f64_abs(double x) {
    return f64_frombits(f64_bits(x) & ~(1ULL << 63));
}

__device__ __forceinline__ bool f64_isinf(double x) {
    return f64_abs(x) > 1.7976931348623157e308;
}

// grid_start returns the first index of this thread in a grid-stride loop
// over a 1-D grid, and grid_threads the stride.
__device__ __forceinline__ ll grid_start() {
    return (ll)blockIdx.x * (ll)blockDim.x + (ll)threadIdx.x;
}

__device__ __forceinline__ ll grid_threads() {
    return (ll)gridDim.x * (ll)blockDim.x;
}

// gemm_tiles runs a batched product with the parameters of gc_gemm
// (matmul.cu) and gc_gemm_dmma (dmma.cu) tile by tile: the block's tile
// (i0, c0) of edge Tile is tile blockIdx.x of a result, in row order, and
// the block computes it in the results j = blockIdx.y, blockIdx.y +
// gridDim.y, … < count as tile(C_j, A_{j/ra}, B_{j/rb}, i0, c0).
template <int Tile, typename TileFn>
__device__ __forceinline__ void gemm_tiles(double *c, const double *a, const double *b, ll count,
                                           ll n, ll sa, ll sb, ll sc, ll ra, ll rb, TileFn tile) {
    ll tilesN = (n + Tile - 1) / Tile;
    ll i0 = (blockIdx.x / tilesN) * Tile, c0 = (blockIdx.x % tilesN) * Tile;
    for (ll j = blockIdx.y; j < count; j += gridDim.y) {
        tile(c + j * sc, a + (j / ra) * sa, b + (j / rb) * sb, i0, c0);
    }
}

// ---------------------------------------------------------------------------
// Philox4x32-10 and the Gaussian stream of package philox.
// ---------------------------------------------------------------------------

// philox_block is philox.Block: ten rounds of Philox4x32 on ctr under key.
__device__ __forceinline__ void philox_block(unsigned ctr[4], unsigned k0, unsigned k1) {
    for (int r = 0; r < 10; r++) {
        if (r > 0) {
            k0 += 0x9E3779B9u;
            k1 += 0xBB67AE85u;
        }
        ull p0 = (ull)0xD2511F53u * (ull)ctr[0];
        ull p1 = (ull)0xCD9E8D57u * (ull)ctr[2];
        unsigned hi0 = (unsigned)(p0 >> 32), lo0 = (unsigned)p0;
        unsigned hi1 = (unsigned)(p1 >> 32), lo1 = (unsigned)p1;
        unsigned c1 = ctr[1], c3 = ctr[3];
        ctr[0] = hi1 ^ c1 ^ k0;
        ctr[1] = lo1;
        ctr[2] = hi0 ^ c3 ^ k1;
        ctr[3] = lo0;
    }
}

// philox_uniform is philox.Uniform: (2m + 1 − 2^53)·2^−53 with m the top 53
// bits of hi<<32 | lo, exactly.
__device__ __forceinline__ double philox_uniform(unsigned hi, unsigned lo) {
    ull m = (((ull)hi << 32) | (ull)lo) >> 11;
    ll k = (ll)(2 * m + 1) - (1LL << 53);
    return (double)k * 0x1p-53;
}

// philox_log is philox.Log, operation by operation.
__device__ double philox_log(double x) {
    if (f64_isnan(x) || x < 0) {
        return f64_nan();
    }
    if (x == 0) {
        return f64_inf(-1);
    }
    if (x > 1.7976931348623157e308) {
        return x;
    }
    int k = 0;
    ull bits = f64_bits(x);
    if ((bits >> 52) == 0) { // subnormal
        x = x * 0x1p54;
        k = -54;
        bits = f64_bits(x);
    }
    k += (int)(bits >> 52) - 1023;
    double m = f64_frombits((bits & ((1ULL << 52) - 1)) | (1023ULL << 52));
    if (m >= 0x1.6a09e667f3bcdp+0) { // sqrt2
        m = m * 0.5;
        k++;
    }
    const double c[11] = {
        0x1.5555555555555p-1, // 2/3
        0x1.999999999999ap-2, // 2/5
        0x1.2492492492492p-2, // 2/7
        0x1.c71c71c71c71cp-3, // 2/9
        0x1.745d1745d1746p-3, // 2/11
        0x1.3b13b13b13b14p-3, // 2/13
        0x1.1111111111111p-3, // 2/15
        0x1.e1e1e1e1e1e1ep-4, // 2/17
        0x1.af286bca1af28p-4, // 2/19
        0x1.8618618618618p-4, // 2/21
        0x1.642c8590b2164p-4, // 2/23
    };
    double f = m - 1;
    double s = f / (2 + f);
    double z = s * s;
    double r = c[10];
    for (int j = 9; j >= 0; j--) {
        r = c[j] + z * r;
    }
    r = z * r;
    double hfsq = (0.5 * f) * f;
    double kf = (double)k;
    double t = s * (hfsq + r) + kf * 0x1.a39ef35793c76p-33; // ln2Lo
    return kf * 0x1.62e42feep-1 - ((hfsq - t) - f);          // ln2Hi
}

// philox_pair is pair p of philox.Fill(·, key, stream, index): the
// Marsaglia polar method over at most 64 Philox blocks.
__device__ void philox_pair(ull key, unsigned stream, unsigned index, unsigned p,
                                 double *x, double *y) {
    *x = 0;
    *y = 0;
    for (unsigned a = 0; a < 64; a++) {
        unsigned w[4] = {p, a, index, stream};
        philox_block(w, (unsigned)key, (unsigned)(key >> 32));
        double u = philox_uniform(w[0], w[1]);
        double v = philox_uniform(w[2], w[3]);
        double s = u * u + v * v;
        if (s > 0 && s < 1) {
            double f = sqrt((-2 * philox_log(s)) / s);
            *x = u * f;
            *y = v * f;
            return;
        }
    }
}

// ---------------------------------------------------------------------------
// Go's math functions, transcribed so that the kernels return what the CPU
// backend computes with package math (on amd64, where Go uses assembly for
// Exp and Log).
// ---------------------------------------------------------------------------

// go_exp is Go's math.Exp on amd64 (exp_amd64.s, the path taken on CPUs
// with FMA): a reduction by k·ln2 in two fused steps, a Taylor polynomial
// of x/16 in fused Horner form, four squarings of the form y·(y+2), and a
// scaling by 2^k.
__device__ double go_exp(double x) {
    ull bits = f64_bits(x);
    if ((bits & ~(1ULL << 63)) >= 0x7FF0000000000000ULL) { // ±Inf or NaN
        return bits == 0xFFF0000000000000ULL ? 0.0 : x;
    }
    if (x > 0x1.62e42fefa39efp+9) { // 7.09782712893384e+02
        return f64_inf(1);
    }
    double t = x * 0x1.71547652b82fep+0; // log2(e)
    if (t <= -1100.0) {
        return 0; // the exponent below underflows whatever the fraction
    }
    int e = (int)rint(t);
    double k = (double)e;
    double r = fma(-k, 0x1.62e42fefa3p-1, x);    // ln2, upper part
    r = fma(-k, 0x1.3de6af278ece6p-42, r);         // ln2, lower part
    r = r * 0.0625;
    double p = 0x1.a01a01a01a01ap-16;              // 1/8!
    p = fma(p, r, 0x1.a01a01a01a01ap-13);          // 1/7!
    p = fma(p, r, 0x1.6c16c16c16c17p-10);          // 1/6!
    p = fma(p, r, 0x1.1111111111111p-7);           // 1/5!
    p = fma(p, r, 0x1.5555555555555p-5);           // 1/4!
    p = fma(p, r, 0x1.5555555555555p-3);           // 1/3!
    p = fma(p, r, 0.5);
    p = fma(p, r, 1.0);
    double y = r * p;
    y = y * (y + 2.0);
    y = y * (y + 2.0);
    y = y * (y + 2.0);
    y = fma(y, y + 2.0, 1.0);
    int b = e + 0x3FF;
    if (b <= 0) {
        if (b < -52) {
            return 0;
        }
        y = y * f64_frombits((ull)(b + 0x3FE) << 52);
        return y * f64_frombits(1ULL << 52);
    }
    if (b >= 0x7FF) {
        return f64_inf(1);
    }
    return y * f64_frombits((ull)b << 52);
}

// go_frexp is Go's math.Frexp: x = frac·2^exp with |frac| in [½, 1).
__device__ double go_frexp(double x, int *exp) {
    *exp = 0;
    if (x == 0 || f64_isinf(x) || f64_isnan(x)) {
        return x;
    }
    if (f64_abs(x) < 0x1p-1022) { // normalize a subnormal
        x = x * 0x1p52;
        *exp = -52;
    }
    ull b = f64_bits(x);
    *exp += (int)((b >> 52) & 0x7FF) - 1023 + 1;
    b &= ~(0x7FFULL << 52);
    b |= 1022ULL << 52;
    return f64_frombits(b);
}

// go_ldexp is Go's math.Ldexp: frac·2^exp.
__device__ double go_ldexp(double frac, int exp) {
    if (frac == 0 || f64_isinf(frac) || f64_isnan(frac)) {
        return frac;
    }
    if (f64_abs(frac) < 0x1p-1022) {
        frac = frac * 0x1p52;
        exp -= 52;
    }
    ull x = f64_bits(frac);
    exp += (int)((x >> 52) & 0x7FF) - 1023;
    if (exp < -1075) {
        return f64_frombits(x & (1ULL << 63)); // underflow to ±0
    }
    if (exp > 1023) {
        return frac < 0 ? f64_inf(-1) : f64_inf(1);
    }
    double m = 1;
    if (exp < -1022) { // subnormal result
        exp += 53;
        m = 0x1p-53;
    }
    x &= ~(0x7FFULL << 52);
    x |= (ull)(exp + 1023) << 52;
    return m * f64_frombits(x);
}

// go_trunc is Go's math.Trunc: x rounded toward zero.
__device__ double go_trunc(double x) {
    if (x == 0 || f64_isinf(x) || f64_isnan(x)) {
        return x;
    }
    ull b = f64_bits(x);
    int e = (int)((b >> 52) & 0x7FF) - 1023;
    if (e < 0) {
        return f64_frombits(b & (1ULL << 63));
    }
    if (e < 52) {
        b &= ~((1ULL << (52 - e)) - 1);
    }
    return f64_frombits(b);
}

// go_log is Go's math.Log (log.go). Go's amd64 assembly (log_amd64.s)
// computes the same for every normal x, but takes a subnormal x as if it
// had a leading 1 bit (golang/go#56600); this follows log.go, which is
// right there.
__device__ double go_log(double x) {
    if (f64_isnan(x) || x > 1.7976931348623157e308) {
        return x;
    }
    if (x < 0) {
        return f64_nan();
    }
    if (x == 0) {
        return f64_inf(-1);
    }
    int ki;
    double f1 = go_frexp(x, &ki);
    if (f1 < 0x1.6a09e667f3bcdp-1) { // sqrt(2)/2
        f1 = f1 * 2;
        ki--;
    }
    double f = f1 - 1;
    double k = (double)ki;
    double s = f / (2 + f);
    double s2 = s * s;
    double s4 = s2 * s2;
    double t1 = s2 * (0x1.5555555555593p-1 +
                      s4 * (0x1.2492494229359p-2 +
                            s4 * (0x1.7466496cb03dep-3 + s4 * 0x1.2f112df3e5244p-3)));
    double t2 = s4 * (0x1.999999997fa04p-2 +
                      s4 * (0x1.c71c51d8e78afp-3 + s4 * 0x1.39a09d078c69fp-3));
    double R = t1 + t2;
    double hfsq = (0.5 * f) * f;
    return k * 0x1.62e42feep-1 - ((hfsq - (s * (hfsq + R) + k * 0x1.a39ef35793c76p-33)) - f);
}

// go_tanh is Go's math.Tanh (tanh.go), on go_exp.
__device__ double go_tanh(double x) {
    double z = f64_abs(x);
    if (z > 0x1.601e678fc457bp+5) { // 0.5·log(2^127)
        return x < 0 ? -1.0 : 1.0;
    }
    if (z >= 0.625) {
        double s = go_exp(2 * z);
        z = 1 - 2 / (s + 1);
        return x < 0 ? -z : z;
    }
    if (x == 0) {
        return x;
    }
    double s = x * x;
    double num = (-0x1.edc5baafd6f4bp-1 * s + -0x1.8d26a0e26682dp+6) * s + -0x1.93ac030580563p+10;
    double den = ((s + 0x1.c33f28a581b86p+6) * s + 0x1.176fa0e5535fap+11) * s + 0x1.2ec102442040cp+12;
    return x + ((x * s) * num) / den;
}

// go_is_odd_int is Go's isOddInt from pow.go.
__device__ bool go_is_odd_int(double x) {
    if (f64_abs(x) >= 0x1p53) {
        return false;
    }
    double xi = go_trunc(x);
    return x - xi == 0 && (((ll)xi) & 1) == 1;
}

// go_pow is Go's math.Pow (pow.go), on go_exp and go_log.
__device__ double go_pow(double x, double y) {
    if (y == 0 || x == 1) {
        return 1;
    }
    if (y == 1) {
        return x;
    }
    if (f64_isnan(x) || f64_isnan(y)) {
        return f64_nan();
    }
    bool xneg = (f64_bits(x) >> 63) != 0;
    if (x == 0) {
        if (y < 0) {
            return xneg && go_is_odd_int(y) ? f64_inf(-1) : f64_inf(1);
        }
        return xneg && go_is_odd_int(y) ? x : 0.0;
    }
    if (f64_isinf(y)) {
        if (x == -1) {
            return 1;
        }
        return (f64_abs(x) < 1) == (y > 0) ? 0.0 : f64_inf(1);
    }
    if (f64_isinf(x)) {
        if (x < 0) { // Go returns Pow(-0, -y): ±Inf for y > 0, ±0 for y < 0
            bool odd = go_is_odd_int(y);
            if (y > 0) {
                return odd ? f64_inf(-1) : f64_inf(1);
            }
            return odd ? -0.0 : 0.0;
        }
        return y < 0 ? 0.0 : f64_inf(1);
    }
    if (y == 0.5) {
        return sqrt(x);
    }
    if (y == -0.5) {
        return 1 / sqrt(x);
    }
    double ay = f64_abs(y);
    double yi = go_trunc(ay);
    double yf = ay - yi;
    if (yf != 0 && x < 0) {
        return f64_nan();
    }
    if (yi >= 0x1p63) {
        if (x == -1) {
            return 1;
        }
        return (f64_abs(x) < 1) == (y > 0) ? 0.0 : f64_inf(1);
    }
    double a1 = 1.0;
    int ae = 0;
    if (yf != 0) {
        if (yf > 0.5) {
            yf = yf - 1;
            yi = yi + 1;
        }
        a1 = go_exp(yf * go_log(x));
    }
    int xe;
    double x1 = go_frexp(x, &xe);
    for (ll i = (ll)yi; i != 0; i >>= 1) {
        if (xe < -(1 << 12) || (1 << 12) < xe) {
            ae += xe;
            break;
        }
        if ((i & 1) == 1) {
            a1 = a1 * x1;
            ae += xe;
        }
        x1 = x1 * x1;
        xe <<= 1;
        if (x1 < 0.5) {
            x1 = x1 + x1;
            xe--;
        }
    }
    if (y < 0) {
        a1 = 1 / a1;
        ae = -ae;
    }
    return go_ldexp(a1, ae);
}

#endif // GRADCHECK_CUH
