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
	if !ok || err1 != nil || err2 != nil {
		return Shard{}, fmt.Errorf("want INDEX/COUNT, as in 0/4 (INDEX counts from 0)")
	}
	sh := Shard{Index: i, Count: n}
	if err := sh.check(); err != nil {
		return Shard{}, err
	}
	return sh, nil
}

// check returns an error unless s is one shard of a sharded run:
// 0 ≤ Index < Count. ParseShard, JobsOf and Run share it, so that a shard
// out of range is refused rather than run as none (its report would be
// empty, and so all passed).
func (s Shard) check() error {
	switch {
	case s.Count < 1:
		return fmt.Errorf("the shard count must be at least 1")
	case s.Index < 0 || s.Index >= s.Count:
		return fmt.Errorf("shard index %d is out of range: %d shards are 0/%d to %d/%d (INDEX counts from 0)", s.Index, s.Count, s.Count, s.Count-1, s.Count)
	}
	return nil
}

// Job is the instances [From, To) of target number Target.
type Job struct {
	Target   int
	From, To int
}

// Plan returns the jobs of a run of n targets with settings s split for
// count shards, in the order described above. For one shard it is one job
// per target. No targets (n below 1), or a count or batch below 1, is an
// error: the plan would have no job, and a run of it would pass.
func Plan(n int, s gradcheck.Settings, count int) ([]Job, error) {
	switch {
	case n < 1:
		return nil, fmt.Errorf("there are no claims to run")
	case count < 1:
		return nil, fmt.Errorf("the shard count must be at least 1")
	case s.Batch < 1:
		return nil, fmt.Errorf("the batch must be at least 1")
	}
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
	return jobs, nil
}

// JobsOf returns the jobs of shard sh: those numbered sh.Index mod
// sh.Count. A shard out of range (see ParseShard) is an error.
func JobsOf(jobs []Job, sh Shard) ([]Job, error) {
	if err := sh.check(); err != nil {
		return nil, err
	}
	var mine []Job
	// j+sh.Count would overflow for a count near the largest int.
	for j := sh.Index; j < len(jobs); j += sh.Count {
		mine = append(mine, jobs[j])
		if sh.Count > len(jobs)-j {
			break
		}
	}
	return mine, nil
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
