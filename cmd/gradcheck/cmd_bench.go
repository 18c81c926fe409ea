package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/gradcheck/gradcheck"
	"github.com/gradcheck/gradcheck/backend"
	"github.com/gradcheck/gradcheck/bench"
	"github.com/gradcheck/gradcheck/flagvalue"
	"github.com/gradcheck/gradcheck/formulas"
	"github.com/gradcheck/gradcheck/report"
	gcrun "github.com/gradcheck/gradcheck/run"
)

// inProcessGPU, set in the cuda build, returns the GPU backend on GPU 0.
// In the plain build it is nil, and `bench --backend gpu` runs the bench
// command of the GPU worker (the cuda build) and reads its JSON report.
var inProcessGPU func() (backend.Backend, error)

// benchFlags are the flags of the bench command.
type benchFlags struct {
	sizes    []int
	backends []string
	peak     bool
	runs     int
	batch    int
	dirs     int
	mode     *flagvalue.Enum
	seed     uint64
	mem      int64
	format   *flagvalue.Enum
	out      string
}

func addBenchFlags(fs *pflag.FlagSet) *benchFlags {
	d := gradcheck.DefaultSettings()
	f := &benchFlags{
		sizes: bench.DefaultSizes(), backends: []string{"cpu"}, runs: 1,
		batch: d.Batch, dirs: d.Dirs, seed: d.Seed, mem: gcrun.DefaultMemBytes(),
		mode:   flagvalue.NewEnum(string(d.Mode), string(gradcheck.Directional), string(gradcheck.Entrywise)),
		format: flagvalue.NewEnum("text", "text", "json"),
	}
	onceVar(fs, flagvalue.NewInts(&f.sizes, 1, formulas.MaxSize), "sizes", "the orders n to measure at, each once, in increasing order; every size symbol of a claim is set to n")
	fs.Var(&backendsValue{p: &f.backends}, "backend", "backends to measure, cpu and/or gpu (the GPU worker, built with 'make gpu')")
	fs.BoolVar(&f.peak, "peak", false, "measure each backend's DGEMM and LU peak first (n = 1024, 2048) and give every rate as a fraction of it")
	onceVar(fs, flagvalue.NewInt(&f.runs, 1), "runs", "verifications timed per claim and size; the fastest counts")
	onceVar(fs, flagvalue.NewIntRange(&f.batch, 1, maxDraws), "batch", "random instances per claim")
	onceVar(fs, flagvalue.NewIntRange(&f.dirs, 1, maxDraws), "dirs", "random directions per instance")
	onceVar(fs, f.mode, "mode", "directional: random directions; entrywise: every entry of the variable (small sizes; grad, jac and diff claims, the others directional)")
	onceVar(fs, flagvalue.NewUint64(&f.seed), "seed", "seed of the random inputs")
	onceVar(fs, byteValue{&f.mem}, "mem", "memory budget of one chunk of instances; the default is a quarter of the memory available now")
	onceVar(fs, f.format, "format", "report format: text or json")
	outVar(fs, &f.out, "write the report to `FILE` (in --format, or json when --format is not given and FILE ends in .json; -: stdout, as without --out) and the text tables to stdout")
	return f
}

// settings returns the verification settings of the flags.
func (f *benchFlags) settings() gradcheck.Settings {
	s := gradcheck.DefaultSettings()
	s.Batch, s.Dirs, s.Mode, s.Seed, s.MemBytes = f.batch, f.dirs, gradcheck.Mode(f.mode.Value), f.seed, f.mem
	return s
}

// reportFormat is the format of the bench report: --format when it was
// given (changed), else json for an --out FILE whose extension says json
// (as run, check and merge choose), else text: `bench --out bench.json`
// wrote the text tables into bench.json.
func (f *benchFlags) reportFormat(changed bool) string {
	if ext, ok := report.FormatOf(f.out); ok && !changed && ext == "json" {
		return ext
	}
	return f.format.Value
}

