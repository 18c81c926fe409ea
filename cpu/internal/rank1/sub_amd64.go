//go:build !noasm

package rank1

import "golang.org/x/sys/cpu"

// Assembly tells whether Sub runs subFMA, the assembly kernel: on amd64
// processors with AVX2 and FMA3, unless built with the tag noasm.
var Assembly = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// subFMA is Sub in AVX2 and FMA3 instructions (sub_amd64.s), without its
// bounds checks: two rows per pass over u, four entries per instruction.
//
//go:noescape
func subFMA(a []float64, lda, m int, x []float64, incx int, u []float64)

// sub is subFMA where the processor runs it, else subGo.
var sub = subGo

func init() {
	if Assembly {
		sub = subFMA
	}
}
