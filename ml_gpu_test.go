//go:build cgo

package gradcheck

import (
	"testing"

	"github.com/gradcheck/gradcheck/gpu"
	"github.com/gradcheck/gradcheck/kernels/emu"
)

// TestMLExamplesGPU checks examples/ml.yaml on the GPU backend under kernel
// emulation.
func TestMLExamplesGPU(t *testing.T) {
	b := gpu.New(emu.New())
	defer func() {
		if err := b.Close(); err != nil {
			t.Error(err)
		}
	}()
	checkMLExamples(t, b)
}
