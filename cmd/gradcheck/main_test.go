package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/pflag"

	"github.com/gradcheck/gradcheck/report"
	gcrun "github.com/gradcheck/gradcheck/run"

	"github.com/gradcheck/gradcheck"
	"github.com/gradcheck/gradcheck/cpu"
	"github.com/gradcheck/gradcheck/formulas"
)

// call runs the command line args and returns the exit code and outputs.
// No output of any call may show a Go panic or stack trace.
func call(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(args, &out, &errOut)
	for _, s := range []string{out.String(), errOut.String()} {
		if strings.Contains(s, "goroutine") || strings.Contains(s, "panic") {
			t.Fatalf("gradcheck %s: output shows a panic:\n%s", strings.Join(args, " "), s)
		}
	}
	return code, out.String(), errOut.String()
}

// Inline claims with small sizes, to keep the tests fast.
var (
	trAX      = []string{"check", "--f", "tr(A*X)", "--wrt", "X", "--var", "A=n,n", "--var", "X=n,n", "--size", "n=6"}
	correctTR = append(append([]string(nil), trAX...), "--grad", "A'")
	wrongTR   = append(append([]string(nil), trAX...), "--grad", "A")
)

func TestVersion(t *testing.T) {
	code, out, _ := call(t, "--version")
	if want := "gradcheck " + version + "\nCPU linear algebra: " + cpu.LinalgPath() + "\n"; code != exitOK || out != want {
		t.Errorf("--version: exit %d, output %q", code, out)
	}
}

func TestHelp(t *testing.T) {
	for _, args := range [][]string{
		{}, {"--help"}, {"-h"}, {"help"},
		{"list", "--help"}, {"run", "--help"}, {"check", "--help"}, {"merge", "--help"}, {"bench", "--help"},
		{"run", "-h"}, {"help", "run"}, {"help", "check"}, {"help", "merge"}, {"help", "bench"},
		{"help", "help"}, {"help", "--help"},
	} {
		code, out, errOut := call(t, args...)
		if code != exitOK {
			t.Errorf("gradcheck %q: exit %d, want 0; stderr %q", args, code, errOut)
		}
		wantAll(t, fmt.Sprintf("gradcheck %q: help", args), out, "Usage", "Example", "gradcheck ")
	}
	// The help of run and check documents the flags and the exit codes.
	for _, cmd := range []string{"run", "check"} {
		_, out, _ := call(t, cmd, "--help")
		wantAll(t, cmd+" --help", out, "--size", "--seed", "--instance", "--format", "--out", "--progress", "--shard", "--shards",
			"JOB_COMPLETION_INDEX", "SLURM_ARRAY_TASK_ID", "junit", "markdown", "Exit codes", "3  gradcheck itself failed", "130  interrupted")
	}
	// The help of check lists every function of the language.
	_, out, _ := call(t, "check", "--help")
	for _, f := range formulas.Funcs() {
		if !strings.Contains(out, f.Usage) {
			t.Errorf("check --help lacks %s", f.Usage)
		}
	}
}

func TestList(t *testing.T) {
	code, out, _ := call(t, "list")
	if code != exitOK {
		t.Fatalf("list: exit %d", code)
	}
	wantAll(t, "list", out, "NAME", "SOURCE", "tr-ax", "logdet-spd", "grad_X tr(A*X) = A'", "Matrix Cookbook")

	code, out, _ = call(t, "list", "--format", "json", "tr-*")
	if code != exitOK {
		t.Fatalf("list --format json: exit %d", code)
	}
	var entries []report.ClaimEntry
	if err := json.Unmarshal([]byte(out), &entries); err != nil {
		t.Fatalf("list --format json: %v", err)
	}
	if len(entries) == 0 || entries[0].Name == "" || entries[0].Source == "" {
		t.Errorf("list --format json: got %+v", entries)
	}
	for _, e := range entries {
		if !strings.HasPrefix(e.Name, "tr-") {
			t.Errorf("list tr-* lists %s", e.Name)
		}
	}
}

func TestRunPasses(t *testing.T) {
	code, out, errOut := call(t, "run", "tr-ax")
	if code != exitOK {
		t.Fatalf("run tr-ax: exit %d\n%s%s", code, out, errOut)
	}
	wantAll(t, "run tr-ax: output", out, "NAME", "KIND", "SIZES", "VERDICT", "REL-ERR", "TOL", "NOTE", "tr-ax", "m=40,n=48", "pass", "1 passed, 0 failed, 0 inconclusive, 0 errors in ")
}

