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
			mdCell("`"+r.Name+"`"), r.Kind, mdCell(formulas.FormatSizes(r.Sizes)), verdictMarks[r.Verdict], r.Verdict,
			relErr, tol, mdCell(note(r)))
	}
	for _, c := range rep.NotRun {
		fmt.Fprintf(&b, "| %s | %s | %s | ⏭️ not run | – | – | interrupted |\n", mdCell("`"+c.Name+"`"), c.Kind, mdCell(formulas.FormatSizes(c.Sizes)))
	}

	var entries []string
	for _, r := range rep.Results {
		if r.Verdict == gradcheck.Fail && len(r.Entries) > 0 {
			entries = append(entries, strings.TrimRight(entriesText(r), "\n"))
		}
	}
	if len(entries) > 0 {
		fmt.Fprintf(&b, "\n<details><summary>The entries that disagree most</summary>\n\n```\n%s\n```\n\n</details>\n",
			strings.Join(entries, "\n\n"))
	}
	var expected []string
	for _, r := range rep.Results {
		if r.Verdict == gradcheck.Fail && r.Expected != "" {
			expected = append(expected, expectedText(r))
		}
	}
	if len(expected) > 0 {
		fmt.Fprintf(&b, "\n<details><summary>%s</summary>\n\n```\n%s\n```\n\n</details>\n",
			strings.TrimSuffix(expectedHeading, ":"), strings.Join(expected, "\n"))
	}
	if reruns := rep.Reruns(); len(reruns) > 0 {
		fmt.Fprintf(&b, "\n<details><summary>Re-run a claim that did not pass</summary>\n\n```sh\n%s\n```\n\n</details>\n",
			strings.Join(reruns, "\n"))
	}
	_, err := w.Write(b.Bytes())
	return err
}

// mdCell escapes the characters that would end a table cell or line.
func mdCell(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	return strings.Join(strings.Fields(s), " ")
}
