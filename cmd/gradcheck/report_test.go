package main

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/gradcheck/gradcheck"
)

// mixedSpec has a claim for every verdict, and a name with a character
// that markdown tables must escape.
const mixedSpec = `formulas:
  - name: right
    f: tr(A*X)
    wrt: X
    grad: A'
    vars: {A: "n,n", X: "n,n"}
  - name: wrong
    f: tr(A*X)
    wrt: X
    grad: A
    vars: {A: "n,n", X: "n,n"}
  # logdet of a Gaussian matrix: det X < 0 at some instances.
  - name: domain
    f: logdet(X)
    wrt: X
    grad: inv(X)'
    vars: {X: "n,n"}
  # inv of the zero matrix is not finite where f is.
  - name: broken
    f: tr(X)
    wrt: X
    grad: inv(X-X)
    vars: {X: "n,n"}
  - name: "pipe|name"
    f: tr(X)
    wrt: X
    grad: eye(n)
    vars: {X: "n,n"}
`

// mixedVerdicts are the verdicts of mixedSpec at n=5, in order.
var mixedVerdicts = []gradcheck.Verdict{gradcheck.Pass, gradcheck.Fail, gradcheck.Inconclusive, gradcheck.Error, gradcheck.Pass}

// xmlNode is any XML element, for checking the structure of a document.
type xmlNode struct {
	XMLName  xml.Name
	Attrs    []xml.Attr `xml:",any,attr"`
	Children []xmlNode  `xml:",any"`
	Text     string     `xml:",chardata"`
}

func (n xmlNode) attr(name string) (string, bool) {
	for _, a := range n.Attrs {
		if a.Name.Local == name {
			return a.Value, true
		}
	}
	return "", false
}

// checkAttrs reports the attributes of n that are missing from want or not
// allowed.
func checkAttrs(t *testing.T, n xmlNode, required, optional []string) {
	t.Helper()
	for _, name := range required {
		if _, ok := n.attr(name); !ok {
			t.Errorf("<%s> lacks the attribute %s", n.XMLName.Local, name)
		}
	}
	for _, a := range n.Attrs {
		if !slices.Contains(required, a.Name.Local) && !slices.Contains(optional, a.Name.Local) {
			t.Errorf("<%s> has the unexpected attribute %s", n.XMLName.Local, a.Name.Local)
		}
	}
}

// count returns attribute name of n as an integer.
func count(t *testing.T, n xmlNode, name string) int {
	t.Helper()
	v, _ := n.attr(name)
	i, err := strconv.Atoi(v)
	if err != nil {
		t.Errorf("<%s %s=%q>: not an integer", n.XMLName.Local, name, v)
	}
	return i
}

// checkJUnit checks that data is JUnit XML as CI tools read it:
// testsuites > testsuite(name, tests, failures, errors, skipped, time) >
// testcase(name, classname, time) with failure(message, type), error or
// skipped children, counts that add up, and times that are numbers. It
// returns the testcases.
func checkJUnit(t *testing.T, data []byte) []xmlNode {
	t.Helper()
	if !bytes.HasPrefix(data, []byte(`<?xml version="1.0" encoding="UTF-8"?>`)) {
		t.Errorf("JUnit report lacks the XML declaration: %.60q", data)
	}
	var root xmlNode
	if err := xml.Unmarshal(data, &root); err != nil {
		t.Fatalf("JUnit report does not parse: %v\n%s", err, data)
	}
	counts := []string{"tests", "failures", "errors", "skipped"}
	if root.XMLName.Local != "testsuites" {
		t.Fatalf("root element <%s>, want <testsuites>", root.XMLName.Local)
	}
	checkAttrs(t, root, append([]string{"name", "time"}, counts...), nil)
	var cases []xmlNode
	total := map[string]int{}
	for _, suite := range root.Children {
		if suite.XMLName.Local != "testsuite" {
			t.Fatalf("<testsuites> holds <%s>, want <testsuite>", suite.XMLName.Local)
		}
		checkAttrs(t, suite, append([]string{"name", "time"}, counts...), nil)
		got := map[string]int{}
		for _, c := range suite.Children {
			switch c.XMLName.Local {
			case "properties":
				for _, p := range c.Children {
					if p.XMLName.Local != "property" {
						t.Errorf("<properties> holds <%s>", p.XMLName.Local)
					}
					checkAttrs(t, p, []string{"name", "value"}, nil)
				}
				continue
			case "testcase":
			default:
				t.Errorf("<testsuite> holds <%s>", c.XMLName.Local)
				continue
			}
			cases = append(cases, c)
			got["tests"]++
			checkAttrs(t, c, []string{"name", "classname", "time"}, nil)
			if v, _ := c.attr("time"); !regexp.MustCompile(`^\d+\.\d{3}$`).MatchString(v) {
				t.Errorf("testcase time %q is not in seconds", v)
			}
			outcomes := 0
			for _, r := range c.Children {
				switch r.XMLName.Local {
				case "failure":
					got["failures"]++
					checkAttrs(t, r, []string{"message", "type"}, nil)
				case "error":
					got["errors"]++
					checkAttrs(t, r, []string{"message", "type"}, nil)
				case "skipped":
					got["skipped"]++
					checkAttrs(t, r, []string{"message"}, nil)
				case "system-out":
					continue
				default:
					t.Errorf("<testcase> holds <%s>", r.XMLName.Local)
				}
				outcomes++
			}
			if outcomes > 1 {
				t.Errorf("testcase %v has %d outcomes", c.Attrs, outcomes)
			}
		}
		for _, k := range counts {
			if n := count(t, suite, k); n != got[k] {
				t.Errorf("testsuite %s=%d, but it holds %d", k, n, got[k])
			}
			total[k] += got[k]
		}
	}
	for _, k := range counts {
		if n := count(t, root, k); n != total[k] {
			t.Errorf("testsuites %s=%d, but the suites hold %d", k, n, total[k])
		}
	}
	return cases
}

