package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	gcrun "github.com/gradcheck/gradcheck/run"
	"github.com/spf13/pflag"
)

// TestShardOf checks where the shard comes from: --shard, a Kubernetes
// Indexed Job, a Slurm array, or nowhere.
func TestShardOf(t *testing.T) {
	defer func(g func(string) string) { getenv = g }(getenv)
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		want string // "I/N from", "" for unsharded, or "error: text"
	}{
		{"none", nil, nil, ""},
		{"flag", []string{"--shard", "2/5"}, nil, "2/5 --shard"},
		{"flag over env", []string{"--shard", "1/2"}, map[string]string{"JOB_COMPLETION_INDEX": "3", "SLURM_ARRAY_TASK_ID": "4"}, "1/2 --shard"},
		{"flag and --shards agree", []string{"--shard", "1/2", "--shards", "2"}, nil, "1/2 --shard"},
		{"flag and --shards disagree", []string{"--shard", "1/2", "--shards", "3"}, nil, "error: disagree"},
		{"kubernetes", []string{"--shards", "4"}, map[string]string{"JOB_COMPLETION_INDEX": "3"}, "3/4 JOB_COMPLETION_INDEX"},
		{"kubernetes without --shards", nil, map[string]string{"JOB_COMPLETION_INDEX": "3"}, "error: give --shards N"},
		{"kubernetes index too large", []string{"--shards", "3"}, map[string]string{"JOB_COMPLETION_INDEX": "3"}, "error: not a shard index from 0 to 2"},
		{"kubernetes over slurm", []string{"--shards", "4"}, map[string]string{"JOB_COMPLETION_INDEX": "1", "SLURM_ARRAY_TASK_ID": "2", "SLURM_ARRAY_TASK_COUNT": "4"}, "1/4 JOB_COMPLETION_INDEX"},
		{"slurm", nil, map[string]string{"SLURM_ARRAY_TASK_ID": "2", "SLURM_ARRAY_TASK_COUNT": "3"}, "2/3 SLURM_ARRAY_TASK_ID"},
		{"slurm from 1", nil, map[string]string{"SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_COUNT": "3"}, "2/3 SLURM_ARRAY_TASK_ID"},
		{"slurm with --shards", []string{"--shards", "3"}, map[string]string{"SLURM_ARRAY_TASK_ID": "0"}, "0/3 SLURM_ARRAY_TASK_ID"},
		{"slurm count mismatch", []string{"--shards", "2"}, map[string]string{"SLURM_ARRAY_TASK_ID": "0", "SLURM_ARRAY_TASK_COUNT": "3"}, "error: disagree"},
		{"slurm with step", nil, map[string]string{"SLURM_ARRAY_TASK_ID": "8", "SLURM_ARRAY_TASK_COUNT": "3"}, "error: --array=0-2"},
		{"slurm without count", nil, map[string]string{"SLURM_ARRAY_TASK_ID": "0"}, "error: give --shards N"},
		{"--shards alone", []string{"--shards", "3"}, nil, "error: needs a shard index"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			getenv = func(k string) string { return tc.env[k] }
			fs := pflag.NewFlagSet("run", pflag.ContinueOnError)
			cf := addCommonFlags(fs)
			if err := fs.Parse(tc.args); err != nil {
				t.Fatal(err)
			}
			sh, err := cf.shardOf("run")
			var got string
			switch {
			case err != nil:
				got = "error: " + err.Error()
			case sh != nil:
				got = sh.String() + " " + sh.From
			}
			if strings.HasPrefix(tc.want, "error: ") && !strings.Contains(got, strings.TrimPrefix(tc.want, "error: ")) ||
				!strings.HasPrefix(tc.want, "error: ") && got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestBadShardFlag(t *testing.T) {
	for _, tc := range []struct{ value, want string }{
		{"3/3", "out of range"},
		{"-1/3", "out of range"},
		{"1/0", "at least 1"},
		{"1", "INDEX/COUNT"},
		{"a/b", "INDEX/COUNT"},
	} {
		code, out, errOut := call(t, "run", "tr-ax", "--shard", tc.value)
		if code != exitUsage || out != "" || !strings.Contains(errOut, tc.want) {
			t.Errorf("--shard %s: exit %d, stdout %q, stderr %q", tc.value, code, out, errOut)
		}
	}
}

// timing matches the time in a summary line.
var timing = regexp.MustCompile(` in \d+\.\ds\b`)

// shardRuns runs args unsharded and as count shards, merges the shards and
// returns the unsharded and the merged JSON reports and text outputs.
func shardRuns(t *testing.T, args []string, count int) (whole, merged []byte, wholeText, mergedText string) {
	t.Helper()
	dir := t.TempDir()
	wholeFile := filepath.Join(dir, "whole.json")
	code, wholeText, _ := call(t, append(args, "--out", wholeFile)...)
	files := make([]string, count)
	for i := range count {
		files[i] = filepath.Join(dir, fmt.Sprintf("shard-%d.json", i))
		c, _, errOut := call(t, append(args, "--shard", fmt.Sprintf("%d/%d", i, count), "--out", files[i])...)
		if c != exitOK && c != exitFail {
			t.Fatalf("shard %d/%d: exit %d: %s", i, count, c, errOut)
		}
	}
	// Merge in another order than the shards'.
	for i, j := 0, len(files)-1; i < j; i, j = i+1, j-1 {
		files[i], files[j] = files[j], files[i]
	}
	mergedFile := filepath.Join(dir, "merged.json")
	mcode, mergedText, errOut := call(t, append([]string{"merge", "--out", mergedFile}, files...)...)
	if mcode != code {
		t.Errorf("merge: exit %d, the unsharded run %d: %s", mcode, code, errOut)
	}
	var err error
	if whole, err = os.ReadFile(wholeFile); err != nil {
		t.Fatal(err)
	}
	if merged, err = os.ReadFile(mergedFile); err != nil {
		t.Fatal(err)
	}
	return whole, merged, wholeText, mergedText
}

// TestMergeEqualsUnsharded checks that merging the shards of a run gives
// the report of the unsharded run, byte for byte, and the same text but
// for the time.
func TestMergeEqualsUnsharded(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"registry", []string{"run", "tr-ax", "logdet-spd", "diff-inv", "quad-form-hess", "tr-cyclic-bca", "kron-trace", "--size", "n=12,m=10,k=8"}},
		{"wrong.yaml", []string{"check", "--spec", "../../examples/wrong.yaml"}},
	} {
		for _, count := range []int{1, 2, 3} {
			t.Run(fmt.Sprintf("%s/%d", tc.name, count), func(t *testing.T) {
				whole, merged, wholeText, mergedText := shardRuns(t, tc.args, count)
				if !bytes.Equal(whole, merged) {
					t.Errorf("the merged report differs from the unsharded one")
					var a, b gcrun.Report
					json.Unmarshal(whole, &a)
					json.Unmarshal(merged, &b)
					for i := range min(len(a.Results), len(b.Results)) {
						if ra, rb := fmt.Sprintf("%+v", a.Results[i]), fmt.Sprintf("%+v", b.Results[i]); ra != rb {
							t.Errorf("unsharded %s\nmerged    %s", ra, rb)
						}
					}
				}
				if !timing.MatchString(wholeText) {
					t.Errorf("the unsharded summary has no time:\n%s", wholeText)
				}
				if got := timing.ReplaceAllString(wholeText, ""); got != mergedText {
					t.Errorf("text output differs:\nunsharded:\n%s\nmerged:\n%s", got, mergedText)
				}
			})
		}
	}
}

