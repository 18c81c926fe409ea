package gradcheck

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/gradcheck/gradcheck/formulas"
)

// The diagnoses of a failed claim (DESIGN.md, "Command line").
const (
	// DiagTranspose: the claim is the transposed truth (numerator vs
	// denominator layout).
	DiagTranspose = "transpose"
	// DiagFactor: the claim is off by a constant factor, given in
	// Result.Factor as claimed/true.
	DiagFactor = "factor"
	// DiagSign: the claim is the truth negated.
	DiagSign = "sign"
	// DiagSymmetric: the claim holds once some inputs are symmetric.
	DiagSymmetric = "symmetric"
	// DiagNotSymmetric: a claimed Hessian (or second derivative D²f[dX,
	// dX2]) is not symmetric, as every Hessian is. Result.Factor, when
	// set, is its symmetric part over the truth.
	DiagNotSymmetric = "not-symmetric"
	// DiagZero: the finite differences are 0 (within their tolerance)
	// along every direction compared, so the true derivative is 0 there
	// and the claim is not: f does not depend on the variable, or only
	// through rounding (xᵀ(A − Aᵀ)x); a fitted factor would be
	// meaningless.
	DiagZero = "zero"
	// DiagScalar: the claim is a multiple of the truth at each instance,
	// by a factor that differs between instances: a scalar that depends
	// on the inputs is missing or wrong (1/‖x‖ in the gradient of ‖x‖).
	DiagScalar = "scalar"
	// DiagCookbookSym: a gradient with respect to a symmetric matrix is
	// written in the Matrix Cookbook's convention 2G − diag(G), the
	// derivative with respect to the independent entries, where the
	// gradient G is claimed.
	DiagCookbookSym = "cookbook-sym"
	// DiagTerm: the claim is a sum of terms, and one of them is off: a
	// multiple of it (Result.Factor, its claimed over its true), its
	// sign, or the whole term (it is not in the truth); the other terms
	// agree (see termDiagnosis).
	DiagTerm = "term"
	// DiagOrder: the right side of an identity holds with the matrix
	// factors of its products in reverse order, as (AB)ᵀ = BᵀAᵀ and
	// (AB)⁻¹ = B⁻¹A⁻¹ do where AᵀBᵀ and A⁻¹B⁻¹ are claimed.
	DiagOrder = "order"
)

const (
	// fitAgreement is how close a fitted coefficient must be to 0 or ±1
	// to count as that value. The finite differences agree with correct
	// claims to about 1e-10, so a genuine fit lands far closer than this.
	fitAgreement = 1e-6
	// maxAutoEntries bounds the entries of a variable for which a failed
	// directional check is followed by an entrywise one (n ≤ 8).
	maxAutoEntries = 64
	// recheckBatch bounds the instances of each symmetric re-check.
	recheckBatch = 4
	// maxLocated bounds the rows (or columns) that block probes single
	// out; beyond it the mistake is not local and the search stops.
	maxLocated = 4
)

// diagnose names the likely mistake of a failed claim. It first fits the
// finite differences d to α·⟨claim, H⟩ + β·⟨claimᵀ, H⟩, which costs no new
// evaluation: α = 0, β = ±1 is a transposed claim; β = 0 and a constant α a
// sign or factor. A fit counts only if it explains every comparison within
// its tolerance. Otherwise it re-checks the claim with each square input
// made symmetric. For small variables it adds the entries that disagree
// most, and says when only the diagonal does. comps are the comparisons of
// the check, all of them where complete is set, else the first of them
// (the fit then explains those).
func (v *verification) diagnose(ctx context.Context, res *Result, comps []comparison, complete bool) {
	if v.c.Kind == formulas.Equals {
		v.identityDiagnosis(ctx, res, comps)
		return
	}
	if !v.fitDiagnosis(res, comps) && !(!v.oneNumber() && (scalarDiagnosis(res, comps) || proportionalEach(res, comps))) && !v.notSymmetric(res, comps) &&
		!v.transposeRecheck(ctx, res, comps) && !v.cookbookDiagnosis(ctx, res) && !v.termDiagnosis(ctx, res) {
		v.symmetricDiagnosis(ctx, res)
	}
	if res.Diagnosis == "" {
		res.Detail = joinDetail(res.Detail, v.softmaxNote())
		res.Detail = joinDetail(res.Detail, v.simplexRowsNote())
	}
	res.Detail = joinDetail(res.Detail, v.symmetricDrawNote(res))
	sh := v.shapes[v.c.Wrt]
	if sh.Rows*sh.Cols > maxAutoEntries {
		if res.Diagnosis == "" && !v.wrt.SymSpace && v.c.Kind != formulas.Hess {
			v.localize(ctx, res)
		}
		return
	}
	entries := comps
	if !v.entrywise() {
		// Follow a failed directional check on a small variable with an
		// entrywise check of its worst instance.
		re := *v
		re.s.Mode, re.s.Instance = Entrywise, res.Worst.Instance
		if !re.entrywise() || sh.Rows*sh.Cols > maxAutoEntries {
			return
		}
		var t tally
		var err error
		if entries, complete, err = re.collect(ctx, maxKept); err != nil {
			return
		}
		t.add(entries)
		res.Entries = re.entries(t.top)
	}
	if v.squareClaim() && complete && onlyDiagonal(entries, v.onDiagonal) {
		res.Detail = joinDetail(res.Detail, "only the diagonal entries disagree")
	}
}

