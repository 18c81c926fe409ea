package gradcheck

import "github.com/gradcheck/gradcheck/formulas"

// Verdict is the outcome of verifying one claim (DESIGN.md, "Command line").
type Verdict string

// The verdicts, from best to worst.
const (
	// Pass: every comparison agreed within its tolerance.
	Pass Verdict = "pass"
	// Fail: at least one comparison disagreed beyond its tolerance.
	Fail Verdict = "fail"
	// Inconclusive: nothing failed, but some comparison could not decide:
	// the finite-difference estimate was itself too uncertain, or the sample
	// left the function's domain.
	Inconclusive Verdict = "inconclusive"
	// Error: the claim could not be evaluated.
	Error Verdict = "error"
)

// Worst locates the comparison with the largest error-to-tolerance ratio.
type Worst struct {
	// Instance is the index of the random instance; re-running with
	// --instance reproduces it alone.
	Instance int `json:"instance"`
	// Direction is the direction (or, in entrywise mode, the entry) index.
	Direction int `json:"direction"`
	// FiniteDiff and Claimed are the two values compared there.
	FiniteDiff float64 `json:"finite_difference"`
	Claimed    float64 `json:"claimed"`
}

// Entry is one entry of an entrywise comparison: the claimed value and the
// finite-difference value of entry (I, J) of the gradient or Jacobian
// (0-based), in instance Instance.
type Entry struct {
	Instance   int     `json:"instance"`
	I          int     `json:"i"`
	J          int     `json:"j"`
	Claimed    float64 `json:"claimed"`
	FiniteDiff float64 `json:"finite_difference"`
}

// Result is the verdict on one claim at one set of sizes.
type Result struct {
	Name    string         `json:"name"`
	Kind    formulas.Kind  `json:"kind"`
	Verdict Verdict        `json:"verdict"`
	Sizes   map[string]int `json:"sizes"`
	// MaxRelErr is the relative error |fd − claimed| / max(|fd|, |claimed|)
	// of the worst comparison, and Tolerance the relative tolerance it was
	// held to; the verdict is pass when no comparison exceeds its own.
	MaxRelErr float64 `json:"max_rel_err"`
	Tolerance float64 `json:"tolerance"`
	// Diagnosis names the likely mistake of a failed claim: transpose,
	// factor, sign, symmetric, or empty.
	Diagnosis string `json:"diagnosis"`
	// Factor is claimed/true for the factor diagnosis.
	Factor float64 `json:"factor,omitempty"`
	// Detail says the diagnosis in words, e.g. which variable must be
	// symmetric, or that only the diagonal disagrees.
	Detail string `json:"detail,omitempty"`
	// Reason explains an error or inconclusive verdict, or notes
	// something the user should know about a pass.
	Reason string `json:"reason,omitempty"`
	// Comparisons is how many finite-difference comparisons were made.
	Comparisons int   `json:"comparisons"`
	Worst       Worst `json:"worst"`
	// Entries lists the entries that disagree most (entrywise mode).
	Entries []Entry `json:"entries,omitempty"`
}

// ReportVersion is the version of the JSON report schema.
const ReportVersion = 1

// Report is the outcome of one run: the JSON schema of DESIGN.md.
type Report struct {
	Version int      `json:"version"`
	Backend string   `json:"backend"`
	Seed    uint64   `json:"seed"`
	Results []Result `json:"results"`
	Summary Summary  `json:"summary"`
}

// Summary counts the results by verdict.
type Summary struct {
	Pass         int `json:"pass"`
	Fail         int `json:"fail"`
	Inconclusive int `json:"inconclusive"`
	Error        int `json:"error"`
}

// Add counts one verdict.
func (s *Summary) Add(v Verdict) {
	switch v {
	case Pass:
		s.Pass++
	case Fail:
		s.Fail++
	case Inconclusive:
		s.Inconclusive++
	default:
		s.Error++
	}
}

// OK reports whether every claim passed.
func (s Summary) OK() bool { return s.Fail == 0 && s.Inconclusive == 0 && s.Error == 0 }
