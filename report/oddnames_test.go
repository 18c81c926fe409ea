package report

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/gradcheck/gradcheck"
	"github.com/gradcheck/gradcheck/formulas"
	"github.com/gradcheck/gradcheck/run"
)

// TestMarkdownCodeSpans checks that a claim name with backticks in it is
// one code span in the markdown table, and cannot end the code blocks of
// the details: `back`tick` was written as two spans and loose text.
func TestMarkdownCodeSpans(t *testing.T) {
	for _, tc := range []struct {
		name  string
		cell  string // the claim's cell in the table
		fence string // the fence of the code blocks
	}{
		{"plain", "| `plain` |", "```"},
		{"pipe|name", "| `pipe\\|name` |", "```"},
		{"back`tick", "| ``back`tick`` |", "```"},
		{"back`tick`", "| `` back`tick` `` |", "```"},
		{"`lead", "| `` `lead `` |", "```"},
		{"two``runs`", "| ``` two``runs` ``` |", "```"},
		{"fence```in", "| ````fence```in```` |", "````"},
		{"ünïcode-∇‖x‖²", "| `ünïcode-∇‖x‖²` |", "```"},
	} {
		rep := &run.Report{Version: gradcheck.ReportVersion, Gradcheck: "1.0", Backend: "cpu", Seed: 1,
			Settings: run.ReportSettings{Sizes: map[string]int{}, Batch: 8, Dirs: 3, Mode: gradcheck.Directional, Instance: -1},
			Claims:   []run.ClaimRef{{Name: tc.name, Kind: formulas.Grad, Sizes: map[string]int{"n": 4}, Select: []string{"check", "--spec", "s.yaml", "--name", tc.name}}},
			Results: []gradcheck.Result{{Name: tc.name, Kind: formulas.Grad, Verdict: gradcheck.Fail, Sizes: map[string]int{"n": 4},
				MaxRelErr: 0.5, Tolerance: 1e-10, Counts: gradcheck.Counts{Disagreed: 3}, Comparisons: 3, Instances: [2]int{0, 8},
				Entries: []gradcheck.Entry{{Instance: 1, Claimed: 1, FiniteDiff: 2}}, Expected: "2*x"}},
			ClaimOf: []int{0}}
		rep.Summary.Add(gradcheck.Fail)
		var b bytes.Buffer
		if err := writeMarkdown(&b, rep); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		if !strings.Contains(out, "\n"+tc.cell+" grad |") {
			t.Errorf("%s: no table row starting %q:\n%s", tc.name, tc.cell, out)
		}
		// Every code block opens and closes with the same fence, on a line
		// of its own, and no line inside starts with it.
		var open bool
		for line := range strings.SplitSeq(out, "\n") {
			switch {
			case !open && strings.HasPrefix(line, "`"):
				if fence := strings.TrimRight(line, "sh"); fence != tc.fence {
					t.Errorf("%s: a block opens with %q, want %q", tc.name, line, tc.fence)
				}
				open = true
			case open && line == tc.fence:
				open = false
			case open && strings.HasPrefix(line, tc.fence):
				t.Errorf("%s: the line %q inside a block would end it", tc.name, line)
			}
		}
		if open {
			t.Errorf("%s: a code block is not closed:\n%s", tc.name, out)
		}
	}
}

// TestJUnitOddNames checks that the JUnit report of a failed claim is
// well-formed XML whatever characters the claim's name (from a spec file)
// holds: control characters in the CDATA body made it unreadable.
func TestJUnitOddNames(t *testing.T) {
	for _, name := range []string{"plain", "ctrl\x01char", "esc\x1b[31mred", "a ]]> b", "bad utf-8 \xff\xfe", "tab\tand\nnewline", "∇‖x‖²", "<x>&amp;\"q\""} {
		var b bytes.Buffer
		if err := writeJUnit(&b, failedReport(name)); err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Suite struct {
				Cases []struct {
					Name    string `xml:"name,attr"`
					Failure struct {
						Text string `xml:",chardata"`
					} `xml:"failure"`
				} `xml:"testcase"`
			} `xml:"testsuite"`
		}
		if err := xml.Unmarshal(b.Bytes(), &doc); err != nil {
			t.Errorf("%q: the JUnit report is not XML: %v\n%s", name, err, b.Bytes())
			continue
		}
		if len(doc.Suite.Cases) != 1 || !strings.Contains(doc.Suite.Cases[0].Failure.Text, "re-run: gradcheck check") {
			t.Errorf("%q: testcases %+v", name, doc.Suite.Cases)
		}
	}
}

