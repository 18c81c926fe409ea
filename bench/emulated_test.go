//go:build cgo

package bench

import (
	"github.com/gradcheck/gradcheck/gpu"
	"github.com/gradcheck/gradcheck/kernels/emu"
)

func init() {
	backends = append(backends, benched{"gpu-emulated", gpu.New(emu.New()), []int{64}})
}
