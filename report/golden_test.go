package report

import (
	"bytes"
	"flag"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gradcheck/gradcheck"
	"github.com/gradcheck/gradcheck/formulas"
	"github.com/gradcheck/gradcheck/run"
)

var update = flag.Bool("update", false, "rewrite the golden files of report/testdata")

// goldenReport is an interrupted shard of a run of five claims: a pass, a
// failure with a diagnosis, the entries that disagree most and the
// expected result, an
// inconclusive result, an error whose numbers are not finite, and a claim
// the interrupt left unrun. Its times are fixed, so that every format
// writes the same bytes each time.
func goldenReport() *run.Report {
	claims := []run.ClaimRef{
		{Name: "tr-ax", Kind: formulas.Grad, Sizes: map[string]int{"n": 48}, Claim: "grad_X tr(A*X) = A'", Select: []string{"run", "tr-ax"}},
		{Name: "wrong-quad", Kind: formulas.Grad, Sizes: map[string]int{"n": 4}, Claim: "grad_x x'*A*x = A*x", Select: []string{"check", "--spec", "my claims.yaml", "--name", "wrong-quad"}},
		{Name: "logdet-edge", Kind: formulas.Hess, Sizes: map[string]int{"m": 40, "n": 48}, Claim: "hess_X logdet(X) = 0", Select: []string{"run", "logdet-edge"}},
		{Name: "bad|pipe", Kind: formulas.Diff, Sizes: map[string]int{"n": 3}, Claim: "d(inv(X))[dX] = -inv(X)*dX*inv(X)", Select: []string{"run", "bad|pipe"}},
		{Name: "not-reached", Kind: formulas.Equals, Sizes: map[string]int{"n": 48}, Claim: "tr(A) = tr(A')", Select: []string{"run", "not-reached"}},
	}
	results := []gradcheck.Result{
		{Name: "tr-ax", Kind: formulas.Grad, Verdict: gradcheck.Pass, Sizes: map[string]int{"n": 48},
			MaxRelErr: 3.1e-12, Tolerance: 1e-8, Comparisons: 24, Counts: gradcheck.Counts{Agreed: 24}, Evaluations: 144, Instances: [2]int{0, 8}},
		{Name: "wrong-quad", Kind: formulas.Grad, Verdict: gradcheck.Fail, Sizes: map[string]int{"n": 4},
			MaxRelErr: 0.5, Tolerance: 2.2e-10, Diagnosis: gradcheck.DiagFactor, Factor: 0.5, Detail: "the claim is 0.5 times\nthe truth",
			Comparisons: 32, Counts: gradcheck.Counts{Disagreed: 32}, Evaluations: 16, Instances: [2]int{2, 3},
			Worst:    gradcheck.Worst{Instance: 2, Direction: 1, FiniteDiff: -1.71724, Claimed: -0.858622},
			Entries:  []gradcheck.Entry{{Instance: 2, I: 3, J: 0, Claimed: -0.858622, FiniteDiff: -1.71724}, {Instance: 2, I: 0, J: 0, Claimed: 0.25, FiniteDiff: 0.5}},
			Expected: "A*x + A'*x"},
		{Name: "logdet-edge", Kind: formulas.Hess, Verdict: gradcheck.Inconclusive, Sizes: map[string]int{"m": 40, "n": 48},
			Reason: "the sample left the domain of f in 3 of 24 comparisons", Comparisons: 24, Counts: gradcheck.Counts{OutOfDomain: 24}, Evaluations: 192, Instances: [2]int{0, 8}},
		{Name: "bad|pipe", Kind: formulas.Diff, Verdict: gradcheck.Error, Sizes: map[string]int{"n": 3},
			MaxRelErr: math.NaN(), Tolerance: math.Inf(1), Reason: "the GPU worker died", Instances: [2]int{0, 8}},
	}
	rep := &run.Report{
		Version: gradcheck.ReportVersion, Gradcheck: "1.2.3", Backend: "cpu", Seed: 7, Incomplete: true,
		Settings: run.ReportSettings{Sizes: map[string]int{"n": 48}, Batch: 8, Dirs: 3, Mode: gradcheck.Directional, RTol: 1e-9, Instance: -1},
		Shard:    &run.Shard{Index: 1, Count: 2},
		Claims:   claims, Results: results, ClaimOf: []int{0, 1, 2, 3},
		NotRun: claims[4:],
	}
	for i, r := range results {
		rep.Summary.Add(r.Verdict)
		rep.Times = append(rep.Times, time.Duration(i+1)*250*time.Millisecond)
	}
	rep.Elapsed = 2500 * time.Millisecond
	return rep
}

// TestGolden compares every format's report of goldenReport with its
// golden file; go test ./report -update rewrites them after a change that
// is meant.
func TestGolden(t *testing.T) {
	for _, format := range Formats() {
		t.Run(format, func(t *testing.T) {
			var got bytes.Buffer
			if err := Write(&got, format, goldenReport()); err != nil {
				t.Fatal(err)
			}
			file := filepath.Join("testdata", "report."+format)
			if *update {
				if err := os.WriteFile(file, got.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Bytes(), want) {
				t.Errorf("%s report differs from %s:\n%s", format, file, got.Bytes())
			}
		})
	}
}

// TestWriteUnknownFormat checks that a format Write does not know is an
// error that lists the ones it does.
func TestWriteUnknownFormat(t *testing.T) {
	err := Write(&bytes.Buffer{}, "yaml", goldenReport())
	if err == nil || err.Error() != `unknown report format "yaml" (formats: text, json, junit, markdown)` {
		t.Errorf("Write yaml: %v", err)
	}
}

// TestFormatOf checks the formats that --out file names ask for.
func TestFormatOf(t *testing.T) {
	for _, tc := range []struct{ path, want string }{
		{"r.json", "json"}, {"dir/R.JSON", "json"}, {"gradcheck.xml", "junit"},
		{"pr.md", "markdown"}, {"pr.markdown", "markdown"}, {"report.txt", ""}, {"report", ""}, {"", ""},
	} {
		got, ok := FormatOf(tc.path)
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("FormatOf(%q) = %q, %v; want %q", tc.path, got, ok, tc.want)
		}
	}
}

// TestFormatsHelp checks that the help lists every format, in order, each
// in its column.
func TestFormatsHelp(t *testing.T) {
	help := FormatsHelp()
	at := -1
	for _, name := range Formats() {
		i := strings.Index(help, "\n  "+name+strings.Repeat(" ", 10-len(name)))
		if name == "text" {
			i = strings.Index(help, "  text      ")
		}
		if i <= at {
			t.Errorf("format %s is not listed after the one before it:\n%s", name, help)
		}
		at = i
	}
	for _, line := range strings.Split(strings.TrimRight(help, "\n"), "\n") {
		if len([]rune(line)) > 80 {
			t.Errorf("help line longer than 80 columns: %q", line)
		}
	}
}
