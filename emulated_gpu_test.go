//go:build cgo

package gradcheck

import (
	"maps"
	"slices"
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

// TestLayoutBlindGPU checks TestLayoutBlind's claims on the emulated GPU:
// the re-check of a pass at samples drawn not symmetric draws them there.
func TestLayoutBlindGPU(t *testing.T) { checkVerdictsOn(t, emulatedGPU(t), layoutCases(t)) }

// TestSoundVerdictsGPU checks TestSoundVerdicts's claims on the emulated
// GPU, those at sizes up to 48: the four at n = 64 to 128 took 146 s
// under emulation (the expm integral at n = 112, 129 s) and run on the
// CPU in TestSoundVerdicts.
func TestSoundVerdictsGPU(t *testing.T) {
	var small []verdictCase
	for _, c := range soundCases(t) {
		if !slices.ContainsFunc(slices.Collect(maps.Values(c.sizes)), func(n int) bool { return n > 48 }) {
			small = append(small, c)
		}
	}
	checkVerdictsOn(t, emulatedGPU(t), small)
}

// TestVecJacobiansGPU checks TestVecJacobians's claims at small sizes on
// the emulated GPU, where vec is the transpose kernel's output laid out as
// a column.
func TestVecJacobiansGPU(t *testing.T) {
	var small []verdictCase
	for _, c := range vecCases(t) {
		if c.sizes != nil {
			small = append(small, c)
		}
	}
	checkVerdictsOn(t, emulatedGPU(t), small)
}
