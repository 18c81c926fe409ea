package run

import (
	"strings"
	"testing"
)

// TestChooseShard checks that a given shard wins over the environment,
// must agree with --shards, and that without one the environment decides.
func TestChooseShard(t *testing.T) {
	env := map[string]string{"JOB_COMPLETION_INDEX": "2"}
	getenv := func(k string) string { return env[k] }
	given := &Shard{Index: 1, Count: 4, From: "--shard"}
	for _, tt := range []struct {
		given  *Shard
		shards int
		want   string // the shard and where it is from, or the error
	}{
		{given, 0, "1/4 --shard"},
		{given, 4, "1/4 --shard"},
		{given, 3, "--shard 1/4 and --shards 3 disagree on the shard count"},
		{nil, 3, "2/3 JOB_COMPLETION_INDEX"},
		{nil, 0, "JOB_COMPLETION_INDEX=2 is set (a Kubernetes Indexed Job): give --shards N, the Job's completions, or --shard I/N"},
	} {
		sh, err := ChooseShard(tt.given, tt.shards, getenv)
		got := ""
		if err != nil {
			got = err.Error()
		} else {
			got = sh.String() + " " + sh.From
		}
		if got != tt.want {
			t.Errorf("ChooseShard(%v, %d) = %s, want %s", tt.given, tt.shards, got, tt.want)
		}
	}
}

// TestShardFromSlurm checks the shard of a Slurm array task: the index
// from the array's minimum in a step-1 range, and an error in every task
// of another array (a task of --array=0-6:2 ran the shard of another).
func TestShardFromSlurm(t *testing.T) {
	for _, tt := range []struct {
		id, min, max, count string
		want                string // the shard, or the error
	}{
		{"2", "0", "3", "4", "2/4"},
		{"5", "4", "6", "3", "1/3"},
		{"5", "4", "", "3", "1/3"},                 // no MAX: older Slurm
		{"3", "0", "7", "8", "3/8"},                // --array=0-7%2 (throttled)
		{"7", "7", "7", "1", "0/1"},                // --array=7
		{"0", "0", "6", "4", "not a step-1 range"}, // --array=0-6:2
		{"2", "0", "6", "4", "not a step-1 range"},
		{"6", "0", "6", "4", "not a step-1 range"},
		{"4", "1", "5", "3", "not a step-1 range"}, // --array=1,4,5
		{"1", "1", "5", "3", "not a step-1 range"},
		{"2", "0", "x", "4", `SLURM_ARRAY_TASK_MAX="x" is not an integer`},
		{"99999999999999999999", "0", "3", "4", "SLURM_ARRAY_TASK_ID=99999999999999999999 is out of range"},
		{"2", "-99999999999999999999", "3", "4", "SLURM_ARRAY_TASK_MIN=-99999999999999999999 is out of range"},
	} {
		env := map[string]string{"SLURM_ARRAY_TASK_ID": tt.id, "SLURM_ARRAY_TASK_MIN": tt.min,
			"SLURM_ARRAY_TASK_MAX": tt.max, "SLURM_ARRAY_TASK_COUNT": tt.count}
		sh, err := ShardFromEnv(func(k string) string { return env[k] }, 0)
		got := ""
		if err != nil {
			got = err.Error()
		} else {
			got = sh.String()
		}
		if !strings.Contains(got, tt.want) {
			t.Errorf("task %s of min %s, max %s, count %s: got %q, want %q", tt.id, tt.min, tt.max, tt.count, got, tt.want)
		}
	}
}
