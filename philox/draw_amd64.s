//go:build !noasm

#include "textflag.h"

// drawGo in AVX2 instructions. Each YMM register holds one quantity of
// four attempts ("a group"), one per 64-bit lane; the 32 lanes are eight
// groups. Every floating-point step is the same correctly rounded
// operation, on the same operands, as in drawGo and logUnits (the Go
// assembler never fuses a product and a sum), and every integer step
// computes the same bits by another route, so the draws are the same bit
// for bit. Three phases, each a loop over independent groups so that the
// processor overlaps them: the Philox rounds and everything up to Log's
// polynomial; the polynomial; the rest.

// VEC4 defines name<> as four copies of the 64-bit pattern bits, for use
// as a 256-bit memory operand.
#define VEC4(name, bits) \
	DATA  name<>+0(SB)/8, $bits  \
	DATA  name<>+8(SB)/8, $bits  \
	DATA  name<>+16(SB)/8, $bits \
	DATA  name<>+24(SB)/8, $bits \
	GLOBL name<>(SB), RODATA|NOPTR, $32

// The Philox multipliers (VPMULUDQ reads the low 32 bits of each lane).
VEC4(mul0, 0xD2511F53)
VEC4(mul1, 0xCD9E8D57)

// Bit masks and float64 constants.
VEC4(mant, 0x000FFFFFFFFFFFFF)  // fraction field
VEC4(bit52, 0x0010000000000000) // lowest exponent bit
VEC4(zero, 0)
VEC4(one, 0x3FF0000000000000)
VEC4(two, 0x4000000000000000)
VEC4(half, 0x3FE0000000000000)
VEC4(mtwo, 0xC000000000000000)  // −2
VEC4(ulp53, 0x3CA0000000000000) // 2^−53
VEC4(sqrt2, 0x3FF6A09E667F3BCD)
VEC4(magic, 0x4330000000000000) // 2^52
VEC4(bias, 0x43300000000003FF)  // 2^52 + 1023
VEC4(ln2hi, 0x3FE62E42FEE00000)
VEC4(ln2lo, 0x3DEA39EF35793C76)

// logCoef[0…10], as in philox.go.
VEC4(c0, 0x3FE5555555555555)
VEC4(c1, 0x3FD999999999999A)
VEC4(c2, 0x3FD2492492492492)
VEC4(c3, 0x3FCC71C71C71C71C)
VEC4(c4, 0x3FC745D1745D1746)
VEC4(c5, 0x3FC3B13B13B13B14)
VEC4(c6, 0x3FC1111111111111)
VEC4(c7, 0x3FBE1E1E1E1E1E1E)
VEC4(c8, 0x3FBAF286BCA1AF28)
VEC4(c9, 0x3FB8618618618618)
VEC4(c10, 0x3FB642C8590B2164)

// The scratch area, 32-byte aligned at R8: for each quantity that passes
// from one phase to the next, 32 float64s (one per lane, 256 bytes, in
// the order of ctr). Log's polynomial R overwrites z.
#define U 0
#define V 256
#define Q 512
#define F 768
#define KF 1024
#define S 1280
#define Z 1536

// KEYS(k0, k1) broadcasts the round keys at k0(SI) and k1(SI) (the
// uint32s s[r][0] and s[r][1] of the schedule) into Y10 and Y11.
#define KEYS(k0, k1) \
	VPBROADCASTD k0(SI), Y10 \
	VPBROADCASTD k1(SI), Y11

// ROUND is one Philox round on the group whose counter words c0, c1, c2,
// c3 are in a, b, c, d (each word in the low half of a lane; the high
// halves hold garbage that no step reads: VPMULUDQ reads the low halves,
// and XOR keeps halves apart). With p0 = mul0·c0 and p1 = mul1·c2 (64-bit
// products) the new words are
//
//	c0 = hi(p1) ^ c1 ^ k0,  c1 = lo(p1),  c2 = hi(p0) ^ c3 ^ k1,  c3 = lo(p0)
//
// and land in c, a, b, t: the next round is ROUND(c, a, b, t, d), and d
// is free. (The lane holding p1 whole is lo(p1) with garbage above.) The
// keys go into c1 and c3 first, off the chain of latency from one round
// to the next (product, shift, XOR).
#define ROUND(a, b, c, d, t) \
	VPMULUDQ Y14, a, t \
	VPMULUDQ Y15, c, a \
	VPXOR    Y10, b, b \
	VPXOR    Y11, d, d \
	VPSRLQ   $32, a, c \
	VPXOR    b, c, c   \
	VPSRLQ   $32, t, b \
	VPXOR    d, b, b

