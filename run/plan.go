package run

import (
	"fmt"
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

// Shard names one shard of a sharded run: Index in [0, Count).
type Shard struct {
	Index int `json:"index"`
	Count int `json:"count"`
	// From says where the shard came from, for messages: "--shard",
	// "JOB_COMPLETION_INDEX" or "SLURM_ARRAY_TASK_ID".
	From string `json:"-"`
}

func (s Shard) String() string { return fmt.Sprintf("%d/%d", s.Index, s.Count) }

// ParseShard parses I/N, as in 0/4.
func ParseShard(s string) (Shard, error) {
	is, ns, ok := strings.Cut(strings.TrimSpace(s), "/")
	i, err1 := strconv.Atoi(strings.TrimSpace(is))
	n, err2 := strconv.Atoi(strings.TrimSpace(ns))
	switch {
	case !ok || err1 != nil || err2 != nil:
		return Shard{}, fmt.Errorf("want INDEX/COUNT, as in 0/4 (INDEX counts from 0)")
	case n < 1:
		return Shard{}, fmt.Errorf("the shard count must be at least 1")
	case i < 0 || i >= n:
		return Shard{}, fmt.Errorf("shard index %d is out of range: %d shards are 0/%d to %d/%d (INDEX counts from 0)", i, n, n, n-1, n)
	}
	return Shard{Index: i, Count: n}, nil
}

// Job is the instances [From, To) of target number Target.
type Job struct {
	Target   int
	From, To int
}

// Plan returns the jobs of a run of n targets with settings s split for
// count shards, in the order described above. For one shard it is one job
// per target.
func Plan(n int, s gradcheck.Settings, count int) []Job {
	first, last := 0, s.Batch
	if s.Instance >= 0 {
		first, last = s.Instance, s.Instance+1
	}
	blocks := min(last-first, count)
	var jobs []Job
	for t := range n {
		for b := range blocks {
			jobs = append(jobs, Job{
				Target: t,
				From:   first + b*(last-first)/blocks,
				To:     first + (b+1)*(last-first)/blocks,
			})
		}
	}
	return jobs
}

// JobsOf returns the jobs of shard sh: those numbered sh.Index mod sh.Count.
func JobsOf(jobs []Job, sh Shard) []Job {
	var mine []Job
	// j+sh.Count would overflow for a count near the largest int.
	for j := sh.Index; j < len(jobs); j += sh.Count {
		mine = append(mine, jobs[j])
		if sh.Count > len(jobs)-j {
			break
		}
	}
	return mine
}

// settingsFor returns the settings that verify job jb of a run with
// settings s: s itself when the job is the target's whole range, so that
// an unsharded run is verified exactly as before sharding existed.
func settingsFor(jb Job, s gradcheck.Settings, count int) gradcheck.Settings {
	if count == 1 {
		return s
	}
	s.Instance = -1
	s.InstanceFrom, s.InstanceTo = jb.From, jb.To
	return s
}
