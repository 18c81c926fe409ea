//go:build cgo

package emu

import (
	"math"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/gradcheck/gradcheck/gpu"
	"github.com/gradcheck/gradcheck/kernels"
)

// dim returns the extent x×y×z.
func dim(x, y, z int) gpu.Dim { return gpu.Dim{X: x, Y: y, Z: z} }

// run allocates n values, launches kernel with the allocation as its first
// parameter followed by args, and returns the values afterwards.
func run(t *testing.T, d *Device, n int, kernel string, grid, block gpu.Dim, shared int, args ...uint64) []float64 {
	t.Helper()
	p, err := d.Alloc(n)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Free(p)
	if err := d.Launch(kernel, grid, block, shared, append([]uint64{uint64(p)}, args...)...); err != nil {
		t.Fatal(err)
	}
	out := make([]float64, n)
	if err := d.CopyOut(out, p); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestBarrier checks that __syncthreads is a real barrier: each thread reads
// what its neighbour wrote before the barrier, also when some threads of
// the block have returned early, and with base changed between launches so
// that stale shared memory would show.
func TestBarrier(t *testing.T) {
	d := New()
	defer d.Close()
	for i, c := range []struct{ threads, live int }{{1, 1}, {32, 32}, {64, 37}, {256, 256}, {1024, 1000}} {
		base := float64(100 * (i + 1))
		out := run(t, d, 2*c.threads, "emu_test_barrier", dim(1, 1, 1), dim(c.threads, 1, 1),
			8*c.threads, uint64(c.live), math.Float64bits(base))
		for j := range c.live {
			if want := base + float64((j+1)%c.live); out[j] != want {
				t.Fatalf("%+v: thread %d read %v after the first barrier, want %v", c, j, out[j], want)
			}
			if want := 2 * (base + float64(j)); out[c.threads+j] != want {
				t.Fatalf("%+v: thread %d read %v after the third barrier, want %v", c, j, out[c.threads+j], want)
			}
		}
	}
}

// TestAtomics runs the atomics of the emulation over a grid of 3×2 blocks
// of 4×5 threads, whose kernel index is blockIdx.x·blockDim.x + threadIdx.x.
func TestAtomics(t *testing.T) {
	d := New()
	defer d.Close()
	p, err := d.Alloc(5)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Free(p)
	if err := d.CopyIn(p, []float64{0, 0, math.Float64frombits(1 << 40), 0, 0}); err != nil {
		t.Fatal(err)
	}
	if err := d.Launch("emu_test_atomics", dim(3, 2, 1), dim(4, 5, 1), 0, uint64(p)); err != nil {
		t.Fatal(err)
	}
	out := make([]float64, 5)
	if err := d.CopyOut(out, p); err != nil {
		t.Fatal(err)
	}
	got := make([]int64, 5)
	for i, v := range out {
		got[i] = int64(math.Float64bits(v))
	}
	// Count, max, min, first id + 1, last id: the last thread to run is
	// thread (3,4) of block (2,1), index 2·4 + 3.
	want := []int64{3 * 2 * 4 * 5, 2*4 + 3, 0, 1, 2*4 + 3}
	if !slices.Equal(got, want) {
		t.Errorf("atomics gave %v, want %v", got, want)
	}
}

// TestLaunchChecks checks that bad launches fail with a message, as the
// driver's checks would, before any kernel runs.
func TestLaunchChecks(t *testing.T) {
	d := New()
	defer d.Close()
	p, err := d.Alloc(4)
	if err != nil {
		t.Fatal(err)
	}
	one := dim(1, 1, 1)
	cases := []struct {
		kernel       string
		grid, block  gpu.Dim
		shared       int
		args         []uint64
		wantContains string
	}{
		{"gc_nonesuch", one, one, 0, nil, "no kernel"},
		{"gc_eye", one, one, 0, []uint64{uint64(p)}, "takes 2 parameters, got 1"},
		{"gc_eye", dim(0, 1, 1), one, 0, []uint64{uint64(p), 2}, "invalid grid"},
		{"gc_eye", dim(1, 70000, 1), one, 0, []uint64{uint64(p), 2}, "invalid grid"},
		{"gc_eye", one, dim(64, 32, 1), 0, []uint64{uint64(p), 2}, "invalid block"},
		{"gc_eye", one, dim(1, 1, 65), 0, []uint64{uint64(p), 2}, "invalid block"},
		{"gc_eye", one, one, 49 << 10, []uint64{uint64(p), 2}, "shared memory"},
	}
	for _, c := range cases {
		err := d.Launch(c.kernel, c.grid, c.block, c.shared, c.args...)
		if err == nil || !strings.Contains(err.Error(), c.wantContains) {
			t.Errorf("Launch(%s, %v, %v, %d, %d args) = %v, want an error containing %q",
				c.kernel, c.grid, c.block, c.shared, len(c.args), err, c.wantContains)
		}
	}
	if err := d.CopyIn(p, make([]float64, 5)); err == nil {
		t.Error("CopyIn of 5 values into 4 succeeded")
	}
	if err := d.Free(p); err != nil {
		t.Fatal(err)
	}
	if err := d.Free(p); err == nil {
		t.Error("second Free succeeded")
	}
	if err := d.CopyOut(make([]float64, 1), p); err == nil {
		t.Error("CopyOut from freed memory succeeded")
	}
}

// TestConcurrentLaunches runs launches from several goroutines at once;
// each OS thread has its own fibers and shared memory.
func TestConcurrentLaunches(t *testing.T) {
	d := New()
	defer d.Close()
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for g := range 8 {
		wg.Go(func() {
			p, err := d.Alloc(2 * 64)
			if err != nil {
				errs <- err.Error()
				return
			}
			defer d.Free(p)
			for range 20 {
				base := float64(g)
				if err := d.Launch("emu_test_barrier", dim(1, 1, 1), dim(64, 1, 1), 8*64,
					uint64(p), 64, math.Float64bits(base)); err != nil {
					errs <- err.Error()
					return
				}
				out := make([]float64, 128)
				if err := d.CopyOut(out, p); err != nil {
					errs <- err.Error()
					return
				}
				if out[0] != base+1 || out[64+5] != 2*(base+5) {
					errs <- "wrong result"
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// TestKernelsMatchPTX checks the emulator's kernel table against the PTX:
// the same gc_* kernels with the same numbers of parameters, so that a
// launch that works in the emulation finds its kernel on the GPU.
func TestKernelsMatchPTX(t *testing.T) {
	d := New()
	mods, err := kernels.Modules()
	if err != nil {
		t.Fatal(err)
	}
	inPTX := map[string]bool{}
	for _, m := range mods {
		for _, k := range m.Kernels {
			inPTX[k.Name] = true
			if e, ok := d.kernels[k.Name]; !ok || e.params != k.Params {
				t.Errorf("%s: kernel %s with %d parameters; the emulation has %+v (%v)", m.Name, k.Name, k.Params, e, ok)
			}
		}
	}
	names := d.Kernels()
	slices.Sort(names)
	for _, name := range names {
		if strings.HasPrefix(name, "gc_") && !inPTX[name] {
			t.Errorf("the emulation has kernel %s, the PTX has not", name)
		}
	}
}

// TestVote checks __syncthreads_or: one thread's vote reaches every thread,
// no vote gives 0, and a thread that voted and returned is not counted in
// a later vote.
func TestVote(t *testing.T) {
	d := New()
	defer d.Close()
	cases := []struct {
		threads, live, which int
		first, second        int64 // what every live thread gets
	}{
		{32, 32, -1, 0, 0},
		{32, 32, 0, 1, 0},
		{128, 128, 127, 1, 0},
		{128, 100, 120, 1, 0}, // the voter returns before the second vote
		{96, 50, 40, 1, 0},
	}
	for _, c := range cases {
		out := run(t, d, 2*c.threads, "emu_test_vote", dim(1, 1, 1), dim(c.threads, 1, 1), 0,
			uint64(c.live), uint64(c.which))
		for i := range c.threads {
			if got := int64(math.Float64bits(out[i])); got != c.first {
				t.Fatalf("%+v: thread %d's first vote gave %d, want %d", c, i, got, c.first)
			}
			if i < c.live {
				if got := int64(math.Float64bits(out[c.threads+i])); got != c.second {
					t.Fatalf("%+v: thread %d's second vote gave %d, want %d", c, i, got, c.second)
				}
			}
		}
	}
}

// TestShuffle checks the emulated __shfl_xor_sync: lane l gets lane
// l ^ m's value, within each warp, for full warps and for a block of fewer
// than 32 threads (whose mask names only its lanes), and a second shuffle
// right after gets the second values.
func TestShuffle(t *testing.T) {
	d := New()
	defer d.Close()
	cases := []struct {
		threads  int
		mask     uint32
		laneMask int
	}{
		{32, 0xffffffff, 1},
		{64, 0xffffffff, 16},
		{96, 0xffffffff, 5},
		{8, 0xff, 4},
		{2, 0x3, 1},
	}
	for _, c := range cases {
		out := run(t, d, 2*c.threads, "emu_test_shfl", dim(1, 1, 1), dim(c.threads, 1, 1), 0,
			uint64(c.mask), uint64(c.laneMask))
		for i := range c.threads {
			if want := float64(i ^ c.laneMask); out[i] != want {
				t.Fatalf("%+v: thread %d got %v, want %v", c, i, out[i], want)
			}
			if want := -float64(i ^ 1); out[c.threads+i] != want {
				t.Fatalf("%+v: thread %d's second shuffle got %v, want %v", c, i, out[c.threads+i], want)
			}
		}
	}
}

// TestMMA checks the emulated mma.sync.m8n8k4.f64 against the product
// written out from the fragment layout of the PTX ISA: lane 4g + q holds
// entry (g, q) of an 8×4 left fragment, entry (q, g) of a 4×8 right one,
// and entries (g, 2q), (g, 2q+1) of the 8×8 accumulator. Each warp of the
// block multiplies a 16×4 matrix (two left fragments) by a 4×24 one (three
// right fragments) of its own, and the result must be C + A·B, each entry's
// four terms summed in order, each product and sum rounded, bit for bit.
func TestMMA(t *testing.T) {
	d := New()
	defer d.Close()
	const warps = 3
	var a, b, c []float64
	for w := range warps {
		for i := range 64 {
			// Distinct values whose products and sums round.
			a = append(a, 1/float64(3+i+7*w))
		}
		for i := range 96 {
			b = append(b, float64(i-13)/float64(7+w))
		}
		for i := range 384 {
			c = append(c, math.Sqrt(float64(i+w)))
		}
	}
	in := func(vals []float64) uint64 {
		p, err := d.Alloc(len(vals))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.Free(p) })
		if err := d.CopyIn(p, vals); err != nil {
			t.Fatal(err)
		}
		return uint64(p)
	}
	out := run(t, d, 384*warps, "emu_test_mma", dim(1, 1, 1), dim(32*warps, 1, 1), 0, in(a), in(b), in(c))
	for w := range warps {
		for i := range 16 {
			for j := range 24 {
				want := c[384*w+24*i+j]
				for l := range 4 {
					want += float64(a[64*w+4*i+l] * b[96*w+24*l+j])
				}
				if got := out[384*w+24*i+j]; got != want {
					t.Fatalf("warp %d: D[%d][%d] = %v, want %v", w, i, j, got, want)
				}
			}
		}
	}
}

// TestReverseExposesRace checks that NewReverse runs a block's threads in
// reverse order between barriers: a read of what thread 0 writes, with no
// barrier between, sees the write in every thread under New and in thread
// 0 alone under NewReverse, so that the tests that run kernels on both
// devices catch such a missing barrier.
func TestReverseExposesRace(t *testing.T) {
	const threads, base = 8, 42.0
	for _, c := range []struct {
		d    *Device
		want func(t int) float64
	}{
		{New(), func(int) float64 { return base }},
		{NewReverse(), func(t int) float64 {
			if t == 0 {
				return base
			}
			return 0
		}},
	} {
		out := run(t, c.d, threads, "emu_test_race", dim(1, 1, 1), dim(threads, 1, 1), 8, math.Float64bits(base))
		for i, v := range out {
			if v != c.want(i) {
				t.Errorf("%s: thread %d read %v, want %v", c.d.Name(), i, v, c.want(i))
			}
		}
		c.d.Close()
	}
}
