//go:build cuda

package gpu_test

import (
	"github.com/gradcheck/gradcheck/gpu"
	"github.com/gradcheck/gradcheck/gpu/cuda"
)

// With the tag cuda, every test that runs on gpuBackends also runs on GPU
// 0, against the CPU backend as under emulation. (The test binary needs the
// NVIDIA driver: gorgonia.org/cu exits the process without one.)
func init() {
	devices = append(devices, device{"cuda", func() (gpu.Device, error) { return cuda.New(0) }})
}
