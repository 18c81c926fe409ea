package report

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/gradcheck/gradcheck"
	"github.com/gradcheck/gradcheck/formulas"
	"github.com/gradcheck/gradcheck/run"
)

// TestHandMadeReport writes, in every format, reports that came from
// neither run.Run nor run.ReadReport: without ClaimOf, with one out of
// range, without claims. Rerun indexed ClaimOf and Claims and panicked;
// now a result whose claim is unknown has no re-run line, and a claim
// whose ClaimOf is known still has one.
func TestHandMadeReport(t *testing.T) {
	fail := gradcheck.Result{Name: "a-claim-name-longer-than-any-column", Kind: formulas.Grad, Verdict: gradcheck.Fail,
		Sizes: map[string]int{"n": 4}, MaxRelErr: 0.5, Tolerance: 1e-9, Comparisons: 3, Worst: gradcheck.Worst{Instance: 1}}
	ref := run.ClaimRef{Name: fail.Name, Kind: fail.Kind, Sizes: fail.Sizes, Select: []string{"run", fail.Name}}
	for _, tt := range []struct {
		name    string
		claims  []run.ClaimRef
		claimOf []int
		rerun   bool
	}{
		{"no claims", nil, nil, false},
		{"no ClaimOf", []run.ClaimRef{ref}, nil, false},
		{"ClaimOf out of range", []run.ClaimRef{ref}, []int{1}, false},
		{"negative ClaimOf", []run.ClaimRef{ref}, []int{-1}, false},
		{"ClaimOf", []run.ClaimRef{ref}, []int{0}, true},
	} {
		rep := &run.Report{Version: 1, Backend: "cpu", Claims: tt.claims, ClaimOf: tt.claimOf, Results: []gradcheck.Result{fail}}
		rep.Summary.Add(fail.Verdict)
		if got := len(rep.Reruns()); got != map[bool]int{false: 0, true: 1}[tt.rerun] {
			t.Errorf("%s: %d re-run commands", tt.name, got)
		}
		for _, format := range Formats() {
			var b bytes.Buffer
			if err := Write(&b, format, rep); err != nil {
				t.Fatalf("%s, %s: %v", tt.name, format, err)
			}
			if got := strings.Contains(b.String(), "gradcheck run "+fail.Name); format != "json" && got != tt.rerun {
				t.Errorf("%s, %s: re-run command written %v, want %v:\n%s", tt.name, format, got, tt.rerun, b.String())
			}
			if format != "text" {
				continue
			}
			// The row lines up under the headings.
			lines := strings.Split(b.String(), "\n")
			if i := strings.Index(lines[1], "grad"); i != strings.Index(lines[0], "KIND") {
				t.Errorf("%s: the row does not line up under the headings:\n%s", tt.name, b.String())
			}
		}
	}
}

// TestTableWiderRows checks rows wider than the columns the table was made
// for (a result of no claim it was given): strings.Repeat panicked on a
// negative count; now the column widens for the row and those after it.
func TestTableWiderRows(t *testing.T) {
	for _, tt := range []struct {
		name   string
		claims []run.ClaimRef
		r      gradcheck.Result
	}{
		{"no claims", nil, gradcheck.Result{Name: "a-claim-name-longer-than-the-heading", Kind: formulas.Grad, Verdict: gradcheck.Pass}},
		{"longer name", []run.ClaimRef{{Name: "a"}}, gradcheck.Result{Name: "a-claim-name-longer-than-the-heading", Kind: formulas.Grad, Verdict: gradcheck.Pass}},
		{"longer sizes", []run.ClaimRef{{Name: "a"}}, gradcheck.Result{Name: "a", Kind: formulas.Hess, Verdict: gradcheck.Fail,
			Sizes: map[string]int{"m": 100000, "n": 100000, "p": 100000}}},
		{"longer kind", nil, gradcheck.Result{Name: "a", Kind: "a-kind-of-its-own", Verdict: gradcheck.Error}},
	} {
		var b bytes.Buffer
		tab := NewTable(tt.claims, false, Sink{W: &b})
		tab.Row(tt.r)
		tab.Row(tt.r)
		lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
		want := []string{tt.r.Name, string(tt.r.Kind), formulas.FormatSizes(tt.r.Sizes), string(tt.r.Verdict)}
		if tt.r.Sizes == nil {
			want = slices.Delete(want, 2, 3)
		}
		if len(lines) != 2 || lines[0] != lines[1] || !slices.Equal(strings.Fields(lines[0])[:len(want)], want) {
			t.Errorf("%s: rows\n%s", tt.name, b.String())
		}
	}
}