func TestJUnit(t *testing.T) {
	spec := writeFile(t, "mixed.yaml", mixedSpec)
	code, out, errOut := call(t, "check", "--spec", spec, "--size", "n=5", "--format", "junit")
	if code != exitFail {
		t.Fatalf("exit %d, want 1\n%s", code, errOut)
	}
	cases := checkJUnit(t, []byte(out))
	if len(cases) != len(mixedVerdicts) {
		t.Fatalf("%d testcases, want one per claim (%d)", len(cases), len(mixedVerdicts))
	}
	for i, want := range map[int]struct{ elem, typ, msg string }{
		1: {"failure", "transpose", "transpose: numerator vs denominator layout?"},
		2: {"error", "inconclusive", "inconclusive: f is not finite"},
		3: {"error", "error", "error: the claimed grad is not finite"},
	} {
		c := cases[i]
		if name, _ := c.attr("name"); !strings.HasSuffix(name, " [n=5]") {
			t.Errorf("testcase name %q lacks the sizes", name)
		}
		var r *xmlNode
		for k := range c.Children {
			if c.Children[k].XMLName.Local == want.elem {
				r = &c.Children[k]
			}
		}
		if r == nil {
			t.Errorf("testcase %d: no <%s>", i, want.elem)
			continue
		}
		typ, _ := r.attr("type")
		msg, _ := r.attr("message")
		if typ != want.typ || !strings.HasPrefix(msg, want.msg) {
			t.Errorf("testcase %d: <%s type=%q message=%q>, want type %q, message %q…", i, want.elem, typ, msg, want.typ, want.msg)
		}
		if !strings.Contains(r.Text, "re-run: gradcheck check --spec "+spec) {
			t.Errorf("testcase %d: the body lacks the re-run command:\n%s", i, r.Text)
		}
	}
	// The summary goes to stderr when stdout gets the report.
	if !strings.Contains(errOut, "2 passed, 1 failed, 1 inconclusive, 1 error in ") {
		t.Errorf("stderr lacks the summary: %q", errOut)
	}
}

func TestMarkdown(t *testing.T) {
	spec := writeFile(t, "mixed.yaml", mixedSpec)
	code, out, _ := call(t, "check", "--spec", spec, "--size", "n=5", "--format", "markdown")
	if code != exitFail {
		t.Fatalf("exit %d, want 1", code)
	}
	var rows []string
	for l := range strings.SplitSeq(out, "\n") {
		if strings.HasPrefix(l, "|") {
			rows = append(rows, l)
		}
	}
	if len(rows) != 2+len(mixedVerdicts) {
		t.Fatalf("%d table lines, want a header, a rule and %d rows:\n%s", len(rows), len(mixedVerdicts), out)
	}
	cells := regexp.MustCompile(`(^|[^\\])\|`)
	for _, r := range rows {
		if n := len(cells.FindAllString(r, -1)); n != 8 {
			t.Errorf("row %q has %d cell borders, want 8", r, n)
		}
	}
	wantAll(t, "markdown", out, "### gradcheck: 2 passed, 1 failed, 1 inconclusive, 1 error", "`pipe\\|name`", "❌ fail", "transpose: ", "```sh\ngradcheck check --spec ")
}

