//go:build cgo

package gradcheck

import (
	"testing"

	"github.com/gradcheck/gradcheck/gpu"
	"github.com/gradcheck/gradcheck/kernels/emu"
)

// TestNearlySingularSampleGPU checks TestNearlySingularSample's claims on
// the GPU backend under kernel emulation: its inputs are the CPU's bit for
// bit, and so are the decisions to shrink the step.
func TestNearlySingularSampleGPU(t *testing.T) {
	b := gpu.New(emu.New())
	defer func() {
		if err := b.Close(); err != nil {
			t.Error(err)
		}
	}()
	checkNearlySingular(t, b)
}

// TestIdentityConditioningGPU checks TestIdentityConditioning's claims on
// the GPU backend under kernel emulation.
func TestIdentityConditioningGPU(t *testing.T) {
	b := gpu.New(emu.New())
	defer func() {
		if err := b.Close(); err != nil {
			t.Error(err)
		}
	}()
	checkIdentityConditioning(t, b)
}
