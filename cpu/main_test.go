package cpu

import (
	"os"
	"testing"
)

// TestMain runs the package's tests with poisoned storage: every tensor an
// operation creates starts full of NaN, so that an entry it does not write
// makes its test fail.
func TestMain(m *testing.M) {
	poison = true
	os.Exit(m.Run())
}
