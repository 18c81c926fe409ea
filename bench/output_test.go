package bench

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestWriteReport checks where WriteReport puts a report: the format to
// stdout, or to the file with the text tables on stdout.
func TestWriteReport(t *testing.T) {
	rep := Report{Batch: 2, Runs: 1, Results: []Result{{Claim: "det", N: 8, Backend: "cpu", Verdict: "pass", PerInstance: 1e-3}}}
	var text, json bytes.Buffer
	if err := WriteText(&text, rep); err != nil {
		t.Fatal(err)
	}
	if err := WriteJSON(&json, rep); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, tt := range []struct {
		format, path string
		stdout, file string
	}{
		{"json", "", json.String(), ""},
		{"json", filepath.Join(dir, "b.json"), text.String(), json.String()},
		// The tables on stdout whatever the file's format, as the help
		// says (text to a file left stdout empty; found by the
		// exploratory helper).
		{"text", filepath.Join(dir, "b.txt"), text.String(), text.String()},
	} {
		var stdout bytes.Buffer
		if err := WriteReport(&stdout, tt.path, tt.format, rep); err != nil {
			t.Fatal(err)
		}
		if stdout.String() != tt.stdout {
			t.Errorf("%s to %q: stdout %q, want %q", tt.format, tt.path, stdout.String(), tt.stdout)
		}
		if tt.path != "" {
			if data, err := os.ReadFile(tt.path); err != nil || string(data) != tt.file {
				t.Errorf("%s to %q: file %q (%v), want %q", tt.format, tt.path, data, err, tt.file)
			}
		}
	}
	if err := WriteReport(&bytes.Buffer{}, filepath.Join(dir, "missing", "b.json"), "json", rep); err == nil {
		t.Error("WriteReport into a missing folder succeeded")
	}
}
