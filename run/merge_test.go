package run

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/gradcheck/gradcheck"
)

// TestDiffer checks that differ names each setting in which two reports
// of one run may not differ, and nothing for equal reports.
func TestDiffer(t *testing.T) {
	base := func() *Report {
		return &Report{Seed: 1, Backend: "cpu", Gradcheck: "1.0",
			Settings: ReportSettings{Sizes: map[string]int{"n": 4}, Batch: 8, Dirs: 3, Mode: gradcheck.Directional, Instance: -1},
			Claims:   []ClaimRef{{Name: "a", Select: []string{"run", "a"}}}}
	}
	for _, tt := range []struct {
		change func(r *Report)
		want   string
	}{
		{func(r *Report) {}, ""},
		{func(r *Report) { r.Settings.Sizes = map[string]int{} }, "--size (n=4 and )"},
		{func(r *Report) { r.Seed = 2 }, "seeds (1 and 2)"},
		{func(r *Report) { r.Settings.Batch = 4 }, "--batch (8 and 4)"},
		{func(r *Report) { r.Settings.Dirs = 1 }, "--dirs (3 and 1)"},
		{func(r *Report) { r.Settings.Mode = gradcheck.Entrywise }, "--mode (directional and entrywise)"},
		{func(r *Report) { r.Settings.RTol = 1e-9 }, "--rtol (0 and 1e-09)"},
		{func(r *Report) { r.Settings.ATol = 1 }, "--atol (0 and 1)"},
		{func(r *Report) { r.Settings.Instance = 2 }, "--instance (-1 and 2)"},
		{func(r *Report) { r.Backend = "gpu" }, "backends (cpu and gpu)"},
		{func(r *Report) { r.Gradcheck = "1.1" }, "gradcheck versions (1.0 and 1.1)"},
		{func(r *Report) { r.Claims[0].Select = []string{"run", "a*"} }, "claims (selected by different arguments, or from changed spec files)"},
	} {
		b := base()
		tt.change(b)
		if got := differ(base(), b); got != tt.want {
			t.Errorf("differ = %q, want %q", got, tt.want)
		}
	}
}

// TestReadReportRejects checks that a file that is not one well-formed
// report is refused with an error rather than read (two reports in one
// file) or left to crash merge (a shard out of range).
func TestReadReportRejects(t *testing.T) {
	good := `{"version": 1, "gradcheck": "1.0", "backend": "cpu", "seed": 1, "incomplete": false,
  "settings": {"sizes": {}, "batch": 8, "dirs": 3, "mode": "directional", "rtol": 0, "atol": 0, "instance": -1},
  %s"claims": [{"name": "a", "kind": "grad", "sizes": {}, "claim": "grad_x sum(x) = ones(n,1)", "select": ["run", "a"]}],
  "results": [{"name": "a", "kind": "grad", "verdict": "pass", "sizes": {}}], "summary": {"pass": 1, "fail": 0, "inconclusive": 0, "error": 0}}`
	report := func(shard string) string { return fmt.Sprintf(good, shard) }
	for _, tt := range []struct {
		name, data string
		want       string // "" to read
	}{
		{"unsharded", report(""), ""},
		{"shard", report(`"shard": {"index": 2, "count": 3}, `), ""},
		{"trailing newline", report("") + "\n\n", ""},
		{"two reports", report("") + "\n" + report(""), "more data after the report"},
		{"garbage after", report("") + "garbage{", "more data after the report"},
		{"index too large", report(`"shard": {"index": 5, "count": 3}, `), "shard 5/3 is out of range"},
		{"index equal to count", report(`"shard": {"index": 3, "count": 3}, `), "shard 3/3 is out of range"},
		{"negative index", report(`"shard": {"index": -1, "count": 3}, `), "shard -1/3 is out of range"},
		{"count 0", report(`"shard": {"index": 0, "count": 0}, `), "shard 0/0 is out of range"},
		{"negative count", report(`"shard": {"index": 0, "count": -3}, `), "shard 0/-3 is out of range"},
		{"no claims", `{"version": 1, "gradcheck": "1.0", "backend": "cpu", "seed": 1, "incomplete": false,
  "settings": {"sizes": {}, "batch": 8, "dirs": 3, "mode": "directional", "rtol": 0, "atol": 0, "instance": -1},
  "claims": [], "results": [], "summary": {"pass": 0, "fail": 0, "inconclusive": 0, "error": 0}}`, "no claims to run"},
	} {
		_, err := ReadReport("r.json", []byte(tt.data))
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s: error %v, want one with %q", tt.name, err, tt.want)
		}
	}
}

