package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOutIsInput checks that an --out file that is also an input (a spec
// file, a shard report to merge), however named, is refused with exit 2
// and left as it was, instead of overwritten by the report.
func TestOutIsInput(t *testing.T) {
	dir := t.TempDir()
	spec := filepath.Join(dir, "claims.yaml")
	specText := "formulas:\n  - name: sq\n    f: norm2(x)^2\n    wrt: x\n    grad: 2*x\n    vars:\n      x: {shape: \"n\"}\n"
	if err := os.WriteFile(spec, []byte(specText), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.yaml")
	if err := os.Symlink(spec, link); err != nil {
		t.Fatal(err)
	}
	shards := make([]string, 2)
	for i := range shards {
		shards[i] = filepath.Join(dir, []string{"s0.json", "s1.json"}[i])
		if code, _, errOut := call(t, append(append([]string(nil), correctTR...), "--shard", []string{"0/2", "1/2"}[i], "--out", shards[i])...); code != exitOK {
			t.Fatalf("shard %d: exit %d: %s", i, code, errOut)
		}
	}
	shardText, _ := os.ReadFile(shards[1])
	for _, tc := range []struct {
		name string
		args []string
		file string // the input that must stay as it was
		want string // "" for a run that is not refused
	}{
		{"spec", []string{"check", "--spec", spec, "--size", "n=4", "--out", spec}, spec, "is the input"},
		{"spec through a link", []string{"check", "--spec", spec, "--size", "n=4", "--out", link}, spec, "is the input"},
		{"second spec", []string{"check", "--spec", link, "--spec", filepath.Join(dir, "other.yaml"), "--out", spec}, spec, "is the input"},
		{"merge input", []string{"merge", shards[0], shards[1], "--out", shards[1]}, shards[1], "is the input"},
		{"merge input, json", []string{"merge", shards[0], shards[1], "--format", "json", "--out", filepath.Join(dir, ".", "s1.json")}, shards[1], "is the input"},
		{"spec, another out", []string{"check", "--spec", spec, "--size", "n=4", "--out", filepath.Join(dir, "r.json")}, spec, ""},
		{"merge, another out", []string{"merge", shards[0], shards[1], "--out", filepath.Join(dir, "m.json")}, shards[1], ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before, _ := os.ReadFile(tc.file)
			if tc.name == "second spec" {
				os.WriteFile(filepath.Join(dir, "other.yaml"), []byte(specText), 0o644)
			}
			code, _, errOut := call(t, tc.args...)
			after, _ := os.ReadFile(tc.file)
			switch {
			case tc.want != "" && (code != exitUsage || !strings.Contains(errOut, tc.want)):
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, errOut, tc.want)
			case tc.want == "" && code != exitOK:
				t.Errorf("exit %d: %s", code, errOut)
			case string(after) != string(before):
				t.Errorf("%s was overwritten:\n%s", tc.file, after)
			}
		})
	}
	if got, _ := os.ReadFile(shards[1]); string(got) != string(shardText) {
		t.Errorf("the shard report was overwritten")
	}
}

// TestOutDash checks that --out - is stdout, as no --out is, for every
// command that takes --out, instead of a file named "-".
func TestOutDash(t *testing.T) {
	dir := t.TempDir()
	shard := filepath.Join(dir, "s.json")
	if code, _, errOut := call(t, append(append([]string(nil), correctTR...), "--out", shard)...); code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	t.Chdir(dir)
	for _, tc := range []struct {
		name string
		args []string
		json bool // stdout is a JSON document
	}{
		{"run", []string{"run", "tr-ax", "--size", "n=4", "--batch", "2", "--format", "json", "--out", "-"}, true},
		{"check", append(append([]string(nil), correctTR...), "--format", "json", "--out", "-"), true},
		{"check, text", append(append([]string(nil), correctTR...), "--out", "-"), false},
		{"merge", []string{"merge", shard, "--format", "json", "--out", "-"}, true},
		{"bench", []string{"bench", "tr-x", "--sizes", "4", "--batch", "1", "--format", "json", "--out", "-"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := call(t, tc.args...)
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			if _, err := os.Stat(filepath.Join(dir, "-")); err == nil {
				os.Remove(filepath.Join(dir, "-"))
				t.Errorf("--out - wrote a file named -")
			}
			var v any
			if tc.json && json.Unmarshal([]byte(out), &v) != nil {
				t.Errorf("stdout is not the JSON report: %q", out)
			}
			if !tc.json && !strings.Contains(out, "1 passed") {
				t.Errorf("stdout is not the text report: %q", out)
			}
		})
	}
}

