package bench

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/gradcheck/gradcheck"
	"github.com/gradcheck/gradcheck/backend"
	"github.com/gradcheck/gradcheck/cpu"
	"github.com/gradcheck/gradcheck/formulas"
)

// DefaultClaimNames returns the registry claims that Run verifies by
// default: a product, a trace, a determinant, a log-determinant and the
// differential of the inverse.
func DefaultClaimNames() []string {
	return []string{"diff-product", "tr-axb", "det", "logdet-spd", "diff-inv"}
}

// DefaultSizes returns the orders n that Run uses by default.
func DefaultSizes() []int { return []int{64, 256, 1024} }

// Claims returns the registry claims of the given names, in that order.
func Claims(names ...string) ([]*formulas.Claim, error) {
	reg, err := formulas.Registry()
	if err != nil {
		return nil, err
	}
	byName := make(map[string]*formulas.Claim, len(reg))
	for _, c := range reg {
		byName[c.Name] = c
	}
	out := make([]*formulas.Claim, len(names))
	for i, name := range names {
		if out[i] = byName[name]; out[i] == nil {
			return nil, fmt.Errorf("bench: no registry claim %q", name)
		}
	}
	return out, nil
}

// Config says what Run measures.
type Config struct {
	// Backends are the backends to measure, at least one.
	Backends []backend.Backend
	// Claims are the claims to verify; default the registry claims of
	// DefaultClaimNames.
	Claims []*formulas.Claim
	// Sizes are the values given to every size symbol of a claim (so that
	// the cost of a claim is that of n×n matrices); default DefaultSizes.
	Sizes []int
	// Settings are the verification settings (Batch, Dirs, Mode, Seed,
	// tolerances, MemBytes); Run sets Sizes and verifies every instance. A
	// zero Batch selects gradcheck.DefaultSettings().
	Settings gradcheck.Settings
	// Runs is how many times each verification runs (at least once); the
	// fastest run counts. The first run of a process also pays for growing
	// the heap, touching fresh memory that a later run reuses.
	Runs int
	// Peak, when set, makes Run measure each backend's peak with it first,
	// and report every evaluation rate as a fraction of that peak.
	Peak *PeakConfig
	// Log, when set, receives a line per verification as it ends.
	Log io.Writer
}

// Report is what Run measured.
type Report struct {
	Machine  Machine `json:"machine"`
	Batch    int     `json:"batch"`
	Dirs     int     `json:"dirs"`
	Mode     string  `json:"mode"`
	MemBytes int64   `json:"mem_bytes"`
	// Runs is how many times each verification ran; the fastest counts.
	Runs    int          `json:"runs"`
	Peaks   []PeakResult `json:"peaks,omitempty"`
	Results []Result     `json:"results"`
	Fits    []Fit        `json:"fits"`
	// Incomplete is set when ctx was cancelled: Results holds the
	// measurements that finished.
	Incomplete bool `json:"incomplete,omitempty"`
}

// Machine describes where Run measured.
type Machine struct {
	CPU        string `json:"cpu"`
	NumCPU     int    `json:"num_cpu"`
	GOMAXPROCS int    `json:"gomaxprocs"`
	OS         string `json:"os"`
	Arch       string `json:"arch"`
	Go         string `json:"go"`
	// Linalg is the CPU backend's linear algebra (cpu.LinalgPath).
	Linalg string `json:"linalg"`
	// LoadAvg is /proc/loadavg's 1, 5 and 15 minute load when Run began:
	// on a shared machine, a load above the core count slows every timing.
	LoadAvg string `json:"load_avg,omitempty"`
}

// Result is the measurement of one claim at one size on one backend.
type Result struct {
	Claim   string `json:"claim"`
	Kind    string `json:"kind"`
	N       int    `json:"n"`
	Backend string `json:"backend"`
	Verdict string `json:"verdict"`
	// Reason explains a verdict other than pass.
	Reason    string `json:"reason,omitempty"`
	Instances int    `json:"instances"`
	// Evaluations is the number of evaluations of f at perturbed points,
	// over all instances.
	Evaluations int `json:"evaluations"`
	// Runs is the number of verifications timed; the fastest counts.
	Runs int `json:"runs"`
	// Seconds is the wall time of the verification, PerInstance that
	// divided by Instances, and EvalsPerSecond Evaluations per Second.
	Seconds        float64 `json:"seconds"`
	PerInstance    float64 `json:"seconds_per_instance"`
	EvalsPerSecond float64 `json:"evals_per_second"`
	// Flops and Bytes are the Counter's totals over the verification, and
	// OpSeconds the time spent inside backend operations: the evaluation
	// phase. GFLOPS is Flops/OpSeconds/1e9.
	Flops     float64 `json:"flops"`
	Bytes     float64 `json:"bytes"`
	OpSeconds float64 `json:"op_seconds"`
	GFLOPS    float64 `json:"gflops"`
	// PeakKind is "lu" when LU factorizations (Inv, Det, LogDet) make at
	// least half the flops, else "dgemm"; FracPeak is GFLOPS over that peak
	// of the backend, 0 when no peak was measured.
	PeakKind string  `json:"peak_kind"`
	FracPeak float64 `json:"frac_peak,omitempty"`
	// PeakTensorBytes is the largest total size of the backend tensors
	// alive at once, and PeakHeapBytes the largest Go heap seen (sampled
	// every millisecond, live and not yet collected objects).
	PeakTensorBytes int64 `json:"peak_tensor_bytes"`
	PeakHeapBytes   int64 `json:"peak_heap_bytes"`
	// Ops breaks the counts down by operation.
	Ops []OpStat `json:"ops"`
}

