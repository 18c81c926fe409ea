//go:build cgo

package selftest

import (
	"context"
	"encoding/json"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/gradcheck/gradcheck"
	"github.com/gradcheck/gradcheck/formulas"
	"github.com/gradcheck/gradcheck/gpu"
	"github.com/gradcheck/gradcheck/kernels/emu"
)

// TestSelftestEmulatedGPU runs the self-test on the GPU backend under
// kernel emulation: functions 0 to 39 of seed 1 in go test (no false
// alarm, the same counts as on the CPU, as in TestSelftestFixedSeed), or
// for measuring (README, "How we
// know it is right") GRADCHECK_SELFTEST_CLAIMS functions from
// GRADCHECK_SELFTEST_FIRST (default 0) on; it logs the report as JSON.
func TestSelftestEmulatedGPU(t *testing.T) {
	first, claims := 0, 40
	if n, err := strconv.Atoi(os.Getenv("GRADCHECK_SELFTEST_CLAIMS")); err == nil {
		first, claims = 0, n
		if f, err := strconv.Atoi(os.Getenv("GRADCHECK_SELFTEST_FIRST")); err == nil {
			first = f
		}
	}
	// One emulated device per worker: a backend runs one verification at
	// a time.
	var mu sync.Mutex
	var free []*gpu.Backend
	verify := func(ctx context.Context, c *formulas.Claim, s gradcheck.Settings) (gradcheck.Result, error) {
		mu.Lock()
		var b *gpu.Backend
		if n := len(free); n > 0 {
			b, free = free[n-1], free[:n-1]
		} else {
			b = gpu.New(emu.New())
		}
		mu.Unlock()
		res := gradcheck.Verify(ctx, b, c, s)
		mu.Lock()
		free = append(free, b)
		mu.Unlock()
		return res, nil
	}
	t.Cleanup(func() {
		for _, b := range free {
			if err := b.Close(); err != nil {
				t.Error(err)
			}
		}
	})
	start := time.Now()
	r, err := Run(context.Background(), Options{First: first, Claims: claims, Seed: 1, Verify: verify, Backend: "gpu"})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d functions in %v", claims, time.Since(start))
	out, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s", out)
	for _, a := range r.Alarms {
		t.Errorf("false alarm %s: %s (%s)\n  %s", a.Name, a.Verdict, a.Reason, a.Rerun)
	}
	if os.Getenv("GRADCHECK_SELFTEST_CLAIMS") != "" {
		return
	}
	cpu, err := Run(context.Background(), Options{First: first, Claims: claims, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if r.TrueClaims != cpu.TrueClaims || r.Detected != cpu.Detected || r.Equivalent != cpu.Equivalent || r.Inconclusive != cpu.Inconclusive {
		t.Errorf("emulated GPU: %+v\nCPU: %+v", r, cpu)
	}
}
