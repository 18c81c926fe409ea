//go:build cgo

package gpu_test

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gradcheck/gradcheck"
	"github.com/gradcheck/gradcheck/backend"
	"github.com/gradcheck/gradcheck/cpu"
	"github.com/gradcheck/gradcheck/formulas"
	"github.com/gradcheck/gradcheck/gpu"
)

// roundSpy is a backend that counts calls of the operations whose GPU
// results differ from the CPU backend's by rounding: Inv and Solve, and the
// reductions, which add in a tree.
type roundSpy struct {
	backend.Backend
	calls atomic.Int64
}

func (s *roundSpy) Inv(a backend.Tensor) (backend.Tensor, error) {
	s.calls.Add(1)
	return s.Backend.Inv(a)
}

func (s *roundSpy) Solve(a, b backend.Tensor) (backend.Tensor, error) {
	s.calls.Add(1)
	return s.Backend.Solve(a, b)
}

func (s *roundSpy) Sum(a backend.Tensor) (backend.Tensor, error) {
	s.calls.Add(1)
	return s.Backend.Sum(a)
}

func (s *roundSpy) Trace(a backend.Tensor) (backend.Tensor, error) {
	s.calls.Add(1)
	return s.Backend.Trace(a)
}

func (s *roundSpy) Dot(a, b backend.Tensor) (backend.Tensor, error) {
	s.calls.Add(1)
	return s.Backend.Dot(a, b)
}

// TestVerifyParity verifies every claim of the registry and of the example
// specs (correct and wrong ones, so that failures and their diagnoses are
// compared too) on the emulated GPU and on the CPU with the same settings:
// at n=6, m=5, k=4 and at the claim's own sizes (n=48, m=40, k=32 unless it
// says otherwise), 2 instances, 2 directions.
//
// A claim that never inverts a matrix, solves with one, nor reduces one to a scalar (Sum,
// Dot, Trace) is evaluated with bit-identical operations on both backends
// under emulation, so its Result must be identical: verdict, errors,
// tolerances, worst instance (unless the CPU backend is built with
// OpenBLAS, see cpuLinalgExact, or the device is a GPU, whose kernels fuse
// multiply-adds; then every claim is held to the rule for Inv). With Inv,
// Solve or a reduction, the two backends' results differ by rounding
// (ops_test.go), which the finite differences divide by h. The verifier's tolerance is ten times its estimate of that rounding
// error (3·n·u·max|f|/h + n·u·‖G‖‖H‖, times the safety factor 10), so each
// backend's error is within a tenth of the tolerance of the exact value and
// the two are within two tenths of each other: the verdicts must agree, and
// the worst errors may differ by a fifth of the tolerance. (A relative bound of 1e-12
// on MaxRelErr would need bit-identical inverses: the error of a passing
// claim is itself rounding noise of that size.)
func TestVerifyParity(t *testing.T) {
	claims, err := formulas.Registry()
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range []string{"correct.yaml", "wrong.yaml", "ml.yaml"} {
		more, err := formulas.ReadSpec(filepath.Join(examples(), file))
		if err != nil {
			t.Fatal(err)
		}
		claims = append(claims, more...)
	}
	c := cpu.New()
	for _, g := range gpuBackends(t) {
		for _, claim := range claims {
			for _, sizes := range []map[string]int{{"n": 6, "m": 5, "k": 4}, nil} {
				name := fmt.Sprintf("%s/%s/%v", g.Device().Name(), claim.Name, sizes)
				t.Run(name, func(t *testing.T) { testParity(t, g, c, claim, sizes, gradcheck.Directional) })
			}
			// Entry by entry, where rounding also decides which entries
			// settle at the forward or the central stage on each backend. (k ≤
			// n: with k > n, det(A·X⁻¹·B) of wrong-det-axinvb-rect is a
			// k×k determinant of rank n, identically 0, and both sides are
			// rounding noise that |det|, its magnitude, does not bound.)
			sizes := map[string]int{"n": 5, "m": 3, "k": 4}
			name := fmt.Sprintf("%s/%s/%v/entrywise", g.Device().Name(), claim.Name, sizes)
			t.Run(name, func(t *testing.T) { testParity(t, g, c, claim, sizes, gradcheck.Entrywise) })
		}
	}
}

// examples returns the directory of the example specs: ../examples, or
// $GRADCHECK_EXAMPLES for a test binary run elsewhere (scripts/gpu-check.sh
// runs the precompiled one from the repository's root).
func examples() string {
	if dir := os.Getenv("GRADCHECK_EXAMPLES"); dir != "" {
		return dir
	}
	return filepath.Join("..", "examples")
}

// testParity verifies claim on g and c at the given sizes and in the given
// mode and compares the results.
func testParity(t *testing.T, g, c backend.Backend, claim *formulas.Claim, sizes map[string]int, mode gradcheck.Mode) {
	t.Parallel()
	s := gradcheck.DefaultSettings()
	s.Sizes, s.Batch, s.Dirs, s.Mode = sizes, 2, 2, mode
	spy := &roundSpy{Backend: g}
	got := gradcheck.Verify(context.Background(), spy, claim, s)
	want := gradcheck.Verify(context.Background(), c, claim, s)
	if want.Verdict == gradcheck.Error {
		t.Fatalf("cpu: %s", want.Reason)
	}
	if cpuLinalgExact && spy.calls.Load() == 0 && emulated(g) {
		if !reflect.DeepEqual(got, want) {
			t.Errorf("gpu result differs from cpu:\n gpu %+v\n cpu %+v", got, want)
		}
		return
	}
	if got.Verdict != want.Verdict {
		t.Errorf("verdict %s (%s), cpu %s", got.Verdict, got.Reason, want.Verdict)
	}
	// A failed claim's worst comparison is the one furthest beyond its own
	// tolerance, and the tolerances round differently on the two backends,
	// so each may pick another comparison, with errors of order 1 that
	// differ by far more than a tolerance: for a failure the verdict is
	// what must agree.
	if want.Verdict == gradcheck.Fail {
		return
	}
	// Where every comparison is far within its tolerance, rounding may
	// likewise pick different ones, each with its own tolerance: the errors
	// are then bounded by the larger of the two.
	if d, tol := math.Abs(got.MaxRelErr-want.MaxRelErr), max(got.Tolerance, want.Tolerance); d > 0.2*tol {
		t.Errorf("max rel err %.3g (tolerance %.3g), cpu %.3g (tolerance %.3g): differ by more than a fifth of the larger tolerance",
			got.MaxRelErr, got.Tolerance, want.MaxRelErr, want.Tolerance)
	}
}

// emulated reports whether b runs on the emulation, which fuses no
// multiply-add.
func emulated(b backend.Backend) bool {
	g, ok := b.(*gpu.Backend)
	return ok && strings.HasPrefix(g.Device().Name(), "emulated")
}
