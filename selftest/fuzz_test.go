//go:build cgo

package selftest

import (
	"context"
	"testing"

	"github.com/gradcheck/gradcheck"
	"github.com/gradcheck/gradcheck/cpu"
	"github.com/gradcheck/gradcheck/formulas"
	"github.com/gradcheck/gradcheck/gpu"
	"github.com/gradcheck/gradcheck/kernels/emu"
)

// FuzzBackends feeds generated functions and their true differential and
// gradient claims to the verifier on the CPU and on the emulated GPU: no
// panic, no error verdict (neither backend fails to evaluate a well-typed
// claim with inputs in its domain) and the same verdict on both (they draw
// bit-identical inputs). The seed corpus runs in go test; make fuzz-selftest
// runs the fuzzer.
func FuzzBackends(f *testing.F) {
	for i := range 12 {
		f.Add(uint64(i), uint16(i), uint8(i%4))
	}
	g := gpu.New(emu.New())
	f.Cleanup(func() {
		if err := g.Close(); err != nil {
			f.Error(err)
		}
	})
	f.Fuzz(func(t *testing.T, seed uint64, i uint16, depth uint8) {
		_, c, d, err := Draw(seed, int(i), 1+int(depth%4))
		if err != nil {
			t.Fatalf("Draw(%d, %d, %d): %v", seed, i, 1+depth%4, err)
		}
		if integralDepth(d.Diff) > 1 {
			// A double integral takes seconds under kernel emulation, which
			// the fuzzer takes for a hang.
			t.Skip("nested integrals")
		}
		s := gradcheck.DefaultSettings()
		s.Batch, s.Dirs, s.Seed = 1, 2, seed
		claims := []struct {
			kind formulas.Kind
			rhs  formulas.Expr
		}{{formulas.Diff, d.Diff}, {formulas.Grad, d.Grad}}
		for _, k := range claims {
			if k.rhs == nil {
				continue
			}
			claim, err := claimAs(c, k.kind, "", k.rhs)
			if err != nil {
				t.Fatal(err)
			}
			var results []gradcheck.Result
			for _, b := range []struct {
				name string
				run  func() gradcheck.Result
			}{
				{"cpu", func() gradcheck.Result { return gradcheck.Verify(context.Background(), cpu.New(), claim, s) }},
				{"gpu", func() gradcheck.Result { return gradcheck.Verify(context.Background(), g, claim, s) }},
			} {
				res := b.run()
				if res.Verdict == gradcheck.Error {
					t.Errorf("%s: %s: error: %s\n  %s", b.name, claim.Name, res.Reason, quoteAll(claimFlags(claim)))
				}
				results = append(results, res)
			}
			if c, g := results[0], results[1]; c.Verdict != g.Verdict && !roundingLevel(c, g) && !roundingLevel(g, c) {
				t.Errorf("%s: cpu %s, emulated gpu %s\n  %s", claim.Name, c.Verdict, g.Verdict, quoteAll(claimFlags(claim)))
			}
		}
	})
}

// roundingLevel reports whether a passed where b is inconclusive only
// because its comparisons were at the level of their rounding error (a
// claim whose truth is 0, as that of abs(X) − X for a positive X). The
// backends reduce in different orders, so such noise may land either side
// of the threshold: FuzzBackends found d(abs(X) − (X + P)) = sign(X).*dX −
// dX inconclusive on the CPU and passing on the emulated GPU. A pass
// against a fail, or against any other inconclusive, is a disagreement.
func roundingLevel(a, b gradcheck.Result) bool {
	n := b.Counts
	return a.Verdict == gradcheck.Pass && b.Verdict == gradcheck.Inconclusive &&
		n.Uncertain > 0 && n.Disagreed == 0 && n.OutOfDomain == 0 && n.ClaimBroken == 0
}

// integralDepth returns the deepest nesting of integrals in e.
func integralDepth(e formulas.Expr) int {
	deepest := 0
	for _, n := range nodes(e) {
		if in, ok := n.(*formulas.Integral); ok {
			deepest = max(deepest, 1+integralDepth(in.Body))
		}
	}
	return deepest
}
