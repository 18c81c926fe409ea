//go:build cgo

package gradcheck

import (
	"testing"

	"github.com/gradcheck/gradcheck/backend"
	"github.com/gradcheck/gradcheck/gpu"
	"github.com/gradcheck/gradcheck/kernels/emu"
)

// This file runs tests of the package on the GPU backend under kernel
// emulation, whose inputs are the CPU's bit for bit.

// emulatedGPU returns the GPU backend on emulated kernels, closed when t
// ends.
func emulatedGPU(t *testing.T) backend.Backend {
	b := gpu.New(emu.New())
	t.Cleanup(func() {
		if err := b.Close(); err != nil {
			t.Error(err)
		}
	})
	return b
}

// TestMLExamplesGPU checks examples/ml.yaml on the emulated GPU.
func TestMLExamplesGPU(t *testing.T) { checkMLExamples(t, emulatedGPU(t)) }

// TestNearlySingularSampleGPU checks TestNearlySingularSample's claims on
// the emulated GPU: the decisions to shrink the step are the CPU's.
func TestNearlySingularSampleGPU(t *testing.T) { checkNearlySingular(t, emulatedGPU(t)) }

// TestIdentityConditioningGPU checks TestIdentityConditioning's claims on
// the emulated GPU.
func TestIdentityConditioningGPU(t *testing.T) { checkIdentityConditioning(t, emulatedGPU(t)) }

// TestIntegralPerInstanceGPU checks TestIntegralPerInstance's integrals on
// the emulated GPU, where the panels an instance alone needs are gathered
// on the device (Backend.Gather).
func TestIntegralPerInstanceGPU(t *testing.T) { checkIntegralPerInstance(t, emulatedGPU(t)) }