// fitDiagnosis tries the transpose, sign and factor diagnoses.
func (v *verification) fitDiagnosis(res *Result, comps []comparison) bool {
	var use []comparison
	withT := true
	for _, c := range comps {
		if c.status == agreed || c.status == disagreed {
			use = append(use, c)
			withT = withT && finite(c.transposed)
		}
	}
	// Each comparison enters the least-squares fit in units of its own
	// tolerance: weighted by how precisely it is known, so that a few
	// large values cannot fit the rest beyond their tolerances, and free
	// of the scale of the values, so that the sums of squares neither
	// underflow (a claim scaled by 1e-300) nor overflow (e^{1000x}): the
	// same mistake gets the same diagnosis at any scale.
	var saa, sab, sbb, sad, sbd float64
	for _, c := range use {
		if !(c.tol > 0) {
			continue
		}
		a, b, d := c.claimed/c.tol, c.transposed/c.tol, c.fd/c.tol
		saa += a * a
		sad += a * d
		if withT {
			sab += a * b
			sbb += b * b
			sbd += b * d
		}
	}
	if len(use) < 2 || saa == 0 {
		return false
	}
	if zeroTruth(use) && !proportional(use) {
		return !v.oneNumber() && proportionalEach(res, use) || v.zeroDiagnosis(res)
	}
	det := saa*sbb - sab*sab
	if withT && det <= 1e-12*saa*sbb {
		withT = false // the claim is symmetric: transposing it changes nothing
	}
	alpha, beta := sad/saa, 0.0
	if withT {
		alpha, beta = (sad*sbb-sbd*sab)/det, (saa*sbd-sab*sad)/det
	}
	fittedZero := true // the fitted truth is within tolerance of 0
	for _, c := range use {
		fitted := alpha * c.claimed
		if withT {
			fitted += beta * c.transposed
		}
		if math.Abs(c.fd-fitted) > c.tol {
			return false
		}
		fittedZero = fittedZero && math.Abs(fitted) <= c.tol
	}
	if fittedZero && !proportional(use) {
		// A multiple of the claim that no comparison tells from 0 fits
		// rounding noise, not a factor: the Hessian 10⁻⁶·I claimed for
		// a linear f was "−90000 times the truth".
		return !v.oneNumber() && proportionalEach(res, use) || v.zeroDiagnosis(res)
	}
	near := func(x, y float64) bool { return math.Abs(x-y) <= fitAgreement*math.Max(1, math.Abs(y)) }
	switch {
	case v.c.Kind == formulas.Hess && withT && near(alpha, beta):
		// The truth is α·(claim + claimᵀ): a multiple of the claim's
		// symmetric part.
		res.Diagnosis = DiagNotSymmetric
		res.Detail = v.notSymmetricDetail() + "; its symmetric part agrees"
		if !near(alpha, 0.5) {
			res.Factor = roundFactor(1/(2*alpha), fitPrecision(use, 2*alpha))
			res.Detail = fmt.Sprintf("%s; its symmetric part is %g times the truth", v.notSymmetricDetail(), res.Factor)
		}
	case withT && near(alpha, 0) && near(math.Abs(beta), 1):
		res.Diagnosis = DiagTranspose
		res.Detail = "numerator vs denominator layout?"
		if beta < 0 {
			res.Detail = "negated, and numerator vs denominator layout?"
		}
	case withT && near(alpha, 0) && !near(beta, 0):
		// The transposed truth times a factor: 2A for ∇tr(AX) = Aᵀ.
		res.Diagnosis = DiagTranspose
		res.Factor = roundFactor(1/beta, fitPrecision(use, beta))
		res.Detail = fmt.Sprintf("the claim is %g times the transposed truth: numerator vs denominator layout?", res.Factor)
	case near(beta, 0) && near(alpha, -1):
		res.Diagnosis = DiagSign
		res.Detail = "the claim has the wrong sign"
	case near(beta, 0) && alpha != 1:
		// The fit explains every comparison and the claim failed, so
		// this is a clean multiple however close to 1; −1 to the
		// precision of the fit is a sign.
		res.Diagnosis = DiagFactor
		res.Factor = roundFactor(1/alpha, fitPrecision(use, alpha))
		res.Detail = fmt.Sprintf("the claim is %g times the truth", res.Factor)
		if ratio := sizeRatio(1/alpha, fitPrecision(use, alpha), v.sizes); ratio != "" {
			res.Detail += fmt.Sprintf(" (%s at these sizes: a size lost, or one in place of another?)", ratio)
		}
		if instance, ok := oneInstance(use); ok {
			res.Detail = fmt.Sprintf("the claim is %g times the truth at instance %d, the one compared: at others the factor may differ, if a scalar that depends on the inputs is what is wrong", res.Factor, instance)
		}
		if res.Factor == -1 {
			res.Diagnosis, res.Factor, res.Detail = DiagSign, 0, "the claim has the wrong sign"
		}
	default:
		return false
	}
	return true
}

// oneInstance returns the instance of comps when they all have the same.
func oneInstance(comps []comparison) (int, bool) {
	for _, c := range comps[1:] {
		if c.instance != comps[0].instance {
			return 0, false
		}
	}
	return comps[0].instance, true
}

// oneNumber reports whether the derivative compared is one number at
// each instance (f and the variable 1×1, or a gradient or Hessian in a
// 1×1 variable): any wrong claim is then a multiple of the truth at each
// instance, and the scalar diagnosis says nothing ("from −294 to 161
// times it" of a wrong gradient in a scalar s; found by the walkthrough
// helper).
func (v *verification) oneNumber() bool {
	sh := v.shapes[v.c.Wrt]
	if sh.Rows != 1 || sh.Cols != 1 {
		return false
	}
	switch v.c.Kind {
	case formulas.Grad, formulas.Hess:
		return true
	}
	return v.fShape.Rows == 1 && v.fShape.Cols == 1
}

