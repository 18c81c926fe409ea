package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestProfileKeepsInput checks that GRADCHECK_CPUPROFILE overwrites only a
// missing, empty or profile file: naming a spec file truncated it before
// the command read it.
func TestProfileKeepsInput(t *testing.T) {
	dir := t.TempDir()
	spec := []byte("formulas:\n  - name: a\n")
	tests := []struct {
		name     string
		content  []byte // nil: no file
		profiled bool
	}{
		{"missing", nil, true},
		{"empty", []byte{}, true},
		{"old profile", []byte{0x1f, 0x8b, 8, 0}, true},
		{"spec file", spec, false},
		{"one byte", []byte("x"), false},
	}
	for _, tt := range tests {
		path := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "-"))
		if tt.content != nil {
			if err := os.WriteFile(path, tt.content, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		var stderr bytes.Buffer
		startProfile(path, &stderr)()
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		isProfile := bytes.HasPrefix(got, []byte{0x1f, 0x8b}) && !bytes.Equal(got, tt.content)
		if isProfile != tt.profiled {
			t.Errorf("%s: profile written %v, want %v (stderr %q)", tt.name, isProfile, tt.profiled, stderr.String())
		}
		if !tt.profiled && (!bytes.Equal(got, tt.content) || !strings.Contains(stderr.String(), "is not a profile")) {
			t.Errorf("%s: file now %q, stderr %q; want it kept and a warning", tt.name, got, stderr.String())
		}
	}
}
