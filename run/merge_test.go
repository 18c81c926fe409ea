package run

import (
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
