package gradcheck

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/gradcheck/gradcheck/formulas"
)

// Verdict is the outcome of verifying one claim (DESIGN.md, "Command line").
type Verdict string

// The verdicts, from best to worst.
const (
	// Pass: every comparison agreed within its tolerance.
	Pass Verdict = "pass"
	// Fail: at least one comparison disagreed beyond its tolerance.
	Fail Verdict = "fail"
	// Inconclusive: nothing failed, but some comparison could not decide:
	// the finite-difference estimate was itself too uncertain, or RTol and
	// ATol made a tolerance above a tenth of the compared values, or the
	// sample left the function's domain, or more than half the
	// finite-difference stencils straddle a kink of abs, relu, step or
	// sign; or nothing was compared.
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
	// LeastTolerance is the smallest relative tolerance an agreement was
	// held to (0 where none agreed): a claim 1 + δ times the truth with δ
	// above it fails. Above 10⁻³ a pass says so (see looseNote).
	LeastTolerance float64 `json:"least_tolerance"`
	// Diagnosis names the likely mistake of a failed claim, one of the
	// Diag constants (transpose, factor, sign, scalar, symmetric,
	// not-symmetric, term, zero, cookbook-sym, order), or is empty where
	// none fits.
	Diagnosis string `json:"diagnosis"`
	// Factor is claimed/true for the factor diagnosis.
	Factor float64 `json:"factor,omitempty"`
	// FactorRange is the least and the greatest claimed/true of the
	// instances compared, for the scalar diagnosis.
	FactorRange []float64 `json:"factor_range,omitempty"`
	// Detail says the diagnosis in words, e.g. which variable must be
	// symmetric, or that only the diagonal disagrees; for a claim (or an
	// f) that is not finite at an instance, where it stops being finite
	// there, e.g. "x./abs(x) is NaN at entry (3, 0) where x = 0 and
	// abs(x) = 0", which the reason ends with.
	Detail string `json:"detail,omitempty"`
	// Expected is, for a failed grad, diff or hess claim, the result derived
	// symbolically from f (as `gradcheck derive` prints it), in the claim
	// language; empty when f has no derivation of that kind.
	Expected string `json:"expected,omitempty"`
	// ShapeMismatch says how the claim has the transposed shape of what
	// its kind needs, as formulas.Resolved.ShapeMismatch: such a claim
	// fails whatever its values, and the numbers and counts of the result
	// are those of its transpose, compared to tell whether the layout is
	// all that is wrong.
	ShapeMismatch string `json:"shape_mismatch,omitempty"`
	// Transposed is, where ShapeMismatch is set, the result of the
	// claim's transpose, of which this result keeps the numbers and the
	// counts (see transposedResult).
	Transposed *Result `json:"transposed,omitempty"`
	// Reason explains an error or inconclusive verdict, or notes
	// something the user should know about a pass.
	Reason string `json:"reason,omitempty"`
	// Comparisons is how many finite-difference comparisons were made, and
	// Counts how they came out.
	Comparisons int    `json:"comparisons"`
	Counts      Counts `json:"counts"`
	// Evaluations is how many times f was evaluated: at the perturbed
	// points of a derivative claim (six per direction, eight for a
	// Hessian; in an entrywise check one at the base point and two, four
	// or six per entry, as f is affine, quadratic or neither along it),
	// once per instance for an identity, and in a chunk where a
	// comparison exceeds its plain tolerance 3 to 12 times more (the
	// rounding probe).
	Evaluations int `json:"evaluations"`
	// Instances is the range [first, last) of instances verified.
	Instances [2]int `json:"instances"`
	Worst     Worst  `json:"worst"`
	// Entries lists the entries that disagree most, of grad, jac and diff
	// claims only (never hess or equals): in entrywise mode, or where a
	// directional check failed on a variable of at most 64 entries (its
	// worst instance checked again entry by entry).
	Entries []Entry `json:"entries,omitempty"`
	// Rows and Cols are the 0-based rows and columns of a large variable
	// that block probes found to disagree, when the mistake is local.
	Rows []int `json:"rows,omitempty"`
	Cols []int `json:"cols,omitempty"`
}