// TestUnusedSizeWarning checks the warning for a --size no selected claim
// uses: given for one no claim has, and not for one of claims that do not
// resolve at it (softmax needs two rows; n=1 was said to be unused).
func TestUnusedSizeWarning(t *testing.T) {
	const warning = "gradcheck: warning: --size"
	for _, tt := range []struct {
		args []string
		code int
		want string // "" for no warning
	}{
		{[]string{"run", "softmax*", "logsumexp*", "--size", "n=1"}, exitFail, ""},
		{[]string{"run", "softmax*", "logsumexp*", "--size", "n=1,q=3"}, exitFail, warning + " q: no selected claim uses q\n"},
		{[]string{"run", "tr-ax", "--size", "n=4,q=3"}, exitOK, warning + " q: no selected claim uses q\n"},
	} {
		code, out, errOut := call(t, append(tt.args, "--backend", "cpu", "--batch", "2")...)
		got := ""
		if i := strings.Index(errOut, warning); i >= 0 {
			got, _, _ = strings.Cut(errOut[i:], "\n")
			got += "\n"
		}
		if code != tt.code || got != tt.want {
			t.Errorf("%q: exit %d, warning %q; want %d and %q\n%s%s", tt.args, code, got, tt.code, tt.want, out, errOut)
		}
	}
}

// jsonReport runs args with --format json and decodes the report.
func jsonReport(t *testing.T, wantCode int, args ...string) (gcrun.Report, string) {
	t.Helper()
	code, out, errOut := call(t, append(args, "--format", "json")...)
	if code != wantCode {
		t.Fatalf("%q: exit %d, want %d\n%s", args, code, wantCode, errOut)
	}
	var rep gcrun.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%q: the JSON report does not parse: %v\n%s", args, err, out)
	}
	return rep, out
}

func TestRunJSON(t *testing.T) {
	_, out := jsonReport(t, exitOK, "run", "tr-ax", "kron-trace")
	var fields map[string]json.RawMessage
	if err := json.Unmarshal([]byte(out), &fields); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"version", "backend", "seed", "results", "summary"} {
		if _, ok := fields[k]; !ok {
			t.Errorf("JSON report lacks %q", k)
		}
	}
	rep, _ := jsonReport(t, exitOK, "run", "tr-ax", "kron-trace", "--seed", "7")
	if rep.Version != gradcheck.ReportVersion || rep.Backend != "cpu" || rep.Seed != 7 {
		t.Errorf("report header: version %d, backend %q, seed %d", rep.Version, rep.Backend, rep.Seed)
	}
	if len(rep.Results) != 2 || rep.Results[0].Name != "tr-ax" || rep.Results[1].Name != "kron-trace" {
		t.Errorf("results not in the order given: %+v", rep.Results)
	}
	if rep.Summary.Pass != 2 {
		t.Errorf("summary %+v, want 2 passes", rep.Summary)
	}
	// The report is deterministic.
	_, again := jsonReport(t, exitOK, "run", "tr-ax", "kron-trace")
	if again != out {
		t.Errorf("two runs with the same seed give different reports")
	}
}

func TestCheckInline(t *testing.T) {
	if code, out, errOut := call(t, correctTR...); code != exitOK {
		t.Errorf("correct inline claim: exit %d\n%s%s", code, out, errOut)
	}
	code, out, _ := call(t, wrongTR...)
	if code != exitFail {
		t.Fatalf("wrong inline claim: exit %d, want 1\n%s", code, out)
	}
	wantAll(t, "wrong inline claim: output", out, "fail", "0 passed, 1 failed", `gradcheck check --f "tr(A*X)" --wrt X --var A=n,n --var X=n,n --grad A --seed 1 --size n=6 --instance `)
}

func TestCheckSpec(t *testing.T) {
	if code, out, errOut := call(t, "check", "--spec", "../../examples/correct.yaml"); code != exitOK {
		t.Errorf("correct.yaml: exit %d\n%s%s", code, out, errOut)
	}
	rep, _ := jsonReport(t, exitFail, "check", "--spec", "../../examples/wrong.yaml")
	if len(rep.Results) == 0 || rep.Summary.Fail != len(rep.Results) {
		t.Errorf("wrong.yaml: summary %+v for %d claims, want every claim failed", rep.Summary, len(rep.Results))
	}
	for _, r := range rep.Results {
		if r.Verdict != gradcheck.Fail {
			t.Errorf("wrong.yaml: %s: verdict %s, want fail (%s)", r.Name, r.Verdict, r.Reason)
		}
	}

	// --name selects claims of a spec file.
	rep, _ = jsonReport(t, exitFail, "check", "--spec", "../../examples/wrong.yaml", "--name", "wrong-tr-*", "--name", "wrong-det")
	var names []string
	for _, r := range rep.Results {
		names = append(names, r.Name)
	}
	if got, want := strings.Join(names, " "), "wrong-tr-ax wrong-tr-axb-num wrong-tr-inv-sign wrong-tr-xaxt-sym wrong-tr-xtax-sym wrong-tr-xaxt-missing wrong-det"; got != want {
		t.Errorf("--name selects %s, want %s", got, want)
	}
}

