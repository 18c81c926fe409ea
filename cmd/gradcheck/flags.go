package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/spf13/pflag"

	"github.com/gradcheck/gradcheck"
	"github.com/gradcheck/gradcheck/flagvalue"
	"github.com/gradcheck/gradcheck/formulas"
	gcrun "github.com/gradcheck/gradcheck/run"
)

// newFlagSet returns an empty flag set for command name that reports to
// stderr and leaves error handling to the caller.
func newFlagSet(name string, stderr io.Writer) *pflag.FlagSet {
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {} // help is printed by parseFlags
	fs.SortFlags = false
	return fs
}

// parseFlags parses args into fs. On --help it prints help (the text, then
// the flags, then tail) to stdout and returns done = true.
func parseFlags(e *env, fs *pflag.FlagSet, args []string, help, tail string) (done bool, err error) {
	err = fs.Parse(args)
	if errors.Is(err, pflag.ErrHelp) {
		fmt.Fprint(e.stdout, help)
		fmt.Fprint(e.stdout, fs.FlagUsages())
		fmt.Fprint(e.stdout, tail)
		return true, nil
	}
	var twice *repeatError
	if errors.As(err, &twice) {
		return false, usageErrorf(fs.Name(), "%v", twice)
	}
	var unknown *pflag.NotExistError
	if errors.As(err, &unknown) {
		if fs.Name() == "run" && unknown.GetSpecifiedName() == "spec" {
			// "run" sounds like "run my spec file" (found by the
			// walkthrough): say which command reads one.
			return false, usageErrorf("run", "run verifies registry claims; for a spec file use 'gradcheck check --spec FILE'")
		}
		return false, usageErrorf(fs.Name(), "%v%s", err, flagHint(fs, unknown))
	}
	var bad *pflag.InvalidValueError
	if errors.As(err, &bad) {
		return false, usageErrorf(fs.Name(), "invalid value %q for --%s: %v", bad.GetValue(), bad.GetFlag().Name, bad.Unwrap())
	}
	if err != nil {
		return false, usageErrorf(fs.Name(), "%v", err)
	}
	return false, nil
}

// flagHint suggests the flag of fs that an unknown one most likely means,
// as " (did you mean --size?)", or "". A single dash with a long name
// (-size) reads as shorthand flags; its letters are taken as the name.
func flagHint(fs *pflag.FlagSet, unknown *pflag.NotExistError) string {
	var names []string
	fs.VisitAll(func(f *pflag.Flag) { names = append(names, f.Name) })
	name := unknown.GetSpecifiedName()
	if group := unknown.GetSpecifiedShortnames(); group != "" {
		name = group
	}
	if s := formulas.Suggest(name, names); s != "" {
		return " (did you mean --" + s + "?)"
	}
	return ""
}

// commonFlags are the flags that run and check share.
type commonFlags struct {
	backend  *flagvalue.Enum
	sizes    sizeValue
	batch    int
	dirs     int
	mode     *flagvalue.Enum
	seed     uint64
	rtol     float64
	atol     float64
	instance int
	mem      int64
	format   *flagvalue.Enum
	out      string
	verbose  bool
	progress *flagvalue.Enum
	shard    shardValue
	shards   int

	fs *pflag.FlagSet
}

