package run

import "testing"

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
