//go:build !openblas

package cpu

import (
	"strings"
	"testing"

	"github.com/gradcheck/gradcheck/cpu/internal/rank1"

	"gonum.org/v1/gonum/blas/gonum"
)

// TestPureGoPath checks that the default build says it is pure Go, and
// whether its small LU is assembly, and that MatMul's products are gonum's.
func TestPureGoPath(t *testing.T) {
	got := LinalgPath()
	if !strings.HasPrefix(got, "gonum (pure Go)") || strings.Contains(got, "AVX2") != rank1.Assembly {
		t.Errorf("LinalgPath() = %q (assembly %v)", got, rank1.Assembly)
	}
	if impl, ok := level3.(gonum.Implementation); !ok {
		t.Errorf("MatMul uses %T, not %T", level3, impl)
	}
}
