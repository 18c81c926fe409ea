package main

import (
	"bytes"
	"os"
	"slices"
	"strings"
	"syscall"
	"testing"
)

// specWithInvalid has two valid claims among four invalid ones: a parse
// error, a shape error, an unknown function, a dist that does not fit the
// shape, and a typo in a key.
const specWithInvalid = `formulas:
  - name: good-a
    f: tr(A*X)
    wrt: X
    grad: A'
    vars: {A: "n,n", X: "n,n"}
  - name: bad-parse
    f: tr(A*X
    wrt: X
    grad: A'
    vars: {A: "n,n", X: "n,n"}
  - name: bad-shape
    f: tr(A*X)
    wrt: X
    grad: A'
    vars: {A: "m,n", X: "m,n"}
  - name: bad-func
    f: trace(X)
    wrt: X
    grad: eye(n)
    vars: {X: "n,n"}
  - name: bad-dist
    f: logdet(X)
    wrt: X
    grad: inv(X)'
    vars: {X: {shape: "n,m", dist: spd}}
  - name: bad-key
    f: tr(X)
    wrt: X
    gard: eye(n)
    vars: {X: "n,n"}
  - name: good-b
    f: tr(X)
    wrt: X
    grad: eye(n)
    vars: {X: "n,n"}
`

// TestInvalidSpecClaims checks that an invalid claim of a spec file stops
// neither the file nor the others (issue 11, items 7 and 9): --name selects
// first, every invalid claim selected is an error result with its file:line
// and reason, the valid ones run, and the exit code is 1; a shape error
// quotes the sizes in force. An invalid inline claim is still a bad
// invocation (exit 2).
func TestInvalidSpecClaims(t *testing.T) {
	spec := writeFile(t, "mixed.yaml", specWithInvalid)
	tests := []struct {
		name string
		args []string
		code int
		// want lists what stdout (or, for exit 2, stderr) must say.
		want []string
		// reruns are the claims that the re-run commands name, in
		// order: none of the invalid ones, which a re-run cannot
		// change (walkthrough 2026-12-07h, item 14).
		reruns []string
	}{
		{"all", []string{"--size", "n=5,m=4"}, exitFail, []string{
			"good-a", "good-b", "2 passed, 0 failed, 0 inconclusive, 5 errors",
			"mixed.yaml:8:14: formula \"bad-parse\": f: 1:7: expected ')'",
			"mixed.yaml:13:11: formula \"bad-shape\": f: 1:4: A*X: cannot multiply 4×5 by 4×5",
			"mixed.yaml:18:8: formula \"bad-func\": f: 1:1: unknown function 'trace'",
			"mixed.yaml:22: formula \"bad-dist\": variable X: dist spd needs a square matrix",
			`mixed.yaml:30: unknown key "gard" in formula "bad-key" (did you mean grad?)`}, nil},
		{"valid selected", []string{"--name", "good-*", "--size", "n=5"}, exitOK, []string{"2 passed, 0 failed, 0 inconclusive, 0 errors"}, nil},
		{"sizes in force", []string{"--name", "bad-shape", "--size", "m=6,n=8"}, exitFail, []string{"cannot multiply 6×8 by 6×8", "m=6,n=8"}, nil},
		// A claim that ran and failed keeps its re-run command.
		{"failed at run time", []string{"--size", "n=5,m=4", "--rtol", "0.2"}, exitFail, []string{"inconclusive"}, []string{"good-a", "good-b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := call(t, append([]string{"check", "--spec", spec, "--backend", "cpu"}, tt.args...)...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stderr %q", code, tt.code, errOut)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("stdout does not say %q:\n%s", w, out)
				}
			}
			var reruns []string
			for _, line := range strings.Split(out, "\n") {
				if _, cmd, ok := strings.Cut(line, "gradcheck check --spec "); ok {
					f := strings.Fields(cmd)
					reruns = append(reruns, f[2])
				}
			}
			if !slices.Equal(reruns, tt.reruns) {
				t.Errorf("re-run commands name %q, want %q:\n%s", reruns, tt.reruns, out)
			}
		})
	}
	code, _, errOut := call(t, "check", "--f", "A*x", "--wrt", "x", "--jac", "A", "--var", "A=m,n", "--var", "x=m", "--size", "m=6,n=8")
	if code != exitUsage || !strings.Contains(errOut, "cannot multiply 6×8 by 6×1") {
		t.Errorf("inline shape error: exit %d, stderr %q; want 2 and the sizes in force", code, errOut)
	}
}

