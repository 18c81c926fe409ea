package main

import (
	"github.com/gradcheck/gradcheck/backend"
	"github.com/gradcheck/gradcheck/cpu"
)

// errNoGPU is the answer to --backend gpu until the GPU worker exists.
var errNoGPU = failErrorf("gpu backend: not available in this build (no GPU worker); use --backend cpu")

// selectBackend returns the backend that --backend names: auto is the CPU
// as long as this build has no GPU worker.
func selectBackend(name string) (backend.Backend, error) {
	switch name {
	case "gpu":
		return nil, errNoGPU
	default: // auto, cpu
		return cpu.New(), nil
	}
}
