//go:build !noasm

#include "textflag.h"

// The loops both kernels share, in AVX2 instructions: a product and a
// difference, each rounded, as in Go code and in gonum's kernels (no fused
// multiply-adds, so that LU rounds exactly as gonum's dgetf2 and as the
// GPU kernels emulated in tests). Y0 (X0) and Y1 (X1) hold the multipliers
// of the rows at ra and rb, SI points to u, CX holds len(u) and R10
// len(u) rounded down to a multiple of 4; AX counts the entries done.

// UPDATE2 sets ra[j] -= X0·u[j] and rb[j] -= X1·u[j] for j < len(u), four
// entries per instruction, then one at a time.
#define UPDATE2(ra, rb, four, one, done) \
	XORQ         AX, AX              \
four:                                \
	CMPQ         AX, R10             \
	JGE          one                 \
	VMOVUPD      (SI)(AX*8), Y4      \
	VMOVUPD      (ra)(AX*8), Y2      \
	VMOVUPD      (rb)(AX*8), Y3      \
	VMULPD       Y4, Y0, Y5          \
	VMULPD       Y4, Y1, Y6          \
	VSUBPD       Y5, Y2, Y2          \
	VSUBPD       Y6, Y3, Y3          \
	VMOVUPD      Y2, (ra)(AX*8)      \
	VMOVUPD      Y3, (rb)(AX*8)      \
	ADDQ         $4, AX              \
	JMP          four                \
one:                                 \
	CMPQ         AX, CX              \
	JGE          done                \
	VMOVSD       (SI)(AX*8), X4      \
	VMOVSD       (ra)(AX*8), X2      \
	VMOVSD       (rb)(AX*8), X3      \
	VMULSD       X4, X0, X5          \
	VMULSD       X4, X1, X6          \
	VSUBSD       X5, X2, X2          \
	VSUBSD       X6, X3, X3          \
	VMOVSD       X2, (ra)(AX*8)      \
	VMOVSD       X3, (rb)(AX*8)      \
	INCQ         AX                  \
	JMP          one                 \
done:

// UPDATE1 sets ra[j] -= X0·u[j] for j < len(u).
#define UPDATE1(ra, four, one, done) \
	XORQ         AX, AX              \
four:                                \
	CMPQ         AX, R10             \
	JGE          one                 \
	VMOVUPD      (SI)(AX*8), Y4      \
	VMOVUPD      (ra)(AX*8), Y2      \
	VMULPD       Y4, Y0, Y5          \
	VSUBPD       Y5, Y2, Y2          \
	VMOVUPD      Y2, (ra)(AX*8)      \
	ADDQ         $4, AX              \
	JMP          four                \
one:                                 \
	CMPQ         AX, CX              \
	JGE          done                \
	VMOVSD       (SI)(AX*8), X4      \
	VMOVSD       (ra)(AX*8), X2      \
	VMULSD       X4, X0, X5          \
	VSUBSD       X5, X2, X2          \
	VMOVSD       X2, (ra)(AX*8)      \
	INCQ         AX                  \
	JMP          one                 \
done:

// func subAVX(a []float64, lda, m int, x []float64, incx int, u []float64)
//
// For each i < m, a[i·lda+j] -= x[i·incx]·u[j] for j < len(u).
TEXT ·subAVX(SB), NOSPLIT, $0-96
	MOVQ a_base+0(FP), DI
	MOVQ lda+24(FP), R8
	SHLQ $3, R8
	MOVQ m+32(FP), R9
	MOVQ x_base+40(FP), R12
	MOVQ incx+64(FP), R13
	SHLQ $3, R13
	MOVQ u_base+72(FP), SI
	MOVQ u_len+80(FP), CX
	MOVQ CX, R10
	ANDQ $-4, R10

pairs:
	CMPQ         R9, $2
	JLT          single
	LEAQ         (DI)(R8*1), R11
	VBROADCASTSD (R12), Y0
	VBROADCASTSD (R12)(R13*1), Y1
	UPDATE2(DI, R11, pair4, pair1, pairdone)
	LEAQ         (R11)(R8*1), DI
	LEAQ         (R12)(R13*2), R12
	SUBQ         $2, R9
	JMP          pairs

single:
	CMPQ         R9, $1
	JLT          done
	VBROADCASTSD (R12), Y0
	UPDATE1(DI, one4, one1, done)
	VZEROUPPER
	RET

// MULTIPLIER(row, dst) replaces v = (row) with l = v·r, r in X7, and
// leaves l in the scalar part of dst.
#define MULTIPLIER(row, dst) \
	VMOVSD  (row), X10    \
	VMULSD  X7, X10, X11  \
	VMOVSD  X11, (row)    \
	VMOVAPD X11, dst

