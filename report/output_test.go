package report

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOutput checks where Output sends the golden report for each way
// gradcheck is called: the text table on stdout; a JSON report on stdout
// with the summary on stderr; a JSON or text report in a file with the
// table on stdout.
func TestOutput(t *testing.T) {
	rep := goldenReport()
	var text, json bytes.Buffer
	if err := Write(&text, "text", rep); err != nil {
		t.Fatal(err)
	}
	if err := Write(&json, "json", rep); err != nil {
		t.Fatal(err)
	}
	summary := SummaryLine(rep, true) + "\n"
	dir := t.TempDir()
	for _, tt := range []struct {
		format, path       string
		stdout, file, errs string // what each gets
	}{
		{"text", "", text.String(), "", ""},
		{"json", "", json.String(), "", summary},
		{"json", filepath.Join(dir, "r.json"), text.String(), json.String(), ""},
		{"text", filepath.Join(dir, "r.txt"), text.String(), text.String(), ""},
	} {
		var stdout, stderr bytes.Buffer
		o := NewOutput(&stdout, &stderr, tt.format, tt.path, rep.Claims, false, false)
		o.Header()
		for _, r := range rep.Results {
			o.Row(r)
		}
		if err := o.Finish(rep); err != nil {
			t.Fatal(err)
		}
		if stdout.String() != tt.stdout {
			t.Errorf("%s to %q: stdout\n%s\nwant\n%s", tt.format, tt.path, stdout.String(), tt.stdout)
		}
		if !strings.HasPrefix(stderr.String(), tt.errs) || (tt.errs == "") != (stderr.Len() == 0) {
			t.Errorf("%s to %q: stderr %q, want it to start with %q", tt.format, tt.path, stderr.String(), tt.errs)
		}
		if tt.path != "" {
			if data, err := os.ReadFile(tt.path); err != nil || string(data) != tt.file {
				t.Errorf("%s to %q: the file holds\n%s\n(%v), want\n%s", tt.format, tt.path, data, err, tt.file)
			}
		}
	}
	o := NewOutput(&bytes.Buffer{}, &bytes.Buffer{}, "json", filepath.Join(dir, "no such dir", "r.json"), rep.Claims, false, false)
	var failed *WriteError
	if err := o.Finish(rep); !errors.As(err, &failed) || failed.What != "writing the report" {
		t.Errorf("an unwritable file: %v, want a WriteError", err)
	}
}
