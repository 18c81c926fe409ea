package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gradcheck/gradcheck/bench"
)

// TestBench checks the bench command's JSON and text reports on two small
// claims: every measurement passes and counts what the settings imply, and
// the fitted flop exponent of a determinant is near 3.
func TestBench(t *testing.T) {
	args := []string{"bench", "det", "tr-axb", "--sizes", "32,16,32", "--batch", "2", "--dirs", "2"} // 32 twice: measured once
	code, out, errOut := call(t, append(args, "--format", "json")...)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var rep bench.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v: %q", err, out)
	}
	if len(rep.Results) != 4 || len(rep.Fits) != 2 || rep.Batch != 2 || rep.Dirs != 2 {
		t.Fatalf("%d results, %d fits, batch %d, dirs %d", len(rep.Results), len(rep.Fits), rep.Batch, rep.Dirs)
	}
	for _, r := range rep.Results {
		// 2 instances × 2 directions × 6 steps (±h, ±h/2, ±h/4).
		if r.Verdict != "pass" || r.Backend != "cpu" || r.Evaluations != 24 || !(r.PerInstance > 0) || !(r.Flops > 0) {
			t.Errorf("%s n=%d: %+v", r.Claim, r.N, r)
		}
	}
	for _, f := range rep.Fits {
		if f.Claim == "det" && math.Abs(f.FlopExponent-3) > 0.3 {
			t.Errorf("det: flops grow as n^%.2f, want about n^3", f.FlopExponent)
		}
	}
	// (A warning of a busy machine may come first.)
	if strings.Count(errOut, "bench: ")-strings.Count(errOut, "bench: warning: ") != 4 {
		t.Errorf("want one progress line per measurement on stderr, got %q", errOut)
	}

	outFile := filepath.Join(t.TempDir(), "bench.json")
	code, out, errOut = call(t, append(args, "--format", "json", "--out", outFile)...)
	if code != exitOK || !strings.Contains(out, "growth per verified instance") {
		t.Fatalf("--out: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	data, err := os.ReadFile(outFile)
	if err != nil || json.Unmarshal(data, &rep) != nil || len(rep.Results) != 4 {
		t.Errorf("--out file: %v, %q", err, data)
	}
}

// TestBenchTooLarge checks that bench refuses, as run and check do, a
// size at which one instance of a claim cannot fit, before anything is
// measured: exit 3 and one line naming the claim at the smallest such
// size. It measured every claim as an error row, exit 1, and repeated
// the reason on one line per claim.
func TestBenchTooLarge(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"--sizes", "100000"}, []string{"gradcheck: diff-product k=100000,m=100000,n=100000: one instance needs at least 1.31 TiB, but ", "; lower --sizes or lower --dirs"}},
		// 8 fits and is not measured either; 100000 is named, not 200000.
		{[]string{"det", "--sizes", "200000,8,100000"}, []string{"gradcheck: det n=100000: one instance needs at least 1.31 TiB"}},
		{[]string{"det", "--sizes", "300", "--mem", "1MiB", "--batch", "2"}, []string{"gradcheck: det n=300: one instance needs at least 12.36 MiB, but --mem allows 1 MiB", "; lower --sizes, lower --dirs, or raise --mem"}},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			code, out, errOut := call(t, append([]string{"bench"}, tc.args...)...)
			if code != exitInternal || out != "" || strings.Count(errOut, "\n") != 1 {
				t.Errorf("exit %d, stdout %q, stderr %q; want 3, no report and one line", code, out, errOut)
			}
			for _, w := range tc.want {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr %q, want %q in it", errOut, w)
				}
			}
		})
	}
}