// TestTextNotes checks the NOTE column of failures and the entries listed
// under the table without --verbose.
func TestTextNotes(t *testing.T) {
	code, out, _ := call(t, "check", "--spec", "../../examples/wrong.yaml", "--name", "wrong-tr-ax", "--name", "wrong-quad-form-half",
		"--name", "wrong-quad-form-sym", "--name", "wrong-tr-inv-sign")
	if code != exitFail {
		t.Fatalf("exit %d, want 1", code)
	}
	wantAll(t, "output", out, "transpose: numerator vs denominator layout?",
		"factor 0.5: the claim is 0.5 times the truth",
		"symmetric: holds only when A is symmetric",
		"sign: the claim has the wrong sign",
		"wrong-quad-form-half n=48: the entries that disagree most",
		"INSTANCE   I  J    CLAIMED  FINITE-DIFF")
	if strings.Contains(out, "comparisons disagree") {
		t.Errorf("a diagnosed failure shows the count of comparisons:\n%s", out)
	}
	if strings.Contains(out, "\x1b[") {
		t.Errorf("colour written to a buffer")
	}
}

// TestDeterministicJSON checks that the same seed and flags give the same
// bytes, and another seed others.
func TestDeterministicJSON(t *testing.T) {
	dir := t.TempDir()
	args := []string{"check", "--spec", "../../examples/wrong.yaml", "--name", "wrong-tr-*", "--name", "wrong-quad-form-half", "--size", "n=6,m=5"}
	var reports [3][]byte
	for i, seed := range []string{"5", "5", "6"} {
		file := filepath.Join(dir, "r"+strconv.Itoa(i)+".json")
		if code, _, errOut := call(t, append(args, "--seed", seed, "--out", file)...); code != exitFail {
			t.Fatalf("exit %d, want 1: %s", code, errOut)
		}
		var err error
		if reports[i], err = os.ReadFile(file); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(reports[0], reports[1]) {
		t.Error("two runs with the same seed give different JSON reports")
	}
	if bytes.Equal(reports[0], reports[2]) {
		t.Error("runs with different seeds give the same JSON report")
	}
	var rep map[string]json.RawMessage
	if err := json.Unmarshal(reports[0], &rep); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"version", "gradcheck", "backend", "seed", "incomplete", "settings", "claims", "results", "summary"} {
		if _, ok := rep[k]; !ok {
			t.Errorf("JSON report lacks %q", k)
		}
	}
	if _, ok := rep["shard"]; ok {
		t.Error("an unsharded report has a shard")
	}
	if regexp.MustCompile(`"[a-z_]*(time|elapsed|duration|seconds)[a-z_]*":`).Match(reports[0]) {
		t.Error("the JSON report holds timings")
	}
}

// TestOutFormats checks that --out picks the format from the file's
// extension and that stdout still gets the table.
func TestOutFormats(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct{ file, want string }{
		{"r.json", `"version": 1`},
		{"r.xml", "<testsuites"},
		{"r.md", "| Claim |"},
		{"r.txt", "NAME "},
	} {
		file := filepath.Join(dir, tc.file)
		code, out, _ := call(t, append(append([]string(nil), correctTR...), "--out", file)...)
		if code != exitOK || !strings.HasPrefix(out, "NAME ") || !strings.Contains(out, "1 passed") {
			t.Errorf("--out %s: exit %d, stdout %q", tc.file, code, out)
		}
		data, err := os.ReadFile(file)
		if err != nil || !strings.Contains(string(data), tc.want) {
			t.Errorf("--out %s: %v; the file lacks %q:\n%s", tc.file, err, tc.want, data)
		}
	}
	// --format wins over the extension.
	file := filepath.Join(dir, "r2.json")
	call(t, append(append([]string(nil), correctTR...), "--out", file, "--format", "junit")...)
	if data, _ := os.ReadFile(file); !bytes.Contains(data, []byte("<testsuites")) {
		t.Errorf("--format junit --out r2.json wrote %.40q", data)
	}
}

// TestUseColor checks that only a terminal gets colour, and not with
// NO_COLOR set.
func TestUseColor(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if useColor(f) || useColor(io.Discard) {
		t.Error("colour for a file")
	}
	defer func(g func(string) string) { getenv = g }(getenv)
	getenv = func(k string) string { return map[string]string{"NO_COLOR": "1"}[k] }
	if useColor(os.Stdout) {
		t.Error("colour with NO_COLOR set")
	}
}
