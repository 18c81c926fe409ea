package run

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/gradcheck/gradcheck"
)

// TestPlan checks that the shards of a plan cover every instance of every
// target exactly once, in blocks no shard holds twice.
func TestPlan(t *testing.T) {
	for _, tc := range []struct{ targets, batch, instance, count int }{
		{3, 8, -1, 1}, {3, 8, -1, 2}, {3, 8, -1, 3}, {1, 8, -1, 8}, {2, 4, -1, 7}, {5, 1, -1, 3}, {4, 8, 5, 3},
	} {
		s := gradcheck.DefaultSettings()
		s.Batch, s.Instance = tc.batch, tc.instance
		jobs, err := Plan(tc.targets, s, tc.count)
		if err != nil {
			t.Fatalf("%+v: %v", tc, err)
		}
		covered := make(map[[2]int]int)
		for i := range tc.count {
			seen := make(map[int]bool)
			mine, err := JobsOf(jobs, Shard{Index: i, Count: tc.count})
			if err != nil {
				t.Fatalf("%+v: shard %d: %v", tc, i, err)
			}
			for _, jb := range mine {
				if seen[jb.Target] {
					t.Errorf("%+v: shard %d holds target %d twice", tc, i, jb.Target)
				}
				seen[jb.Target] = true
				if jb.To <= jb.From {
					t.Errorf("%+v: empty job %+v", tc, jb)
				}
				for k := jb.From; k < jb.To; k++ {
					covered[[2]int{jb.Target, k}]++
				}
			}
		}
		first, last := 0, tc.batch
		if tc.instance >= 0 {
			first, last = tc.instance, tc.instance+1
		}
		for tg := range tc.targets {
			for k := first; k < last; k++ {
				if n := covered[[2]int{tg, k}]; n != 1 {
					t.Errorf("%+v: target %d instance %d is in %d jobs", tc, tg, k, n)
				}
			}
		}
		if len(covered) != tc.targets*(last-first) {
			t.Errorf("%+v: the jobs cover %d instances, want %d", tc, len(covered), tc.targets*(last-first))
		}
		if tc.count == 1 && len(jobs) != tc.targets {
			t.Errorf("%+v: unsharded plan has %d jobs, want one per target", tc, len(jobs))
		}
	}
}

// TestJobsOfLargeCount checks that a shard count near the largest int
// selects the shard's jobs instead of overflowing the job index (--shard
// 1/9223372036854775807 was an internal error).
func TestJobsOfLargeCount(t *testing.T) {
	s := gradcheck.DefaultSettings()
	s.Batch = 2
	for _, tc := range []struct {
		shard Shard
		want  []Job
	}{
		{Shard{Index: 0, Count: math.MaxInt}, []Job{{Target: 0, From: 0, To: 1}}},
		{Shard{Index: 1, Count: math.MaxInt}, []Job{{Target: 0, From: 1, To: 2}}},
		{Shard{Index: 5, Count: math.MaxInt}, nil},
		{Shard{Index: 1, Count: math.MaxInt - 1}, []Job{{Target: 0, From: 1, To: 2}}},
		{Shard{Index: 1, Count: 2}, []Job{{Target: 0, From: 1, To: 2}, {Target: 1, From: 1, To: 2}}},
	} {
		jobs, err := Plan(2, s, tc.shard.Count)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := JobsOf(jobs, tc.shard); err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("JobsOf(shard %s) = %v, %v, want %v", tc.shard, got, err, tc.want)
		}
	}
}

// TestPlanRefuses checks that a plan or shard that would run nothing is an
// error: JobsOf of shard 0/0 looped for ever, of shard -1/2 panicked, and
// Run with shard 5/2, 0/0 or batch 0 returned an empty report that passed.
func TestPlanRefuses(t *testing.T) {
	s := gradcheck.DefaultSettings()
	jobs, err := Plan(2, s, 2)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		shard Shard
		want  string
	}{
		{Shard{}, "the shard count must be at least 1"},
		{Shard{Index: 0, Count: -2}, "the shard count must be at least 1"},
		{Shard{Index: -1, Count: 2}, "shard index -1 is out of range"},
		{Shard{Index: 5, Count: 2}, "shard index 5 is out of range"},
		{Shard{Index: 2, Count: 2}, "shard index 2 is out of range"},
	} {
		if _, err := JobsOf(jobs, tt.shard); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("JobsOf(shard %s): error %v, want one with %q", tt.shard, err, tt.want)
		}
		sh := tt.shard
		rep, err := Run(context.Background(), Config{Engine: &fakeEngine{slots: 1}, Targets: targets(t, "a"), Settings: s, Shard: &sh})
		if rep != nil || err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Run(shard %s) = %v, error %v, want an error with %q", tt.shard, rep, err, tt.want)
		}
	}
	for _, count := range []int{0, -1} {
		if _, err := Plan(2, s, count); err == nil || !strings.Contains(err.Error(), "the shard count must be at least 1") {
			t.Errorf("Plan(count %d): error %v", count, err)
		}
	}
	// A plan of no targets has no job, so a run of it would pass: its doc
	// said so, but it returned no jobs and no error.
	for _, n := range []int{0, -1} {
		if jobs, err := Plan(n, s, 1); err == nil || !strings.Contains(err.Error(), "no claims to run") {
			t.Errorf("Plan(%d targets) = %v, error %v", n, jobs, err)
		}
	}
	for _, batch := range []int{0, -3} {
		s := s
		s.Batch = batch
		if _, err := Plan(2, s, 1); err == nil || !strings.Contains(err.Error(), "the batch must be at least 1") {
			t.Errorf("Plan(batch %d): error %v", batch, err)
		}
		rep, err := Run(context.Background(), Config{Engine: &fakeEngine{slots: 1}, Targets: targets(t, "a"), Settings: s})
		if rep != nil || err == nil || !strings.Contains(err.Error(), "the batch must be at least 1") {
			t.Errorf("Run(batch %d) = %v, error %v", batch, rep, err)
		}
	}
}