// TestOutEmpty checks that an empty --out (an unset $OUT in --out "$OUT")
// is a usage error, in one line, for every command that takes --out: it
// wrote the report to stdout and exited 0, where the user meant a file.
func TestOutEmpty(t *testing.T) {
	shard := filepath.Join(t.TempDir(), "s.json")
	if code, _, errOut := call(t, append(append([]string(nil), correctTR...), "--out", shard)...); code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, args := range [][]string{
		{"run", "tr-ax", "--size", "n=4", "--batch", "2", "--out", ""},
		append(append([]string(nil), correctTR...), "--out", ""),
		append(append([]string(nil), correctTR...), "--out="),
		{"merge", shard, "--out", ""},
		{"bench", "tr-x", "--sizes", "4", "--batch", "1", "--out", ""},
	} {
		code, out, errOut := call(t, args...)
		want := `gradcheck: invalid value "" for --out: it names no file (write - for stdout)` + "\n"
		if code != exitUsage || out != "" || !strings.HasPrefix(errOut, want) || strings.Count(errOut, "\n") != 2 {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want 2 and %q", args, code, out, errOut, want)
		}
	}
}

// TestBenchNoBackend checks that a --backend list with no backend in it is
// an invocation error, not an empty report and exit 0.
func TestBenchNoBackend(t *testing.T) {
	for _, value := range []string{"", ",", "cpu,,gpu"} {
		code, out, errOut := call(t, "bench", "tr-x", "--sizes", "4", "--batch", "1", "--backend", value)
		if code != exitUsage || out != "" || !strings.Contains(errOut, "--backend") {
			t.Errorf("--backend %q: exit %d, stdout %q, stderr %q", value, code, out, errOut)
		}
	}
}

// TestHelpExitCodes checks that each command's help documents its own
// exit codes: merge's had those of run (an interrupt, a GPU build) and not
// the reports it refuses; run's and check's left out the --mem refusal
// (exit 3) and SIGTERM (130).
func TestHelpExitCodes(t *testing.T) {
	for _, tc := range []struct {
		cmd           string
		want, notWant []string
	}{
		{"merge", []string{"reports of\n     different runs", "a shard missing or given twice", "--out naming one of the reports"}, []string{"130", "--backend gpu", "YAML"}},
		{"run", []string{"130  interrupted (Ctrl-C, or SIGTERM", "unreadable or malformed YAML", "more\n     memory for one instance than --mem"}, []string{"shard missing"}},
		{"check", []string{"130  interrupted (Ctrl-C, or SIGTERM", "more\n     memory for one instance than --mem"}, []string{"shard missing"}},
	} {
		code, out, _ := call(t, tc.cmd, "--help")
		_, exits, _ := strings.Cut(out, "\nExit codes:\n")
		if code != exitOK || exits == "" {
			t.Fatalf("%s --help: exit %d, no exit codes:\n%s", tc.cmd, code, out)
		}
		for _, w := range tc.want {
			if !strings.Contains(exits, w) {
				t.Errorf("%s --help: the exit codes do not say %q:\n%s", tc.cmd, w, exits)
			}
		}
		for _, w := range tc.notWant {
			if strings.Contains(exits, w) {
				t.Errorf("%s --help: the exit codes say %q:\n%s", tc.cmd, w, exits)
			}
		}
	}
}

// TestOutIsStdout checks that --out naming stdout itself, where stdout is
// a pipe (/dev/stdout, /dev/fd/N), writes the report alone, as --out -
// does: the text table went to the pipe first, and the JUnit or JSON
// report after it, so what the pipe carried was neither.
func TestOutIsStdout(t *testing.T) {
	for _, tc := range []struct {
		format, prefix string
	}{
		{"junit", "<?xml"},
		{"json", "{"},
		{"markdown", "### gradcheck"},
	} {
		t.Run(tc.format, func(t *testing.T) {
			r, w, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			got := make(chan string)
			go func() {
				data, _ := io.ReadAll(r)
				got <- string(data)
			}()
			var errOut bytes.Buffer
			args := append(append([]string(nil), correctTR...), "--format", tc.format, "--out", fmt.Sprintf("/dev/fd/%d", w.Fd()))
			code := run(args, w, &errOut)
			w.Close()
			out := <-got
			if code != exitOK || !strings.HasPrefix(out, tc.prefix) || strings.Contains(out, "NAME ") {
				t.Errorf("exit %d, stderr %q; stdout %.300q, want the %s report alone", code, errOut.String(), out, tc.format)
			}
		})
	}
}