// TestInstanceTooLarge checks that a claim whose one instance cannot fit
// is refused before anything runs, in one line that says what it needs
// and what --mem and the machine allow, with exit 3 (issue 11, item 5);
// below that a batch runs in chunks.
func TestInstanceTooLarge(t *testing.T) {
	for _, args := range [][]string{
		{"run", "tr-x", "--size", "n=100000"},
		{"run", "tr-x", "--size", "n=300", "--mem", "1MiB", "--batch", "2"},
		// An intermediate, kron(X, X), needs the memory: 2.25 GiB.
		{"check", "--f", "sum(kron(X,X))", "--wrt", "X", "--grad", "2*sum(X)*ones(n,n)", "--var", "X=n,n", "--size", "n=64", "--mem", "1GiB"},
	} {
		code, out, errOut := call(t, append(args, "--backend", "cpu")...)
		lines := strings.Split(strings.TrimSpace(errOut), "\n")
		if code != exitInternal || out != "" || len(lines) != 1 ||
			!strings.Contains(errOut, "one instance needs at least") || !strings.Contains(errOut, "--mem allows") || !strings.Contains(errOut, "available") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want 3 and one line", args, code, out, errOut)
		}
	}
	if code, _, errOut := call(t, "run", "tr-x", "--size", "n=300", "--mem", "40MiB", "--batch", "4", "--backend", "cpu"); code != exitOK {
		t.Errorf("a batch larger than --mem, an instance smaller: exit %d, stderr %q", code, errOut)
	}
}

// fullDisk is a writer on a full disk.
type fullDisk struct{}

func (fullDisk) Write([]byte) (int, error) { return 0, syscall.ENOSPC }

// TestDiskFull checks that a report that cannot be written, to stdout or
// to --out, is reported as such in one line with exit 3, not as an
// internal error (issue 11, item 11).
func TestDiskFull(t *testing.T) {
	var errOut bytes.Buffer
	code := run([]string{"run", "tr-ax", "--backend", "cpu", "--size", "m=4,n=5"}, fullDisk{}, &errOut)
	if code != exitInternal || errOut.String() != "gradcheck: writing the results: no space left on device\n" {
		t.Errorf("stdout on a full disk: exit %d, stderr %q", code, errOut.String())
	}
	if _, err := os.Stat("/dev/full"); err == nil {
		code, _, msg := call(t, "run", "tr-ax", "--backend", "cpu", "--size", "m=4,n=5", "--out", "/dev/full")
		if code != exitInternal || !strings.Contains(msg, "writing the report: write /dev/full: no space left on device") || strings.Contains(msg, "internal error") {
			t.Errorf("--out /dev/full: exit %d, stderr %q", code, msg)
		}
	}
}

// TestSpecStdin checks that --spec - reads the spec file from stdin, as
// --out - writes to stdout (it was "open -: no such file or directory";
// walkthrough 2026-12-07h, item 10): its claims run, its errors and re-run
// commands name it, an endless stdin is refused at the 16 MiB bound, and
// stdin given twice is refused.
func TestSpecStdin(t *testing.T) {
	spec := writeFile(t, "mixed.yaml", specWithInvalid)
	for _, tt := range []struct {
		name  string
		stdin string // the file stdin reads
		args  []string
		code  int
		want  string // in stdout, or for exit 2 in stderr
	}{
		{"claims", spec, []string{"--size", "n=5,m=4"}, exitFail, `stdin:8:14: formula "bad-parse": f: 1:7: expected ')'`},
		{"re-run", spec, []string{"--size", "n=5", "--name", "good-a", "--rtol", "0.2"}, exitFail, "gradcheck check --spec - --name good-a --seed 1 --size n=5"},
		{"endless", "/dev/zero", nil, exitUsage, "spec file stdin: more than the 16 MiB it may have"},
		{"twice", spec, []string{"--spec", "-"}, exitUsage, "spec file - given twice"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f, err := os.Open(tt.stdin)
			if err != nil {
				t.Skip(err)
			}
			defer f.Close()
			saved := os.Stdin
			os.Stdin = f
			defer func() { os.Stdin = saved }()
			code, out, errOut := call(t, append([]string{"check", "--spec", "-", "--backend", "cpu"}, tt.args...)...)
			got := out
			if tt.code == exitUsage {
				got = errOut
			}
			if code != tt.code || !strings.Contains(got, tt.want) {
				t.Errorf("exit %d, stdout %q, stderr %q; want %d and %q", code, out, errOut, tt.code, tt.want)
			}
		})
	}
}
