package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/gradcheck/gradcheck"
	"github.com/gradcheck/gradcheck/backend"
	"github.com/gradcheck/gradcheck/cpu"
	"github.com/gradcheck/gradcheck/formulas"
)

func claims(t *testing.T, names ...string) []*formulas.Claim {
	t.Helper()
	cs, err := Claims(names...)
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

func TestDefaultClaimsExist(t *testing.T) {
	cs := claims(t, DefaultClaimNames()...)
	for i, c := range cs {
		if c.Name != DefaultClaimNames()[i] {
			t.Errorf("claim %d is %s", i, c.Name)
		}
	}
	if _, err := Claims("no-such-claim"); err == nil {
		t.Error("Claims accepted an unknown name")
	}
}

func TestRun(t *testing.T) {
	s := gradcheck.DefaultSettings()
	s.Batch = 2
	cfg := Config{
		Backends: []backend.Backend{cpu.New()},
		Claims:   claims(t, "tr-axb", "det"),
		Sizes:    []int{8, 16, 32},
		Settings: s,
		Peak:     &PeakConfig{Sizes: []int{32}, MinTime: time.Millisecond},
	}
	rep, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Peaks) != 1 || rep.Peaks[0].DGEMM <= 0 || rep.Peaks[0].LU <= 0 || rep.Peaks[0].DGEMMSize != 32 {
		t.Errorf("peaks %+v", rep.Peaks)
	}
	if len(rep.Results) != 6 {
		t.Fatalf("%d results, want 6", len(rep.Results))
	}
	for _, r := range rep.Results {
		if r.Verdict != "pass" {
			t.Errorf("%s n=%d: %s (%s)", r.Claim, r.N, r.Verdict, r.Reason)
		}
		// Two instances, three directions, six steps each.
		if r.Instances != 2 || r.Evaluations != 36 {
			t.Errorf("%s n=%d: %d instances, %d evaluations", r.Claim, r.N, r.Instances, r.Evaluations)
		}
		if r.Flops <= 0 || r.GFLOPS <= 0 || r.FracPeak <= 0 || r.PeakTensorBytes <= 0 || r.PeakHeapBytes <= 0 {
			t.Errorf("%s n=%d: %+v", r.Claim, r.N, r)
		}
		if r.OpSeconds > r.Seconds || math.Abs(r.PerInstance*2-r.Seconds) > 1e-12 {
			t.Errorf("%s n=%d: op time %v, wall %v, per instance %v", r.Claim, r.N, r.OpSeconds, r.Seconds, r.PerInstance)
		}
		if want := map[string]string{"tr-axb": "dgemm", "det": "lu"}[r.Claim]; r.PeakKind != want {
			t.Errorf("%s: peak kind %s, want %s", r.Claim, r.PeakKind, want)
		}
	}
	if len(rep.Fits) != 2 {
		t.Fatalf("fits %+v", rep.Fits)
	}
	for _, f := range rep.Fits {
		// Cubic operations dominate, with quadratic ones beside them.
		if f.FlopExponent < 2.5 || f.FlopExponent > 3 {
			t.Errorf("%s: flop exponent %.2f", f.Claim, f.FlopExponent)
		}
	}

	var js bytes.Buffer
	if err := WriteJSON(&js, rep); err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(js.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if back.Results[3].Claim != "det" || back.Results[3].Flops != rep.Results[3].Flops || back.Machine.Linalg != cpu.LinalgPath() {
		t.Errorf("JSON round trip: %+v", back.Results[3])
	}
	var txt bytes.Buffer
	if err := WriteText(&txt, rep); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"CLAIM", "tr-axb", "det", "peak of cpu", "% lu", "TIME p", cpu.LinalgPath()} {
		if !strings.Contains(txt.String(), want) {
			t.Errorf("text report lacks %q:\n%s", want, txt.String())
		}
	}
}

// TestVerifyFreesEverything checks that a verification returns every
// tensor it creates to the backend, which a GPU backend needs.
func TestVerifyFreesEverything(t *testing.T) {
	for _, c := range claims(t, DefaultClaimNames()...) {
		ctr := NewCounter(cpu.New())
		s := gradcheck.DefaultSettings()
		s.Batch, s.Sizes = 2, map[string]int{"n": 6, "m": 5, "k": 4}
		if r := gradcheck.Verify(context.Background(), ctr, c, s); r.Verdict != gradcheck.Pass {
			t.Fatalf("%s: %s (%s)", c.Name, r.Verdict, r.Reason)
		}
		if live := ctr.Stats().LiveBytes; live != 0 {
			t.Errorf("%s: %d bytes of tensors left allocated", c.Name, live)
		}
	}
}