// ROUND2 is round r (keys at k0(SI), k1(SI)) on both groups of an
// iteration: group A in Y0…Y4, group B in Y5…Y9, registers named as in
// ROUND (the roles cycle with period six).
#define ROUND2(k0, k1, a, b, c, d, t, e, f, g, h, i) \
	KEYS(k0, k1)           \
	ROUND(a, b, c, d, t)   \
	ROUND(e, f, g, h, i)

// UNIFORM(hi, lo) replaces hi with Uniform(hi, lo) and clobbers lo. With
// x = hi<<32 | lo and m = x>>11 = b·2^52 + r (b the top bit, r < 2^52),
// Uniform is (2m + 1 − 2^53)·2^−53 = (d − e) + 2^−53 with d = 1 + r·2^−52
// (r under the exponent field of 1.0) and e = 2 − b (1.0 plus 1 − b in
// the exponent's lowest bit). d − e and the sum are exact (the difference
// lies in [−1, 1) on the grid of 2^−52, the sum is an odd multiple of
// 2^−53 below 1 in magnitude), hence Uniform's exact value.
#define UNIFORM(hi, lo) \
	VPSLLQ   $32, hi, hi                      \
	VPBLENDD $0x55, lo, hi, hi   /* x */      \
	VPSRLQ   $11, hi, hi         /* m */      \
	VPANDN   bit52<>(SB), hi, lo /* (1 − b)·2^52 */ \
	VPADDQ   one<>(SB), lo, lo   /* e */      \
	VPAND    mant<>(SB), hi, hi  /* r */      \
	VPOR     one<>(SB), hi, hi   /* d */      \
	VSUBPD   lo, hi, hi                       \
	VADDPD   ulp53<>(SB), hi, hi

// POST(c0, c1, c2, c3, off, mask) takes the group whose Philox output
// words are in c0…c3 to the scratch arrays at off(R8)(BX*1): u, v,
// q = (u·u) + (v·v), and the steps of logUnits before its polynomial (f,
// kf, s and z); and sets mask to the group's rejected lanes,
// !(q > 0 && q < 1), one bit per lane. For m ≥ √2 logUnits multiplies m by
// 0.5, which is exact for m in [√2, 2): here the exponent field loses 1.
// Its kf, a small integer, is (2^52 + k) − (2^52 + 1023) with k the biased
// exponent plus up, and 2^52 + k formed in the bits: the difference is
// exact.
#define POST(c0, c1, c2, c3, off, mask) \
	UNIFORM(c0, c1)                                       \
	UNIFORM(c2, c3)                                       \
	VMOVUPD   c0, (U+off)(R8)(BX*1)                       \
	VMOVUPD   c2, (V+off)(R8)(BX*1)                       \
	VMULPD    c0, c0, c1                                  \
	VMULPD    c2, c2, c3                                  \
	VADDPD    c3, c1, c1                 /* q */          \
	VMOVUPD   c1, (Q+off)(R8)(BX*1)                       \
	VCMPPD    $0x0A, zero<>(SB), c1, c0  /* !(q > 0) */   \
	VCMPPD    $0x05, one<>(SB), c1, c2   /* !(q < 1) */   \
	VORPD     c2, c0, c0                                  \
	VMOVMSKPD c0, mask                                    \
	VPAND     mant<>(SB), c1, c0                          \
	VPOR      one<>(SB), c0, c0          /* m */          \
	VCMPPD    $0x0D, sqrt2<>(SB), c0, c2 /* up: m ≥ √2 */ \
	VPAND     bit52<>(SB), c2, c3                         \
	VPSUBQ    c3, c0, c0                 /* m·0.5 if up */ \
	VSUBPD    one<>(SB), c0, c0          /* f = m − 1 */  \
	VPSRLQ    $52, c1, c1                                 \
	VPSUBQ    c2, c1, c1                 /* + up (−1) */  \
	VPOR      magic<>(SB), c1, c1                         \
	VSUBPD    bias<>(SB), c1, c1         /* kf */         \
	VADDPD    two<>(SB), c0, c2                           \
	VDIVPD    c2, c0, c2                 /* s = f/(2+f) */ \
	VMULPD    c2, c2, c3                 /* z = s·s */    \
	VMOVUPD   c0, (F+off)(R8)(BX*1)                       \
	VMOVUPD   c1, (KF+off)(R8)(BX*1)                      \
	VMOVUPD   c2, (S+off)(R8)(BX*1)                       \
	VMOVUPD   c3, (Z+off)(R8)(BX*1)