// ReportVersion is the version of the JSON report schema (DESIGN.md,
// "Command line"), which the CLI writes.
const ReportVersion = 1

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

// Counts tallies the comparisons of one claim by outcome.
type Counts struct {
	Agreed      int `json:"agreed"`
	Disagreed   int `json:"disagreed"`
	Uncertain   int `json:"uncertain"`
	OutOfDomain int `json:"out_of_domain"`
	ClaimBroken int `json:"claim_broken"`
	// Kinked counts the comparisons left out because their
	// finite-difference stencil straddles a kink of abs, relu, step, sign or
	// norm2 of one number.
	Kinked int `json:"kinked"`
}

func (c *Counts) add(s status) {
	switch s {
	case agreed:
		c.Agreed++
	case disagreed:
		c.Disagreed++
	case undecided:
		c.Uncertain++
	case outOfDomain:
		c.OutOfDomain++
	case claimBroken:
		c.ClaimBroken++
	case kinked:
		c.Kinked++
	}
}

// merge adds the counts of o to c.
func (c *Counts) merge(o Counts) {
	c.Agreed += o.Agreed
	c.Disagreed += o.Disagreed
	c.Uncertain += o.Uncertain
	c.OutOfDomain += o.OutOfDomain
	c.ClaimBroken += o.ClaimBroken
	c.Kinked += o.Kinked
}

func (c Counts) total() int {
	return c.Agreed + c.Disagreed + c.Uncertain + c.OutOfDomain + c.ClaimBroken + c.Kinked
}

func (c Counts) of(s status) int {
	return [...]int{agreed: c.Agreed, disagreed: c.Disagreed, undecided: c.Uncertain,
		outOfDomain: c.OutOfDomain, claimBroken: c.ClaimBroken, kinked: c.Kinked}[s]
}

// blocking returns the outcome that decides the verdict: any disagreement
// fails the claim; otherwise a broken claim is an error; otherwise a sample
// out of the domain or an uncertain estimate leaves it inconclusive, and
// so do stencils across kinks when they are more than half the
// comparisons: the rest would be too few to stand for the claim. Fewer
// are left out, and the claim passes on the others.
func (c Counts) blocking() status {
	for _, s := range []status{disagreed, claimBroken, outOfDomain, undecided} {
		if c.of(s) > 0 {
			return s
		}
	}
	if 2*c.Kinked > c.total() {
		return kinked
	}
	return agreed
}

func (c Counts) verdict() Verdict {
	return [...]Verdict{agreed: Pass, disagreed: Fail, undecided: Inconclusive,
		outOfDomain: Inconclusive, claimBroken: Error, kinked: Inconclusive}[c.blocking()]
}

// reason explains the verdict, naming the first instance that decided it.
func (c Counts) reason(kind formulas.Kind, instance int) string {
	s := c.blocking()
	n, total := c.of(s), c.total()
	switch s {
	case disagreed:
		return fmt.Sprintf("%d of %d comparisons disagree", n, total)
	case claimBroken:
		return fmt.Sprintf("the claimed %s is not finite at instance %d although f is (%d of %d comparisons)", kind, instance, n, total)
	case outOfDomain:
		return fmt.Sprintf("f is not finite at instance %d (%d of %d comparisons): the sample left its domain", instance, n, total)
	case undecided:
		if kind == formulas.Equals {
			return fmt.Sprintf("the tolerance is not small against the compared values at instance %d (%d of %d comparisons): both sides are at the level of their rounding error (or of an integral's unconverged quadrature), so agreement would verify nothing", instance, n, total)
		}
		return fmt.Sprintf("the finite difference or the claim is too uncertain at instance %d (%d of %d comparisons): their rounding or truncation errors are not small against the values, as near a singularity of f", instance, n, total)
	case kinked:
		return fmt.Sprintf("%d of %d finite-difference stencils straddle a kink of %s (first at instance %d): too few comparisons are left; use smaller sizes", n, total, formulas.KinkedNames(), instance)
	}
	if c.Kinked > 0 {
		return fmt.Sprintf("%d of %d comparisons left out: their finite-difference stencils straddle a kink of %s", c.Kinked, total, formulas.KinkedNames())
	}
	return ""
}

