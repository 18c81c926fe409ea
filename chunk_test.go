package gradcheck

import (
	"math"
	"testing"
)

// TestFinite checks finite's subtraction test against math.IsNaN and
// math.IsInf at the edges of the float64 range.
func TestFinite(t *testing.T) {
	for _, x := range []float64{0, math.Copysign(0, -1), 1, -1, math.MaxFloat64, -math.MaxFloat64,
		math.SmallestNonzeroFloat64, 0x1p-1022, math.Inf(1), math.Inf(-1), math.NaN()} {
		want := !math.IsNaN(x) && !math.IsInf(x, 0)
		if got := finite(x); got != want {
			t.Errorf("finite(%g) = %v, want %v", x, got, want)
		}
	}
}