// STEP(c) is a step of Horner's scheme on the two groups of an
// iteration, r = z·(c + r), each operation rounded: r in Y0, Y1, z in Y2,
// Y3.
#define STEP(c) \
	VADDPD c<>(SB), Y0, Y0 \
	VADDPD c<>(SB), Y1, Y1 \
	VMULPD Y2, Y0, Y0      \
	VMULPD Y3, Y1, Y1

// func drawAVX(out *[2 * lanes]float64, s *schedule, ctr *[lanes]uint64, n int, p, index, stream uint32) (rejected uint32)
//
// Registers: DI out, SI the key schedule, R12 ctr, R8 the scratch area,
// R9 index, R10 stream, R13 the bytes of a scratch array in use (n
// rounded up to a multiple of 8, times 8), BX the byte offset of the
// current group(s) in ctr and the scratch arrays, CX the bit of the
// current groups in the result, R11 the result. In the first phase Y0…Y9
// hold the counters of two groups, Y10, Y11 the round keys, Y12 p in
// every 32-bit element, Y14, Y15 the multipliers.
TEXT ·drawAVX(SB), 0, $1824-52
	MOVQ out+0(FP), DI
	MOVQ s+8(FP), SI
	MOVQ ctr+16(FP), R12
	MOVQ n+24(FP), R13
	ADDQ $7, R13
	ANDQ $-8, R13
	SHLQ $3, R13
	LEAQ 31(SP), R8
	ANDQ $-32, R8

	// Phase 1, two groups (eight lanes) per iteration: Philox, Uniform,
	// q and the start of Log, to the scratch area.
	VMOVDQU      mul0<>(SB), Y14
	VMOVDQU      mul1<>(SB), Y15
	MOVL         p+32(FP), AX
	MOVL         index+36(FP), R9
	MOVL         stream+40(FP), R10
	VMOVD        AX, X12
	VPBROADCASTD X12, Y12
	XORQ         BX, BX
	XORQ         CX, CX
	XORQ         R11, R11

draw:
	CMPQ BX, R13
	JGE  horner

	// Counters (p + uint32(ctr[j]), ctr[j]>>32, index, stream): group A
	// in Y0…Y3, group B in Y5…Y8.
	VMOVDQU      (R12)(BX*1), Y0
	VMOVDQU      32(R12)(BX*1), Y5
	VPSRLQ       $32, Y0, Y1
	VPSRLQ       $32, Y5, Y6
	VPADDD       Y12, Y0, Y0
	VPADDD       Y12, Y5, Y5
	VMOVD        R9, X2
	VPBROADCASTD X2, Y2
	VMOVD        R10, X3
	VPBROADCASTD X3, Y3
	VMOVDQA      Y2, Y7
	VMOVDQA      Y3, Y8

	ROUND2(0, 4, Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7, Y8, Y9)
	ROUND2(8, 12, Y2, Y0, Y1, Y4, Y3, Y7, Y5, Y6, Y9, Y8)
	ROUND2(16, 20, Y1, Y2, Y0, Y3, Y4, Y6, Y7, Y5, Y8, Y9)
	ROUND2(24, 28, Y0, Y1, Y2, Y4, Y3, Y5, Y6, Y7, Y9, Y8)
	ROUND2(32, 36, Y2, Y0, Y1, Y3, Y4, Y7, Y5, Y6, Y8, Y9)
	ROUND2(40, 44, Y1, Y2, Y0, Y4, Y3, Y6, Y7, Y5, Y9, Y8)
	ROUND2(48, 52, Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7, Y8, Y9)
	ROUND2(56, 60, Y2, Y0, Y1, Y4, Y3, Y7, Y5, Y6, Y9, Y8)
	ROUND2(64, 68, Y1, Y2, Y0, Y3, Y4, Y6, Y7, Y5, Y8, Y9)
	ROUND2(72, 76, Y0, Y1, Y2, Y4, Y3, Y5, Y6, Y7, Y9, Y8)

	// The output words c0…c3 are in Y2, Y0, Y1, Y3 (group A) and Y7, Y5,
	// Y6, Y8 (group B).
	POST(Y2, Y0, Y1, Y3, 0, AX)
	POST(Y7, Y5, Y6, Y8, 32, DX)
	SHLQ $4, DX
	ORQ  DX, AX
	SHLQ CX, AX
	ORQ  AX, R11
	ADDQ $8, CX
	ADDQ $64, BX
	JMP  draw

	// Phase 2, two groups per iteration: Log's polynomial
	// R = z·(c0 + z·(c1 + … + z·c10)), 21 rounded steps, over z. (The
	// iterations are independent, so that the processor overlaps them.)