// SEARCH(row, take, skip) compares |(8(row))| with the largest so far, in
// X9, taking it (and the row index R12 into R13) when it is the first or
// strictly larger; then counts the row. X8 holds the mask of |·|.
#define SEARCH(row, take, skip) \
	VMOVSD  8(row), X10 \
	VANDPD  X8, X10, X10 \
	TESTQ   R12, R12     \
	JZ      take         \
	UCOMISD X9, X10      \
	JLS     skip         \
take:                    \
	VMOVAPD X10, X9      \
	MOVQ    R12, R13     \
skip:                    \
	INCQ    R12

// func stepAVX(a []float64, lda, m int, u []float64, r float64) (next int)
//
// For each of the m rows r of a, lda apart: r[0] *= r, r[1+j] -= r[0]·u[j]
// for j < len(u); returns the first row of largest |r[1]| (see Step).
TEXT ·stepAVX(SB), NOSPLIT, $0-80
	MOVQ  a_base+0(FP), DI
	MOVQ  lda+24(FP), R8
	SHLQ  $3, R8
	MOVQ  m+32(FP), R9
	MOVQ  u_base+40(FP), SI
	MOVQ  u_len+48(FP), CX
	MOVQ  CX, R10
	ANDQ  $-4, R10
	MOVSD recip+64(FP), X7
	MOVQ  $0x7fffffffffffffff, AX
	MOVQ  AX, X8
	XORQ  R12, R12
	XORQ  R13, R13

spairs:
	CMPQ         R9, $2
	JLT          ssingle
	LEAQ         (DI)(R8*1), R11
	MULTIPLIER(DI, X0)
	MULTIPLIER(R11, X1)
	VBROADCASTSD X0, Y0
	VBROADCASTSD X1, Y1
	LEAQ         8(DI), BX
	LEAQ         8(R11), DX
	UPDATE2(BX, DX, spair4, spair1, spairdone)
	TESTQ        CX, CX
	JZ           snosearch2
	SEARCH(DI, t0, s0)
	SEARCH(R11, t1, s1)

snosearch2:
	LEAQ (R11)(R8*1), DI
	SUBQ $2, R9
	JMP  spairs

ssingle:
	CMPQ         R9, $1
	JLT          sdone
	MULTIPLIER(DI, X0)
	VBROADCASTSD X0, Y0
	LEAQ         8(DI), BX
	UPDATE1(BX, sone4, sone1, slast)
	TESTQ        CX, CX
	JZ           sdone
	SEARCH(DI, t2, s2)

sdone:
	VZEROUPPER
	MOVQ R13, next+72(FP)
	RET

// func sub2AVX(a []float64, lda, m int, x, y []float64, incx int, u, v []float64)
//
// For each i < m, a[i·lda+j] = (a[i·lda+j] − x[i·incx]·u[j]) − y[i·incx]·v[j]
// for j < len(u), each product and difference rounded: two passes of Sub
// in one, each row loaded and stored once.
TEXT ·sub2AVX(SB), NOSPLIT, $0-144
	MOVQ a_base+0(FP), DI
	MOVQ lda+24(FP), R8
	SHLQ $3, R8
	MOVQ m+32(FP), R9
	MOVQ x_base+40(FP), R12
	MOVQ y_base+64(FP), R14
	MOVQ incx+88(FP), R13
	SHLQ $3, R13
	MOVQ u_base+96(FP), SI
	MOVQ u_len+104(FP), CX
	MOVQ v_base+120(FP), DX
	MOVQ CX, R10
	ANDQ $-4, R10

rows2:
	TESTQ        R9, R9
	JZ           done2
	VBROADCASTSD (R12), Y0
	VBROADCASTSD (R14), Y1
	XORQ         AX, AX

four2:
	CMPQ    AX, R10
	JGE     one2
	VMOVUPD (DI)(AX*8), Y2
	VMOVUPD (SI)(AX*8), Y4
	VMULPD  Y4, Y0, Y5
	VSUBPD  Y5, Y2, Y2
	VMOVUPD (DX)(AX*8), Y6
	VMULPD  Y6, Y1, Y7
	VSUBPD  Y7, Y2, Y2
	VMOVUPD Y2, (DI)(AX*8)
	ADDQ    $4, AX
	JMP     four2

one2:
	CMPQ   AX, CX
	JGE    next2
	VMOVSD (DI)(AX*8), X2
	VMOVSD (SI)(AX*8), X4
	VMULSD X4, X0, X5
	VSUBSD X5, X2, X2
	VMOVSD (DX)(AX*8), X6
	VMULSD X6, X1, X7
	VSUBSD X7, X2, X2
	VMOVSD X2, (DI)(AX*8)
	INCQ   AX
	JMP    one2

next2:
	ADDQ R8, DI
	ADDQ R13, R12
	ADDQ R13, R14
	DECQ R9
	JMP  rows2

done2:
	VZEROUPPER
	RET