// TestCheckWhere checks an inline claim with definitions (--where): its
// re-run command repeats them, in order, and reproduces the failure; and
// derive writes its result in their names.
func TestCheckWhere(t *testing.T) {
	args := []string{"check", "--f", "r'*r + lam*x'*x", "--where", "r=A*x - b", "--where", "lam=0.1", "--wrt", "x",
		"--grad", "A'*r + lam*x", "--var", "A=m,n", "--var", "x=n", "--var", "b=m", "--size", "m=5,n=4", "--backend", "cpu"}
	code, out, errOut := call(t, args...)
	if code != exitFail {
		t.Fatalf("exit %d, want 1\n%s%s", code, out, errOut)
	}
	wantAll(t, "output", out, "factor 0.5", "inline: grad 2*A'*r + 0.2*x",
		`gradcheck check --f "r'*r + lam*x'*x" --where "r=A*x - b" --where lam=0.1 --wrt x --grad "A'*r + lam*x" --var A=m,n --var x=n --var b=m --seed 1 --size m=5,n=4 --instance `)
	var line string
	for l := range strings.SplitSeq(out, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "gradcheck check") {
			line = strings.TrimSpace(l)
		}
	}
	rerun := append(args[:len(args)-4:len(args)-4], strings.Fields(line[strings.Index(line, " --seed"):])...)
	rep, _ := jsonReport(t, exitFail, rerun...)
	if len(rep.Results) != 1 || rep.Results[0].Diagnosis != "factor" || rep.Results[0].Instances[1] != 1 || rep.Results[0].Comparisons != 3 {
		t.Errorf("re-run gives %+v, want the one failed instance", rep.Results)
	}

	code, out, errOut = call(t, "derive", "--f", "r'*r", "--where", "r=A*x - b", "--wrt", "x", "--var", "A=m,n", "--var", "x=n", "--var", "b=m", "--grad")
	if code != exitOK || out != "2*A'*r\n" {
		t.Errorf("derive --where: exit %d, %q %q; want 2*A'*r", code, out, errOut)
	}
}

// TestRerun checks that the command printed for a failed claim reproduces
// its worst instance, on the backend that found it.
func TestRerun(t *testing.T) {
	spec := "../../examples/wrong.yaml"
	code, out, _ := call(t, "check", "--spec", spec, "--name", "wrong-quad-form-half", "--size", "n=7", "--seed", "3", "--backend", "cpu")
	if code != exitFail {
		t.Fatalf("exit %d, want 1", code)
	}
	var line string
	for l := range strings.SplitSeq(out, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "gradcheck check") {
			line = strings.TrimSpace(l)
		}
	}
	prefix := "gradcheck check --spec " + spec + " --name wrong-quad-form-half --seed 3 --size n=7 --instance "
	if !strings.HasPrefix(line, prefix) || !strings.HasSuffix(line, " --backend cpu") {
		t.Fatalf("re-run line %q, want prefix %q and --backend cpu last", line, prefix)
	}
	rep, _ := jsonReport(t, exitFail, strings.Fields(line)[1:]...)
	if len(rep.Results) != 1 || rep.Results[0].Comparisons != 3 {
		t.Errorf("re-run gives %+v, want one claim at one instance", rep.Results)
	}
}