// userToleranceReason is the reason of an inconclusive result whose first
// undecided comparison, at instance, was so mostly by --rtol and --atol:
// the finite-difference estimate, or the rounding of an identity's sides,
// is not to blame.
func (c Counts) userToleranceReason(instance int) string {
	return fmt.Sprintf("the tolerance is above a tenth of the compared values at instance %d (%d of %d comparisons), %s: no comparison can tell a factor-2 mistake there",
		instance, c.Uncertain, c.total(), userToleranceCause)
}

// userToleranceCause names the cause in userToleranceReason.
const userToleranceCause = "mostly from --rtol and --atol"

// unboundedReason is the reason of an inconclusive result whose first
// undecided comparison, at instance, has no finite tolerance: a magnitude
// that bounds the rounding error of a side overflowed (expm's grows as
// e^‖X‖ where e^X decays, at the nodes of ∫e^(−tA)dt far out), or the
// rounding probe found a side not linear in its inputs even at 2⁻⁴⁸ of
// them (a condition number beyond about 10¹³; see probeSteps), so
// nothing can be compared.
func (c Counts) unboundedReason(instance int) string {
	return fmt.Sprintf("the bound on the rounding error is not finite at instance %d (%d of %d comparisons): a magnitude it is built from overflowed "+
		"(expm's, e^‖X‖, does where ‖X‖ > 709, even if e^X decays), or a side is so ill-conditioned there (beyond about 10¹³) "+
		"that it moves by more than an eighth of itself when its inputs move by 2⁻⁴⁸ of theirs, so no tolerance can be set", instance, c.Uncertain, c.total())
}

// zeroClaimReason is the reason of an inconclusive result whose first
// undecided comparison, at instance, held a claim of exactly 0 against a
// finite-difference estimate that is 0 within its uncertainty: a zero
// derivative, such as the Hessian of a linear f, is told from a small
// one only against a scale, and the estimate has none but its noise.
func (c Counts) zeroClaimReason(instance int) string {
	return fmt.Sprintf("the claim is 0 at instance %d and the finite-difference estimate is 0 %s (%d of %d comparisons): "+
		"it cannot tell a zero derivative, such as the Hessian of a linear f, from a small one", instance, zeroClaimCause, c.Uncertain, c.total())
}

// belowRoundingReason is the reason of an inconclusive result whose first
// undecided comparison, at instance, held a claim of exactly 0 against a
// finite difference of exactly 0, where f changes along longer
// directions by less than its rounding at the step (see
// verification.changesBelowRounding): 10¹² + 10⁻³·Σx.
// For a Hessian it is the second differences that are not 0 along the
// longer directions, and a linear f's are its rounding: "f changes" was
// no cause of an inconclusive Hessian of 2·s (found by the soundness
// hunt).
func (c Counts) belowRoundingReason(kind formulas.Kind, instance int) string {
	if kind == formulas.Hess {
		return fmt.Sprintf("the claim and the second differences are exactly 0 at instance %d (%d of %d comparisons); along longer directions f's second differences are not 0, but change "+
			"%s: a second derivative that small, or the rounding of a linear f, cannot be told from 0", instance, c.Uncertain, c.total(), belowRoundingCause)
	}
	return fmt.Sprintf("the claim and the finite differences are exactly 0 at instance %d (%d of %d comparisons), but along longer directions f changes, "+
		"%s: a derivative that small cannot be told from 0", instance, c.Uncertain, c.total(), belowRoundingCause)
}

// belowRoundingCause names the cause in belowRoundingReason.
const belowRoundingCause = "by less than its rounding hides at the finite-difference step"

// zeroClaimCause names the cause in zeroClaimReason.
const zeroClaimCause = "within its own uncertainty"

// ratio is how far the worst comparison is beyond its tolerance.
func (r Result) ratio() float64 {
	if r.Tolerance == 0 {
		return 0
	}
	return r.MaxRelErr / r.Tolerance
}

