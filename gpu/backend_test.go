//go:build cgo

package gpu_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	bt "github.com/gradcheck/gradcheck/backend/backendtest"

	"github.com/gradcheck/gradcheck"
	"github.com/gradcheck/gradcheck/backend"
	"github.com/gradcheck/gradcheck/cpu"
	"github.com/gradcheck/gradcheck/formulas"
	"github.com/gradcheck/gradcheck/gpu"
	"github.com/gradcheck/gradcheck/kernels/emu"
)

// faulty is an emulated device that fails launches of one kernel and
// bt.Counts allocations.
type faulty struct {
	*emu.Device
	fail   string
	allocs int
}

func (f *faulty) Launch(kernel string, grid, block gpu.Dim, shared int, args ...uint64) error {
	if kernel == f.fail {
		return errors.New("illegal address")
	}
	return f.Device.Launch(kernel, grid, block, shared, args...)
}

func (f *faulty) Alloc(n int) (gpu.Ptr, error) {
	f.allocs++
	return f.Device.Alloc(n)
}

func TestLaunchErrorNamesKernelAndGrid(t *testing.T) {
	dev := &faulty{Device: emu.New(), fail: "gc_gemm_dmma_async"}
	b := gpu.New(dev)
	defer b.Close()
	x := bt.Upload(t, b, bt.Host{L: backend.Layout{Count: 3, Rows: 20, Cols: 20}, Data: make([]float64, 1200)})
	_, err := b.MatMul(x, x)
	if err == nil {
		t.Fatal("MatMul succeeded on a failing device")
	}
	want := "gpu: gc_gemm_dmma_async<<<(1,3,1), (128,1,1), 0>>>: illegal address"
	if err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
}

func TestBuffersAreReused(t *testing.T) {
	dev := &faulty{Device: emu.New()}
	b := gpu.New(dev)
	defer b.Close()
	l := backend.Layout{Count: 2, Rows: 3, Cols: 3}
	for range 10 {
		x, err := b.Eye(5)
		if err != nil {
			t.Fatal(err)
		}
		b.Free(x)
		y := bt.Upload(t, b, bt.Host{L: l, Data: make([]float64, 18)})
		b.Free(y)
	}
	if dev.allocs != 2 {
		t.Errorf("%d allocations for 2 distinct sizes", dev.allocs)
	}
}

func TestMisusePanics(t *testing.T) {
	b := newEmulated(t)
	x, err := b.Eye(2)
	if err != nil {
		t.Fatal(err)
	}
	other, err := cpu.New().Eye(2)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, want string
		f          func()
	}{
		{"foreign tensor", "does not belong", func() { b.Transpose(other) }},
		{"bad bt.Counts", "do not divide", func() {
			y := bt.Upload(t, b, bt.Host{L: backend.Layout{Count: 3, Rows: 2, Cols: 2}, Data: make([]float64, 12)})
			z := bt.Upload(t, b, bt.Host{L: backend.Layout{Count: 2, Rows: 2, Cols: 2}, Data: make([]float64, 8)})
			b.Elementwise(backend.Add, y, z)
		}},
		{"shapes", "cannot multiply", func() {
			y := bt.Upload(t, b, bt.Host{L: backend.Layout{Count: 1, Rows: 3, Cols: 1}, Data: make([]float64, 3)})
			b.MatMul(x, y)
		}},
		{"use after free", "after Free", func() {
			y, _ := b.Eye(3)
			b.Free(y)
			b.Sum(y)
		}},
	}
	for _, c := range cases {
		func() {
			defer func() {
				r := recover()
				if s, _ := r.(string); !strings.Contains(s, c.want) {
					t.Errorf("%s: panic %v, want one containing %q", c.name, r, c.want)
				}
			}()
			c.f()
		}()
	}
}

// TestNameAndDevice checks the names and that the emulation, which has no
// memory of its own, says it cannot report free memory.
func TestNameAndDevice(t *testing.T) {
	b := newEmulated(t)
	if b.Name() != "gpu" || b.Device().Name() != "emulated" || b.DeviceName() != "emulated" {
		t.Errorf("names %q, %q, %q", b.Name(), b.Device().Name(), b.DeviceName())
	}
	if free, err := b.FreeMemory(); err == nil {
		t.Errorf("emulated device reports %d bytes free", free)
	}
}

// TestFailedKernelIsAnErrorVerdict checks that a kernel failing while the
// inputs are drawn (the products of a rectangular wellcond variable) ends the
// verification with an error verdict naming the kernel, not a panic on the
// operations after it.
func TestFailedKernelIsAnErrorVerdict(t *testing.T) {
	for _, kernel := range []string{"gc_gemm_small", "gc_diag"} {
		b := gpu.New(&faulty{Device: emu.New(), fail: kernel})
		c, err := formulas.Build(formulas.Spec{Name: "logdet", F: "logdet(X'*X)", Wrt: "X", Grad: "2*X*inv(X'*X)",
			Vars: []formulas.SpecVar{{Name: "X", VarSpec: formulas.VarSpec{Shape: "m,n", Dist: "wellcond"}}}})
		if err != nil {
			t.Fatal(err)
		}
		s := gradcheck.DefaultSettings()
		s.Sizes = map[string]int{"m": 5, "n": 3}
		res := gradcheck.Verify(context.Background(), b, c, s)
		if res.Verdict != gradcheck.Error || !strings.Contains(res.Reason, kernel) {
			t.Errorf("%s failing: verdict %s, reason %q; want an error naming it", kernel, res.Verdict, res.Reason)
		}
		if err := b.Close(); err != nil {
			t.Error(err)
		}
	}
}
