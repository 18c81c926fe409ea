package main

import (
	"bytes"
	"context"
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"
)

func TestSelftestCommand(t *testing.T) {
	code, out, errOut := call(t, "selftest", "--claims", "3", "--seed", "4", "--backend", "cpu", "--format", "json")
	var r map[string]json.RawMessage
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("selftest --format json: %v\n%s%s", err, out, errOut)
	}
	want := []string{"alarms", "detected", "equivalent", "false_alarms", "inconclusive", "missed", "mutants", "true_claims"}
	if got := slices.Sorted(maps.Keys(r)); !slices.Equal(got, want) {
		t.Errorf("selftest JSON fields %q, want exactly %q", got, want)
	}
	var counts struct {
		TrueClaims  int `json:"true_claims"`
		FalseAlarms int `json:"false_alarms"`
		Mutants     int `json:"mutants"`
		Missed      []struct{ Rerun string }
	}
	if err := json.Unmarshal([]byte(out), &counts); err != nil {
		t.Fatal(err)
	}
	ok := counts.FalseAlarms == 0 && len(counts.Missed) == 0
	if counts.TrueClaims < 3 || counts.Mutants == 0 || (code == exitOK) != ok || (code != exitOK && code != exitFail) {
		t.Errorf("selftest: exit %d with %s", code, out)
	}
	if !strings.Contains(errOut, "functions 0 to 2 of seed 4 on cpu") {
		t.Errorf("selftest: stderr %q", errOut)
	}

	code, out, _ = call(t, "selftest", "--claims", "1", "--first", "1", "--backend", "cpu")
	if !strings.Contains(out, "true claims") || !strings.Contains(out, "mutants") || code == exitUsage {
		t.Errorf("selftest text: exit %d:\n%s", code, out)
	}

	for _, args := range [][]string{{"--claims", "0"}, {"--claims", "x"}, {"--depth", "0"}, {"--depth", "9"}, {"extra"}, {"--format", "xml"}} {
		if code, _, errOut := call(t, append([]string{"selftest"}, args...)...); code != exitUsage || errOut == "" {
			t.Errorf("selftest %q: exit %d, want %d; stderr %q", args, code, exitUsage, errOut)
		}
	}
	if code, out, _ := call(t, "help", "selftest"); code != exitOK || !strings.Contains(out, "Usage: gradcheck selftest") {
		t.Errorf("help selftest: exit %d:\n%s", code, out)
	}
}

// TestSelftestInterrupted checks that an interrupted self-test exits 130
// with a message, not as an internal error, and says what its help says.
func TestSelftestInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errOut bytes.Buffer
	code := runContext(ctx, []string{"selftest", "--claims", "20", "--backend", "cpu"}, &out, &errOut)
	if code != exitInterrupted || !strings.Contains(errOut.String(), "interrupted: the self-test reports only when every function has run") {
		t.Errorf("exit %d, stderr %q: want 130 and the interruption", code, errOut.String())
	}
	if _, help, _ := call(t, "help", "selftest"); !strings.Contains(help, "no false alarm and no missed mutant") || strings.Contains(help, "every claim passed") {
		t.Errorf("help selftest does not give selftest's exit codes:\n%s", help)
	}
}
