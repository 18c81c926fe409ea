package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/gradcheck/gradcheck"
)

// A sharded run splits its work into jobs: a job is the instances
// [from, to) of one claim at its sizes. Each claim's instances (the whole
// batch, or the one --instance) are cut into min(instances, N) contiguous
// blocks of near-equal size, the jobs are numbered claim by claim, block by
// block, and job j goes to shard j mod N. The plan depends only on the
// claims, --batch, --instance and N, so every shard computes the same plan,
// and merge can tell which results each shard must hold.

// shardSpec names one shard of a sharded run: Index in [0, Count).
type shardSpec struct {
	Index int `json:"index"`
	Count int `json:"count"`
	// from says where the shard came from, for messages: "--shard",
	// "JOB_COMPLETION_INDEX" or "SLURM_ARRAY_TASK_ID".
	from string
}

func (s shardSpec) String() string { return fmt.Sprintf("%d/%d", s.Index, s.Count) }

// job is the instances [from, to) of target number target.
type job struct {
	target   int
	from, to int
}

// plan returns the jobs of a run of n targets with settings s split for
// count shards, in the order described above. For one shard it is one job
// per target.
func plan(n int, s gradcheck.Settings, count int) []job {
	first, last := 0, s.Batch
	if s.Instance >= 0 {
		first, last = s.Instance, s.Instance+1
	}
	blocks := min(last-first, count)
	var jobs []job
	for t := range n {
		for b := range blocks {
			jobs = append(jobs, job{
				target: t,
				from:   first + b*(last-first)/blocks,
				to:     first + (b+1)*(last-first)/blocks,
			})
		}
	}
	return jobs
}

// jobsOf returns the jobs of shard sh: those numbered sh.Index mod sh.Count.
func jobsOf(jobs []job, sh shardSpec) []job {
	var mine []job
	for j := sh.Index; j < len(jobs); j += sh.Count {
		mine = append(mine, jobs[j])
	}
	return mine
}

// settingsFor returns the settings that verify job jb of a run with
// settings s: s itself when the job is the target's whole range, so that
// an unsharded run is verified exactly as before sharding existed.
func settingsFor(jb job, s gradcheck.Settings, count int) gradcheck.Settings {
	if count == 1 {
		return s
	}
	s.Instance = -1
	s.InstanceFrom, s.InstanceTo = jb.from, jb.to
	return s
}

// shardValue is the --shard flag, I/N.
type shardValue struct {
	spec *shardSpec
}

func (v *shardValue) Type() string { return "I/N" }

func (v *shardValue) String() string {
	if v == nil || v.spec == nil {
		return ""
	}
	return v.spec.String()
}

func (v *shardValue) Set(s string) error {
	sh, err := parseShard(s)
	if err != nil {
		return err
	}
	sh.from = "--shard"
	v.spec = &sh
	return nil
}

// parseShard parses I/N, as in 0/4.
func parseShard(s string) (shardSpec, error) {
	is, ns, ok := strings.Cut(strings.TrimSpace(s), "/")
	i, err1 := strconv.Atoi(strings.TrimSpace(is))
	n, err2 := strconv.Atoi(strings.TrimSpace(ns))
	switch {
	case !ok || err1 != nil || err2 != nil:
		return shardSpec{}, fmt.Errorf("want INDEX/COUNT, as in 0/4 (INDEX counts from 0)")
	case n < 1:
		return shardSpec{}, fmt.Errorf("the shard count must be at least 1")
	case i < 0 || i >= n:
		return shardSpec{}, fmt.Errorf("shard index %d is out of range: %d shards are 0/%d to %d/%d (INDEX counts from 0)", i, n, n, n-1, n)
	}
	return shardSpec{Index: i, Count: n}, nil
}

// getenv reads the environment; tests replace it.
var getenv = os.Getenv

// shardOf returns the shard this process runs, or nil for an unsharded
// run: --shard when given; else, with JOB_COMPLETION_INDEX set (a pod of a
// Kubernetes Indexed Job), that index and --shards; else, in a Slurm array
// task, SLURM_ARRAY_TASK_ID − SLURM_ARRAY_TASK_MIN and
// SLURM_ARRAY_TASK_COUNT. cmd names the command for error messages.
func (c *commonFlags) shardOf(cmd string) (*shardSpec, error) {
	nFlag := 0
	if c.fs.Changed("shards") {
		nFlag = c.shards
	}
	if sh := c.shard.spec; sh != nil {
		if nFlag != 0 && nFlag != sh.Count {
			return nil, usageErrorf(cmd, "--shard %s and --shards %d disagree on the shard count", sh, nFlag)
		}
		return sh, nil
	}
	if v := getenv("JOB_COMPLETION_INDEX"); v != "" {
		if nFlag == 0 {
			return nil, usageErrorf(cmd, "JOB_COMPLETION_INDEX=%s is set (a Kubernetes Indexed Job): give --shards N, the Job's completions, or --shard I/N", v)
		}
		i, err := strconv.Atoi(v)
		if err != nil || i < 0 || i >= nFlag {
			return nil, usageErrorf(cmd, "JOB_COMPLETION_INDEX=%s is not a shard index from 0 to %d (--shards %d)", v, nFlag-1, nFlag)
		}
		return &shardSpec{Index: i, Count: nFlag, from: "JOB_COMPLETION_INDEX"}, nil
	}
	if v := getenv("SLURM_ARRAY_TASK_ID"); v != "" {
		id, err := strconv.Atoi(v)
		if err != nil {
			return nil, usageErrorf(cmd, "SLURM_ARRAY_TASK_ID=%q is not an integer", v)
		}
		lo := 0
		if m := getenv("SLURM_ARRAY_TASK_MIN"); m != "" {
			if lo, err = strconv.Atoi(m); err != nil {
				return nil, usageErrorf(cmd, "SLURM_ARRAY_TASK_MIN=%q is not an integer", m)
			}
		}
		n := nFlag
		if m := getenv("SLURM_ARRAY_TASK_COUNT"); m != "" {
			if n, err = strconv.Atoi(m); err != nil || n < 1 {
				return nil, usageErrorf(cmd, "SLURM_ARRAY_TASK_COUNT=%q is not a positive integer", m)
			}
			if nFlag != 0 && nFlag != n {
				return nil, usageErrorf(cmd, "--shards %d and SLURM_ARRAY_TASK_COUNT=%d disagree on the shard count", nFlag, n)
			}
		}
		switch i := id - lo; {
		case n == 0:
			return nil, usageErrorf(cmd, "SLURM_ARRAY_TASK_ID=%d is set but not SLURM_ARRAY_TASK_COUNT: give --shards N", id)
		case i < 0 || i >= n:
			return nil, usageErrorf(cmd, "SLURM_ARRAY_TASK_ID=%d is not one of %d consecutive tasks from SLURM_ARRAY_TASK_MIN=%d: use a step-1 array such as --array=0-%d", id, n, lo, n-1)
		default:
			return &shardSpec{Index: i, Count: n, from: "SLURM_ARRAY_TASK_ID"}, nil
		}
	}
	if nFlag != 0 {
		return nil, usageErrorf(cmd, "--shards %d needs a shard index: JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID in the environment, or --shard I/N", nFlag)
	}
	return nil, nil
}
