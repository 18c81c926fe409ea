package main

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"

	gcrun "github.com/gradcheck/gradcheck/run"
)

// TestClosedStdout runs the gradcheck binary (this test binary, see
// TestMain) with stdout a pipe whose reader is gone, as in 'gradcheck run
// | head -1' once head has exited. Without --out, stdout is the report:
// gradcheck ends by SIGPIPE, as other Unix tools do. With --out, the table
// on stdout is a copy: the run goes on, writes the whole report to the
// file and exits as its verdicts say; it died by SIGPIPE at the table's
// first line, leaving an empty file.
func TestClosedStdout(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no SIGPIPE on Windows")
	}
	dir := t.TempDir()
	for _, tt := range []struct {
		name string
		args []string
		out  string // the --out file, or ""
		code int    // the exit code, or -1 for death by SIGPIPE
	}{
		{"list", []string{"list"}, "", -1},
		{"run", []string{"run", "tr-ax", "tr-x", "--backend", "cpu"}, "", -1},
		{"run --out", []string{"run", "tr-ax", "tr-x", "--backend", "cpu"}, filepath.Join(dir, "run.json"), exitOK},
		{"check --out, a failure", append(append([]string(nil), wrongTR...), "--backend", "cpu"), filepath.Join(dir, "check.json"), exitFail},
	} {
		t.Run(tt.name, func(t *testing.T) {
			args := tt.args
			if tt.out != "" {
				args = append(args, "--out", tt.out)
			}
			r, w, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			r.Close()
			defer w.Close()
			cmd := exec.Command(os.Args[0], args...)
			cmd.Env = append(os.Environ(), "GRADCHECK_TEST_MAIN=1")
			cmd.Stdout = w
			var stderr strings.Builder
			cmd.Stderr = &stderr
			err = cmd.Run()
			var exit *exec.ExitError
			code := 0
			if errors.As(err, &exit) {
				code = exit.ExitCode()
				if ws, ok := exit.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGPIPE {
					code = -1
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if code != tt.code {
				t.Errorf("gradcheck %s: exit %d (-1: SIGPIPE), want %d; stderr %q", strings.Join(args, " "), code, tt.code, stderr.String())
			}
			if tt.out == "" {
				return
			}
			if stderr.Len() > 0 {
				t.Errorf("stderr %q, want nothing: a closed pipe is no error", stderr.String())
			}
			data, err := os.ReadFile(tt.out)
			var rep gcrun.Report
			if err != nil || json.Unmarshal(data, &rep) != nil || len(rep.Results) != len(rep.Claims) || len(rep.Results) == 0 {
				t.Errorf("the report %s: %v, %d bytes, %d results of %d claims", tt.out, err, len(data), len(rep.Results), len(rep.Claims))
			}
		})
	}
}

// TestCheckOutLeavesNoFile checks that trying whether --out can be
// written before a run leaves no empty file behind (a run that then dies
// left one that looked like a report), and leaves a file that is there as
// it was.
func TestCheckOutLeavesNoFile(t *testing.T) {
	dir := t.TempDir()
	old := filepath.Join(dir, "old.json")
	if err := os.WriteFile(old, []byte("{}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		path string
		ok   bool
		want string // the file's content after, or "" for no file
	}{
		{filepath.Join(dir, "new.json"), true, ""},
		{old, true, "{}\n"},
		{filepath.Join(dir, "no such dir", "r.json"), false, ""},
	} {
		err := checkOut("run", tt.path)
		if (err == nil) != tt.ok {
			t.Errorf("checkOut(%s): %v, want ok %v", tt.path, err, tt.ok)
		}
		data, rerr := os.ReadFile(tt.path)
		if got := string(data); got != tt.want || (tt.want == "") != (rerr != nil) {
			t.Errorf("after checkOut(%s) the file holds %q (%v), want %q", tt.path, got, rerr, tt.want)
		}
	}
	// A link to a file not there yet: the file is made, as before, and the
	// link stays a link.
	link := filepath.Join(dir, "link.json")
	if err := os.Symlink("target.json", link); err != nil {
		t.Fatal(err)
	}
	if err := checkOut("run", link); err != nil {
		t.Errorf("checkOut(%s), a link to a missing file: %v", link, err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("checkOut(%s) replaced the link: %v, %v", link, fi, err)
	}
}
