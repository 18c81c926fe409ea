package bench

import (
	"math"
	"testing"

	"github.com/gradcheck/gradcheck/backend"
	"github.com/gradcheck/gradcheck/cpu"
)

// TestCounterClosedForm evaluates tr(A·X·B) and logdet(X) + ⟨X⁻¹, X⟩ on a
// batch through a Counter and checks the tallies against the closed-form
// counts of the model.
func TestCounterClosedForm(t *testing.T) {
	const c, k, m, n = 3, 4, 5, 7
	ctr := NewCounter(cpu.New())
	gauss := func(count, r, cols int, stream uint32) backend.Tensor {
		x, err := ctr.Gaussian(backend.Layout{Count: count, Rows: r, Cols: cols}, 7, stream, 0)
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	a, x, b := gauss(1, k, m, 1), gauss(c, m, n, 2), gauss(c, n, k, 3)
	ax, _ := ctr.MatMul(a, x)   // c·2kmn, A broadcast
	axb, _ := ctr.MatMul(ax, b) // c·2knk
	ctr.Free(ax)
	ctr.Trace(axb) // c·k
	ctr.Free(axb)
	sq := gauss(c, n, n, 4)
	ld, _ := ctr.LogDet(sq) // c·2n³/3
	inv, _ := ctr.Inv(sq)   // c·2n³
	dot, _ := ctr.Dot(inv, sq)
	sum, _ := ctr.Elementwise(backend.Add, ld, dot) // c
	if _, err := ctr.ToHost(sum, nil); err != nil {
		t.Fatal(err)
	}

	want := map[Op]float64{
		OpMatMul:      c * (2*k*m*n + 2*k*n*k),
		OpTrace:       c * k,
		OpLogDet:      c * 2 * n * n * n / 3.0,
		OpInv:         c * 2 * n * n * n,
		OpDot:         c * 2 * n * n,
		OpElementwise: c,
	}
	s := ctr.Stats()
	var total float64
	for _, o := range s.Ops {
		if o.Flops != want[o.Op] {
			t.Errorf("%s: %v flops, want %v", o.Op, o.Flops, want[o.Op])
		}
		total += want[o.Op]
	}
	if s.Flops != total {
		t.Errorf("total %v flops, want %v", s.Flops, total)
	}
	if got := s.Ops[0].Op; got != OpInv {
		t.Errorf("first op %s, want Inv (most flops)", got)
	}
	calls := map[Op]int64{}
	for _, o := range s.Ops {
		calls[o.Op] = o.Calls
	}
	if calls[OpMatMul] != 2 || calls[OpFree] != 2 || calls[OpGaussian] != 4 || calls[OpToHost] != 1 {
		t.Errorf("calls %v", calls)
	}

	// Bytes: MatMul A·X reads A (k·m) and X (c·m·n) and writes c·k·n.
	var mmBytes float64
	for _, o := range s.Ops {
		if o.Op == OpMatMul {
			mmBytes = o.Bytes
		}
	}
	if w := 8.0 * (k*m + c*m*n + c*k*n + c*k*n + c*n*k + c*k*k); mmBytes != w {
		t.Errorf("MatMul bytes %v, want %v", mmBytes, w)
	}

	// Live tensors: a, x, b, the trace, sq, ld, inv, dot, sum; the peak is
	// either that or a, x, b, ax and axb before ax was freed.
	live := int64(8 * (k*m + c*m*n + c*n*k + c + c*n*n + c + c*n*n + c + c))
	if s.LiveBytes != live {
		t.Errorf("live %d bytes, want %d", s.LiveBytes, live)
	}
	if peak := max(live, int64(8*(k*m+c*m*n+c*n*k+c*k*n+c*k*k))); s.PeakBytes != peak {
		t.Errorf("peak %d bytes, want %d", s.PeakBytes, peak)
	}
}

func TestCostModelGather(t *testing.T) {
	// Gather reads the matrices it copies, not its whole operand.
	result := backend.Layout{Count: 2, Rows: 3, Cols: 4}
	flops, bytes := Cost(OpGather, result, backend.Layout{Count: 10, Rows: 3, Cols: 4})
	if flops != 0 || bytes != 2*8*24 {
		t.Errorf("Gather of 2 of 10 3×4 matrices: %v flops, %v bytes, want 0 and %v", flops, bytes, 2*8*24)
	}
}

func TestCostModel(t *testing.T) {
	sq := func(count, n int) backend.Layout { return backend.Layout{Count: count, Rows: n, Cols: n} }
	one := backend.Layout{Count: 2, Rows: 1, Cols: 1}
	for _, c := range []struct {
		op       Op
		result   backend.Layout
		operands []backend.Layout
		flops    float64
	}{
		{OpMatMul, backend.Layout{Count: 2, Rows: 3, Cols: 5}, []backend.Layout{{Count: 1, Rows: 3, Cols: 4}, {Count: 2, Rows: 4, Cols: 5}}, 2 * 2 * 3 * 4 * 5},
		{OpInv, sq(2, 10), []backend.Layout{sq(2, 10)}, 2 * 2000},
		{OpDet, one, []backend.Layout{sq(2, 30)}, 2 * 2 * 27000 / 3},
		{OpLogDet, one, []backend.Layout{sq(2, 30)}, 2 * 2 * 27000 / 3},
		{OpElementwise, sq(4, 3), []backend.Layout{sq(4, 3), sq(1, 3)}, 4 * 9},
		{OpKron, sq(2, 6), []backend.Layout{sq(2, 2), sq(2, 3)}, 2 * 36},
		{OpDot, one, []backend.Layout{sq(2, 5), sq(2, 5)}, 2 * 2 * 25},
		{OpTrace, one, []backend.Layout{sq(2, 5)}, 2 * 5},
		{OpSum, one, []backend.Layout{sq(2, 5)}, 2 * 25},
		{OpTranspose, sq(2, 5), []backend.Layout{sq(2, 5)}, 0},
		{OpVec, sq(2, 5), []backend.Layout{sq(2, 5)}, 0},
		{OpGaussian, sq(2, 5), nil, 0},
	} {
		flops, bytes := Cost(c.op, c.result, c.operands...)
		if math.Abs(flops-c.flops) > 1e-9*c.flops {
			t.Errorf("%s: %v flops, want %v", c.op, flops, c.flops)
		}
		wantBytes := 8 * float64(c.result.Size())
		for _, l := range c.operands {
			wantBytes += 8 * float64(l.Size())
		}
		if bytes != wantBytes {
			t.Errorf("%s: %v bytes, want %v", c.op, bytes, wantBytes)
		}
	}
}
