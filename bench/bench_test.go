package bench

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/gradcheck/gradcheck"
	"github.com/gradcheck/gradcheck/backend"
	"github.com/gradcheck/gradcheck/cpu"
)

// benched is a backend the benchmarks measure, under a name, at sizes.
type benched struct {
	name  string
	b     backend.Backend
	sizes []int
}

// backends are the backends the benchmarks measure: the CPU backend at
// n = 64 and 256, and, in a cgo build, the GPU backend's kernels under
// emulation (emulated_test.go) at n = 64, where a regression in the
// kernels or the launch code shows.
var backends = []benched{{"cpu", cpu.New(), []int{64, 256}}}

// opBatch is the number of matrices per operation: enough to keep every
// core busy at n = 64, few enough to stay quick at n = 256.
const opBatch = 16

// operands are the inputs of the operation benchmarks, on one backend:
// opBatch n×n matrices x, y (well conditioned) and pos (positive entries),
// n×1 vectors v, 1×1 scalars s, and k1, k2 of orders 4 and n/4, whose
// Kronecker products are n×n.
type operands struct {
	x, y, pos, v, s, k1, k2 backend.Tensor
}

func newOperands(b *testing.B, be backend.Backend, n int) operands {
	must := func(t backend.Tensor, err error) backend.Tensor {
		if err != nil {
			b.Fatal(err)
		}
		return t
	}
	gauss := func(rows, cols int, stream uint32) backend.Tensor {
		return must(be.Gaussian(backend.Layout{Count: opBatch, Rows: rows, Cols: cols}, 1, stream, 0))
	}
	x, err := wellConditioned(be, opBatch, n)
	must(x, err)
	return operands{
		x:   x,
		y:   must(be.Transpose(x)),
		pos: must(be.Map(backend.Exp, x)),
		v:   gauss(n, 1, 2),
		s:   gauss(1, 1, 3),
		k1:  gauss(4, 4, 4),
		k2:  gauss(n/4, n/4, 5),
	}
}

// opCases are the batched operations of backend.Backend, each applied to
// the operands.
var opCases = func() []struct {
	name string
	f    func(be backend.Backend, o operands) (backend.Tensor, error)
} {
	type c = struct {
		name string
		f    func(be backend.Backend, o operands) (backend.Tensor, error)
	}
	cases := []c{
		{"FromHost", func(be backend.Backend, o operands) (backend.Tensor, error) {
			l := o.x.Layout()
			return be.FromHost(l, make([]float64, l.Size()))
		}},
		{"ToHost", func(be backend.Backend, o operands) (backend.Tensor, error) {
			_, err := be.ToHost(o.x, nil)
			return nil, err
		}},
		{"Gaussian", func(be backend.Backend, o operands) (backend.Tensor, error) {
			return be.Gaussian(o.x.Layout(), 9, 9, 0)
		}},
		{"Eye", func(be backend.Backend, o operands) (backend.Tensor, error) { return be.Eye(o.x.Layout().Rows) }},
		{"Scale", func(be backend.Backend, o operands) (backend.Tensor, error) { return be.Scale(o.s, o.x) }},
		{"MatMul", func(be backend.Backend, o operands) (backend.Tensor, error) { return be.MatMul(o.x, o.y) }},
		{"Transpose", func(be backend.Backend, o operands) (backend.Tensor, error) { return be.Transpose(o.x) }},
		{"Kron", func(be backend.Backend, o operands) (backend.Tensor, error) { return be.Kron(o.k1, o.k2) }},
		{"Inv", func(be backend.Backend, o operands) (backend.Tensor, error) { return be.Inv(o.x) }},
		{"Det", func(be backend.Backend, o operands) (backend.Tensor, error) { return be.Det(o.x) }},
		{"LogDet", func(be backend.Backend, o operands) (backend.Tensor, error) { return be.LogDet(o.x) }},
		{"Trace", func(be backend.Backend, o operands) (backend.Tensor, error) { return be.Trace(o.x) }},
		{"Sum", func(be backend.Backend, o operands) (backend.Tensor, error) { return be.Sum(o.x) }},
		{"Dot", func(be backend.Backend, o operands) (backend.Tensor, error) { return be.Dot(o.x, o.y) }},
		{"Diag", func(be backend.Backend, o operands) (backend.Tensor, error) { return be.Diag(o.v) }},
		{"DiagOf", func(be backend.Backend, o operands) (backend.Tensor, error) { return be.DiagOf(o.x) }},
	}
	for _, e := range []struct {
		name string
		op   backend.ElemOp
	}{{"Add", backend.Add}, {"Sub", backend.Sub}, {"Mul", backend.Mul}, {"Div", backend.Div}, {"Pow", backend.Pow}} {
		cases = append(cases, c{"Elementwise/" + e.name, func(be backend.Backend, o operands) (backend.Tensor, error) {
			return be.Elementwise(e.op, o.pos, o.x)
		}})
	}
	for _, m := range []struct {
		name string
		op   backend.MapOp
	}{{"Neg", backend.Neg}, {"Exp", backend.Exp}, {"Log", backend.Log}, {"Sqrt", backend.Sqrt}, {"Abs", backend.Abs}, {"Tanh", backend.Tanh}} {
		cases = append(cases, c{"Map/" + m.name, func(be backend.Backend, o operands) (backend.Tensor, error) {
			return be.Map(m.op, o.pos)
		}})
	}
	return cases
}()