// Consistent returns an error where r could not come from a verification:
// counts below 0 or other than its comparisons, instances out of order, a
// worst case outside them, an unknown verdict, or one other than its
// counts give (fail, or error, for a claim with the transposed shape, as
// its transpose's result gives). Merge recomputes the verdict from the
// counts, so a report edited by hand, its verdict changed to fail, merged
// as a pass (found by the robustness helper).
func (r Result) Consistent() error {
	c := r.Counts
	for _, n := range []int{c.Agreed, c.Disagreed, c.Uncertain, c.OutOfDomain, c.ClaimBroken, c.Kinked, r.Comparisons, r.Evaluations} {
		if n < 0 {
			return fmt.Errorf("a count of %d", n)
		}
	}
	switch {
	case r.Comparisons != c.total():
		return fmt.Errorf("%d comparisons, but the counts add up to %d", r.Comparisons, c.total())
	case r.Instances[0] < 0 || r.Instances[0] > r.Instances[1]:
		return fmt.Errorf("instances %v out of order", r.Instances)
	case c.total() > 0 && (r.Worst.Instance < r.Instances[0] || r.Worst.Instance >= r.Instances[1]):
		return fmt.Errorf("worst instance %d outside instances %v", r.Worst.Instance, r.Instances)
	case !slices.Contains([]Verdict{Pass, Fail, Inconclusive, Error}, r.Verdict):
		return fmt.Errorf("unknown verdict %q", r.Verdict)
	}
	if r.ShapeMismatch != "" {
		if r.Transposed == nil {
			return fmt.Errorf("shape_mismatch without the result of the claim's transpose")
		}
		if err := r.Transposed.Consistent(); err != nil {
			return fmt.Errorf("transposed: %v", err)
		}
		if want := transposedResult(*r.Transposed, r.ShapeMismatch).Verdict; r.Verdict != want {
			return fmt.Errorf("verdict %s, but its transpose's gives %s", r.Verdict, want)
		}
		return nil
	}
	if want := c.verdict(); c.total() > 0 && r.Verdict != want {
		return fmt.Errorf("verdict %s, but its counts give %s", r.Verdict, want)
	}
	return nil
}

