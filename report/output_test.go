package report

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
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

// failingWriter fails every write with err.
type failingWriter struct{ err error }

func (w failingWriter) Write([]byte) (int, error) { return 0, w.err }

// TestOutputFailedStdout checks what a failed stdout costs: without a file
// the results are lost and that is the error; with a file, the report is
// written whole all the same (the text copy too, though the table on
// stdout failed at its first line), and only a failure other than a closed
// pipe is an error.
func TestOutputFailedStdout(t *testing.T) {
	rep := goldenReport()
	want := map[string]*bytes.Buffer{"text": {}, "json": {}}
	for format, b := range want {
		if err := Write(b, format, rep); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	for i, tt := range []struct {
		format string
		file   bool
		err    error
		what   string // the WriteError's What, or "" for none
	}{
		{"json", true, syscall.EPIPE, ""},
		{"text", true, syscall.EPIPE, ""},
		{"json", true, syscall.ENOSPC, "writing the results"},
		{"text", false, syscall.EPIPE, "writing the results"},
	} {
		path := ""
		if tt.file {
			path = filepath.Join(dir, fmt.Sprintf("r%d", i))
		}
		o := NewOutput(failingWriter{tt.err}, &bytes.Buffer{}, tt.format, path, rep.Claims, false, false)
		o.Header()
		for _, r := range rep.Results {
			o.Row(r)
		}
		err := o.Finish(rep)
		var failed *WriteError
		switch {
		case tt.what == "" && err != nil:
			t.Errorf("%s to %q, stdout failing with %v: %v, want no error", tt.format, path, tt.err, err)
		case tt.what != "" && (!errors.As(err, &failed) || failed.What != tt.what || !errors.Is(err, tt.err)):
			t.Errorf("%s to %q, stdout failing with %v: %v, want %q", tt.format, path, tt.err, err, tt.what)
		}
		if path != "" {
			if data, err := os.ReadFile(path); err != nil || string(data) != want[tt.format].String() {
				t.Errorf("%s to %q, stdout failing with %v: the file holds\n%s\n(%v), want the whole report", tt.format, path, tt.err, data, err)
			}
		}
	}
}
