//go:build cgo

package gpu_test

import (
	"testing"

	"github.com/gradcheck/gradcheck/backend/backendtest"
)

// TestConformance runs the conformance suite of package backend on every
// device: the kernel emulation, and the GPU in a build with the tag cuda.
func TestConformance(t *testing.T) {
	for _, b := range gpuBackends(t) {
		t.Run(b.DeviceName(), func(t *testing.T) { backendtest.Run(t, b) })
	}
}