func TestOut(t *testing.T) {
	file := filepath.Join(t.TempDir(), "report.json")
	code, out, _ := call(t, "run", "tr-ax", "--out", file)
	if code != exitOK || !strings.Contains(out, "1 passed") {
		t.Fatalf("run --out: exit %d, stdout %q", code, out)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var rep gcrun.Report
	if err := json.Unmarshal(data, &rep); err != nil || rep.Summary.Pass != 1 {
		t.Errorf("--out report: %v, %+v", err, rep.Summary)
	}
}

// TestGPUBackend checks the backends on a machine without a GPU worker:
// gpu fails with exit 3 and says what is missing, auto falls back to the
// CPU with one line on stderr, and a worker that cannot start is reported.
func TestGPUBackend(t *testing.T) {
	t.Setenv("PATH", t.TempDir()) // no gradcheck-cuda on PATH
	code, out, errOut := call(t, "run", "tr-ax", "--backend", "gpu")
	if code != exitInternal || out != "" || !strings.Contains(errOut, "gpu backend: no gradcheck-cuda worker") {
		t.Errorf("--backend gpu: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	// With no worker installed, auto uses the CPU without a word (the
	// line said so on every run of a CPU build).
	code, out, errOut = call(t, "run", "tr-ax", "--backend", "auto", "--progress", "never")
	if code != exitOK || !strings.Contains(out, "tr-ax") || errOut != "" {
		t.Errorf("--backend auto: exit %d, stderr %q", code, errOut)
	}
	// A worker binary that exits at once, as gradcheck-cuda does where cu
	// finds no driver.
	t.Setenv("GRADCHECK_WORKER", "/bin/false")
	code, _, errOut = call(t, "run", "tr-ax", "--backend", "gpu")
	if code != exitInternal || !strings.Contains(errOut, "gpu backend: worker") {
		t.Errorf("--backend gpu with a dead worker: exit %d, stderr %q", code, errOut)
	}
	// An installed worker that cannot start is worth a line.
	code, _, errOut = call(t, "run", "tr-ax", "--backend", "auto", "--progress", "never")
	if code != exitOK || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, "no GPU (worker") || !strings.Contains(errOut, "using the CPU") {
		t.Errorf("--backend auto with a dead worker: exit %d, stderr %q", code, errOut)
	}
	if code, _, errOut := call(t, "run", "tr-ax", "--backend", "cpu"); code != exitOK {
		t.Errorf("--backend cpu: exit %d: %s", code, errOut)
	}
}

// writeFile writes a temporary spec file.
func writeFile(t *testing.T, name, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestBadInput(t *testing.T) {
	inline := func(f, grad string, vars ...string) []string {
		args := []string{"check", "--f", f, "--wrt", "X", "--grad", grad}
		for _, v := range vars {
			args = append(args, "--var", v)
		}
		return args
	}
	malformed := writeFile(t, "malformed.yaml", "formulas:\n  - name: a\n    f: [tr(X)\n")
	empty := writeFile(t, "empty.yaml", "")
	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"unknown function", inline("foo(A*X)", "A", "A=n,n", "X=n,n"), []string{"1:1", "unknown function 'foo'"}},
		{"unbalanced parentheses", inline("tr(A*X*B", "A", "A=n,n", "X=n,n", "B=n,n"), []string{"1:9: expected ')'"}},
		{"undeclared variable", inline("tr(A*X*B)", "A", "A=n,n", "X=n,n"), []string{"1:8", "'B'"}},
		{"shape mismatch", inline("tr(A*X)", "A", "A=m,n", "X=m,n"), []string{"A*X", "40×48 by 40×48"}},
		{"non-square det", inline("det(X)", "X", "X=m,n"), []string{"det(X)", "square", "40×48"}},
		{"ones arity", inline("sum(ones()*X)", "X", "X=n,n"), []string{"1:5", "ones takes 1 or 2 arguments, got 0"}},
		{"solve shapes", inline(`b'*(X\b)`, "X", "X=n,n", "b=m"), []string{`X\b`, "48×48 and 40×1"}},
		{"softmax of a scalar", inline("sum(softmax(s))", "X", "X=n,n", "s=1"), []string{"softmax(s)", "column vector or a matrix", "1×1"}},
		{"bad variable", inline("tr(X)", "X", "X=n,n:nosuch"), []string{"--var", `"nosuch"`}},
		// nxn read as one size symbol: X was a vector, and the error came
		// from tr, with no word of the --var.
		{"rows x cols", inline("tr(X)", "eye(n)", "X=nxn"), []string{`--var: bad variable "X=nxn": "nxn" reads as one size symbol; write X=n,n for an n×n matrix`}},
		{"two claim kinds", append(inline("tr(A*X)", "A'", "A=n,n", "X=n,n"), "--equals", "X"), []string{"both grad and equals"}},
		{"size zero", []string{"run", "tr-ax", "--size", "n=0"}, []string{`"n=0"`, "at least 1"}},
		{"size not a number", []string{"run", "tr-ax", "--size", "m=4,n=abc"}, []string{`"n=abc"`, `"abc" is not an integer`}},
		{"size without =", []string{"run", "tr-ax", "--size", "n"}, []string{`"n"`, "missing '='"}},
		{"bad batch", []string{"run", "--batch", "0"}, []string{`"0"`, "--batch", "must be from 1 to 4294967296"}},
		{"bad format", []string{"run", "--format", "xml"}, []string{`"xml"`, "--format", "text, json, junit or markdown"}},
		{"instance out of range", []string{"run", "--instance", "8"}, []string{"--instance 8", "--batch 8"}},
		{"unreadable YAML", []string{"check", "--spec", filepath.Join(t.TempDir(), "missing.yaml")}, []string{"missing.yaml", "no such file"}},
		{"malformed YAML", []string{"check", "--spec", malformed}, []string{"malformed.yaml:2:"}},
		{"empty YAML", []string{"check", "--spec", empty}, []string{"empty.yaml", "empty file"}},
		// Read up to the bound, not until memory ran out.
		{"endless YAML", []string{"check", "--spec", "/dev/zero"}, []string{"spec file /dev/zero: more than the 16 MiB it may have"}},
		{"endless report", []string{"merge", "/dev/zero"}, []string{"/dev/zero: more than the 256 MiB it may have"}},
		{"no matching spec claim", []string{"check", "--spec", "../../examples/correct.yaml", "--name", "nosuch"}, []string{`matches "nosuch"`}},
		{"unknown subcommand", []string{"frobnicate"}, []string{`unknown command "frobnicate" (commands: list, run, check,`}},
		{"misspelt subcommand", []string{"chek"}, []string{`unknown command "chek" (did you mean "check"?)`}},
		{"misspelt help", []string{"help", "drive"}, []string{`unknown command "drive" (did you mean "derive"?)`}},
		{"unknown flag", []string{"run", "--frobnicate"}, []string{"unknown flag: --frobnicate"}},
		{"misspelt flag", []string{"check", "--sise", "n=4"}, []string{"unknown flag: --sise (did you mean --size?)"}},
		{"misspelt flag of bench", []string{"bench", "--size", "64"}, []string{"unknown flag: --size (did you mean --sizes?)"}},
		{"spec file to run", []string{"run", "--spec", "x.yaml"}, []string{"run verifies registry claims; for a spec file use 'gradcheck check --spec FILE'"}},
		{"spec file to run, with =", []string{"run", "--spec=x.yaml"}, []string{"for a spec file use 'gradcheck check --spec FILE'"}},
		{"long flag with one dash", []string{"run", "-seed", "2"}, []string{"unknown shorthand flag: 's' in -seed (did you mean --seed?)"}},
		{"inline name twice", append(append([]string(nil), correctTR...), "--name", "a", "--name", "b"), []string{`--name given twice: "a" and "b"`}},
		{"size twice in one value", []string{"run", "tr-ax", "--size", "n=4,m=3,n=5"}, []string{`--size sets n twice: "n=4" and "n=5"`}},
		{"size of an inline claim twice", append(append([]string(nil), correctTR...), "--size", "n=4"), []string{`--size sets n twice: "n=6" and "n=4"`}},
		{"size twice over two flags", []string{"run", "tr-ax", "--size", "m=3,n=4", "--size", "n=5"}, []string{`--size sets n twice: "n=4" and "n=5"`}},
		{"flag before command", []string{"--seed", "2", "run"}, []string{"unknown flag --seed"}},
		{"no registry match", []string{"run", "tr-ax", "no-such-claim"}, []string{`no registry claim matches "no-such-claim"`}},
		{"bad glob", []string{"run", "[tr"}, []string{`bad pattern "[tr"`}},
		{"spec and inline", []string{"check", "--spec", "../../examples/correct.yaml", "--f", "tr(X)"}, []string{"--spec", "--f", "mutually exclusive"}},
		{"check nothing", []string{"check"}, []string{"nothing to check"}},
		{"bad memory budget", []string{"run", "--mem", "12q"}, []string{`"12q"`, "--mem", `unknown unit "q"`}},
		{"memory budget too small", []string{"check", "--spec", "x.yaml", "--mem", "1KiB"}, []string{`"1KiB"`, "at least 1MiB"}},
		{"bench bad sizes", []string{"bench", "--sizes", "64,0"}, []string{`"64,0"`, "--sizes", "at least 1"}},
		{"bench bad backend", []string{"bench", "--backend", "tpu"}, []string{`"tpu"`, "cpu or gpu"}},
		{"bench unknown claim", []string{"bench", "no-such-claim"}, []string{`no registry claim matches "no-such-claim"`}},
		{"bench bad format", []string{"bench", "--format", "junit"}, []string{`"junit"`, "text or json"}},
		{"check positional", []string{"check", "x.yaml"}, []string{`"x.yaml"`, "--spec x.yaml"}},
		{"definition without =", append(inline("tr(P)", "2*X'", "X=n,n"), "--where", "P"), []string{`--where: bad definition "P": want NAME=EXPR`}},
		{"definition that does not parse", append(inline("tr(P)", "2*X'", "X=n,n"), "--where", "P=X*X +"), []string{`formula "inline": where P: 1:6: expected an operand`}},
		{"derive definition without =", []string{"derive", "--f", "tr(P)", "--wrt", "X", "--var", "X=n,n", "--where", "P"}, []string{`--where: bad definition "P"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := call(t, tc.args...)
			if code != exitUsage {
				t.Errorf("exit %d, want 2; stderr %q", code, errOut)
			}
			if out != "" {
				t.Errorf("stdout %q, want nothing (nothing runs)", out)
			}
			lines := strings.Split(strings.TrimSuffix(errOut, "\n"), "\n")
			if len(lines) > 2 || len(lines) == 2 && !strings.HasPrefix(lines[1], "run 'gradcheck ") {
				t.Errorf("want a one-line message (and a pointer to --help), got %q", errOut)
			}
			wantAll(t, "the message", lines[0], tc.want...)
		})
	}
}

// TestRepeatedFlags checks that every flag of check and derive that takes
// one value, given twice, is a usage error that names the flag and both
// values, rather than a run of the last value; and that the flags meant to
// repeat still do.
func TestRepeatedFlags(t *testing.T) {
	for _, cmd := range []string{"check", "run", "bench"} {
		fs := newFlagSet(cmd, io.Discard)
		switch cmd {
		case "check":
			addInlineFlags(fs)
			addCommonFlags(fs)
		case "run":
			addCommonFlags(fs)
		case "bench":
			addBenchFlags(fs)
		}
		var once []string
		fs.VisitAll(func(f *pflag.Flag) {
			if _, ok := f.Value.(*onceString); ok {
				once = append(once, f.Name)
			}
		})
		if want := map[string]int{"check": 9, "run": 1, "bench": 1}[cmd]; len(once) != want {
			t.Errorf("%s: %d flags given once (%q), want %d", cmd, len(once), once, want)
		}
		for _, name := range once {
			args := []string{cmd, "--" + name, "first", "--" + name, "second"}
			code, out, errOut := call(t, args...)
			want := fmt.Sprintf("gradcheck: --%s given twice: %q and %q; it takes one value\n", name, "first", "second")
			if code != exitUsage || out != "" || !strings.HasPrefix(errOut, want) {
				t.Errorf("%q: exit %d, stdout %q, stderr %q; want 2 and %q", args, code, out, errOut, want)
			}
		}
	}
	// The flags of derive and merge, defined in their commands.
	for _, args := range [][]string{
		{"merge", "--out", "a.json", "--out", "b.json", "a.json"},
		{"derive", "--f", "tr(X)", "--f", "det(X)", "--wrt", "X", "--var", "X=n,n"},
		{"derive", "--f", "tr(X)", "--wrt", "X", "--wrt", "Y", "--var", "X=n,n", "--var", "Y=n,n"},
	} {
		if code, out, errOut := call(t, args...); code != exitUsage || out != "" || !strings.Contains(errOut, "given twice") {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want 2, given twice", args, code, out, errOut)
		}
	}
	// --var and --size (of different symbols) repeat.
	rep, _ := jsonReport(t, exitOK, "check", "--f", "tr(A*X)", "--wrt", "X", "--grad", "A'",
		"--var", "A=m,n", "--var", "X=n,m", "--size", "n=4", "--size", "m=3", "--backend", "cpu")
	if got := rep.Settings.Sizes; len(got) != 2 || got["n"] != 4 || got["m"] != 3 {
		t.Errorf("--size n=4 --size m=3: sizes %v", got)
	}
}

// TestRepeatedValueFlags checks that a flag of one value (a format, a
// shard, a seed, a batch, a backend ...) given twice is a usage error that
// names both values, as a repeated --out is, for every command: --format
// json --format junit and --shard 1/2 --shard 0/2 ran with the last value.
// Every flag of run, check and bench takes one value unless it is meant to
// repeat (--size, --var, --spec, --name, bench's --backend) or is a switch.
func TestRepeatedValueFlags(t *testing.T) {
	for _, tt := range []struct {
		args          []string
		flag          string
		first, second string
	}{
		{[]string{"run", "tr-ax"}, "format", "json", "junit"},
		{[]string{"run", "tr-ax"}, "shard", "1/2", "0/2"},
		{[]string{"run", "tr-ax"}, "shards", "2", "3"},
		{[]string{"run", "tr-ax"}, "seed", "1", "2"},
		{[]string{"run", "tr-ax"}, "batch", "2", "3"},
		{[]string{"run", "tr-ax"}, "dirs", "2", "2"},
		{[]string{"run", "tr-ax"}, "backend", "cpu", "gpu"},
		{[]string{"run", "tr-ax"}, "mode", "entrywise", "directional"},
		{[]string{"run", "tr-ax"}, "rtol", "0", "1e-3"},
		{[]string{"run", "tr-ax"}, "atol", "0", "1e-3"},
		{[]string{"run", "tr-ax"}, "instance", "0", "1"},
		{[]string{"run", "tr-ax"}, "mem", "1GiB", "2GiB"},
		{[]string{"run", "tr-ax"}, "progress", "never", "always"},
		{[]string{"check", "--spec", "x.yaml"}, "format", "json", "markdown"},
		{[]string{"check", "--spec", "x.yaml"}, "seed", "1", "2"},
		{[]string{"merge", "a.json"}, "format", "json", "junit"},
		{[]string{"bench", "tr-x"}, "sizes", "4", "8"},
		{[]string{"bench", "tr-x"}, "runs", "1", "2"},
		{[]string{"bench", "tr-x"}, "format", "json", "text"},
		{[]string{"bench", "tr-x"}, "seed", "1", "2"},
		{[]string{"derive", "--f", "tr(X)", "--wrt", "X", "--var", "X=n,n"}, "format", "json", "text"},
		{[]string{"list"}, "format", "json", "text"},
		{[]string{"selftest"}, "claims", "1", "2"},
		{[]string{"selftest"}, "seed", "1", "2"},
		{[]string{"selftest"}, "backend", "cpu", "cpu"},
		{[]string{"selftest"}, "format", "json", "text"},
	} {
		args := append(append([]string(nil), tt.args...), "--"+tt.flag, tt.first, "--"+tt.flag+"="+tt.second)
		code, out, errOut := call(t, args...)
		want := fmt.Sprintf("gradcheck: --%s given twice: %q and %q; it takes one value\n", tt.flag, tt.first, tt.second)
		if code != exitUsage || out != "" || !strings.HasPrefix(errOut, want) {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want 2 and %q", args, code, out, errOut, want)
		}
	}
	repeat := map[string]bool{"size": true, "var": true, "where": true, "spec": true, "name": true}
	for _, cmd := range []string{"check", "bench"} {
		fs := newFlagSet(cmd, io.Discard)
		if cmd == "check" {
			addInlineFlags(fs)
			addCommonFlags(fs)
			fs.StringArray("spec", nil, "")
			fs.StringArray("name", nil, "")
		} else {
			addBenchFlags(fs)
		}
		fs.VisitAll(func(f *pflag.Flag) {
			switch f.Value.(type) {
			case *once, *onceString:
				return
			case *backendsValue: // bench --backend cpu --backend gpu
				return
			}
			if !repeat[f.Name] && f.NoOptDefVal == "" {
				t.Errorf("%s --%s may be given twice, the last value kept", cmd, f.Name)
			}
		})
	}
}

// TestFlagErrorsPointToHelp checks that a bad flag names the subcommand's help.
func TestFlagErrorsPointToHelp(t *testing.T) {
	for _, cmd := range []string{"list", "run", "check"} {
		code, _, errOut := call(t, cmd, "--nosuch")
		if code != exitUsage || !strings.Contains(errOut, "run 'gradcheck "+cmd+" --help'") {
			t.Errorf("%s --nosuch: exit %d, stderr %q", cmd, code, errOut)
		}
	}
}

// TestPanicIsInternalError checks that a panic during a run becomes exit 3
// with a one-line message and no stack trace.
func TestPanicIsInternalError(t *testing.T) {
	hookVerify(t, func(context.Context, *formulas.Resolved, gradcheck.Settings) gradcheck.Result {
		var m map[string]int
		//lint:ignore SA5000 the nil-map write is the bug this test needs
		m["boom"]++
		return gradcheck.Result{}
	})
	code, _, errOut := call(t, "run", "tr-ax")
	if code != exitInternal || !strings.Contains(errOut, "internal error") {
		t.Errorf("exit %d, stderr %q; want 3 and an internal error", code, errOut)
	}
}

// TestWorkerDies checks that a GPU worker that dies mid-run fails only the
// jobs it was running, each with the reason, that the run goes on, and that
// the exit code says the tool failed.
func TestWorkerDies(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "gradcheck-cuda")
	// Says hello, reads one request, and dies.
	body := "#!/bin/sh\necho '{\"protocol\":1,\"backend\":\"gpu\",\"device\":\"fake\"}'\nread line\nexit 7\n"
	if err := os.WriteFile(script, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GRADCHECK_WORKER", script)
	code, out, errOut := call(t, "run", "tr-ax", "tr-x", "--backend", "gpu", "--format", "json")
	var rep gcrun.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v: %q", err, out)
	}
	if code != exitInternal || len(rep.Results) != 2 || rep.Backend != "gpu" {
		t.Fatalf("exit %d, %d results on %q; stderr %q", code, len(rep.Results), rep.Backend, errOut)
	}
	for _, r := range rep.Results {
		if r.Verdict != gradcheck.Error || !strings.Contains(r.Reason, "exit status 7") {
			t.Errorf("%s: %s %q", r.Name, r.Verdict, r.Reason)
		}
	}
}

// hookEngine is the CPU engine with verify in place of the verifier, for
// tests that watch or hold up verifications.
type hookEngine struct {
	gcrun.Local
	verify func(context.Context, *formulas.Resolved, gradcheck.Settings) gradcheck.Result
}

func (h hookEngine) Verify(ctx context.Context, rc *formulas.Resolved, s gradcheck.Settings) (gradcheck.Result, error) {
	return h.verify(ctx, rc, s), nil
}

// hookVerify makes the runs of test t verify on the CPU through verify.
func hookVerify(t *testing.T, verify func(context.Context, *formulas.Resolved, gradcheck.Settings) gradcheck.Result) {
	old := selectEngine
	t.Cleanup(func() { selectEngine = old })
	selectEngine = func(context.Context, string, io.Writer) (gcrun.Engine, error) {
		return hookEngine{verify: verify}, nil
	}
}

// cpuVerify is the verifier of the CPU engine.
func cpuVerify(ctx context.Context, rc *formulas.Resolved, s gradcheck.Settings) gradcheck.Result {
	return gradcheck.VerifyResolved(ctx, cpu.New(), rc, s)
}

// wantAll reports each of wants that got, what the test names what, lacks.
func wantAll(t *testing.T, what, got string, wants ...string) {
	t.Helper()
	for _, want := range wants {
		if !strings.Contains(got, want) {
			t.Errorf("%s lacks %q:\n%s", what, want, got)
		}
	}
}

// TestSharedNameWarning checks that a claim name used by two spec files is
// warned of (both are verified, under one name in the table), and that one
// file given alone or two distinct names are not.
func TestSharedNameWarning(t *testing.T) {
	dir := t.TempDir()
	spec := func(file, name string) string {
		path := filepath.Join(dir, file)
		text := "formulas:\n  - name: " + name + "\n    f: tr(X)\n    wrt: X\n    grad: eye(n)\n    vars: {X: {shape: \"n,n\"}}\n"
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	a1, a2, b := spec("a1.yaml", "a"), spec("a2.yaml", "a"), spec("b.yaml", "b")
	for _, tc := range []struct {
		specs []string
		warn  string
	}{
		{[]string{a1, a2}, `gradcheck: warning: claim name "a" is in ` + a1 + " and in " + a2},
		{[]string{a1}, ""},
		{[]string{a1, b}, ""},
	} {
		args := []string{"check", "--backend", "cpu", "--size", "n=3"}
		for _, s := range tc.specs {
			args = append(args, "--spec", s)
		}
		code, _, errOut := call(t, args...)
		if code != exitOK || (tc.warn == "") != (errOut == "") || !strings.Contains(errOut, tc.warn) {
			t.Errorf("%v: exit %d, stderr %q, want %q", tc.specs, code, errOut, tc.warn)
		}
	}
}

// TestUnreadVariables checks that a variable declared with --var and read
// by neither f nor the claim (derive: by f) gets one warning line, and
// that the command still runs as without it.
func TestUnreadVariables(t *testing.T) {
	const (
		checkWarn  = "gradcheck: warning: h is declared (--var) but read by neither f nor the claim\n"
		deriveWarn = "gradcheck: warning: h is declared (--var) but not read by f\n"
	)
	derive := []string{"derive", "--f", "tr(A*X)", "--wrt", "X", "--var", "A=n,n", "--var", "X=n,n"}
	for _, tc := range []struct {
		name string
		args []string
		code int
		warn string
	}{
		{"check", append(append([]string(nil), correctTR...), "--var", "h=m"), exitOK, checkWarn},
		{"check two", append(append([]string(nil), correctTR...), "--var", "h=m", "--var", "k=3"),
			exitOK, "gradcheck: warning: h and k are declared (--var) but read by neither f nor the claim\n"},
		{"check failing", append(append([]string(nil), wrongTR...), "--var", "h=m"), exitFail, checkWarn},
		{"check all read", correctTR, exitOK, ""},
		// Read by the claim alone is read; --wrt names its variable.
		{"check read by the claim", []string{"check", "--f", "tr(X)", "--wrt", "X", "--grad", "eye(n) + 0*B", "--var", "X=n,n", "--var", "B=n,n", "--size", "n=6"}, exitOK, ""},
		{"derive", append(append([]string(nil), derive...), "--var", "h=m"), exitOK, deriveWarn},
		{"derive all read", derive, exitOK, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := call(t, tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d; stderr %q", code, tc.code, errOut)
			}
			if got := strings.Count(errOut, "warning:"); tc.warn == "" && got != 0 || tc.warn != "" && (got != 1 || !strings.Contains(errOut, tc.warn)) {
				t.Errorf("stderr %q, want the one warning %q", errOut, tc.warn)
			}
		})
	}
}
