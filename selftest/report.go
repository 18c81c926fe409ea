package selftest

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// WriteJSON writes r as indented JSON, the schema of
// 'gradcheck selftest --format json'.
func WriteJSON(w io.Writer, r *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteText writes the counts of r and its findings (false alarms and
// missed mutants, each with its claim and the command that re-runs it) as
// text.
func WriteText(w io.Writer, r *Report) error {
	var b strings.Builder
	pct := func(k, n int) string {
		if n == 0 {
			return "-"
		}
		return fmt.Sprintf("%.2f%%", 100*float64(k)/float64(n))
	}
	live := r.Mutants - r.Equivalent
	fmt.Fprintf(&b, "true claims   %6d   false alarms %d, inconclusive %d (%s)\n",
		r.TrueClaims, r.FalseAlarms, r.Inconclusive, pct(r.Inconclusive, r.TrueClaims))
	fmt.Fprintf(&b, "mutants       %6d   equivalent %d, detected %d of %d (%s)\n",
		r.Mutants, r.Equivalent, r.Detected, live, pct(r.Detected, live))
	for _, l := range []struct {
		title string
		fs    []Finding
	}{{"false alarms", r.Alarms}, {"missed mutants", r.Missed}} {
		if len(l.fs) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n%s:\n", l.title)
		for _, f := range l.fs {
			fmt.Fprintf(&b, "  %s: %s", f.Name, f.Verdict)
			if f.Reason != "" {
				fmt.Fprintf(&b, " (%s)", f.Reason)
			}
			if f.Difference > 0 && f.Difference <= f.Tolerance {
				fmt.Fprintf(&b, "; it differs from the truth by %.1e, below the tolerance %.1e", f.Difference, f.Tolerance)
			}
			fmt.Fprintf(&b, "\n    claim: %s\n    rerun: %s\n", f.Claim, f.Rerun)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
