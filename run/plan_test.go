package run

import (
	"math"
	"slices"
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
		jobs := Plan(tc.targets, s, tc.count)
		covered := make(map[[2]int]int)
		for i := range tc.count {
			seen := make(map[int]bool)
			for _, jb := range JobsOf(jobs, Shard{Index: i, Count: tc.count}) {
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
		jobs := Plan(2, s, tc.shard.Count)
		if got := JobsOf(jobs, tc.shard); !slices.Equal(got, tc.want) {
			t.Errorf("JobsOf(shard %s) = %v, want %v", tc.shard, got, tc.want)
		}
	}
}
