//go:build !amd64 || noasm

package philox

// Assembly is false: this build has no assembly kernel.
const Assembly = false

// draw is drawGo.
func draw(out *[2 * lanes]float64, s *schedule, ctr *[lanes]uint64, n int, p, index, stream uint32) (rejected uint32) {
	return drawGo(out, s, ctr, n, p, index, stream)
}