// BenchmarkOps times every batched operation on opBatch n×n matrices and
// reports the GFLOP/s and GB/s of the model of Cost.
func BenchmarkOps(b *testing.B) {
	for _, be := range backends {
		for _, c := range opCases {
			for _, n := range be.sizes {
				b.Run(fmt.Sprintf("%s/%s/n=%d", be.name, c.name, n), func(b *testing.B) {
					o := newOperands(b, be.b, n)
					ctr := NewCounter(be.b)
					for b.Loop() {
						t, err := c.f(ctr, o)
						if err != nil {
							b.Fatal(err)
						}
						if t != nil {
							ctr.Free(t)
						}
					}
					s := ctr.Stats()
					if sec := b.Elapsed().Seconds(); s.Flops > 0 {
						b.ReportMetric(s.Flops/sec/1e9, "GFLOP/s")
					} else {
						b.ReportMetric(s.Bytes/sec/1e9, "GB/s")
					}
				})
			}
		}
	}
}

// BenchmarkVerify times whole verifications of the default claims with the
// default settings and reports the time per verified instance, the function
// evaluations per second and the GFLOP/s over the whole verification.
func BenchmarkVerify(b *testing.B) {
	cs, err := Claims(DefaultClaimNames()...)
	if err != nil {
		b.Fatal(err)
	}
	for _, be := range backends {
		for _, c := range cs {
			for _, n := range be.sizes {
				b.Run(fmt.Sprintf("%s/%s/n=%d", be.name, c.Name, n), func(b *testing.B) {
					s := gradcheck.DefaultSettings()
					s.Sizes = map[string]int{"n": n, "m": n, "k": n}
					rc, err := c.Resolve(s.Sizes)
					if err != nil {
						b.Fatal(err)
					}
					ctr := NewCounter(be.b)
					evals := 0
					for b.Loop() {
						r := gradcheck.VerifyResolved(context.Background(), ctr, rc, s)
						if r.Verdict != gradcheck.Pass {
							b.Fatalf("%s: %s (%s)", c.Name, r.Verdict, r.Reason)
						}
						evals = r.Evaluations
					}
					sec := b.Elapsed().Seconds() / float64(b.N)
					b.ReportMetric(sec/float64(s.Batch)*1e3, "ms/instance")
					b.ReportMetric(float64(evals)/sec, "evals/s")
					b.ReportMetric(ctr.Stats().Flops/float64(b.N)/sec/1e9, "GFLOP/s")
				})
			}
		}
	}
}

// TestBusy checks the warning of a run begun on a busy machine: a load
// above the core count warns, with both numbers; at or below it, or
// unknown, nothing.
func TestBusy(t *testing.T) {
	for _, tt := range []struct {
		load string
		cpus int
		want string
	}{
		{"10.23 9.80 5.10", 2, "load average 10.2 on 2 cores"},
		{"2.00 1.00 1.00", 2, ""},
		{"0.50 0.40 0.30", 16, ""},
		{"", 2, ""},
		{"x 1 1", 2, ""},
	} {
		got := busy(Machine{LoadAvg: tt.load, NumCPU: tt.cpus})
		if tt.want == "" && got != "" || !strings.Contains(got, tt.want) {
			t.Errorf("load %q on %d cores: %q, want %q", tt.load, tt.cpus, got, tt.want)
		}
	}
}
