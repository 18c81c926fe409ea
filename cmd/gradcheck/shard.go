package main

import (
	"os"
	"strconv"

	gcrun "github.com/gradcheck/gradcheck/run"
)

// shardValue is the --shard flag, I/N.
type shardValue struct {
	spec *gcrun.Shard
}

func (v *shardValue) Type() string { return "I/N" }

func (v *shardValue) String() string {
	if v == nil || v.spec == nil {
		return ""
	}
	return v.spec.String()
}

func (v *shardValue) Set(s string) error {
	sh, err := gcrun.ParseShard(s)
	if err != nil {
		return err
	}
	sh.From = "--shard"
	v.spec = &sh
	return nil
}

// getenv reads the environment; tests replace it.
var getenv = os.Getenv

// shardOf returns the shard this process runs, or nil for an unsharded
// run: --shard when given; else, with JOB_COMPLETION_INDEX set (a pod of a
// Kubernetes Indexed Job), that index and --shards; else, in a Slurm array
// task, SLURM_ARRAY_TASK_ID − SLURM_ARRAY_TASK_MIN and
// SLURM_ARRAY_TASK_COUNT. cmd names the command for error messages.
func (c *commonFlags) shardOf(cmd string) (*gcrun.Shard, error) {
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
		return &gcrun.Shard{Index: i, Count: nFlag, From: "JOB_COMPLETION_INDEX"}, nil
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
			return &gcrun.Shard{Index: i, Count: n, From: "SLURM_ARRAY_TASK_ID"}, nil
		}
	}
	if nFlag != 0 {
		return nil, usageErrorf(cmd, "--shards %d needs a shard index: JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID in the environment, or --shard I/N", nFlag)
	}
	return nil, nil
}