// Merge combines the results of one claim verified on disjoint ranges of
// instances (shards of one run) into the result of the whole range: the
// counts add up, the verdict follows from them as in a single run, the worst
// case is the worst of the parts, and a failure keeps the diagnosis of the
// part that fails worst.
func Merge(parts []Result) (Result, error) {
	if len(parts) == 0 {
		return Result{}, fmt.Errorf("merge: no results")
	}
	if mismatch := parts[0].ShapeMismatch; mismatch != "" {
		// Merge the results of the claim's transpose.
		inner := make([]Result, len(parts))
		for i, p := range parts {
			if p.Transposed == nil || p.ShapeMismatch != mismatch {
				return Result{}, fmt.Errorf("merge: %s: the parts disagree on the shape of the claim", p.Name)
			}
			inner[i] = *p.Transposed
		}
		merged, err := Merge(inner)
		if err != nil {
			return Result{}, err
		}
		out := transposedResult(merged, mismatch)
		out.Expected = parts[0].Expected
		return out, nil
	}
	parts = slices.Clone(parts)
	slices.SortFunc(parts, func(a, b Result) int { return a.Instances[0] - b.Instances[0] })
	out := parts[0]
	out.Counts, out.Comparisons, out.Evaluations = Counts{}, 0, 0
	for i, p := range parts {
		if p.Name != out.Name || p.Kind != out.Kind || !maps.Equal(p.Sizes, out.Sizes) {
			return Result{}, fmt.Errorf("merge: %s (%s) %v cannot merge with %s (%s) %v", p.Name, p.Kind, p.Sizes, out.Name, out.Kind, out.Sizes)
		}
		if i > 0 && p.Instances[0] < parts[i-1].Instances[1] {
			return Result{}, fmt.Errorf("merge: %s: instances %v and %v overlap", p.Name, parts[i-1].Instances, p.Instances)
		}
		if p.Verdict == Error && p.Counts.total() == 0 {
			return p, nil // could not evaluate at all: nothing to merge
		}
		out.Counts.merge(p.Counts)
		out.Comparisons += p.Comparisons
		out.Evaluations += p.Evaluations
	}
	out.Instances = [2]int{parts[0].Instances[0], parts[len(parts)-1].Instances[1]}
	out.Verdict = out.Counts.verdict()
	// The worst case and diagnosis come from the part that is worst by
	// ratio; a non-pass verdict other than fail points at the first
	// instance that caused it, as a single run does.
	worst := parts[0]
	for _, p := range parts[1:] {
		if p.ratio() > worst.ratio() {
			worst = p
		}
	}
	out.Worst, out.MaxRelErr, out.Tolerance = worst.Worst, worst.MaxRelErr, worst.Tolerance
	out.Diagnosis, out.Factor, out.FactorRange, out.Detail, out.Entries, out.Rows, out.Cols = "", 0, nil, "", nil, nil, nil
	if out.Verdict == Fail {
		out.Entries, out.Rows, out.Cols = worst.Entries, worst.Rows, worst.Cols
		if agreeOnDiagnosis(parts) {
			out.Diagnosis, out.Factor, out.Detail = worst.Diagnosis, worst.Factor, worst.Detail
		}
		if out.Diagnosis == DiagScalar {
			// The range of all the parts' instances.
			lo, hi := math.Inf(1), math.Inf(-1)
			for _, p := range parts {
				if len(p.FactorRange) == 2 {
					lo, hi = min(lo, p.FactorRange[0]), max(hi, p.FactorRange[1])
				}
			}
			out.FactorRange, out.Detail = []float64{lo, hi}, scalarDetail(lo, hi)
		}
	}
	located := "" // where the claim or f stops being finite
	if s := out.Counts.blocking(); s != agreed && s != disagreed {
		for _, p := range parts {
			if p.Counts.of(s) > 0 {
				out.Worst = p.Worst
				if s == claimBroken || s == outOfDomain || s == undecided {
					located = p.Detail
					out.Detail = located
				}
				break
			}
		}
	}
	out.Reason = withDetail(out.Counts.reason(out.Kind, out.Worst.Instance), located)
	if out.Counts.blocking() == undecided {
		// The reason of the part that decided it, as a single run
		// gives it (see verification.judge).
		for _, p := range parts {
			if p.Counts.Uncertain == 0 {
				continue
			}
			switch {
			case strings.Contains(p.Reason, userToleranceCause):
				out.Reason = out.Counts.userToleranceReason(out.Worst.Instance)
			case strings.Contains(p.Reason, zeroClaimCause):
				out.Reason = out.Counts.zeroClaimReason(out.Worst.Instance)
			case strings.Contains(p.Reason, belowRoundingCause):
				out.Reason = out.Counts.belowRoundingReason(out.Kind, out.Worst.Instance)
			}
			break
		}
	}
	if out.Verdict == Pass && out.Reason == "" && slices.IndexFunc(parts, func(p Result) bool { return p.Reason != parts[0].Reason }) < 0 {
		// A note of every part's pass (exactAgreement, layoutBlind).
		out.Reason = parts[0].Reason
	}
	out.LeastTolerance = 0
	for _, p := range parts {
		if p.LeastTolerance > 0 && (out.LeastTolerance == 0 || p.LeastTolerance < out.LeastTolerance) {
			out.LeastTolerance = p.LeastTolerance
		}
	}
	if out.Verdict == Pass && (out.Reason == "" || strings.Contains(out.Reason, looseCause)) {
		// The least of the parts, as a single run would say it.
		out.Reason = looseNote(out.LeastTolerance)
	}
	return out, nil
}

// agreeOnDiagnosis reports whether every failed part names the same
// diagnosis: a fit over a few instances can find a factor that differs from
// instance to instance (a claim off by a non-constant scalar), which the
// whole batch would not diagnose.
func agreeOnDiagnosis(parts []Result) bool {
	var first *Result
	for i := range parts {
		p := &parts[i]
		if p.Verdict != Fail {
			continue
		}
		if first == nil {
			first = p
		} else if p.Diagnosis != first.Diagnosis || p.Factor != first.Factor {
			return false
		}
	}
	return true
}