// addCommonFlags defines the common flags on fs.
func addCommonFlags(fs *pflag.FlagSet) *commonFlags {
	d := gradcheck.DefaultSettings()
	c := &commonFlags{
		backend:  flagvalue.NewEnum("auto", "auto", "cpu", "gpu"),
		batch:    d.Batch,
		dirs:     d.Dirs,
		mode:     flagvalue.NewEnum(string(d.Mode), string(gradcheck.Directional), string(gradcheck.Entrywise)),
		seed:     d.Seed,
		rtol:     d.RTol,
		atol:     d.ATol,
		instance: d.Instance,
		mem:      gcrun.DefaultMemBytes(),
		format:   flagvalue.NewEnum("text", formats...),
		progress: flagvalue.NewEnum("auto", "auto", "always", "never"),
		fs:       fs,
	}
	onceVar(fs, c.backend, "backend", "where to evaluate: auto (the GPU when there is one, else the CPU), cpu or gpu")
	fs.Var(&c.sizes, "size", "values of size symbols, as in n=256,m=128 (may repeat; unset symbols get distinct defaults)")
	onceVar(fs, flagvalue.NewIntRange(&c.batch, 1, maxDraws), "batch", "random instances per claim")
	onceVar(fs, flagvalue.NewIntRange(&c.dirs, 1, maxDraws), "dirs", "random directions per instance")
	onceVar(fs, c.mode, "mode", "directional: random directions; entrywise: every entry of the variable (small sizes; grad, jac and diff claims, the others directional)")
	onceVar(fs, flagvalue.NewUint64(&c.seed), "seed", "seed of the random inputs; the same seed draws the same inputs")
	onceVar(fs, flagvalue.NewNonNegative(&c.rtol), "rtol", "extra relative tolerance, times |claimed| (at 0.1 or more no comparison can pass: a tolerance above a tenth of the values cannot tell a factor-2 mistake, and is inconclusive)")
	onceVar(fs, flagvalue.NewNonNegative(&c.atol), "atol", "extra absolute tolerance (above a tenth of the compared values, inconclusive, as --rtol)")
	onceVar(fs, flagvalue.NewInt(&c.instance, -1), "instance", "verify only this instance (0-based; -1: all), to reproduce a failure")
	onceVar(fs, byteValue{&c.mem}, "mem", "memory budget of one chunk of instances, as in 4GiB: a batch whose perturbed copies need more runs in chunks; the default is a quarter of the memory available now")
	onceVar(fs, c.format, "format", "report format: text, json, junit (JUnit XML for CI) or markdown")
	outVar(fs, &c.out, "write the report to `FILE` (-: stdout, as without --out) and the text table to stdout")
	onceVar(fs, c.progress, "progress", "progress bar on stderr: auto (when stderr is a terminal and the run takes over a second), always (off a terminal, a plain line after 1s, then every 5s) or never")
	fs.BoolVar(&c.verbose, "verbose", false, "report each claim on stderr and the worst comparison of each failure")
	onceVar(fs, &c.shard, "shard", "run shard `I/N` of the jobs (I counts from 0); default: from JOB_COMPLETION_INDEX and --shards, or SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT")
	onceVar(fs, flagvalue.NewInt(&c.shards, 1), "shards", "the number of shards `N` when JOB_COMPLETION_INDEX (a Kubernetes Indexed Job) gives the index")
	return c
}

// maxDraws is the number of distinct random matrices of one variable, or
// of its directions, that a claim can draw: the random generator counts
// them in 32 bits (the instance, or instance × --dirs + direction), so
// --batch × --dirs may be at most 2³².
const maxDraws = gradcheck.MaxDraws

// checkDraws refuses --batch × --dirs over maxDraws; cmd names the
// command for the message.
func checkDraws(cmd string, batch, dirs int) error {
	if dirs > maxDraws/batch {
		return usageErrorf(cmd, "--batch %d × --dirs %d is over %d random directions per claim, the most the random generator draws distinct (its counter has 32 bits)", batch, dirs, maxDraws)
	}
	return nil
}

// settings returns the verifier settings the flags ask for; cmd names the
// command for error messages.
func (c *commonFlags) settings(cmd string) (gradcheck.Settings, error) {
	s := gradcheck.DefaultSettings()
	s.Sizes = c.sizes.m
	s.Batch, s.Dirs = c.batch, c.dirs
	s.Mode = gradcheck.Mode(c.mode.Value)
	s.Seed = c.seed
	s.RTol, s.ATol = c.rtol, c.atol
	s.Instance = c.instance
	s.MemBytes = c.mem
	if err := checkDraws(cmd, s.Batch, s.Dirs); err != nil {
		return s, err
	}
	if s.Instance >= s.Batch {
		return s, usageErrorf(cmd, "--instance %d is out of range: --batch %d has instances 0 to %d", s.Instance, s.Batch, s.Batch-1)
	}
	return s, nil
}

// reportFormat is the format of the report of command cmd: --format, or,
// when --format is not given, the one an --out file's extension names
// (formatFor, whose usage error it returns).
func (c *commonFlags) reportFormat(cmd string) (string, error) {
	return formatFor(cmd, c.format.Value, c.fs.Changed("format"), c.out)
}
