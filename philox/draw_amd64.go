//go:build !noasm

package philox

import "golang.org/x/sys/cpu"

// Assembly tells whether Fill and FillAt make their attempts of the polar
// method with the AVX2 kernel (draw_amd64.s): on amd64 processors with
// AVX2, unless built with the tag noasm. Either way the draws are the
// same, bit for bit.
var Assembly = cpu.X86.HasAVX2

// drawAVX is drawGo in AVX2 instructions (draw_amd64.s): four lanes per
// instruction, eight at a time through each phase. It computes the lanes
// up to n rounded up to a multiple of eight.
//
//go:noescape
func drawAVX(out *[2 * lanes]float64, s *schedule, ctr *[lanes]uint64, n int, p, index, stream uint32) (rejected uint32)

// draw is drawAVX where Assembly is set, else drawGo.
func draw(out *[2 * lanes]float64, s *schedule, ctr *[lanes]uint64, n int, p, index, stream uint32) (rejected uint32) {
	if Assembly {
		return drawAVX(out, s, ctr, n, p, index, stream)
	}
	return drawGo(out, s, ctr, n, p, index, stream)
}