// scalarDiagnosis fits the finite differences of each instance apart to
// a multiple of the claim, as fitDiagnosis fits them all to one, and
// diagnoses "scalar" when every instance of two or more fits its own
// multiple and the multiples differ beyond their precision. One instance
// (--instance, --batch 1) fits a factor that may be such a scalar's value
// there, so fitDiagnosis's factor then says "at instance i".
func scalarDiagnosis(res *Result, comps []comparison) bool {
	byInstance := map[int][]comparison{}
	for _, c := range comps {
		if (c.status == agreed || c.status == disagreed) && c.tol > 0 {
			byInstance[c.instance] = append(byInstance[c.instance], c)
		}
	}
	if len(byInstance) < 2 {
		return false
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	var loPrecision, hiPrecision float64
	for _, cs := range byInstance {
		var saa, sad float64
		for _, c := range cs {
			a, d := c.claimed/c.tol, c.fd/c.tol
			saa += a * a
			sad += a * d
		}
		if len(cs) < 2 || saa == 0 || sad == 0 {
			return false
		}
		alpha := sad / saa
		for _, c := range cs {
			if math.Abs(c.fd-alpha*c.claimed) > c.tol {
				return false
			}
		}
		k, p := 1/alpha, fitPrecision(cs, alpha)
		if k < lo {
			lo, loPrecision = k, p
		}
		if k > hi {
			hi, hiPrecision = k, p
		}
	}
	if hi-lo <= 2*(loPrecision*math.Abs(lo)+hiPrecision*math.Abs(hi)) {
		return false // one factor, which fitDiagnosis would have named
	}
	res.Diagnosis, res.FactorRange, res.Detail = DiagScalar, []float64{lo, hi}, scalarDetail(lo, hi)
	return true
}

// scalarDetail is the detail of the scalar diagnosis of factors from lo
// to hi.
func scalarDetail(lo, hi float64) string {
	// Digits enough to show hi − lo in both: "from 1 to 1" said nothing
	// of softmax(x)*(1 + 1e-5*sum(x)).
	digits := 3
	if spread := math.Abs(hi - lo); spread > 0 {
		digits = max(3, min(17, int(math.Ceil(math.Log10(math.Max(math.Abs(lo), math.Abs(hi))/spread)))+1))
	}
	return fmt.Sprintf("the claim is a multiple of the truth at each instance, from %.*g to %.*g times it: a scalar factor that depends on the inputs is missing or wrong", digits, lo, digits, hi)
}

// zeroDiagnosis diagnoses a claim whose truth is 0, and reports true.
// Where f takes the softmax of a matrix, which normalizes each column, it
// says so: 1ᵀ·softmax(Q*K')·V·1 does not depend on Q, and an attention
// claim derived for torch's softmax over rows got "the true grad is 0",
// unexplained (found by the walkthrough).
func (v *verification) zeroDiagnosis(res *Result) bool {
	res.Diagnosis = DiagZero
	res.Detail = joinDetail(fmt.Sprintf("the true %s is 0 along every direction compared", v.c.Kind), v.softmaxNote())
	return true
}

// softmaxNote says, where f takes the softmax of a matrix, that it
// normalizes columns, and how to write it over rows: a PyTorch-style
// attention gradient, written for rows, failed with no word of why
// (found by the walkthrough and Cookbook helpers). "" otherwise.
func (v *verification) softmaxNote() string {
	call := v.columnSoftmax(v.c.F)
	if call == nil {
		return ""
	}
	transposed := "(" + call.Args[0].String() + ")'"
	if _, ok := call.Args[0].(*formulas.Ident); ok {
		transposed = call.Args[0].String() + "'"
	}
	return fmt.Sprintf("%s normalizes each column (each sums to 1): for its rows, as softmax over the last dimension in PyTorch, write softmax(%s)'", call, transposed)
}

// simplexRowsNote says, where a variable drawn simplex is a matrix, that
// its columns sum to 1, not its rows, and how to declare rows that do: a
// multinomial logit with one-hot rows Y (n×K) failed, rightly, and its
// note spoke of softmax alone (found by the statistician's walkthrough).
// "" otherwise.
func (v *verification) simplexRowsNote() string {
	for _, x := range v.c.Vars {
		if sh := v.shapes[x.Name]; x.Dist == formulas.Simplex && sh.Cols > 1 && !slices.Contains(v.c.Unread(), x.Name) {
			return fmt.Sprintf("%s (dist simplex) has columns that sum to 1; for rows that do, declare it %s×%s and write %s' in the formulas", x.Name, x.Dims[1], x.Dims[0], x.Name)
		}
	}
	return ""
}

// symmetricDrawNote says, for a failed gradient with respect to a
// variable drawn symmetric (dist sym or spd) in the space of all
// matrices, that its gradient is compared as that of a function of all
// matrices, and how to declare the symmetric space: --var S=n,n:sym
// reads as the symmetric space and failed as a transpose (found by the
// statistician's walkthrough). "" otherwise, and where the claim passes
// in the symmetric space only as a multiple of sym(G).
func (v *verification) symmetricDrawNote(res *Result) string {
	x := v.wrt
	if v.c.Kind != formulas.Grad || x.SymSpace || x.Dist != formulas.Sym && x.Dist != formulas.SPD || res.Diagnosis == DiagCookbookSym {
		return ""
	}
	declare := "space: sym"
	if v.c.FromCommandLine() {
		declare = symSpaceFlag(x)
	}
	return fmt.Sprintf("%s is drawn %s, but its gradient is that over all matrices; for the gradient over symmetric matrices declare %s", x.Name, x.Dist, declare)
}

// columnSoftmax returns the first softmax in e of a matrix of more than
// one column, at the sizes of the check, whose argument is no transpose
// (softmax(Z')' is already the softmax of Z's rows); nil if none.
func (v *verification) columnSoftmax(e formulas.Expr) *formulas.Call {
	switch e := e.(type) {
	case *formulas.Unary:
		return v.columnSoftmax(e.X)
	case *formulas.Binary:
		if c := v.columnSoftmax(e.L); c != nil {
			return c
		}
		return v.columnSoftmax(e.R)
	case *formulas.Call:
		if t, ok := e.Args[0].(*formulas.Unary); e.Func == "softmax" && !(ok && t.Op == "'") {
			if sh, err := formulas.Infer(e.Args[0], v.shapes, v.sizes); err == nil && sh.Cols > 1 {
				return e
			}
		}
		for _, a := range e.Args {
			if c := v.columnSoftmax(a); c != nil {
				return c
			}
		}
	case *formulas.Integral:
		return v.columnSoftmax(e.Body)
	}
	return nil
}

// zeroTruth reports whether 0 is within the tolerance of every finite
// difference of cs, each tolerance small against the claimed value (so
// that 0 is told from the claim): the truth is 0 there, which a failed
// claim is not. A tolerance as large as the claim says nothing of the
// truth (a finite difference across a singularity of f whose bound was
// half the claim was taken for a zero truth).
func zeroTruth(cs []comparison) bool {
	for _, c := range cs {
		if math.Abs(c.fd) > c.tol || c.tol > uncertain*math.Abs(c.claimed) {
			return false
		}
	}
	return true
}

// proportional reports whether the finite differences of cs are a
// multiple of the claimed values to 10⁻⁶ of their size (a least-squares
// fit in units of the largest difference): the truth is then a tiny
// multiple of the claim (1e-30·xᵀx claimed as x), which the factor
// diagnosis names, not rounding noise around 0, which no multiple fits.
func proportional(cs []comparison) bool {
	var top float64
	for _, c := range cs {
		top = math.Max(top, math.Abs(c.fd))
	}
	if !(top > 0) {
		return false
	}
	var cc, cd, dd float64
	for _, c := range cs {
		d := c.fd / top
		cc += c.claimed * c.claimed
		cd += c.claimed * d
		dd += d * d
	}
	if !(cc > 0) {
		return false
	}
	residual := dd - cd*cd/cc // Σ (d − α·claimed)² at the best α
	return residual <= 1e-12*dd
}

// proportionalEach diagnoses "scalar" where the finite differences of
// each instance of cs, two or more, are a multiple of its claimed values
// as proportional finds them (to 10⁻⁶ of their size), the multiples
// differing: a truth that is tiny beside the claim, but no rounding noise
// around 0. The gradient of det(X) claimed as inv(X)' at n = 60, the
// truth det(X)·inv(X)' with det(X) near 10⁻³¹, was diagnosed "the true
// grad is 0" (found by the Cookbook helper). The ratios are fitted in the
// values' own units, as their tolerances, set by the claim, would fit
// any ratio near 0.
func proportionalEach(res *Result, cs []comparison) bool {
	byInstance := map[int][]comparison{}
	for _, c := range cs {
		if c.status == agreed || c.status == disagreed {
			byInstance[c.instance] = append(byInstance[c.instance], c)
		}
	}
	if len(byInstance) < 2 {
		return false
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, ics := range byInstance {
		if len(ics) < 2 || !proportional(ics) {
			return false
		}
		var cc, cd float64
		for _, c := range ics {
			cc += c.claimed * c.claimed
			cd += c.claimed * c.fd
		}
		k := cc / cd // claimed / true
		lo, hi = math.Min(lo, k), math.Max(hi, k)
	}
	if !(hi-lo > 1e-6*math.Max(math.Abs(lo), math.Abs(hi))) {
		return false // one multiple, which proportional would have found
	}
	res.Diagnosis, res.FactorRange, res.Detail = DiagScalar, []float64{lo, hi}, scalarDetail(lo, hi)
	return true
}

// notSymmetric diagnoses a hess claim that is not symmetric: one whose
// value with its two directions swapped differs beyond the tolerance.
func (v *verification) notSymmetric(res *Result, comps []comparison) bool {
	if v.c.Kind != formulas.Hess {
		return false
	}
	for _, c := range comps {
		if (c.status == agreed || c.status == disagreed) && math.Abs(c.claimed-c.transposed) > c.tol {
			res.Diagnosis, res.Detail = DiagNotSymmetric, v.notSymmetricDetail()
			return true
		}
	}
	return false
}

// notSymmetricDetail says that the claim of a hess claim is not symmetric.
func (v *verification) notSymmetricDetail() string {
	if !v.c.SecondDerivativeForm(v.shapes[v.c.Wrt]) {
		return "the claimed Hessian is not symmetric, as every Hessian is"
	}
	if v.c.Bilinear() && !v.c.ReadsDirection() {
		// 3*tr(X*dX2*dX2) + 3*tr(X*dX2*dX2) for tr(X³), a typo of the
		// bilinear form (found by the exploratory helper).
		return fmt.Sprintf("the claimed D²f[%s,%s] reads %[2]s but not %[1]s: a second derivative is linear in each direction, and symmetric in the two", v.c.Direction(), v.c.SecondDirection())
	}
	return fmt.Sprintf("the claimed D²f[%s,%s] is not symmetric in %[1]s and %[2]s, as every second derivative is", v.c.Direction(), v.c.SecondDirection())
}

// fitPrecision is the relative precision of the coefficient alpha fitted
// to the comparisons by least squares on the claim alone: in units of the
// tolerances (a = claimed/tol), where each finite difference is within 1
// of the truth, the fit's standard error is 1/√Σa². Tolerances bound the
// errors with a margin, so this overstates the spread as well. The largest
// tolerance relative to its claimed value, as it was, let one small entry
// round a factor 1.5 to 2 (1e7 + Σx², found by the exploratory helper);
// the worst case Σ|a|/Σa² rounded 0.75003 to 0.8.
func fitPrecision(comps []comparison, alpha float64) float64 {
	var saa float64
	for _, c := range comps {
		if c.tol > 0 {
			a := c.claimed / c.tol
			saa += a * a
		}
	}
	if saa == 0 || alpha == 0 {
		return 0
	}
	return 1 / (math.Sqrt(saa) * math.Abs(alpha))
}

// roundFactor removes finite-difference noise from a fitted factor k known
// to relative precision p: to the fewest significant digits that move it
// by no more than p allows, and more where fewer would round a factor that
// is not 1 (the claim failed) to 1: 0.5000000001 → 0.5, 1.0000020003 →
// 1.000002, 0.7512 known to 4% → 0.75 (one digit, 0.8, is beyond it).
func roundFactor(k, p float64) float64 {
	for digits := 1; digits < 16; digits++ {
		r, err := strconv.ParseFloat(strconv.FormatFloat(k, 'g', digits, 64), 64)
		if err == nil && r != 1 && r != 0 && math.Abs(r-k) <= p*math.Abs(k) {
			return r
		}
	}
	return k
}

// sizeRatio names the factor k, known to relative precision p, as a size
// of the check (m), its reciprocal (1/m) or a ratio of two (m/n), where
// exactly one of those is k and its sizes are at least minSizeRatio, or
// is "": 2/m written for 2/n fails as factor 0.8333333333, which says
// less than "m/n" does; a mean written as a sum, as factor 40 (found by
// the walkthrough helper).
func sizeRatio(k, p float64, sizes map[string]int) string {
	if simpleFraction(k) {
		return ""
	}
	names := make([]string, 0, len(sizes))
	for name, n := range sizes {
		if n >= minSizeRatio {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	var found []string
	match := func(value float64, text string) {
		if math.Abs(value-k) <= math.Max(p, 1e-12)*math.Abs(k) {
			found = append(found, text)
		}
	}
	for _, a := range names {
		na := float64(sizes[a])
		match(na, a)
		match(1/na, "1/"+a)
		for _, b := range names {
			if b != a {
				match(na/float64(sizes[b]), a+"/"+b)
			}
		}
	}
	if len(found) != 1 {
		return ""
	}
	return found[0]
}

// simpleFraction reports whether k is p/q with p and q at most 4: a
// constant of a power rule (2/3 of x³) is likelier than a ratio of sizes
// there (k/n = 32/48 at the default sizes; found by the review helper).
func simpleFraction(k float64) bool {
	for q := 1.0; q <= 4; q++ {
		for p := 1.0; p <= 4; p++ {
			if math.Abs(math.Abs(k)-p/q) <= 1e-12*math.Abs(k) {
				return true
			}
		}
	}
	return false
}

// minSizeRatio is the least size sizeRatio names a factor by: at 2 or
// 3, a factor 2 or 1/3 is more likely a constant than a size.
const minSizeRatio = 5

// symmetricDiagnosis re-checks the claim with each square input, then all of
// them, replaced by its symmetric part, and diagnoses "symmetric" when that
// makes the claim pass.
func (v *verification) symmetricDiagnosis(ctx context.Context, res *Result) bool {
	var square []string
	for _, vr := range v.c.Vars {
		if sh := v.shapes[vr.Name]; sh.IsSquare() && sh.Rows > 1 && !vr.SymSpace && vr.Dist != formulas.Sym && vr.Dist != formulas.SPD {
			square = append(square, vr.Name)
		}
	}
	tries := make([][]string, 0, len(square)+1)
	for _, name := range square {
		tries = append(tries, []string{name})
	}
	if len(square) > 1 {
		tries = append(tries, square)
	}
	// Where no re-check passes, a fit of one names two mistakes at once,
	// the classic one among them: ∇ xᵀAx claimed as Ax, the truth
	// (A + Aᵀ)x, which is 2Ax at symmetric A.
	var (
		twoMistakes Result // the fit at symmetric inputs, where one fits
		twoWho      string
	)
	for _, names := range tries {
		symmetrize := map[string]bool{}
		for _, n := range names {
			symmetrize[n] = true
		}
		verdict, comps := v.recheck(ctx, func(re *verification) { re.symmetrize = symmetrize })
		who := strings.Join(names, " and ")
		if verdict == Pass {
			res.Diagnosis = DiagSymmetric
			res.Detail = fmt.Sprintf("holds only when %s %s symmetric", who, map[bool]string{true: "is", false: "are"}[len(names) == 1])
			return true
		}
		var fit Result
		if twoWho == "" && v.fitDiagnosis(&fit, comps) && (fit.Diagnosis == DiagFactor || fit.Diagnosis == DiagSign) {
			twoMistakes, twoWho = fit, who
		}
	}
	switch twoMistakes.Diagnosis {
	case DiagFactor:
		res.Diagnosis, res.Factor = DiagSymmetric, twoMistakes.Factor
		res.Detail = fmt.Sprintf("at symmetric %s the claim is %g times the truth: a result for symmetric %[1]s, off by that factor", twoWho, twoMistakes.Factor)
	case DiagSign:
		res.Diagnosis = DiagSymmetric
		res.Detail = fmt.Sprintf("at symmetric %s the claim has the wrong sign (elsewhere it differs from the truth otherwise as well)", twoWho)
	default:
		return false
	}
	return true
}

// squareClaim reports whether the claim is a square matrix that has a
// transpose to mistake it for: a gradient with respect to a square matrix,
// or the Jacobian of an f with as many entries as its variable.
func (v *verification) squareClaim() bool {
	sh := v.shapes[v.c.Wrt]
	switch v.c.Kind {
	case formulas.Grad:
		return sh.IsSquare() && sh.Rows > 1
	case formulas.Jac:
		return v.fShape.Rows*v.fShape.Cols == sh.Rows*sh.Cols && sh.Rows*sh.Cols > 1
	}
	return false
}

// transposeRecheck re-checks a square claim (see squareClaim) as its
// transpose where too few comparisons were made to fit one (a shard of
// one instance and --dirs 1), and diagnoses transpose when that passes:
// the symmetric re-check that follows passes as well for the transposed
// gradient of tr(A·X), and such shards were diagnosed "symmetric", their
// merge too (found by the exploratory helper).
func (v *verification) transposeRecheck(ctx context.Context, res *Result, comps []comparison) bool {
	fitted := 0
	for _, c := range comps {
		if c.status == agreed || c.status == disagreed {
			fitted++
		}
	}
	if !v.squareClaim() || fitted >= 2 {
		return false
	}
	c := *v.c
	c.Rhs = &formulas.Unary{Op: "'", X: c.Rhs}
	if !v.passesWith(ctx, func(re *verification) { re.c = &c }) {
		return false
	}
	res.Diagnosis, res.Detail = DiagTranspose, "numerator vs denominator layout?"
	return true
}

// identityDiagnosis diagnoses a failed identity: as a multiple of the
// left side or its transpose (see multipleDiagnosis), or, where that names
// nothing, as a product written in the wrong order (see orderDiagnosis).
func (v *verification) identityDiagnosis(ctx context.Context, res *Result, comps []comparison) {
	if !v.multipleDiagnosis(ctx, res, comps) {
		v.orderDiagnosis(ctx, res, comps)
	}
}

// multipleDiagnosis diagnoses a failed identity whose right side is the
// left one's transpose, or a constant multiple of it, and reports whether
// one of its re-checks passed: where the ratio k of the sides' norms is
// the same at every comparison of comps (each side's Frobenius norm), as
// it is for both, it checks the identity again with the right side
// transposed (where f is square and k is 1), and divided by ±k, and names
// the first that passes. det(2X) = 2det(X), 2ⁿ⁻¹ times off, failed with
// no diagnosis (found by the Cookbook helper). A multiple that differs
// between instances is none, and costs no re-check: the self-test's wrong
// identities took a quarter of its time in them.
func (v *verification) multipleDiagnosis(ctx context.Context, res *Result, comps []comparison) bool {
	lo, hi := math.Inf(1), math.Inf(-1)
	instances := map[int]bool{}
	for _, c := range comps {
		if c.status == agreed || c.status == disagreed {
			k := c.claimed / c.fd
			lo, hi = math.Min(lo, k), math.Max(hi, k)
			instances[c.instance] = true
		}
	}
	k := (lo + hi) / 2 // ‖right‖/‖left‖
	if len(instances) < 2 || !finite(k) || k == 0 || hi-lo > math.Max(1e-6, 4*res.Tolerance)*k {
		// One instance has one ratio whatever the sides are: a scalar
		// identity at --instance 0 got a factor (the review helper).
		return false
	}
	if v.fShape.IsSquare() && !v.fShape.IsScalar() && math.Abs(k-1) <= math.Max(1e-6, 4*res.Tolerance) &&
		v.passesWithRhs(ctx, &formulas.Unary{Op: "'", X: v.c.Rhs}) {
		res.Diagnosis, res.Detail = DiagTranspose, "the right side is the left one's transpose"
		return true
	}
	for _, sign := range []float64{1, -1} {
		if !v.passesWithRhs(ctx, &formulas.Binary{Op: "/", L: v.c.Rhs, R: &formulas.Num{Value: sign * k}}) {
			continue
		}
		factor := roundFactor(sign*k, res.Tolerance)
		switch {
		case factor == -1:
			res.Diagnosis, res.Detail = DiagSign, "the right side is the left one negated"
		case factor != 1:
			res.Diagnosis, res.Factor = DiagFactor, factor
			res.Detail = fmt.Sprintf("the right side is %g times the left", factor)
		}
		return true
	}
	return false
}

// orderDiagnosis checks a failed identity again with the matrix factors of
// every product of its right side in reverse order (see reversedProducts),
// and diagnoses order when that passes at an instance where comps, the
// identity's comparisons, disagree: (AB)ᵀ = AᵀBᵀ and (AB)⁻¹ = A⁻¹B⁻¹,
// whose truths are BᵀAᵀ and B⁻¹A⁻¹, failed with no diagnosis, as the
// ratio of their sides' norms differs between instances. The instance
// makes sure the two right sides differ where the re-check looked: tr(BA)
// for tr(AB), the same value, passes where the identity failed only at
// other instances. It is one re-check, and none where no product can be
// reversed. The right side is printed in the claim's definitions' names.
func (v *verification) orderDiagnosis(ctx context.Context, res *Result, comps []comparison) {
	rhs := v.reversedProducts(v.c.Rhs)
	if rhs == v.c.Rhs {
		return
	}
	failed := map[int]bool{}
	for _, c := range comps {
		if c.status == disagreed {
			failed[c.instance] = true
		}
	}
	c := *v.c
	c.Rhs = rhs
	verdict, rechecked := v.recheck(ctx, func(re *verification) { re.c = &c })
	if verdict != Pass || !slices.ContainsFunc(rechecked, func(c comparison) bool { return failed[c.instance] }) {
		return
	}
	res.Diagnosis = DiagOrder
	res.Detail = "the right side with its products' factors in reverse order agrees: " + v.c.Fold(rhs).String()
}

// reversedProducts returns e with the factors of each of its matrix
// products in reverse order: in a chain of * (A*B*C, however
// parenthesized), each run of square factors of one size, at the sizes of
// the check, that no other matrix interrupts is reversed, 1×1 factors
// staying where they are (they commute), and the parenthesization is kept.
// A chain of square matrices is reversed whole; in x'*A'*B' the run A'*B'
// is, as the whole would not type-check. The factors' own products are
// reversed as well, a mistake such as (AB)ᵀ = AᵀBᵀ being made at every
// level; an integral, whose body reads a variable of its own, is kept. It
// returns e itself where nothing changes.
func (v *verification) reversedProducts(e formulas.Expr) formulas.Expr {
	switch e := e.(type) {
	case *formulas.Unary:
		if x := v.reversedProducts(e.X); x != e.X {
			return &formulas.Unary{At: e.At, Op: e.Op, X: x}
		}
	case *formulas.Call:
		var args []formulas.Expr // a copy, made at the first argument that changes
		for i, a := range e.Args {
			if r := v.reversedProducts(a); r != a {
				if args == nil {
					args = slices.Clone(e.Args)
				}
				args[i] = r
			}
		}
		if args != nil {
			return &formulas.Call{At: e.At, Func: e.Func, Args: args}
		}
	case *formulas.Binary:
		if e.Op == "*" {
			return v.reversedChain(e)
		}
		if l, r := v.reversedProducts(e.L), v.reversedProducts(e.R); l != e.L || r != e.R {
			return &formulas.Binary{At: e.At, Op: e.Op, L: l, R: r}
		}
	}
	return e
}

// reversedChain returns the chain of products e with its runs of square
// factors reversed (see reversedProducts); e itself where nothing changes.
// Every part of the chain keeps its shape, as each factor's place is taken
// by one of the same shape. A factor's minus stays where it is, as a
// scalar does: -A'*B' reverses to -B'*A', not B'*-A'.
func (v *verification) reversedChain(e *formulas.Binary) formulas.Expr {
	var (
		factors  []formulas.Expr // left to right, without their minus
		negated  []bool          // whether each had one
		matrices []int           // the places of those not 1×1
		shapes   []formulas.Shape
	)
	var flatten func(formulas.Expr)
	flatten = func(f formulas.Expr) {
		if b, ok := f.(*formulas.Binary); ok && b.Op == "*" {
			flatten(b.L)
			flatten(b.R)
			return
		}
		u, neg := f.(*formulas.Unary)
		if neg = neg && u.Op == "-"; neg {
			f = u.X
		}
		f = v.reversedProducts(f)
		sh, err := formulas.Infer(f, v.shapes, v.sizes)
		if err != nil || !sh.IsScalar() {
			matrices = append(matrices, len(factors))
		}
		factors, negated, shapes = append(factors, f), append(negated, neg), append(shapes, sh)
	}
	flatten(e)
	order := make([]int, len(factors)) // the factor each place takes
	for i := range order {
		order[i] = i
	}
	square := func(place int) bool { return shapes[place].IsSquare() && shapes[place].Rows > 1 }
	for lo := 0; lo < len(matrices); {
		hi := lo + 1 // the run is matrices[lo:hi]
		for square(matrices[lo]) && hi < len(matrices) && shapes[matrices[hi]] == shapes[matrices[lo]] {
			hi++
		}
		for i := lo; i < hi; i++ {
			order[matrices[i]] = matrices[lo+hi-1-i]
		}
		lo = hi
	}
	reversed := refill(e, factors, negated, order)
	if reversed.String() == e.String() {
		return e
	}
	return reversed
}

// refill returns the chain of products e, its parenthesization kept, with
// the factor at each place i, left to right, replaced by factors[order[i]],
// negated where negated[i] is set.
func refill(e formulas.Expr, factors []formulas.Expr, negated []bool, order []int) formulas.Expr {
	place := 0
	var fill func(formulas.Expr) formulas.Expr
	fill = func(f formulas.Expr) formulas.Expr {
		if b, ok := f.(*formulas.Binary); ok && b.Op == "*" {
			l := fill(b.L)
			return &formulas.Binary{At: b.At, Op: "*", L: l, R: fill(b.R)}
		}
		next := factors[order[place]]
		if negated[place] {
			next = &formulas.Unary{At: f.Pos(), Op: "-", X: next}
		}
		place++
		return next
	}
	return fill(e)
}

// passesWithRhs reports whether the identity passes on a few instances
// with rhs as its right side.
func (v *verification) passesWithRhs(ctx context.Context, rhs formulas.Expr) bool {
	c := *v.c
	c.Rhs = rhs
	return v.passesWith(ctx, func(re *verification) { re.c = &c })
}

// transposedResult makes the result of a claim with the transposed shape
// (see Result.ShapeMismatch) from inner, the result of its transpose: a
// fail diagnosed transpose whatever the values, which says how its
// transpose fared, so that the layout mistake reads as it does for a
// square variable. An error stays one. Its numbers and counts are
// inner's, which it keeps as Transposed.
func transposedResult(inner Result, mismatch string) Result {
	r := inner
	r.Transposed, r.ShapeMismatch = &inner, mismatch
	if inner.Verdict == Error {
		r.Reason = mismatch + "; its transpose could not be checked: " + inner.Reason
		return r
	}
	r.Verdict, r.Diagnosis, r.Factor, r.FactorRange = Fail, DiagTranspose, 0, nil
	switch inner.Verdict {
	case Pass:
		r.Detail = "the claim's transpose agrees: " + mismatch
		r.Reason = mismatch + "; its transpose agrees with the finite differences"
	case Fail:
		outcome := "its transpose fails too"
		switch inner.Diagnosis {
		case DiagFactor:
			r.Factor = inner.Factor
			outcome = fmt.Sprintf("the claim is %g times the transposed truth", inner.Factor)
		case DiagSign:
			outcome = "the claim is the negated transposed truth"
		case "":
		default:
			outcome = fmt.Sprintf("its transpose fails too (%s: %s)", inner.Diagnosis, inner.Detail)
		}
		r.Detail = outcome + ": " + mismatch
		r.Reason = mismatch + "; its transpose fails too: " + inner.Reason
	default:
		r.Detail = "whether its transpose agrees is undecided: " + mismatch
		r.Reason = mismatch + "; whether its transpose agrees is undecided: " + inner.Reason
	}
	return r
}

// cookbookDiagnosis re-checks a gradient with respect to a square matrix
// as (C + diag(C))/2 of the claim C, the gradient G of which C = 2G −
// diag(G) is the Matrix Cookbook's form for symmetric matrices, and
// diagnoses cookbook-sym when that passes.
func (v *verification) cookbookDiagnosis(ctx context.Context, res *Result) bool {
	if sh := v.shapes[v.c.Wrt]; v.c.Kind != formulas.Grad || !sh.IsSquare() || sh.Rows < 2 {
		return false
	}
	c := *v.c
	diag := func(e formulas.Expr) formulas.Expr { return &formulas.Call{Func: "diag", Args: []formulas.Expr{e}} }
	sum := &formulas.Binary{Op: "+", L: c.Rhs, R: diag(diag(c.Rhs))}
	c.Rhs = &formulas.Binary{Op: "/", L: sum, R: &formulas.Num{Value: 2}}
	if !v.passesWith(ctx, func(re *verification) { re.c = &c }) {
		return false
	}
	res.Diagnosis = DiagCookbookSym
	res.Detail = "the claim is 2G − diag(G) of the gradient G: the Matrix Cookbook's convention for symmetric " + v.c.Wrt +
		" (the derivative by its independent entries); to check a result C so written, claim (C + diag(diag(C)))/2"
	return true
}

// passesWith reports whether the claim passes on a few instances once
// modify has changed the verification (symmetrized inputs, another claim).
func (v *verification) passesWith(ctx context.Context, modify func(re *verification)) bool {
	return v.verdictWith(ctx, modify) == Pass
}

// verdictWith is the verdict of the claim on a few instances once modify
// has changed the verification; Error where it could not run.
func (v *verification) verdictWith(ctx context.Context, modify func(re *verification)) Verdict {
	verdict, _ := v.recheck(ctx, modify)
	return verdict
}

// recheck verifies the claim on a few instances once modify has changed
// the verification, and returns its verdict (Error where it could not
// run) and its comparisons, the first maxKept of them.
func (v *verification) recheck(ctx context.Context, modify func(re *verification)) (Verdict, []comparison) {
	s := v.s
	s.Batch = min(s.Batch, recheckBatch)
	re := *v
	re.s = s
	modify(&re)
	var (
		t     tally
		comps []comparison
	)
	err := re.run(ctx, sink{tally: &t, each: func(cs []comparison) {
		comps = append(comps, cs[:min(len(cs), maxKept-len(comps))]...)
	}})
	if err != nil {
		return Error, nil
	}
	var r Result
	re.judge(&r, &t)
	return r.Verdict, comps
}

// onDiagonal reports whether the entrywise comparison c is of an entry
// on the claim's diagonal: of the gradient (its direction is an entry of
// the variable, row-major) or of the Jacobian (output, direction).
func (v *verification) onDiagonal(c comparison) bool {
	if v.c.Kind == formulas.Jac {
		return c.output == v.vecIndex(c.direction)
	}
	cols := v.shapes[v.c.Wrt].Cols
	return c.direction/cols == c.direction%cols
}

// onlyDiagonal reports whether every disagreeing entry is on the diagonal.
func onlyDiagonal(comps []comparison, onDiagonal func(comparison) bool) bool {
	seen := false
	for _, c := range comps {
		if c.status == disagreed {
			if !onDiagonal(c) {
				return false
			}
			seen = true
		}
	}
	return seen
}

func joinDetail(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "; " + b
}

// localize finds, in O(log n) batched evaluations, which rows and columns of
// a large variable the claim gets wrong: it probes the worst instance along
// directions supported on halves of the rows (columns) still suspect, keeps
// the halves that disagree, and bisects them down to single rows (columns),
// giving up when more than maxLocated are wrong. For a square variable it
// also probes the diagonal against the rest.
func (v *verification) localize(ctx context.Context, res *Result) {
	sh := v.shapes[v.c.Wrt]
	rowMask := func(lo, hi int) []bool {
		m := make([]bool, sh.Rows*sh.Cols)
		for i := lo * sh.Cols; i < hi*sh.Cols; i++ {
			m[i] = true
		}
		return m
	}
	colMask := func(lo, hi int) []bool {
		m := make([]bool, sh.Rows*sh.Cols)
		for i := range sh.Rows {
			for j := lo; j < hi; j++ {
				m[i*sh.Cols+j] = true
			}
		}
		return m
	}
	probe := func(masks [][]bool) ([]bool, error) { return v.probe(ctx, res.Worst.Instance, masks) }
	var notes []string
	if rows, ok := bisect(probe, sh.Rows, rowMask); ok {
		res.Rows = rows
		notes = append(notes, "rows "+joinInts(rows))
	}
	if sh.Cols > 1 {
		if cols, ok := bisect(probe, sh.Cols, colMask); ok {
			res.Cols = cols
			notes = append(notes, "columns "+joinInts(cols))
		}
	}
	if len(notes) > 0 {
		res.Detail = joinDetail(res.Detail, "only "+strings.Join(notes, " and ")+" disagree")
	}
	if sh.IsSquare() {
		diag, off := make([]bool, sh.Rows*sh.Cols), make([]bool, sh.Rows*sh.Cols)
		for i := range diag {
			diag[i] = i/sh.Cols == i%sh.Cols
			off[i] = !diag[i]
		}
		if bad, err := probe([][]bool{diag, off}); err == nil && bad[0] && !bad[1] {
			res.Detail = joinDetail(res.Detail, "only the diagonal entries disagree")
		}
	}
}

// bisect returns the indices in [0, n) whose masks disagree according to
// probe, found by bisection, and false when more than maxLocated do (or a
// probe fails). Each round probes all suspect halves in one batch.
func bisect(probe func(masks [][]bool) ([]bool, error), n int, mask func(lo, hi int) []bool) ([]int, bool) {
	type span struct{ lo, hi int }
	suspects := []span{{0, n}}
	var found []int
	for len(suspects) > 0 {
		var halves []span
		for _, s := range suspects {
			mid := (s.lo + s.hi) / 2
			halves = append(halves, span{s.lo, mid}, span{mid, s.hi})
		}
		masks := make([][]bool, len(halves))
		for i, h := range halves {
			masks[i] = mask(h.lo, h.hi)
		}
		bad, err := probe(masks)
		if err != nil {
			return nil, false
		}
		suspects = suspects[:0]
		for i, h := range halves {
			switch {
			case !bad[i]:
			case h.hi-h.lo == 1:
				found = append(found, h.lo)
			default:
				suspects = append(suspects, h)
			}
		}
		if len(found)+len(suspects) > maxLocated {
			return nil, false
		}
	}
	return found, len(found) > 0
}

// probe reports, for each mask, whether the claim disagrees with the finite
// differences at the instance along a direction supported on the mask.
func (v *verification) probe(ctx context.Context, instance int, masks [][]bool) ([]bool, error) {
	re := *v
	re.masks = masks
	re.s.Instance = instance
	// The masks are directions: an entrywise check probes along them too.
	re.s.Mode = Directional
	bad := make([]bool, len(masks))
	err := re.run(ctx, sink{each: func(cs []comparison) {
		for _, c := range cs {
			if c.status == disagreed {
				bad[c.direction] = true
			}
		}
	}})
	return bad, err
}

func joinInts(xs []int) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = fmt.Sprint(x)
	}
	return strings.Join(s, ", ")
}