// Fit is the least-squares fit of log(time per instance) and of log(flops
// per instance) against log(n) for one claim on one backend: per verified
// instance, time should grow like the flops (n³ for products and LU).
type Fit struct {
	Claim        string  `json:"claim"`
	Backend      string  `json:"backend"`
	Sizes        []int   `json:"sizes"`
	TimeExponent float64 `json:"time_exponent"`
	FlopExponent float64 `json:"flop_exponent"`
}

// Run verifies every claim of cfg at every size on every backend and
// reports the measurements, in the order backend, claim, size. A claim
// that does not pass is reported with its verdict and reason, not as an
// error; Run fails only on a bad Config, a failed peak measurement or a
// cancelled ctx, which returns the measurements that finished in a report
// marked Incomplete.
func Run(ctx context.Context, cfg Config) (Report, error) {
	if len(cfg.Backends) == 0 {
		return Report{}, fmt.Errorf("bench: no backend")
	}
	if cfg.Claims == nil {
		var err error
		if cfg.Claims, err = Claims(DefaultClaimNames()...); err != nil {
			return Report{}, err
		}
	}
	if cfg.Sizes == nil {
		cfg.Sizes = DefaultSizes()
	}
	if cfg.Settings.Batch == 0 {
		cfg.Settings = gradcheck.DefaultSettings()
	}
	cfg.Runs = max(1, cfg.Runs)
	s := cfg.Settings
	rep := Report{Machine: machine(), Batch: s.Batch, Dirs: s.Dirs, Mode: string(s.Mode), MemBytes: s.MemBytes, Runs: cfg.Runs}
	if warning := busy(rep.Machine); warning != "" && cfg.Log != nil {
		fmt.Fprintln(cfg.Log, warning)
	}
	peaks := map[string]PeakResult{}
	if cfg.Peak != nil {
		for _, b := range cfg.Backends {
			p, err := Peak(ctx, b, *cfg.Peak)
			if err != nil {
				return rep, fmt.Errorf("bench: peak of %s: %w", b.Name(), err)
			}
			peaks[b.Name()] = p
			rep.Peaks = append(rep.Peaks, p)
		}
		// The peak's operands, freed, would stay kept for reuse and
		// count in every claim's heap.
		cpu.DropFreed()
	}
	for _, b := range cfg.Backends {
		for _, c := range cfg.Claims {
			var fit []Result
			for _, n := range cfg.Sizes {
				r, err := measure(ctx, b, c, n, cfg)
				if err != nil {
					rep.Incomplete = ctx.Err() != nil
					return rep, err
				}
				if p, ok := peaks[b.Name()]; ok && p.rate(r.PeakKind) > 0 {
					r.FracPeak = r.GFLOPS / p.rate(r.PeakKind)
				}
				if cfg.Log != nil {
					fmt.Fprintf(cfg.Log, "bench: %s n=%d on %s: %s, %s per instance, %.1f GFLOP/s\n",
						r.Claim, r.N, r.Backend, r.Verdict, seconds(r.PerInstance), r.GFLOPS)
				}
				rep.Results = append(rep.Results, r)
				if r.Verdict != string(gradcheck.Error) {
					fit = append(fit, r)
				}
			}
			if f, ok := fitGrowth(fit); ok {
				rep.Fits = append(rep.Fits, f)
			}
		}
	}
	return rep, nil
}

// SizesAt returns the sizes at which Run measures c at n: every size
// symbol of its variables set to n.
func SizesAt(c *formulas.Claim, n int) map[string]int {
	sizes := map[string]int{}
	for _, v := range c.Vars {
		for _, d := range v.Dims {
			if _, err := strconv.Atoi(d); err != nil {
				sizes[d] = n
			}
		}
	}
	return sizes
}

