//go:build !openblas

package cpu

import (
	"testing"

	"gonum.org/v1/gonum/blas/gonum"
)

// TestPureGoPath checks that the default build says it is pure Go and that
// MatMul's products are gonum's.
func TestPureGoPath(t *testing.T) {
	if got := LinalgPath(); got != "gonum (pure Go)" {
		t.Errorf("LinalgPath() = %q", got)
	}
	if impl, ok := level3.(gonum.Implementation); !ok {
		t.Errorf("MatMul uses %T, not %T", level3, impl)
	}
}
