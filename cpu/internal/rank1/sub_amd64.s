//go:build !noasm

#include "textflag.h"

// func subFMA(a []float64, lda, m int, x []float64, incx int, u []float64)
//
// For each i < m, a[i·lda+j] -= x[i·incx]·u[j] for j < len(u): two rows
// per pass over u, four entries per instruction, with fused multiply-adds
// (AVX2 and FMA3).
TEXT ·subFMA(SB), NOSPLIT, $0-96
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
	XORQ         AX, AX

pair4:
	CMPQ         AX, R10
	JGE          pair1
	VMOVUPD      (SI)(AX*8), Y4
	VMOVUPD      (DI)(AX*8), Y2
	VMOVUPD      (R11)(AX*8), Y3
	VFNMADD231PD Y4, Y0, Y2
	VFNMADD231PD Y4, Y1, Y3
	VMOVUPD      Y2, (DI)(AX*8)
	VMOVUPD      Y3, (R11)(AX*8)
	ADDQ         $4, AX
	JMP          pair4

pair1:
	CMPQ         AX, CX
	JGE          pairdone
	VMOVSD       (SI)(AX*8), X4
	VMOVSD       (DI)(AX*8), X2
	VMOVSD       (R11)(AX*8), X3
	VFNMADD231SD X4, X0, X2
	VFNMADD231SD X4, X1, X3
	VMOVSD       X2, (DI)(AX*8)
	VMOVSD       X3, (R11)(AX*8)
	INCQ         AX
	JMP          pair1

pairdone:
	LEAQ (R11)(R8*1), DI
	LEAQ (R12)(R13*2), R12
	SUBQ $2, R9
	JMP  pairs

single:
	CMPQ         R9, $1
	JLT          done
	VBROADCASTSD (R12), Y0
	XORQ         AX, AX

one4:
	CMPQ         AX, R10
	JGE          one1
	VMOVUPD      (SI)(AX*8), Y4
	VMOVUPD      (DI)(AX*8), Y2
	VFNMADD231PD Y4, Y0, Y2
	VMOVUPD      Y2, (DI)(AX*8)
	ADDQ         $4, AX
	JMP          one4

one1:
	CMPQ         AX, CX
	JGE          done
	VMOVSD       (SI)(AX*8), X4
	VMOVSD       (DI)(AX*8), X2
	VFNMADD231SD X4, X0, X2
	VMOVSD       X2, (DI)(AX*8)
	INCQ         AX
	JMP          one1

done:
	VZEROUPPER
	RET
