package run

import (
	"errors"
	"fmt"
	"math"
	"strconv"
)

// ShardFromEnv returns the shard that a cluster job's environment, read
// through getenv, gives this process, or nil when it gives none: with
// JOB_COMPLETION_INDEX set (a pod of a Kubernetes Indexed Job), that index
// of shards; else, in a Slurm array task, SLURM_ARRAY_TASK_ID −
// SLURM_ARRAY_TASK_MIN of SLURM_ARRAY_TASK_COUNT, which must be a step-1
// range (SLURM_ARRAY_TASK_MAX − SLURM_ARRAY_TASK_MIN + 1 tasks). shards is the shard
// count the user gave (--shards), 0 for none; it must agree with the
// environment's, and needs an index there.
func ShardFromEnv(getenv func(string) string, shards int) (*Shard, error) {
	if v := getenv("JOB_COMPLETION_INDEX"); v != "" {
		if shards == 0 {
			return nil, fmt.Errorf("JOB_COMPLETION_INDEX=%s is set (a Kubernetes Indexed Job): give --shards N, the Job's completions, or --shard I/N", v)
		}
		i, err := strconv.Atoi(v)
		if err != nil || i < 0 || i >= shards {
			return nil, fmt.Errorf("JOB_COMPLETION_INDEX=%s is not a shard index from 0 to %d (--shards %d)", v, shards-1, shards)
		}
		return &Shard{Index: i, Count: shards, From: "JOB_COMPLETION_INDEX"}, nil
	}
	if v := getenv("SLURM_ARRAY_TASK_ID"); v != "" {
		id, err := envInt("SLURM_ARRAY_TASK_ID", v)
		if err != nil {
			return nil, err
		}
		lo := 0
		if m := getenv("SLURM_ARRAY_TASK_MIN"); m != "" {
			if lo, err = envInt("SLURM_ARRAY_TASK_MIN", m); err != nil {
				return nil, err
			}
		}
		n := shards
		if m := getenv("SLURM_ARRAY_TASK_COUNT"); m != "" {
			if n, err = strconv.Atoi(m); err != nil || n < 1 {
				return nil, fmt.Errorf("SLURM_ARRAY_TASK_COUNT=%q is not a positive integer", m)
			}
			if shards != 0 && shards != n {
				return nil, fmt.Errorf("--shards %d and SLURM_ARRAY_TASK_COUNT=%d disagree on the shard count", shards, n)
			}
		}
		if m := getenv("SLURM_ARRAY_TASK_MAX"); m != "" && n != 0 {
			// Only a step-1 range has the index id − min: in another
			// array (--array=0-6:2, --array=1,4,5) some tasks would be
			// out of range and others would run the shard of another.
			hi, err := envInt("SLURM_ARRAY_TASK_MAX", m)
			if err != nil {
				return nil, err
			}
			if hi-lo+1 != n {
				return nil, fmt.Errorf("the Slurm array is not a step-1 range: SLURM_ARRAY_TASK_MIN=%d, SLURM_ARRAY_TASK_MAX=%d and %d tasks; use one such as --array=%d-%d", lo, hi, n, lo, lo+n-1)
			}
		}
		switch i := id - lo; {
		case n == 0:
			return nil, fmt.Errorf("SLURM_ARRAY_TASK_ID=%d is set but not SLURM_ARRAY_TASK_COUNT: give --shards N", id)
		case i < 0 || i >= n:
			return nil, fmt.Errorf("SLURM_ARRAY_TASK_ID=%d is not one of %d consecutive tasks from SLURM_ARRAY_TASK_MIN=%d: use a step-1 array such as --array=0-%d", id, n, lo, n-1)
		default:
			return &Shard{Index: i, Count: n, From: "SLURM_ARRAY_TASK_ID"}, nil
		}
	}
	if shards != 0 {
		return nil, fmt.Errorf("--shards %d needs a shard index: JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID in the environment, or --shard I/N", shards)
	}
	return nil, nil
}

// ChooseShard returns the shard this process runs, or nil for an
// unsharded run: given (from --shard) when set, whose count must agree
// with shards (--shards, 0 for none); else the environment's
// (ShardFromEnv).
func ChooseShard(given *Shard, shards int, getenv func(string) string) (*Shard, error) {
	if given == nil {
		return ShardFromEnv(getenv, shards)
	}
	if shards != 0 && shards != given.Count {
		return nil, fmt.Errorf("--shard %s and --shards %d disagree on the shard count", given, shards)
	}
	return given, nil
}

// envInt parses the value v of the environment variable name as an int,
// with an error that says whether it is no integer or out of range.
func envInt(name, v string) (int, error) {
	i, err := strconv.Atoi(v)
	if errors.Is(err, strconv.ErrRange) {
		return 0, fmt.Errorf("%s=%s is out of range: must be from %d to %d", name, v, math.MinInt, math.MaxInt)
	}
	if err != nil {
		return 0, fmt.Errorf("%s=%q is not an integer", name, v)
	}
	return i, nil
}