// measure verifies c with every size symbol set to n on b, cfg.Runs
// times, and returns the fastest run's measurements.
func measure(ctx context.Context, b backend.Backend, c *formulas.Claim, n int, cfg Config) (Result, error) {
	s := cfg.Settings
	s.Sizes = SizesAt(c, n)
	s.Instance, s.InstanceFrom, s.InstanceTo = -1, 0, 0
	r := Result{Claim: c.Name, Kind: string(c.Kind), N: n, Backend: b.Name(), Instances: s.Batch}
	rc, err := c.Resolve(s.Sizes)
	if err != nil {
		r.Verdict, r.Reason = string(gradcheck.Error), err.Error()
		return r, nil
	}
	if need, err := gradcheck.InstanceBytes(rc, s); err == nil && need > s.MemBytes {
		// Not even a chunk of one instance fits: refused before it
		// runs, as run and check refuse it, not found out by the
		// allocator.
		r.Verdict = string(gradcheck.Error)
		r.Reason = fmt.Sprintf("one instance needs %s, but the memory budget (--mem) is %s", FormatNeed(need), FormatBytes(float64(s.MemBytes)))
		return r, nil
	}
	var best Stats
	for ; r.Runs < cfg.Runs; r.Runs++ {
		runtime.GC() // start each run from the same clean heap
		ctr := NewCounter(b)
		heap := startHeapSampler()
		start := time.Now()
		res := gradcheck.VerifyResolved(ctx, ctr, rc, s)
		wall := time.Since(start).Seconds()
		r.PeakHeapBytes = max(r.PeakHeapBytes, int64(heap.stop()))
		if err := ctx.Err(); err != nil {
			return r, fmt.Errorf("bench: interrupted: %w", err)
		}
		r.Verdict, r.Reason, r.Evaluations = string(res.Verdict), res.Reason, res.Evaluations
		if r.Runs == 0 || wall < r.Seconds {
			r.Seconds, best = wall, ctr.Stats()
		}
	}
	r.PerInstance = r.Seconds / float64(r.Instances)
	r.EvalsPerSecond = float64(r.Evaluations) / r.Seconds
	r.Flops, r.Bytes, r.OpSeconds, r.Ops = best.Flops, best.Bytes, best.Seconds, best.Ops
	if r.OpSeconds > 0 {
		r.GFLOPS = r.Flops / r.OpSeconds / 1e9
	}
	r.PeakTensorBytes = best.PeakBytes
	var lu float64
	for _, o := range r.Ops {
		if luFamily(o.Op) {
			lu += o.Flops
		}
	}
	r.PeakKind = "dgemm"
	if 2*lu >= r.Flops && r.Flops > 0 {
		r.PeakKind = "lu"
	}
	return r, nil
}

// fitGrowth fits the growth of the time and the flops per instance of rs,
// the results of one claim on one backend at several sizes.
func fitGrowth(rs []Result) (Fit, bool) {
	if len(rs) < 2 {
		return Fit{}, false
	}
	f := Fit{Claim: rs[0].Claim, Backend: rs[0].Backend}
	var x, yt, yf []float64
	for _, r := range rs {
		f.Sizes = append(f.Sizes, r.N)
		x = append(x, math.Log(float64(r.N)))
		yt = append(yt, math.Log(r.PerInstance))
		yf = append(yf, math.Log(r.Flops/float64(r.Instances)))
	}
	f.TimeExponent, f.FlopExponent = slope(x, yt), slope(x, yf)
	return f, !math.IsNaN(f.TimeExponent)
}

// slope returns the least-squares slope of y against x, NaN when the x
// are all equal.
func slope(x, y []float64) float64 {
	var mx, my float64
	for i := range x {
		mx += x[i]
		my += y[i]
	}
	mx /= float64(len(x))
	my /= float64(len(y))
	var sxy, sxx float64
	for i := range x {
		sxy += (x[i] - mx) * (y[i] - my)
		sxx += (x[i] - mx) * (x[i] - mx)
	}
	if sxx == 0 {
		return math.NaN()
	}
	return sxy / sxx
}

// busy returns a warning where the machine's 1-minute load average is
// above its core count: every timing is then slowed by the other work, by
// up to the ratio (tr-axb at n = 128 took 659 ms per instance at a load
// of 10 on 2 cores; found by the walkthrough). "" otherwise.
func busy(m Machine) string {
	f := strings.Fields(m.LoadAvg)
	if len(f) == 0 {
		return ""
	}
	load, err := strconv.ParseFloat(f[0], 64)
	if err != nil || load <= float64(m.NumCPU) {
		return ""
	}
	return fmt.Sprintf("bench: warning: load average %.1f on %d cores when the run began: other work slows every timing; measure on an idle machine", load, m.NumCPU)
}

// machine describes this machine.
func machine() Machine {
	m := Machine{NumCPU: runtime.NumCPU(), GOMAXPROCS: runtime.GOMAXPROCS(0), OS: runtime.GOOS,
		Arch: runtime.GOARCH, Go: runtime.Version(), Linalg: cpu.LinalgPath()}
	if info, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.Lines(string(info)) {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPU = strings.TrimSpace(v)
				break
			}
		}
	}
	if load, err := os.ReadFile("/proc/loadavg"); err == nil {
		if f := strings.Fields(string(load)); len(f) >= 3 {
			m.LoadAvg = strings.Join(f[:3], " ")
		}
	}
	return m
}