// TestMemoryBudgetBoundsPeak checks that a batch verified under a memory
// budget holds a chunk of instances at a time, not the whole batch.
func TestMemoryBudgetBoundsPeak(t *testing.T) {
	c := claims(t, "det")[0]
	peak := func(batch int, mem int64) int64 {
		ctr := NewCounter(cpu.New())
		s := gradcheck.DefaultSettings()
		s.Batch, s.Sizes, s.MemBytes = batch, map[string]int{"n": 64}, mem
		if r := gradcheck.Verify(context.Background(), ctr, c, s); r.Verdict != gradcheck.Pass {
			t.Fatalf("batch %d: %s (%s)", batch, r.Verdict, r.Reason)
		}
		return ctr.Stats().PeakBytes
	}
	const small = 1 << 20 // below one instance's estimate: one instance per chunk
	one, many := peak(1, small), peak(16, small)
	if float64(many) > 1.5*float64(one) {
		t.Errorf("16 instances under a %d-byte budget peaked at %d bytes, one at %d", small, many, one)
	}
	if unbounded := peak(16, 1<<40); float64(unbounded) < 8*float64(one) {
		t.Errorf("16 instances in one chunk peaked at %d bytes, one instance at %d: the check is not sensitive", unbounded, one)
	}
}

// TestEvaluations checks the evaluations of f a result reports, which
// the evaluations per second divide: six per direction; in an entrywise
// check, one at the base point and two per entry where f is affine along
// each (det), six where it is not (inv); twelve per direction for a Hessian
// (which entrywise mode leaves directional), one per instance for an
// identity that holds (its rounding probe runs only where a comparison
// exceeds its plain tolerance).
func TestEvaluations(t *testing.T) {
	s := gradcheck.DefaultSettings()
	s.Batch, s.Sizes = 2, map[string]int{"n": 5}
	for _, c := range []struct {
		name string
		mode gradcheck.Mode
		want int
	}{
		{"det", gradcheck.Directional, 6 * 3},
		{"det", gradcheck.Entrywise, 1 + 2*25},
		{"diff-inv", gradcheck.Entrywise, 1 + 6*25},
		{"logdet-hess", gradcheck.Entrywise, 12 * 3},
		{"tr-sum", gradcheck.Directional, 1},
	} {
		s.Mode = c.mode
		rc, err := claims(t, c.name)[0].Resolve(s.Sizes)
		if err != nil {
			t.Fatal(err)
		}
		r := gradcheck.VerifyResolved(context.Background(), cpu.New(), rc, s)
		if r.Verdict != gradcheck.Pass || r.Evaluations != c.want*s.Batch {
			t.Errorf("%s %s: %s, %d evaluations, want pass and %d", c.name, c.mode, r.Verdict, r.Evaluations, c.want*s.Batch)
		}
	}
}

func TestSlope(t *testing.T) {
	x := []float64{1, 2, 3, 4}
	y := []float64{2.5, 5.5, 8.5, 11.5} // 3x − 0.5
	if got := slope(x, y); math.Abs(got-3) > 1e-12 {
		t.Errorf("slope %v, want 3", got)
	}
	if got := slope([]float64{2, 2}, []float64{1, 3}); !math.IsNaN(got) {
		t.Errorf("slope over one x: %v, want NaN", got)
	}
	f, ok := fitGrowth([]Result{
		{Claim: "c", N: 100, Instances: 2, PerInstance: 1e-3, Flops: 4e6},
		{Claim: "c", N: 200, Instances: 2, PerInstance: 8e-3, Flops: 32e6},
	})
	if !ok || math.Abs(f.TimeExponent-3) > 1e-12 || math.Abs(f.FlopExponent-3) > 1e-12 {
		t.Errorf("fit %+v", f)
	}
}

// lagging is a backend whose operations finish only at Sync, as the GPU
// backend's kernels run after their launch returns: each Sync takes delay.
type lagging struct {
	backend.Backend
	delay time.Duration
	syncs int
}

func (l *lagging) Sync() error {
	l.syncs++
	time.Sleep(l.delay)
	return nil
}

// TestPeakWaits checks that Peak times an operation until it has finished
// on a backend that can say so: every timed call waits at Sync, and the
// rates count the time waited.
func TestPeakWaits(t *testing.T) {
	b := &lagging{Backend: cpu.New(), delay: 20 * time.Millisecond}
	p, err := Peak(context.Background(), b, PeakConfig{Sizes: []int{8}, Count: 1, MinTime: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	// Each call: 2·8³ flops (MatMul) or 2·8³/3 (LU) in at least 20 ms.
	if b.syncs < 4 || p.DGEMM > 1024/0.02/1e9 || p.LU > 1024/3/0.02/1e9 {
		t.Errorf("%d syncs, DGEMM %g GFLOP/s, LU %g GFLOP/s: the time of Sync is not counted", b.syncs, p.DGEMM, p.LU)
	}
}

// TestRunRefusesTooLarge checks that a size whose one instance needs more
// than the memory budget is an error result, found before anything is
// allocated (det at n = 100000 asked the allocator for 80 GB and died).
func TestRunRefusesTooLarge(t *testing.T) {
	s := gradcheck.DefaultSettings()
	s.MemBytes = 1 << 30
	cfg := Config{Backends: []backend.Backend{cpu.New()}, Claims: claims(t, "det"), Sizes: []int{100000}, Settings: s}
	rep, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if r := rep.Results[0]; r.Verdict != "error" || !strings.Contains(r.Reason, "one instance needs at least") || r.Evaluations != 0 {
		t.Errorf("%+v: want an error that says what one instance needs", r)
	}
}