horner:
	XORQ BX, BX

hloop:
	CMPQ    BX, R13
	JGE     finish
	VMOVUPD Z(R8)(BX*1), Y2
	VMOVUPD (Z+32)(R8)(BX*1), Y3
	VMULPD  c10<>(SB), Y2, Y0
	VMULPD  c10<>(SB), Y3, Y1
	STEP(c9)
	STEP(c8)
	STEP(c7)
	STEP(c6)
	STEP(c5)
	STEP(c4)
	STEP(c3)
	STEP(c2)
	STEP(c1)
	STEP(c0)
	VMOVUPD Y0, Z(R8)(BX*1)
	VMOVUPD Y1, (Z+32)(R8)(BX*1)
	ADDQ    $64, BX
	JMP     hloop

	// Phase 3, one group per iteration: the end of Log, the draws
	// x = u·f and y = v·f with f = sqrt((−2·log q)/q), stored as
	// x0 y0 x1 y1 | x2 y2 x3 y3. A rejected lane stores garbage (NaN).
finish:
	XORQ BX, BX

floop:
	CMPQ       BX, R13
	JGE        done
	VMOVUPD    F(R8)(BX*1), Y0        // f
	VMOVUPD    Z(R8)(BX*1), Y1        // R
	VMOVUPD    KF(R8)(BX*1), Y3       // kf
	VMULPD     half<>(SB), Y0, Y4
	VMULPD     Y0, Y4, Y4             // hfsq = (0.5·f)·f
	VADDPD     Y4, Y1, Y1
	VMULPD     S(R8)(BX*1), Y1, Y1    // s·(hfsq + R)
	VMULPD     ln2lo<>(SB), Y3, Y5
	VADDPD     Y5, Y1, Y1             // t = s·(hfsq + R) + kf·ln2Lo
	VSUBPD     Y1, Y4, Y4
	VSUBPD     Y0, Y4, Y4             // (hfsq − t) − f
	VMULPD     ln2hi<>(SB), Y3, Y3
	VSUBPD     Y4, Y3, Y3             // l = Log(q)
	VMULPD     mtwo<>(SB), Y3, Y3
	VDIVPD     Q(R8)(BX*1), Y3, Y3
	VSQRTPD    Y3, Y3                 // f = sqrt((−2·l)/q)
	VMULPD     U(R8)(BX*1), Y3, Y0    // x0 x1 x2 x3
	VMULPD     V(R8)(BX*1), Y3, Y1    // y0 y1 y2 y3
	VUNPCKLPD  Y1, Y0, Y2             // x0 y0 x2 y2
	VUNPCKHPD  Y1, Y0, Y4             // x1 y1 x3 y3
	VPERM2F128 $0x20, Y4, Y2, Y5      // x0 y0 x1 y1
	VPERM2F128 $0x31, Y4, Y2, Y6      // x2 y2 x3 y3
	VMOVUPD    Y5, (DI)
	VMOVUPD    Y6, 32(DI)
	ADDQ       $64, DI
	ADDQ       $32, BX
	JMP        floop

	// Keep the bits of the lanes below n.
done:
	VZEROUPPER
	MOVQ n+24(FP), CX
	MOVQ $1, AX
	SHLQ CX, AX
	DECQ AX
	ANDQ AX, R11
	MOVL R11, rejected+48(FP)
	RET