// TestBenchGPUWorker checks that --backend cpu,gpu adds the measurements of
// the GPU worker's bench command to those of the CPU, and that a missing
// worker is exit 3 with the reason (and no report of zero settings).
func TestBenchGPUWorker(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	code, out, errOut := call(t, "bench", "det", "--sizes", "8", "--backend", "gpu")
	if code != exitInternal || out != "" || !strings.Contains(errOut, "gpu backend: no gradcheck-cuda worker") {
		t.Errorf("no worker: exit %d, stdout %q, stderr %q; want 3, the reason and no empty report", code, out, errOut)
	}

	script := filepath.Join(t.TempDir(), "gradcheck-cuda")
	// Answers `bench ... --backend gpu --format json` with a report.
	body := `#!/bin/sh
case "$*" in
"bench det --backend gpu --sizes 8 "*"--format json") ;;
*) echo "unexpected arguments: $*" >&2; exit 2 ;;
esac
echo '{"results":[{"claim":"det","n":8,"backend":"gpu","verdict":"pass","seconds_per_instance":0.001}]}'
`
	if err := os.WriteFile(script, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GRADCHECK_WORKER", script)
	code, out, errOut = call(t, "bench", "det", "--sizes", "8", "--backend", "cpu,gpu", "--format", "json")
	var rep bench.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("exit %d, %v: %q, stderr %q", code, err, out, errOut)
	}
	if code != exitOK || len(rep.Results) != 2 || rep.Results[0].Backend != "cpu" || rep.Results[1].Backend != "gpu" {
		t.Errorf("exit %d, results %+v, stderr %q", code, rep.Results, errOut)
	}
}

// TestBenchBackendFlag checks bench's --backend: its help shows a
// placeholder and a default as the other list flags do (it showed
// pflag's "strings" and "[cpu]"), a second --backend adds to the first,
// and an empty one names no backend.
func TestBenchBackendFlag(t *testing.T) {
	_, out, _ := call(t, "bench", "--help")
	if !strings.Contains(out, "--backend cpu|gpu,...") || !strings.Contains(out, "(default cpu)") || strings.Contains(out, "[cpu]") {
		t.Errorf("bench --help:\n%s", out)
	}
	t.Setenv("PATH", t.TempDir())
	t.Setenv("GRADCHECK_WORKER", "")
	for _, tt := range []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{"--backend", "cpu", "--backend", "gpu"}, exitInternal, "gpu backend: no gradcheck-cuda worker"},
		{[]string{"--backend", " cpu , gpu"}, exitInternal, "gpu backend: no gradcheck-cuda worker"},
		{[]string{"--backend="}, exitUsage, "--backend names no backend"},
		{[]string{"--backend", "cpu,cuda"}, exitUsage, `invalid value "cuda" for --backend: want cpu or gpu`},
	} {
		code, _, errOut := call(t, append([]string{"bench", "det", "--sizes", "4", "--batch", "1", "--dirs", "1"}, tt.args...)...)
		if code != tt.code || !strings.Contains(errOut, tt.stderr) {
			t.Errorf("bench %q: exit %d, stderr %q; want %d and %q", tt.args, code, errOut, tt.code, tt.stderr)
		}
	}
}

// TestBenchOutFormat checks that bench, as run, check and merge, writes
// an --out FILE ending in .json as JSON when --format is not given; it
// wrote the text tables into bench.json. --format wins, and a file of
// another extension gets text, the only other format bench writes.
func TestBenchOutFormat(t *testing.T) {
	for _, tc := range []struct {
		file   string
		format []string
		json   bool
	}{
		{"bench.json", nil, true},
		{"BENCH.JSON", nil, true},
		{"bench.json", []string{"--format", "text"}, false},
		{"bench.txt", nil, false},
		{"bench.xml", nil, false},
		{"bench.txt", []string{"--format", "json"}, true},
	} {
		t.Run(tc.file+strings.Join(tc.format, ""), func(t *testing.T) {
			out := filepath.Join(t.TempDir(), tc.file)
			args := append([]string{"bench", "tr-x", "--sizes", "4", "--batch", "1", "--dirs", "1", "--out", out}, tc.format...)
			if code, _, errOut := call(t, args...); code != exitOK {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			data, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			if got := json.Valid(data); got != tc.json {
				t.Errorf("%s is JSON: %v, want %v:\n%.200s", tc.file, got, tc.json, data)
			}
		})
	}
}
