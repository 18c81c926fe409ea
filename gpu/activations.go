package gpu

import (
	"fmt"

	"github.com/gradcheck/gradcheck/backend"
)

// activation runs the elementwise function op, Sigmoid or later, through
// the kernel gc_activation, whose op codes count from Sigmoid in the order
// of backend.MapOp.
func (b *Backend) activation(op backend.MapOp, at *tensor) (backend.Tensor, error) {
	return b.run(at.l, func(out *tensor) error {
		return b.launch1D("gc_activation", at.l.Size(), uint64(op-backend.Sigmoid), out.p(), at.p(), w(at.l.Size()))
	})
}

// Softmax returns e^x/Σe^x of every column of every matrix, one thread per
// column, bit-identical with the CPU backend.
func (b *Backend) Softmax(a backend.Tensor) (backend.Tensor, error) {
	at := b.get("Softmax", a)
	return b.run(at.l, func(out *tensor) error {
		return b.launch1D("gc_softmax", at.l.Count*at.l.Cols, out.p(), at.p(),
			w(at.l.Count), w(at.l.Rows), w(at.l.Cols))
	})
}

// LogSumExp returns log Σ e^x over all entries of each matrix (1×1), one
// thread per matrix, bit-identical with the CPU backend.
func (b *Backend) LogSumExp(a backend.Tensor) (backend.Tensor, error) {
	at := b.get("LogSumExp", a)
	count := at.l.Count
	return b.run(backend.Layout{Count: count, Rows: 1, Cols: 1}, func(out *tensor) error {
		return b.launch1D("gc_logsumexp", count, out.p(), at.p(), w(count), w(at.l.Rows*at.l.Cols))
	})
}

// SignChanges counts, for each run of group consecutive matrices of a, the
// entries whose sign differs within the run, one thread per run.
func (b *Backend) SignChanges(a backend.Tensor, group int) (backend.Tensor, error) {
	at := b.get("SignChanges", a)
	if group < 1 || at.l.Count%group != 0 {
		panic(fmt.Sprintf("gpu: SignChanges: group %d does not divide count %d", group, at.l.Count))
	}
	runs := at.l.Count / group
	return b.run(backend.Layout{Count: runs, Rows: 1, Cols: 1}, func(out *tensor) error {
		return b.launch1D("gc_sign_changes", runs, out.p(), at.p(), w(runs), w(group), w(at.l.Rows*at.l.Cols))
	})
}