// benchCommand measures how fast claims are verified.
func benchCommand(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("bench", e.stderr)
	f := addBenchFlags(fs)
	if done, err := parseFlags(e, fs, args, benchHelp, benchExitHelp); done || err != nil {
		return err
	}
	if err := checkDraws("bench", f.batch, f.dirs); err != nil {
		return err
	}
	if len(f.backends) == 0 {
		return usageErrorf("bench", "--backend names no backend: want cpu, gpu or cpu,gpu")
	}
	for _, b := range f.backends {
		if b != "cpu" && b != "gpu" {
			return usageErrorf("bench", "invalid value %q for --backend: want cpu or gpu", b)
		}
	}
	f.out = outPath(f.out, e.stdout)
	if err := checkOut("bench", f.out); err != nil {
		return err
	}
	patterns := fs.Args()
	if len(patterns) == 0 {
		patterns = bench.DefaultClaimNames()
	}
	claims, err := gcrun.RegistryClaims(patterns)
	if err != nil {
		return selectError("bench", err)
	}
	// A size given twice (--sizes 16,16) is measured once.
	sizes := slices.Compact(slices.Sorted(slices.Values(f.sizes)))
	if err := checkBenchMemory(claims, sizes, f.settings()); err != nil {
		return &exitError{code: exitInternal, msg: err.Error()}
	}
	cfg := bench.Config{Claims: claims, Sizes: sizes, Settings: f.settings(), Runs: f.runs, Log: e.stderr}
	if f.peak {
		cfg.Peak = &bench.PeakConfig{MinTime: time.Second}
	}
	rep, err := bench.RunBackends(ctx, f.backends, cfg, bench.GPU{Open: inProcessGPU, FindWorker: gcrun.FindWorker})
	var unavailable *bench.BackendError
	if errors.As(err, &unavailable) {
		err = noGPUError(err)
		if len(rep.Results) == 0 {
			// Nothing was measured: no empty report before the reason.
			return err
		}
	}
	if werr := bench.WriteReport(e.stdout, f.out, f.reportFormat(fs.Changed("format")), rep); werr != nil {
		return toolError("writing the report", werr)
	}
	switch {
	case rep.Incomplete:
		return &exitError{code: exitInterrupted, msg: "interrupted: the report holds the measurements that finished"}
	case err != nil:
		return err
	}
	var failed []string
	for _, r := range rep.Results {
		if r.Verdict != string(gradcheck.Pass) {
			failed = append(failed, fmt.Sprintf("%s at n=%d on %s: %s: %s", r.Claim, r.N, r.Backend, r.Verdict, r.Reason))
		}
	}
	if len(failed) > 0 {
		// Each one, not the first alone (found by the exploratory
		// helper): a measurement of a claim that did not pass says
		// little.
		return failErrorf("%d measured claims did not pass: %s", len(failed), strings.Join(failed, "; "))
	}
	return nil
}

// checkBenchMemory refuses, before anything is measured, sizes at which
// one instance of some claim needs more memory than --mem or the machine
// allows, as run and check refuse them (gcrun.CheckMemory): one line,
// exit 3, naming the claim at the smallest such size. bench --sizes
// 100000 measured every claim as an error, exit 1, with the reason
// repeated on one line per claim.
func checkBenchMemory(claims []*formulas.Claim, sizes []int, s gradcheck.Settings) error {
	var targets []gcrun.Target
	for _, n := range sizes {
		for _, c := range claims {
			// A claim that does not resolve at n is measured as an
			// error, with its reason.
			if rc, err := c.Resolve(bench.SizesAt(c, n)); err == nil {
				targets = append(targets, gcrun.Target{Claim: c, Resolved: rc})
			}
		}
	}
	return gcrun.CheckMemoryFlag(targets, s, "--sizes")
}

const benchHelp = `Usage: gradcheck bench [NAME|GLOB ...] [flags]

Measure how fast claims of the registry are verified: by default a product
(diff-product), a trace (tr-axb), det, logdet-spd and the differential of
the inverse (diff-inv), with every size symbol set to each of --sizes. Per
claim, size and backend it prints the time per verified instance, function
evaluations per second, the GFLOP/s of the evaluation phase (the flops of
every backend operation counted, over the time spent in them), with --peak
the fraction of the DGEMM or LU peak measured on the spot, and the peak
memory (live tensors, Go heap). Last, the exponent p of the growth n^p of
the time per instance, fitted over the sizes, beside that of the flops.
A size at which one instance of a claim needs more memory than --mem or
the machine allows is refused before anything is measured, in one line
that names the claim and the size, with exit code 3 (a batch larger than
--mem runs in chunks).

Examples:
  gradcheck bench
  gradcheck bench --peak --sizes 256,512,1024 --runs 2
  gradcheck bench det --sizes 2048 --batch 64 --mem 2GiB
  gradcheck bench 'tr-*' --mode entrywise --sizes 8,16,32 --format json --out bench.json
  gradcheck bench --backend cpu,gpu --sizes 1024,2048

Flags:
`

const benchExitHelp = `
Exit codes:
  0  every measurement passed its verification
  1  a claim did not pass (the report says which)
  2  the invocation was wrong
  3  gradcheck itself failed (an internal error), could not write the
     report (a full disk), --backend gpu found no working GPU worker
     (the other backends' report is written), or one instance of a claim
     at one of --sizes needs more memory than --mem or the machine allows
     (nothing is measured)
  130  interrupted: the report of the measurements that finished is written
`
