package report

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gradcheck/gradcheck"
	"github.com/gradcheck/gradcheck/run"
)

func TestNonFiniteJSON(t *testing.T) {
	nan := func() float64 { var z float64; return z / z }()
	rep := &run.Report{Results: []gradcheck.Result{{Name: "x", MaxRelErr: nan, Reason: "f is not finite"}}}
	var data bytes.Buffer
	if err := Write(&data, "json", rep); err != nil {
		t.Fatalf("Write: %v", err)
	}
	var back run.Report
	if err := json.Unmarshal(data.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	r := back.Results[0]
	if r.MaxRelErr != 0 || !strings.Contains(r.Reason, "f is not finite") || !strings.Contains(r.Reason, "max_rel_err was NaN") {
		t.Errorf("sanitized result %+v", r)
	}
	if rep.Results[0].MaxRelErr == rep.Results[0].MaxRelErr {
		t.Errorf("Write modified its argument")
	}
}

// TestReadBackWrites checks that a JSON report read back with
// run.ReadReport writes in every format and gives the re-run commands of
// the report it was written from: its results' claims are not in the JSON,
// and every format that names a re-run command panicked on a read-back
// report with a result that did not pass.
func TestReadBackWrites(t *testing.T) {
	rep := goldenReport()
	var data bytes.Buffer
	if err := Write(&data, "json", rep); err != nil {
		t.Fatal(err)
	}
	back, err := run.ReadReport("r.json", data.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := back.Reruns(), rep.Reruns(); !slices.Equal(got, want) {
		t.Errorf("read back, the re-run commands are\n%q\nwant\n%q", got, want)
	}
	for _, format := range Formats() {
		t.Run(format, func(t *testing.T) {
			defer func() {
				if p := recover(); p != nil {
					t.Errorf("Write panicked: %v", p)
				}
			}()
			var b bytes.Buffer
			if err := Write(&b, format, back); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestJSONFieldsDocumented checks that every field a JSON report may hold
// is named in the README's section on it (as `field`, `.field` or in its
// example as "field"): rows and cols were written but not documented.
func TestJSONFieldsDocumented(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, _ := strings.Cut(string(readme), "\n### The JSON report\n")
	section, _, _ = strings.Cut(section, "\n## ")
	if section == "" {
		t.Fatal("README.md has no section \"The JSON report\"")
	}
	// A report whose results hold every optional field.
	rep := goldenReport()
	rep.Results[1].Rows, rep.Results[1].Cols = []int{3}, []int{0, 2}
	rep.Results[1].FactorRange = []float64{0.5, 2}
	var data bytes.Buffer
	if err := Write(&data, "json", rep); err != nil {
		t.Fatal(err)
	}
	var doc any
	if err := json.Unmarshal(data.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	keys := make(map[string]bool)
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				keys[k] = true
				if k != "sizes" { // its keys are size symbols
					walk(x)
				}
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(doc)
	for k := range keys {
		if !strings.Contains(section, "`"+k+"`") && !strings.Contains(section, "`."+k+"`") && !strings.Contains(section, `"`+k+`"`) {
			t.Errorf("the README's JSON report section does not name the field %q", k)
		}
	}
}

// TestJSONResultsArray checks that results is a JSON array even when there
// are none (a shard with no jobs, a run interrupted before its first claim
// finished): it was written as null, which readers iterating over it trip on.
func TestJSONResultsArray(t *testing.T) {
	for _, tc := range []struct {
		name    string
		results []gradcheck.Result
	}{
		{"nil", nil},
		{"empty", []gradcheck.Result{}},
		{"one", []gradcheck.Result{{Name: "x", Verdict: gradcheck.Pass}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep := &run.Report{Version: 1, Results: tc.results}
			var data bytes.Buffer
			if err := Write(&data, "json", rep); err != nil {
				t.Fatal(err)
			}
			var raw map[string]json.RawMessage
			if err := json.Unmarshal(data.Bytes(), &raw); err != nil {
				t.Fatal(err)
			}
			var results []json.RawMessage
			if got := string(raw["results"]); !strings.HasPrefix(got, "[") || json.Unmarshal(raw["results"], &results) != nil || len(results) != len(tc.results) {
				t.Errorf("results is %s, want an array of %d", got, len(tc.results))
			}
		})
	}
}
