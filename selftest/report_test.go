package selftest

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/gradcheck/gradcheck"
)

// TestWriteReport checks the text and JSON forms of a report with one
// missed mutant below the tolerance and one false alarm.
func TestWriteReport(t *testing.T) {
	r := &Report{TrueClaims: 200, FalseAlarms: 1, Inconclusive: 3, Mutants: 1000, Equivalent: 10, Detected: 989,
		Missed: []Finding{{Name: "f7-nudge", Mutation: Nudge, Verdict: "pass", Difference: 1e-6, Tolerance: 1e-5,
			Claim: "--f x --wrt x --var x=n --diff 1.000001*dx", Rerun: "gradcheck check --f x"}},
		Alarms: []Finding{{Name: "f3", Verdict: "error", Reason: "singular", Claim: "--f y", Rerun: "gradcheck check --f y"}}}
	want := `true claims      200   false alarms 1, inconclusive 3 (1.50%)
mutants         1000   equivalent 10, detected 989 of 990 (99.90%)

false alarms:
  f3: error (singular)
    claim: --f y
    rerun: gradcheck check --f y

missed mutants:
  f7-nudge: pass; it differs from the truth by 1.0e-06, below the tolerance 1.0e-05
    claim: --f x --wrt x --var x=n --diff 1.000001*dx
    rerun: gradcheck check --f x
`
	var b bytes.Buffer
	if err := WriteText(&b, r); err != nil {
		t.Fatal(err)
	}
	if b.String() != want {
		t.Errorf("text:\n%s\nwant:\n%s", b.String(), want)
	}
	b.Reset()
	if err := WriteJSON(&b, r); err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(b.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(&back, r) {
		t.Errorf("JSON round trip: %+v, want %+v", back, *r)
	}
}

// TestSelftestCommand checks the command that re-runs one function of the
// self-test: the seed and the depth draw it (a depth other than the
// default drew another function when left out), the mode and the backend
// verify it as the run did.
func TestSelftestCommand(t *testing.T) {
	tests := []struct {
		o    Options
		want string
	}{
		{Options{Seed: 1, Depth: defaultDepth}, "gradcheck selftest --seed 1 --first 7 --claims 1"},
		{Options{Seed: 2, Depth: 5, Mode: gradcheck.Entrywise, Backend: "cpu"},
			"gradcheck selftest --seed 2 --first 7 --claims 1 --depth 5 --mode entrywise --backend cpu"},
	}
	for _, tt := range tests {
		if got := tt.o.selftestCommand(7); got != tt.want {
			t.Errorf("got  %q\nwant %q", got, tt.want)
		}
	}
}
