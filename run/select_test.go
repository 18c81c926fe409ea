package run

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestTargets checks the claims RegistryTargets and SpecTargets select,
// the arguments that re-run each, and their errors.
func TestTargets(t *testing.T) {
	ts, err := RegistryTargets([]string{"logdet-spd", "tr-a*"})
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) < 2 || ts[0].Claim.Name != "logdet-spd" || !slices.Equal(ts[0].Select, []string{"run", "logdet-spd"}) {
		t.Errorf("RegistryTargets: %+v", ts)
	}
	for _, tg := range ts[1:] {
		if !strings.HasPrefix(tg.Claim.Name, "tr-a") {
			t.Errorf("RegistryTargets selects %s for tr-a*", tg.Claim.Name)
		}
	}
	var pat *PatternError
	if _, err := RegistryTargets([]string{"no-such-*"}); !errors.As(err, &pat) {
		t.Errorf("RegistryTargets(no-such-*): %v, want a PatternError", err)
	}

	file := filepath.Join(t.TempDir(), "s.yaml")
	spec := "formulas:\n  - name: a*b\n    f: tr(X)\n    wrt: X\n    grad: eye(n)\n    vars: {X: {shape: \"n,n\"}}\n" +
		"  - name: c\n    f: tr(X)\n    wrt: X\n    grad: eye(n)\n    vars: {X: {shape: \"n,n\"}}\n"
	if err := os.WriteFile(file, []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	ts, err = SpecTargets([]string{file}, []string{`a\*b`}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) != 1 || !slices.Equal(ts[0].Select, []string{"check", "--spec", file, "--name", `a\*b`}) {
		t.Errorf("SpecTargets: %+v", ts)
	}
	// The same file spelled another way selects alike, so that the
	// shards of one run merge.
	dir, base := filepath.Split(file)
	other := dir + "." + string(filepath.Separator) + base // …/./s.yaml
	if ts2, err := SpecTargets([]string{other}, []string{`a\*b`}, nil, nil); err != nil || len(ts2) != 1 || !slices.Equal(ts2[0].Select, ts[0].Select) {
		t.Errorf("SpecTargets of %s: %+v, %v; want %v", other, ts2, err, ts[0].Select)
	}
	if _, err := SpecTargets([]string{file, other}, nil, nil, nil); err == nil || !strings.Contains(err.Error(), "given twice") {
		t.Errorf("SpecTargets of %s twice: %v, want an error", file, err)
	}
	if ts, err := SpecTargets([]string{file}, nil, nil, nil); err != nil || len(ts) != 2 {
		t.Errorf("SpecTargets, no pattern: %d targets, %v", len(ts), err)
	}
	if _, err := SpecTargets([]string{file}, []string{"d"}, nil, nil); !errors.As(err, &pat) {
		t.Errorf("SpecTargets(d): %v, want a PatternError", err)
	}
	if _, err := SpecTargets([]string{file + ".missing"}, nil, nil, nil); err == nil || errors.As(err, &pat) {
		t.Errorf("SpecTargets of a missing file: %v", err)
	}
}