// TestMergeRefuses checks that reports of different runs, incomplete
// shards, missing and repeated shards are refused with one line, exit 2.
func TestMergeRefuses(t *testing.T) {
	dir := t.TempDir()
	shard := func(name string, args ...string) string {
		t.Helper()
		file := filepath.Join(dir, name)
		code, _, errOut := call(t, append(append(append([]string(nil), correctTR...), args...), "--out", file)...)
		if code != exitOK {
			t.Fatalf("%s: exit %d: %s", name, code, errOut)
		}
		return file
	}
	s0, s1 := shard("s0.json", "--shard", "0/2"), shard("s1.json", "--shard", "1/2")
	seed := shard("seed.json", "--shard", "1/2", "--seed", "9")
	batch := shard("batch.json", "--shard", "1/2", "--batch", "4")
	size := filepath.Join(dir, "size.json")
	if code, _, errOut := call(t, append(append([]string(nil), trAX[:len(trAX)-1]...), "n=7", "--grad", "A'", "--shard", "1/2", "--out", size)...); code != exitOK {
		t.Fatalf("size: exit %d: %s", code, errOut)
	}
	three := shard("three.json", "--shard", "1/3")
	other := filepath.Join(dir, "other.json")
	if code, _, errOut := call(t, "check", "--f", "tr(A*X)", "--wrt", "X", "--var", "A=n,n", "--var", "X=n,n", "--size", "n=6", "--grad", "A' + 0*A", "--shard", "1/2", "--out", other); code != exitOK {
		t.Fatalf("other: exit %d: %s", code, errOut)
	}
	whole := shard("whole.json")
	text := filepath.Join(dir, "text.txt")
	call(t, append(append([]string(nil), correctTR...), "--out", text)...)

	// Files that are no report at all: empty, blank, and {}.
	empty, blank, object := filepath.Join(dir, "empty.json"), filepath.Join(dir, "blank.json"), filepath.Join(dir, "object.json")
	for f, data := range map[string]string{empty: "", blank: " \n", object: "{}"} {
		if err := os.WriteFile(f, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	// An interrupted shard: a report marked incomplete.
	data, err := os.ReadFile(s1)
	if err != nil {
		t.Fatal(err)
	}
	incomplete := filepath.Join(dir, "incomplete.json")
	os.WriteFile(incomplete, bytes.Replace(data, []byte(`"incomplete": false`), []byte(`"incomplete": true`), 1), 0o644)

	if code, out, errOut := call(t, "merge", s0, s1); code != exitOK || !strings.Contains(out, "1 passed") {
		t.Fatalf("merging good shards: exit %d\n%s%s", code, out, errOut)
	}
	if code, out, errOut := call(t, "merge", whole); code != exitOK || !strings.Contains(out, "1 passed") {
		t.Fatalf("merging one unsharded report: exit %d\n%s%s", code, out, errOut)
	}
	for _, tc := range []struct {
		name  string
		files []string
		want  string
	}{
		{"seed", []string{s0, seed}, "different seeds (1 and 9)"},
		{"batch", []string{s0, batch}, "different --batch (8 and 4)"},
		{"size", []string{s0, size}, "different --size (n=6 and n=7)"},
		{"claims", []string{s0, other}, "different claims"},
		{"count", []string{s0, three}, "the shard counts differ"},
		{"missing", []string{s1}, "shard 0/2 is missing"},
		{"repeated", []string{s0, s1, s1}, "are both shard 1/2"},
		{"incomplete", []string{s0, incomplete}, "incomplete (its run was interrupted): run shard 1/2 again"},
		{"not JSON", []string{s0, text}, "not a gradcheck JSON report"},
		{"empty file", []string{s0, empty}, empty + ": empty file"},
		{"blank file", []string{blank, s0}, blank + ": empty file"},
		{"empty object", []string{s0, object}, object + ": not a gradcheck JSON report (no version field)"},
		{"unreadable", []string{s0, filepath.Join(dir, "nosuch.json")}, "no such file"},
		{"nothing", nil, "merge needs the JSON reports"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := call(t, append([]string{"merge"}, tc.files...)...)
			lines := strings.Split(strings.TrimSuffix(errOut, "\n"), "\n")
			if code != exitUsage || out != "" || !strings.Contains(lines[0], tc.want) ||
				len(lines) > 2 || len(lines) == 2 && !strings.HasPrefix(lines[1], "run 'gradcheck merge --help'") {
				t.Errorf("exit %d, stdout %q, stderr %q; want 2 and one line with %q", code, out, errOut, tc.want)
			}
		})
	}
}

// TestShardRuns checks the output of a shard: its jobs, its report's shard
// and its results' instance ranges.
func TestShardRuns(t *testing.T) {
	file := filepath.Join(t.TempDir(), "s.json")
	code, _, errOut := call(t, append(append([]string(nil), wrongTR...), "--shard", "1/3", "--out", file)...)
	if code != exitFail || !strings.Contains(errOut, "shard 1/3 (from --shard): 1 of 3 jobs") {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	data, _ := os.ReadFile(file)
	rep, err := gcrun.ReadReport(file, data)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Shard == nil || rep.Shard.Index != 1 || rep.Shard.Count != 3 || len(rep.Results) != 1 || rep.Results[0].Instances != [2]int{2, 5} {
		t.Errorf("shard %+v, results %+v", rep.Shard, rep.Results)
	}
}