// TestOutExtension checks how --out FILE chooses the format when --format
// is not given: an extension gradcheck does not know, or none, is a usage
// error naming the known ones, for run, check and merge alike, and no file
// is written (rep.junit got the text table, which a JUnit uploader rejects;
// walkthrough 2026-12-07h, item 9); --format makes any name do; .txt is
// the text table; a file that is not a regular one (/dev/null) gets the
// default.
func TestOutExtension(t *testing.T) {
	dir := t.TempDir()
	shard := filepath.Join(dir, "s.json")
	if code, _, errOut := call(t, append(append([]string(nil), correctTR...), "--out", shard)...); code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	runTR := []string{"run", "tr-ax", "--size", "n=4", "--batch", "2"}
	for _, tc := range []struct {
		name    string
		args    []string
		file    string
		refused bool   // exit 2, no file written
		want    string // the one-line message, or what the file holds
	}{
		{"run, .junit", runTR, "rep.junit", true, `extension ".junit" is not one gradcheck knows: name it .json, .xml (junit), .md (markdown) or .txt (text), or give --format`},
		{"check, .yaml", correctTR, "rep.yaml", true, `extension ".yaml" is not one gradcheck knows`},
		{"check, no extension", correctTR, "report", true, "no extension to choose the format by: name it .json"},
		{"merge, .junit", []string{"merge", shard}, "m.junit", true, `extension ".junit" is not one gradcheck knows`},
		{"--format given", append(append([]string(nil), runTR...), "--format", "junit"), "rep.junit", false, "<testsuites"},
		{"merge, --format given", []string{"merge", shard, "--format", "json"}, "m.report", false, `"version": 1`},
		{".txt", correctTR, "rep.txt", false, "1 passed"},
		{".XML", correctTR, "rep.XML", false, "<testsuites"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			file := filepath.Join(dir, tc.file)
			code, out, errOut := call(t, append(append([]string(nil), tc.args...), "--out", file)...)
			data, err := os.ReadFile(file)
			if tc.refused {
				lines := strings.Split(strings.TrimSuffix(errOut, "\n"), "\n")
				if want := "gradcheck: --out " + file + ": " + tc.want; code != exitUsage || out != "" || !strings.HasPrefix(lines[0], want) || len(lines) != 2 {
					t.Errorf("exit %d, stdout %q, stderr %q; want 2 and one line starting %q", code, out, errOut, want)
				}
				if err == nil {
					t.Errorf("%s was written", file)
				}
				return
			}
			if code != exitOK || !strings.Contains(string(data), tc.want) {
				t.Errorf("exit %d, stderr %q; %s holds %q, want %q in it", code, errOut, file, data, tc.want)
			}
		})
	}
	if _, err := os.Stat("/dev/null"); err == nil {
		if code, _, errOut := call(t, append(append([]string(nil), correctTR...), "--out", "/dev/null")...); code != exitOK {
			t.Errorf("--out /dev/null: exit %d, stderr %q", code, errOut)
		}
	}
}

// TestOutDevice checks that an --out name of a standard stream takes the
// format given or the default, whatever it is: /dev/stdout of a shell
// that redirects stdout to a file is a regular file of no extension, and
// was refused (found by the second review helper); another file under
// /dev needs a known extension.
func TestOutDevice(t *testing.T) {
	for _, out := range []string{"/dev/stdout", "/dev/stderr", "/dev/fd/1", "//dev/stdout", "/proc/self/fd/1"} {
		if f, err := formatFor("check", "text", false, out); f != "text" || err != nil {
			t.Errorf("--out %s: format %q, %v; want text", out, f, err)
		}
	}
	// Another file under /dev is named as any (the third review helper).
	if _, err := formatFor("check", "text", false, filepath.Join(t.TempDir(), "dev", "r.jsn")); err == nil {
		t.Errorf("--out …/r.jsn: no error")
	}
	if _, err := formatFor("check", "text", false, "/dev/shm/r.jsn"); err == nil {
		t.Errorf("--out /dev/shm/r.jsn: no error")
	}
}