// TestMergeMissingShards checks that merge names the shards missing, the
// first few of a large count, without an allocation of the count's size
// (a hand-edited count of 10^15 was an internal error).
func TestMergeMissingShards(t *testing.T) {
	rep := func(index, count int) *Report {
		return &Report{Version: 1, Gradcheck: "1.0", Backend: "cpu", Seed: 1,
			Settings: ReportSettings{Sizes: map[string]int{}, Batch: 8, Dirs: 3, Mode: gradcheck.Directional, Instance: -1},
			Shard:    &Shard{Index: index, Count: count}}
	}
	for _, tt := range []struct {
		name string
		reps []*Report
		want string
	}{
		{"one", []*Report{rep(0, 2)}, "shard 1/2 is missing"},
		{"two", []*Report{rep(1, 3)}, "shards 0/3, 2/3 are missing"},
		{"many", []*Report{rep(0, 1_000_000_000_000_000)}, "999999999999999 of 1000000000000000 shards are missing: 1/1000000000000000, 2/1000000000000000, 3/1000000000000000, 4/1000000000000000, 5/1000000000000000, 6/1000000000000000, 7/1000000000000000, 8/1000000000000000 and 999999999999991 more"},
		{"out of range", []*Report{rep(0, 2), rep(7, 2)}, "b.json: shard 7/2 is out of range"},
		{"twice", []*Report{rep(1, 2), rep(1, 2)}, "a.json and b.json are both shard 1/2"},
	} {
		files := []string{"a.json", "b.json"}[:len(tt.reps)]
		_, err := Merge(files, tt.reps)
		if err == nil || err.Error() != tt.want {
			t.Errorf("%s: error %v, want %q", tt.name, err, tt.want)
		}
	}
}

// TestMergeArguments checks Merge of no reports, of a nil one, and of
// file names and reports that do not pair up: it indexed reps[0] and
// files[i] and panicked.
func TestMergeArguments(t *testing.T) {
	rep := &Report{Version: 1, Gradcheck: "1.0", Backend: "cpu", Seed: 1,
		Settings: ReportSettings{Sizes: map[string]int{}, Batch: 8, Dirs: 3, Mode: gradcheck.Directional, Instance: -1}}
	for _, tt := range []struct {
		name  string
		files []string
		reps  []*Report
		want  string
	}{
		{"nothing", nil, nil, "merge: no reports"},
		{"a file, no report", []string{"a"}, nil, "merge: no reports"},
		{"no file, a report", nil, []*Report{rep}, "merge: 0 file names for 1 reports"},
		{"fewer files", []string{"a"}, []*Report{rep, rep}, "merge: 1 file names for 2 reports"},
		{"nil report", []string{"a", "b"}, []*Report{rep, nil}, "merge: b: no report (nil)"},
	} {
		got, err := Merge(tt.files, tt.reps)
		if got != nil || err == nil || err.Error() != tt.want {
			t.Errorf("%s: Merge = %v, error %v, want %q", tt.name, got, err, tt.want)
		}
	}
}

// TestReadReportClaimOf checks that ReadReport finds the claim of each
// result, which the JSON does not hold, from the plan of the report's
// shard (Rerun panicked on a read-back report), and refuses a report whose
// results are not those of its jobs.
func TestReadReportClaimOf(t *testing.T) {
	claims := []ClaimRef{{Name: "a"}, {Name: "b"}, {Name: "c"}}
	result := func(name string) gradcheck.Result {
		return gradcheck.Result{Name: name, Verdict: gradcheck.Fail}
	}
	for _, tt := range []struct {
		name       string
		shard      *Shard
		incomplete bool
		results    []gradcheck.Result
		want       []int  // ClaimOf
		err        string // "" to read
	}{
		{"unsharded", nil, false, []gradcheck.Result{result("a"), result("b"), result("c")}, []int{0, 1, 2}, ""},
		// Batch 2 in 3 shards: jobs a a b b c c, shard 1/3 holds the 2nd and 5th.
		{"sharded", &Shard{Index: 1, Count: 3}, false, []gradcheck.Result{result("a"), result("c")}, []int{0, 2}, ""},
		{"interrupted", &Shard{Index: 1, Count: 3}, true, []gradcheck.Result{result("a")}, []int{0}, ""},
		{"too few", &Shard{Index: 1, Count: 3}, false, []gradcheck.Result{result("a")}, nil, "it has 1 results, but its run (shard 1/3) has 2 jobs"},
		{"too many", nil, true, []gradcheck.Result{result("a"), result("b"), result("c"), result("c")}, nil, "it has 4 results, but its run (shard 0/1) has 3 jobs"},
		{"wrong claim", &Shard{Index: 1, Count: 3}, false, []gradcheck.Result{result("a"), result("b")}, nil, "result 1 is b, but job 1 of its run is c"},
	} {
		rep := &Report{Version: gradcheck.ReportVersion, Gradcheck: "1.0", Backend: "cpu", Seed: 1, Incomplete: tt.incomplete,
			Settings: ReportSettings{Sizes: map[string]int{}, Batch: 2, Dirs: 3, Mode: gradcheck.Directional, Instance: -1},
			Shard:    tt.shard, Claims: claims, Results: tt.results}
		data, err := json.Marshal(rep)
		if err != nil {
			t.Fatal(err)
		}
		back, err := ReadReport("r.json", data)
		switch {
		case tt.err != "":
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%s: error %v, want one with %q", tt.name, err, tt.err)
			}
		case err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case !slices.Equal(back.ClaimOf, tt.want):
			t.Errorf("%s: ClaimOf %v, want %v", tt.name, back.ClaimOf, tt.want)
		case len(back.Reruns()) != len(tt.want):
			t.Errorf("%s: re-run commands %q", tt.name, back.Reruns())
		}
	}
}
