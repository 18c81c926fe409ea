//go:build cuda

package gpu_test

import (
	"os"

	"github.com/gradcheck/gradcheck/gpu"
	"github.com/gradcheck/gradcheck/gpu/cuda"
)

// With the tag cuda, every test that runs on gpuBackends also runs on GPU
// 0, against the CPU backend as under emulation; with
// GRADCHECK_TEST_DEVICES=cuda only there (scripts/gpu-check.sh). (The
// test binary needs the NVIDIA driver: gorgonia.org/cu exits the process
// without one.)
func init() {
	gpu0 := device{"cuda", func() (gpu.Device, error) { return cuda.New(0) }}
	if os.Getenv("GRADCHECK_TEST_DEVICES") == "cuda" {
		devices = nil
	}
	devices = append(devices, gpu0)
}
