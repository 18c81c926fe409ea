//go:build !noasm

package rank1

import "golang.org/x/sys/cpu"

// Assembly tells whether Sub and Step run the assembly kernels: on amd64
// processors with AVX2, unless built with the tag noasm.
var Assembly = cpu.X86.HasAVX2

// subAVX and stepAVX are Sub and Step in AVX2 instructions (sub_amd64.s),
// without their bounds checks: two rows per pass over u, four entries per
// instruction.
//
//go:noescape
func subAVX(a []float64, lda, m int, x []float64, incx int, u []float64)

//go:noescape
func stepAVX(a []float64, lda, m int, u []float64, recip float64) (next int)

// sub2AVX is Sub2 in AVX2 instructions (sub_amd64.s), without its bounds
// checks: a row at a time, four entries per instruction.
//
//go:noescape
func sub2AVX(a []float64, lda, m int, x, y []float64, incx int, u, v []float64)

// sub, sub2 and step are the assembly kernels where the processor runs
// them, else subGo, sub2Go and stepGo.
var (
	sub  = subGo
	sub2 = sub2Go
	step = stepGo
)

func init() {
	if Assembly {
		sub, sub2, step = subAVX, sub2AVX, stepAVX
	}
}
