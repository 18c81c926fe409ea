package report

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/gradcheck/gradcheck"
	"github.com/gradcheck/gradcheck/formulas"
	"github.com/gradcheck/gradcheck/run"
)

// verdictMarks prefix the verdicts in a markdown report.
var verdictMarks = map[gradcheck.Verdict]string{
	gradcheck.Pass:         "✅",
	gradcheck.Fail:         "❌",
	gradcheck.Inconclusive: "⚠️",
	gradcheck.Error:        "💥",
}

var markdownFormat = format{name: "markdown", write: writeMarkdown, exts: []string{".md", ".markdown"},
	help: `a table to paste into a pull request.`}

// writeMarkdown writes the report as markdown to paste into a pull
// request: a heading with the summary, the settings, a table of results,
// the entries that disagree most and the commands that re-run the claims
// that did not pass.
func writeMarkdown(w io.Writer, rep *run.Report) error {
	var b bytes.Buffer
	fmt.Fprintf(&b, "### gradcheck: %s\n\n", SummaryLine(rep, false))
	fmt.Fprintf(&b, "Backend %s, seed %d, batch %d, %d directions, %s mode",
		rep.Backend, rep.Seed, rep.Settings.Batch, rep.Settings.Dirs, rep.Settings.Mode)
	if sizes := formulas.FormatSizes(rep.Settings.Sizes); sizes != "" {
		fmt.Fprintf(&b, ", --size %s", sizes)
	}
	if rep.Shard != nil {
		fmt.Fprintf(&b, ", shard %s", rep.Shard)
	}
	fmt.Fprintf(&b, "; gradcheck %s.\n\n", rep.Gradcheck)

	b.WriteString("| Claim | Kind | Sizes | Verdict | Max rel. error | Tolerance | Note |\n")
	b.WriteString("|---|---|---|---|--:|--:|---|\n")
	for _, r := range rep.Results {
		relErr, tol := "–", "–"
		if decisive(r) {
			relErr, tol = fmt.Sprintf("%.1e", r.MaxRelErr), fmt.Sprintf("%.1e", r.Tolerance)
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s %s | %s | %s | %s |\n",
			mdCell(mdCode(Printable(r.Name))), r.Kind, mdCell(formulas.FormatSizes(r.Sizes)), verdictMarks[r.Verdict], r.Verdict,
			relErr, tol, mdCell(Printable(note(r))))
	}
	for _, c := range rep.NotRun {
		fmt.Fprintf(&b, "| %s | %s | %s | ⏭️ not run | – | – | interrupted |\n", mdCell(mdCode(Printable(c.Name))), c.Kind, mdCell(formulas.FormatSizes(c.Sizes)))
	}

	var entries []string
	for _, r := range rep.Results {
		if r.Verdict == gradcheck.Fail && len(r.Entries) > 0 {
			entries = append(entries, strings.TrimRight(entriesText(r), "\n"))
		}
	}
	if len(entries) > 0 {
		writeDetails(&b, "The entries that disagree most", "", strings.Join(entries, "\n\n"))
	}
	var expected []string
	for _, r := range rep.Results {
		if r.Verdict == gradcheck.Fail && r.Expected != "" {
			expected = append(expected, expectedText(r))
		}
	}
	if len(expected) > 0 {
		writeDetails(&b, strings.TrimSuffix(expectedHeading, ":"), "", strings.Join(expected, "\n"))
	}
	if cmds := rep.Reruns(); len(cmds) > 0 {
		for i, cmd := range cmds {
			cmds[i] = Printable(cmd)
		}
		writeDetails(&b, "Re-run a claim that did not pass", "sh", strings.Join(cmds, "\n"))
	}
	_, err := w.Write(b.Bytes())
	return err
}

// mdCell escapes the characters that would end a table cell or line.
func mdCell(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	return strings.Join(strings.Fields(s), " ")
}

// writeDetails writes a collapsed <details> section: summary, then text in
// a code block of language lang ("" for none), fenced by more backticks
// than any run of them in text, so that a claim name with backticks in it
// cannot end the block.
func writeDetails(b *bytes.Buffer, summary, lang, text string) {
	fence := strings.Repeat("`", max(3, longestBackticks(text)+1))
	fmt.Fprintf(b, "\n<details><summary>%s</summary>\n\n%s%s\n%s\n%s\n\n</details>\n", summary, fence, lang, text, fence)
}

// mdCode writes s as an inline code span: delimited by more backticks than
// any run of them in s, and padded with a space where s begins or ends
// with one (CommonMark), so that `back`tick` stays one span.
func mdCode(s string) string {
	delim := strings.Repeat("`", longestBackticks(s)+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		s = " " + s + " "
	}
	return delim + s + delim
}

// longestBackticks is the length of the longest run of backticks in s.
func longestBackticks(s string) int {
	longest, run := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	return longest
}