// TestTextOddNames checks that a claim name with control or format
// characters or bytes that are not UTF-8 (a spec file may hold any) is
// written escaped in the text and markdown reports: raw, a newline broke
// the table's row, a tab its columns, and ESC reached the terminal as an
// escape sequence. Every report keeps the lines of one with a plain name.
func TestTextOddNames(t *testing.T) {
	write := func(format string, rep *run.Report) string {
		var b bytes.Buffer
		if err := Write(&b, format, rep); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	for _, tt := range []struct{ name, shown string }{
		{"esc\x1b[31mred", `esc\x1b[31mred`},
		{"new\nline", `new\nline`},
		{"tab\there", `tab\there`},
		{"cr\rbell\a", `cr\rbell\a`},
		{"bidi\u202eevil", `bidi\u202eevil`},
		{"bad utf-8 \xff\xfe", `bad utf-8 \xff\xfe`},
		{"∇‖x‖² back\\slash", "∇‖x‖² back\\slash"},
	} {
		if got := Printable(tt.name); got != tt.shown {
			t.Errorf("Printable(%q) = %q, want %q", tt.name, got, tt.shown)
		}
		for _, format := range []string{"text", "markdown"} {
			out := write(format, failedReport(tt.name))
			plain := write(format, failedReport("plain"))
			if i := strings.IndexFunc(out, func(r rune) bool { return r != '\n' && !unicode.IsPrint(r) && r != '\ufe0f' }); i >= 0 || !utf8.ValidString(out) {
				t.Errorf("%s report of %q holds a raw control character or invalid UTF-8 at %d:\n%s", format, tt.name, i, out)
			}
			if strings.Count(out, "\n") != strings.Count(plain, "\n") {
				t.Errorf("%s report of %q has %d lines, one of a plain name %d:\n%s", format, tt.name, strings.Count(out, "\n"), strings.Count(plain, "\n"), out)
			}
			if !strings.Contains(out, tt.shown) {
				t.Errorf("%s report of %q does not show it as %q:\n%s", format, tt.name, tt.shown, out)
			}
		}
		out := write("text", failedReport(tt.name))
		if row := strings.Split(out, "\n")[1]; !strings.HasPrefix(row, tt.shown+"  grad ") {
			t.Errorf("text row of %q: %q, want it to start with %q and the KIND column", tt.name, row, tt.shown)
		}
	}
}

// failedReport is the report of one failed gradient claim called name,
// from a spec file, with its entries, detail and expected result: every
// place a report writes the name.
func failedReport(name string) *run.Report {
	rep := &run.Report{Version: gradcheck.ReportVersion, Gradcheck: "1.0", Backend: "cpu", Seed: 1,
		Settings: run.ReportSettings{Sizes: map[string]int{}, Batch: 8, Dirs: 3, Mode: gradcheck.Directional, Instance: -1},
		Claims:   []run.ClaimRef{{Name: name, Kind: formulas.Grad, Sizes: map[string]int{"n": 4}, Select: []string{"check", "--spec", "s.yaml", "--name", name}}},
		Results: []gradcheck.Result{{Name: name, Kind: formulas.Grad, Verdict: gradcheck.Fail, Sizes: map[string]int{"n": 4},
			MaxRelErr: 0.5, Tolerance: 1e-10, Counts: gradcheck.Counts{Disagreed: 3}, Comparisons: 3, Instances: [2]int{0, 8},
			Detail: "about " + name, Entries: []gradcheck.Entry{{Instance: 1, Claimed: 1, FiniteDiff: 2}}, Expected: "2*x"}},
		ClaimOf: []int{0}}
	rep.Summary.Add(gradcheck.Fail)
	return rep
}
