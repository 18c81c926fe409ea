//go:build cgo

package gpu_test

import (
	"fmt"
	"os"
	"slices"
	"sync"
	"testing"

	"github.com/gradcheck/gradcheck/gpu"
	"github.com/gradcheck/gradcheck/kernels/emu"
)

// device opens a device the tests run the GPU backend on.
type device struct {
	name string
	open func() (gpu.Device, error)
}

// devices are the emulation, with the threads of a block in order and in
// reverse order between barriers (a kernel that misses a barrier gives
// other results one way), and, in a build with the tag cuda, the GPU
// (cuda_test.go).
var devices = []device{
	{"emulated", func() (gpu.Device, error) { return emu.New(), nil }},
	{"emulated-reverse", func() (gpu.Device, error) { return emu.NewReverse(), nil }},
}

// shared holds one backend per device for the whole test binary.
var shared struct {
	once     sync.Once
	backends []*gpu.Backend
	err      error
}

// gpuBackends returns a GPU backend on every device, the same for every
// test.
func gpuBackends(t testing.TB) []*gpu.Backend {
	t.Helper()
	shared.once.Do(func() {
		for _, d := range devices {
			dev, err := d.open()
			if err != nil {
				shared.err = fmt.Errorf("%s: %w", d.name, err)
				return
			}
			shared.backends = append(shared.backends, gpu.New(dev))
		}
	})
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	return shared.backends
}

func TestMain(m *testing.M) {
	code := m.Run()
	for _, b := range shared.backends {
		if err := b.Close(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			code = 1
		}
	}
	os.Exit(code)
}

// newEmulated returns a GPU backend of its own on the emulated device,
// closed when the test ends.
func newEmulated(t testing.TB) *gpu.Backend {
	t.Helper()
	b := gpu.New(emu.New())
	t.Cleanup(func() {
		if err := b.Close(); err != nil {
			t.Error(err)
		}
	})
	return b
}

// withLimits is a device whose launch limits are another's as changed by
// set, named as the other with tag added. It shares the device of another
// backend, which closes it.
type withLimits struct {
	gpu.Device
	set func(*gpu.Limits)
	tag string
}

func (d withLimits) Name() string { return d.Device.Name() + d.tag }

func (d withLimits) Limits() gpu.Limits {
	l := d.Device.Limits()
	d.set(&l)
	return l
}

func (withLimits) Close() error { return nil }

// withProducts is d multiplying with the kernels p, which it must have.
func withProducts(d gpu.Device, p gpu.Products) gpu.Device {
	return withLimits{d, func(l *gpu.Limits) { l.Products = p }, ""}
}

// emulatedWith returns, for each emulated backend of the test, a backend
// on the same device whose limits set changes, its device named with tag
// added; they are closed when the test ends.
func emulatedWith(t testing.TB, tag string, set func(*gpu.Limits)) []*gpu.Backend {
	t.Helper()
	var backends []*gpu.Backend
	for _, g := range gpuBackends(t) {
		if emulated(g) {
			b := gpu.New(withLimits{g.Device(), set, tag})
			t.Cleanup(func() {
				if err := b.Close(); err != nil {
					t.Error(err)
				}
			})
			backends = append(backends, b)
		}
	}
	return backends
}

// wideLU returns the test's backends and, for each emulated one, a backend
// on the same device that factors with a CUDA device's 256 LU threads:
// eight warps, where the emulation's own 16 threads are one, so that the
// pivot search merges the bests of several warps.
func wideLU(t testing.TB) []*gpu.Backend {
	t.Helper()
	wide := emulatedWith(t, " (256 LU threads)", func(l *gpu.Limits) { l.LUThreads = 256 })
	return append(slices.Clone(gpuBackends(t)), wide...)
}
