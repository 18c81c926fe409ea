package gradcheck

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/gradcheck/gradcheck/backend"
	"github.com/gradcheck/gradcheck/formulas"
	"github.com/gradcheck/gradcheck/internal/sysmem"
)

// Mode selects how finite differences probe a derivative claim.
type Mode string

// The modes of --mode.
const (
	// Directional compares directional derivatives along random directions.
	Directional Mode = "directional"
	// Entrywise computes the full finite-difference gradient or Jacobian,
	// one entry of the variable at a time (for small n), and names the
	// entries that disagree most.
	Entrywise Mode = "entrywise"
)

// Settings are the knobs of a verification (DESIGN.md, "Command line").
type Settings struct {
	// Sizes override the values of size symbols.
	Sizes map[string]int
	// Batch is the number of random instances per claim.
	Batch int
	// Dirs is the number of random directions per instance.
	Dirs int
	// Mode is Directional (or empty) or Entrywise.
	Mode Mode
	// Seed selects the random inputs and directions: the same seed, claim
	// name and sizes draw the same ones on every backend and machine.
	Seed uint64
	// RTol and ATol widen every tolerance by RTol·|claimed| + ATol.
	RTol, ATol float64
	// Instance, when ≥ 0, verifies that instance alone: its inputs are the
	// same as in a full run with the same seed. It is -1 in
	// DefaultSettings; the 0 of a zero Settings means instance 0 alone.
	Instance int
	// InstanceFrom and InstanceTo, when InstanceTo > InstanceFrom, verify
	// the instances [InstanceFrom, InstanceTo) alone, for sharding a batch
	// across machines; Merge combines the parts. Both 0 (the zero value)
	// means no range; a range is for an Instance below 0 only, and it
	// may not be empty (see Validate).
	InstanceFrom, InstanceTo int
	// MemBytes bounds the memory one chunk of instances may take; a chunk
	// holds one instance at least, so a tiny budget verifies one
	// instance at a time.
	MemBytes int64
}

// DefaultSettings returns the settings of a plain `gradcheck run`. Start
// from them rather than from a zero Settings, whose Instance 0 verifies
// instance 0 alone and whose MemBytes 0 allows no memory.
func DefaultSettings() Settings {
	return Settings{Batch: 8, Dirs: 3, Mode: Directional, Seed: 1, Instance: -1, MemBytes: 2 << 30}
}

// MaxDraws is the most random directions a claim may draw, Batch × Dirs:
// the random generator numbers them in 32 bits (the instance, or instance
// × Dirs + direction), so more would repeat.
const MaxDraws = 1 << 32

// Validate reports the first setting of s that no verification can run
// with, as an error that names the field and its value: Batch or Dirs
// below 1 or Batch × Dirs above MaxDraws, an unknown Mode (the empty one
// is Directional), RTol or ATol negative or not finite, an Instance or an
// instance range outside [0, Batch), an empty range other than [0, 0)
// (it verified the whole batch), an Instance ≥ 0 with a range (the
// Instance won), or MemBytes below 1. Verify and
// VerifyResolved give a claim with such settings an Error verdict with
// this message.
func (s Settings) Validate() error {
	switch {
	case s.Batch < 1:
		return fmt.Errorf("settings: Batch %d is below 1", s.Batch)
	case s.Dirs < 1:
		return fmt.Errorf("settings: Dirs %d is below 1", s.Dirs)
	case s.Dirs > MaxDraws/s.Batch:
		return fmt.Errorf("settings: Batch %d × Dirs %d is over %d random directions per claim, the most the random generator draws distinct", s.Batch, s.Dirs, MaxDraws)
	case s.Mode != "" && s.Mode != Directional && s.Mode != Entrywise:
		return fmt.Errorf("settings: Mode %q is neither %q nor %q", s.Mode, Directional, Entrywise)
	case !(s.RTol >= 0) || math.IsInf(s.RTol, 1):
		return fmt.Errorf("settings: RTol %v is not a finite number ≥ 0", s.RTol)
	case !(s.ATol >= 0) || math.IsInf(s.ATol, 1):
		return fmt.Errorf("settings: ATol %v is not a finite number ≥ 0", s.ATol)
	case s.Instance >= s.Batch:
		return fmt.Errorf("settings: Instance %d is out of range: Batch %d has instances 0 to %d", s.Instance, s.Batch, s.Batch-1)
	case s.Instance >= 0 && (s.InstanceFrom != 0 || s.InstanceTo != 0):
		return fmt.Errorf("settings: Instance %d and instances [%d, %d) are both set: set Instance to -1 for a range, or the range to [0, 0)", s.Instance, s.InstanceFrom, s.InstanceTo)
	case s.InstanceTo == s.InstanceFrom && s.InstanceFrom != 0:
		return fmt.Errorf("settings: instances [%d, %d) are none: a range holds one instance at least ([0, 0) for the whole batch)", s.InstanceFrom, s.InstanceTo)
	case s.Instance < 0 && s.InstanceTo > s.InstanceFrom && (s.InstanceFrom < 0 || s.InstanceTo > s.Batch):
		return fmt.Errorf("settings: instances [%d, %d) are out of range: Batch %d has instances 0 to %d", s.InstanceFrom, s.InstanceTo, s.Batch, s.Batch-1)
	case s.Instance < 0 && s.InstanceTo < s.InstanceFrom:
		return fmt.Errorf("settings: InstanceTo %d is below InstanceFrom %d", s.InstanceTo, s.InstanceFrom)
	case s.MemBytes < 1:
		return fmt.Errorf("settings: MemBytes %d is below 1", s.MemBytes)
	}
	return nil
}

const (
	// step is the finite-difference step h, relative to ‖H‖_F = c·max(1, ‖X‖_F)
	// (c from 0.71 to 1.41, see directionScale).
	step = 1e-3
	// secondStep is the step h of a second derivative's mixed differences,
	// larger than step: their rounding error grows as 1/h², and their
	// extrapolation from h, h/2 and h/4 leaves a truncation error of
	// order h⁶, bounded by one of order h⁴ (see addComparisons).
	secondStep = 1e-2
	// unitRoundoff is u for float64.
	unitRoundoff = 0x1p-52
	// safety multiplies the error estimate to give the tolerance.
	safety = 10
	// uncertain is the relative tolerance beyond which a comparison cannot
	// tell a wrong claim from a right one (a factor-2 mistake has relative
	// error 0.5), so a pass there is inconclusive instead.
	uncertain = 0.1
	// maxEntrywise bounds the entries of a variable in entrywise mode.
	maxEntrywise = 4096
	// liveCopies estimates how many batch-sized intermediates an evaluation
	// holds at once, for the memory budget.
	liveCopies = 8
	// shrinkBits is how far an instance's directions shrink, as a power
	// of 2, each time its finite differences ask for a smaller step (see
	// refines): 2⁻⁴, so the step h·H of a refined stencil is 1/16 of the
	// one before.
	shrinkBits = 4
	// maxRefinements is how many times an instance's step may shrink: to
	// 2⁻¹² of h, which a pole of f at a distance of 10⁻⁵·‖H‖ (a sample
	// with σ_min(X) ≈ 10⁻⁵ under tr(X⁻¹)) still lets converge.
	maxRefinements = 3
)

// status is the outcome of one comparison.
type status uint8

const (
	agreed      status = iota
	disagreed          // beyond tolerance
	undecided          // finite-difference estimate too uncertain
	outOfDomain        // f not finite at the sample
	claimBroken        // the claim is not finite where f is
	// kinked: the stencil straddles a kink of abs, relu, step, sign or
	// norm2 of one number, where a finite difference says nothing about
	// the derivative; the comparison is left out.
	kinked
	// statuses is the number of statuses.
	statuses
)

// comparison is one finite-difference value set against the claim.
type comparison struct {
	instance, direction, output int
	measure
	// transposed is what the transposed claim gives here, NaN if none.
	transposed float64
	status     status
}

// before reports whether c comes before d in the order of the
// comparisons: by instance, direction and output.
func (c *comparison) before(d *comparison) bool {
	if c.instance != d.instance {
		return c.instance < d.instance
	}
	if c.direction != d.direction {
		return c.direction < d.direction
	}
	return c.output < d.output
}

// measure holds the numbers of a comparison by which it is judged: the
// finite difference, the claimed value, their distance, the tolerance and
// the scale, the larger of the two values.
type measure struct {
	fd, claimed, err, tol, scale float64
}

// ratio orders comparisons by how far beyond their tolerance they are. A
// tolerance of 0 puts any error infinitely far, and none (0 against 0) at
// 0: an exact agreement is no worst case, and a re-run of it would pass.
func (m measure) ratio() float64 {
	if m.tol == 0 {
		if m.err == 0 {
			return 0
		}
		return math.Inf(1)
	}
	return m.err / m.tol
}

// classify decides a comparison of finite values, given the typical scale
// of the comparisons made with it. A finite difference and a claim that are
// both exactly 0 agree: f is constant along the direction (as a ReLU layer
// is where none of its units is active) and the claim says so exactly,
// however small the scale of the instance.
func (m measure) classify(typical float64) status {
	st, wait := m.settle()
	if wait && m.tol > uncertain*math.Max(m.scale, typical) {
		return undecided
	}
	return st
}

// settle classifies a comparison of finite values as far as it can
// without the typical scale of the comparisons made with it: agreed where
// wait is set means agreed unless its tolerance is too loose to say at the
// larger of its scale and the typical one.
func (m measure) settle() (st status, wait bool) {
	switch {
	case !finite(m.fd) || !finite(m.tol):
		return undecided, false
	case m.err > m.tol:
		return disagreed, false
	case m.fd == 0 && m.claimed == 0:
		return agreed, false
	}
	return agreed, m.tol > uncertain*m.scale
}

// Verify checks claim c on backend b at the sizes of s: it resolves and
// shape-checks c there (a claim that does not resolve gives an Error
// verdict with the reason) and verifies it with VerifyResolved.
func Verify(ctx context.Context, b backend.Backend, c *formulas.Claim, s Settings) Result {
	if c.Invalid != nil {
		return Result{Name: c.Name, Kind: c.Kind, Verdict: Error, Reason: c.Invalid.Error()}
	}
	rc, err := c.Resolve(s.Sizes)
	if err != nil {
		return Result{Name: c.Name, Kind: c.Kind, Verdict: Error, Reason: err.Error()}
	}
	return VerifyResolved(ctx, b, rc, s)
}

// VerifyResolved checks the resolved claim rc on backend b; s.Sizes is not
// consulted, rc holds the sizes. It never panics on a claim resolved by
// formulas.Claim.Resolve or run.Resolve (a Resolved made by hand, without
// the Shapes that Resolve infers, is not one); an invalid claim (its
// Invalid set: a spec file's error, or one that does not resolve at the
// sizes of run.Resolve), settings that fail Validate, an instance that
// needs more memory than the machine has available and an evaluation
// failure give an Error verdict with the reason. It stops early, with an
// Error verdict, when ctx is cancelled.
func VerifyResolved(ctx context.Context, b backend.Backend, rc *formulas.Resolved, s Settings) Result {
	c := rc.Claim
	res := Result{Name: c.Name, Kind: c.Kind}
	if c.Invalid != nil {
		res.Verdict, res.Reason = Error, c.Invalid.Error()
		return res
	}
	if rc.ShapeMismatch != "" {
		// Verify the claim's transpose, which has the shape needed.
		transposed, trc := *c, *rc
		transposed.Rhs = &formulas.Unary{Op: "'", X: c.Rhs}
		trc.Claim, trc.ShapeMismatch = &transposed, ""
		res = transposedResult(VerifyResolved(ctx, b, &trc, s), rc.ShapeMismatch)
		if res.Verdict == Fail && res.Expected == "" {
			res.Expected = expected(c, rc.Sizes)
		}
		return res
	}
	v, err := newVerification(b, rc, s)
	if err == nil {
		err = v.fits()
	}
	if err != nil {
		res.Verdict, res.Reason = Error, err.Error()
		return res
	}
	res.Sizes = v.c.ReadSizes(v.sizes)
	// Keep the comparisons for a diagnosis when they are few; an entrywise
	// check of a matrix-valued f makes n⁴ per instance, judged as they
	// come and made again only if the claim fails.
	var t tally
	var comps []comparison
	keep := v.comparisonsPerInstance()*int64(v.instances()) <= maxKept
	judged := sink{tally: &t}
	if keep {
		// Room for them all at once: grown by appending, they would
		// leave three times their size to the collector.
		comps = make([]comparison, 0, v.comparisonsPerInstance()*int64(v.instances()))
		judged.each = func(cs []comparison) { comps = append(comps, cs...) }
	}
	err = v.run(ctx, judged)
	if err != nil {
		res.Verdict, res.Reason = Error, err.Error()
		return res
	}
	v.judge(&res, &t)
	res.Evaluations = v.evaluations
	if res.Verdict == Pass && res.Reason == "" {
		res.Reason = v.weakPass(ctx, &t)
	}
	if res.Verdict == Pass && res.Reason == "" {
		res.Reason = looseNote(res.LeastTolerance)
	}
	v.locate(ctx, &res)
	if res.Verdict == Fail {
		complete := true
		if !keep {
			// Too many to keep (an entrywise check of a matrix-valued
			// f makes n⁴ per instance, 80 bytes each): the diagnosis
			// looks at the first maxKept of the worst instance's,
			// made again.
			re := *v
			re.s.Instance = res.Worst.Instance
			comps, complete, err = re.collect(ctx, maxKept)
		}
		if err == nil {
			v.diagnose(ctx, &res, comps, complete)
		}
		res.Expected = expected(c, v.sizes)
	}
	return res
}

// expected returns the grad, diff or hess (as D²f[dX, dX2]) that c should
// have claimed, derived symbolically from f, or "" for identities and
// where f has no such derivation. It is derived at the sizes of the run:
// an f whose shapes fit only there (tr(A*X) with A and X both n×m, at
// n = m) has none at the distinct default sizes.
//
// For a variable in space sym it is simplified knowing that the variable
// is symmetric (formulas.Claim.InSymSpace): inv(S), not inv(S)', is what
// a claim about symmetric S should state. It reads the claim's
// definitions by name where it writes one out (see Claim.Fold).
func expected(c *formulas.Claim, sizes map[string]int) string {
	var e formulas.Expr
	switch c.Kind {
	case formulas.Hess:
		second, err := c.SecondDerivativeAt(sizes)
		if err != nil {
			return ""
		}
		e = second
	case formulas.Grad, formulas.Diff:
		d, err := c.DeriveAt(sizes)
		switch {
		case err != nil:
			return ""
		case c.Kind == formulas.Diff:
			e = d.Diff
		case d.Claimed != nil:
			e = d.Claimed
		default:
			return ""
		}
	default:
		return ""
	}
	if sym, err := c.InSymSpace(e, sizes); err == nil {
		e = sym
	}
	return c.Fold(e).String()
}

// maxKept is the number of comparisons (80 bytes each) up to which Verify
// keeps them all while judging, for the diagnosis of a failure.
const maxKept = 1 << 18

// comparisonsPerInstance is the number of comparisons an instance makes:
// one per direction and output (each entry of f in entrywise mode, one
// ⟨W, f⟩ otherwise), one for an identity.
func (v *verification) comparisonsPerInstance() int64 {
	if v.c.Kind == formulas.Equals {
		return 1
	}
	outputs := 1
	if v.entrywise() {
		outputs = v.fShape.Rows * v.fShape.Cols
	}
	return int64(v.directionsPerInstance()) * int64(outputs)
}

// InstanceBytes is the least memory that verifying one instance of claim rc
// takes with settings s: the perturbed copies of its largest variable or
// result, one per direction and step, that an evaluation of f holds at
// once. A claim whose one instance needs more than the memory at hand
// cannot run, however the batch is split into chunks (VerifyResolved
// refuses one that needs more than the machine has available); chunks
// are sized for several times as much, the intermediates of an
// evaluation, within s.MemBytes, and hold one instance at least.
func InstanceBytes(rc *formulas.Resolved, s Settings) (int64, error) {
	v, err := newVerification(nil, rc, s)
	if err != nil {
		return 0, err
	}
	return v.instanceBytes(), nil
}

// fitsWithoutAsking is the memory one instance may take without a look at
// what the machine has (a system call and a parse per claim, for the
// hundred thousand small claims of a self-test).
const fitsWithoutAsking = 256 << 20

// fits refuses a claim whose one instance needs more memory than the
// machine has available (MemBytes only sizes the chunks: a chunk holds
// one instance at least), before any of it is allocated: the Go runtime
// would panic, or stop the process, out of memory.
func (v *verification) fits() error {
	need := v.instanceBytes()
	if need <= fitsWithoutAsking {
		return nil
	}
	avail, known := sysmem.Available()
	if !known || need <= avail {
		return nil
	}
	const gib = 1 << 30
	return fmt.Errorf("one instance needs at least %.4g GiB, but the machine has %.4g GiB available: lower the sizes (or Dirs)",
		float64(need)/gib, float64(avail)/gib)
}

// MaxInstanceBytes is where InstanceBytes saturates instead of
// overflowing: an estimate there is a bound, not a count.
const MaxInstanceBytes = math.MaxInt64 / (2 * liveCopies)

// instanceBytes is InstanceBytes of v, saturating instead of overflowing.
func (v *verification) instanceBytes() int64 {
	n := float64(v.directionsPerInstance()*len(v.steps())) * float64(v.maxElems) * 8
	return int64(min(n, MaxInstanceBytes))
}

// instances is the number of instances verified.
func (v *verification) instances() int {
	r := v.instanceRange()
	return r[1] - r[0]
}

// verification holds what is fixed for one claim at one set of sizes.
type verification struct {
	b      backend.Backend
	c      *formulas.Claim
	s      Settings
	sizes  map[string]int
	shapes map[string]formulas.Shape
	key    uint64
	// dim is the longest dimension of any variable or result: the length
	// of the sums whose rounding the tolerance allows for.
	dim int
	// inverted are the matrices f or the claim inverts (see
	// invertedOperands), whose conditioning may explain a disagreement.
	inverted []formulas.Expr
	// maxElems is the largest number of entries of a variable, a result
	// or an intermediate value of f or the claim (kron(X, X) inside a
	// sum), for the memory an evaluation takes.
	maxElems int
	wrt      formulas.Var
	fShape   formulas.Shape
	// symmetrize names variables replaced by their symmetric part, for the
	// diagnosis of results that hold only for symmetric inputs.
	symmetrize map[string]bool
	// redraw names variables drawn from another distribution than
	// declared, for the re-check of a pass at non-symmetric samples (see
	// propertyOnly).
	redraw map[string]formulas.Dist
	// masks, when set, replace the random directions by directions
	// supported on the entries each mask selects (row-major), one direction
	// per mask, for locating the entries that disagree.
	masks [][]bool
	// accs collects the comparisons of an entrywise chunk's instances,
	// kept from chunk to chunk so that each instance reuses the storage
	// of the one before (a million comparisons per instance at n = 32 for
	// a matrix-valued f).
	accs []instanceComparisons
	// hostFree carries the host buffers of one chunk's evaluator to the
	// next (see newChunk and closeChunk): an entrywise check runs an
	// instance per chunk, and buffers taken fresh for each would leave
	// the collector hundreds of kilobytes per instance (a quarter of the
	// time of det at n = 32 with two cores goes to collecting).
	hostFree [][]float64
	// stencilKinks is the first integral whose kinks ran out of panels
	// at the points of a stencil in a chunk so far (see
	// evaluator.stencilKinks).
	stencilKinks *formulas.Integral
	// evaluations counts the evaluations of f so far (Result.Evaluations).
	evaluations int
	// coarsen, when set, lengthens the directions by 2^(shrinkBits·coarsen)
	// and keeps the step from being refined, for the probe of an
	// instance whose differences are all exactly 0 (see
	// changesBelowRounding).
	coarsen int
	// stretch, when set, scales the directions by that factor, for the
	// check of a stencil that may alias (see aliases).
	stretch float64
}

func newVerification(b backend.Backend, rc *formulas.Resolved, s Settings) (*verification, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	c, sizes, shapes, fShape := rc.Claim, rc.Sizes, rc.Shapes, rc.F
	v := &verification{b: b, c: c, s: s, sizes: sizes, shapes: shapes,
		key: claimKey(s.Seed, c.Name), fShape: fShape, inverted: invertedOperands(c.F, c.Rhs)}
	note := func(sh formulas.Shape, read bool) {
		if read {
			v.dim = max(v.dim, sh.Rows, sh.Cols)
		}
		v.maxElems = max(v.maxElems, sh.Rows*sh.Cols)
	}
	note(fShape, true)
	v.maxElems = int(max(int64(v.maxElems), min(rc.Largest, math.MaxInt32*math.MaxInt32)))
	for _, n := range c.ArraySizes(sizes) {
		// A size f reaches only through ones(n, m) or eye(m) is a
		// length of its sums too (the second review helper: the true
		// gradient of sum(exp(X*ones(n,m)/m)*ones(m,n)) at m = 10⁴
		// failed once an unread variable no longer brought m in). One
		// used only as a number (/m) is none: counted, it let a claim
		// 1.0001 times the truth pass at m = 10⁶ (the third review
		// helper).
		v.dim = max(v.dim, n)
	}
	// The terms of a sum that change along the directions: with the
	// variable (or its direction) in a derivative claim, with any
	// variable in an identity.
	changing := []string{c.Wrt, c.Direction(), c.SecondDirection()}
	if c.Kind == formulas.Equals {
		changing = nil
		for _, x := range c.Vars {
			changing = append(changing, x.Name)
		}
	}
	v.dim = max(v.dim, c.LongestSum(changing...))
	// A variable nothing reads sets no tolerance: the report leaves its
	// sizes out (Claim.ReadSizes), and its re-run command, without them,
	// passed a claim the run failed (found by the review helper). It is
	// drawn all the same, and counts for the memory.
	unread := c.Unread()
	for _, vr := range c.Vars {
		note(shapes[vr.Name], !slices.Contains(unread, vr.Name))
		if vr.Name == c.Wrt {
			v.wrt = vr
		}
	}
	if v.entrywise() {
		if n := shapes[c.Wrt].Rows * shapes[c.Wrt].Cols; n > maxEntrywise {
			return nil, fmt.Errorf("entrywise mode needs at most %d entries in %s, got %v; use --mode directional or a smaller --size",
				maxEntrywise, c.Wrt, shapes[c.Wrt])
		}
	}
	return v, nil
}

// entrywise reports whether this claim is checked one entry at a time:
// entrywise mode applies to grad, jac and diff claims.
func (v *verification) entrywise() bool {
	return v.s.Mode == Entrywise && (v.c.Kind == formulas.Grad || v.c.Kind == formulas.Jac || v.c.Kind == formulas.Diff)
}

// directionsPerInstance is K, or the number of entries in entrywise mode.
func (v *verification) directionsPerInstance() int {
	if v.c.Kind == formulas.Equals {
		return 1
	}
	if v.entrywise() {
		sh := v.shapes[v.c.Wrt]
		return sh.Rows * sh.Cols
	}
	if v.masks != nil {
		return len(v.masks)
	}
	return v.s.Dirs
}

// steps are the multiples of h·H at which f is evaluated: six for a first
// derivative (±h, ±h/2, ±h/4: two Richardson steps, see addComparisons;
// an entrywise check evaluates only the first four along an entry where
// they settle, see entryValues),
// and for a second the multiples of the first direction of
// the twelve points of three mixed differences (see secondSteps).
func (v *verification) steps() []float64 {
	switch v.c.Kind {
	case formulas.Equals:
		return []float64{0}
	case formulas.Hess:
		h := secondStep
		return []float64{h, h, -h, -h, h / 2, h / 2, -h / 2, -h / 2, h / 4, h / 4, -h / 4, -h / 4}
	}
	return []float64{step, -step, step / 2, -step / 2, step / 4, -step / 4}
}

// secondSteps are, for a hess claim, the multiples of h·V of the second
// direction V at the points of steps: f(X ± hH ± hV) at h, h/2 and h/4
// (h = secondStep), from which mixed second differences and two Richardson
// steps estimate D²f[H, V]. Nil for the other kinds.
func (v *verification) secondSteps() []float64 {
	if v.c.Kind != formulas.Hess {
		return nil
	}
	h := secondStep
	return []float64{h, -h, h, -h, h / 2, -h / 2, h / 2, -h / 2, h / 4, -h / 4, h / 4, -h / 4}
}

// sink receives the judged comparisons of whole instances, in instance
// order: tally, where set, counts them, and each, where set, receives them
// all, a slice at a time (reused once each returns). Without each, the
// comparisons of an instance are judged where they lie, side by side on
// every core, and never formed one by one: an entrywise check of a
// matrix-valued f makes a million per instance at n = 32.
type sink struct {
	tally *tally
	each  func([]comparison)
}

// emit passes cs to the sink.
func (s sink) emit(cs []comparison) {
	if s.tally != nil {
		s.tally.add(cs)
	}
	if s.each != nil {
		s.each(cs)
	}
}

// run verifies every instance, in chunks that fit the memory budget, and
// passes the comparisons to emit.
func (v *verification) run(ctx context.Context, emit sink) error {
	r := v.instanceRange()
	first, last := r[0], r[1]
	chunk := int(max(1, v.s.MemBytes/max(1, liveCopies*v.instanceBytes())))
	if v.entrywise() {
		// One instance at a time, its entries in blocks (entrywiseChunk).
		chunk = 1
	}
	for i := first; i < last; i += chunk {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("interrupted: %w", err)
		}
		n := min(chunk, last-i)
		var err error
		if v.c.Kind == formulas.Equals {
			err = v.identityChunk(ctx, i, n, emit)
		} else {
			err = v.derivativeChunk(ctx, i, n, emit)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// collect verifies every instance and returns the first limit comparisons
// and whether that is all of them.
func (v *verification) collect(ctx context.Context, limit int) (comps []comparison, complete bool, err error) {
	complete = true
	err = v.run(ctx, sink{each: func(cs []comparison) {
		if room := limit - len(comps); len(cs) > room {
			cs, complete = cs[:room], false
		}
		comps = append(comps, cs...)
	}})
	return comps, complete, err
}

// instanceRange returns the instances [first, last) to verify.
func (v *verification) instanceRange() [2]int {
	switch {
	case v.s.Instance >= 0:
		return [2]int{v.s.Instance, v.s.Instance + 1}
	case v.s.InstanceTo > v.s.InstanceFrom:
		return [2]int{v.s.InstanceFrom, v.s.InstanceTo}
	}
	return [2]int{0, v.s.Batch}
}

// closeChunk closes a chunk's evaluator, keeping its host buffers for the
// next chunk's and the first integral whose kinks it found too many at a
// stencil's points.
func (v *verification) closeChunk(ev *evaluator) {
	v.hostFree, ev.hostFree = ev.hostFree, nil
	if v.stencilKinks == nil {
		v.stencilKinks = ev.stencilKinks
	}
	ev.close()
}

// newChunk returns an evaluator with every variable drawn for the instances
// [first, first+count).
func (v *verification) newChunk(ctx context.Context, first, count int) (*evaluator, *sampler, error) {
	ev := newEvaluator(ctx, v.b, v.sizes)
	ev.memoCount = count
	// A copy: the diagnosis verifies copies of v (re := *v), whose
	// hostFree shares v's array, and hostSlice reorders its own.
	ev.hostFree, v.hostFree = slices.Clone(v.hostFree), nil
	smp := &sampler{ev: ev, key: v.key, first: first, count: count}
	for _, vr := range v.c.Vars {
		if d, ok := v.redraw[vr.Name]; ok {
			vr.Dist = d
		}
		t, err := smp.variable(vr, v.shapes[vr.Name])
		if err == nil && v.symmetrize[vr.Name] {
			var sym backend.Tensor
			sym, err = ev.sym(t)
			ev.release(t)
			t = sym
		}
		if err != nil {
			v.closeChunk(ev)
			return nil, nil, err
		}
		ev.bind(vr.Name, t)
	}
	return ev, smp, nil
}

// tally judges comparisons as they come: it counts them by status and
// keeps the worst, the first of each status, and the five disagreements
// furthest beyond their tolerance.
type tally struct {
	n      int
	counts Counts
	worst  comparison // valid where hasWorst
	// worstRatio is worst.ratio(), the ratio to beat.
	worstRatio float64
	// hasWorst is set once an agreement or disagreement has been judged.
	hasWorst bool
	// first holds the first comparison of each status where seen is set
	// (an array, not a map: it is consulted for every comparison).
	first [statuses]comparison
	seen  [statuses]bool
	top   []comparison // by ratio, descending; ties in arrival order
	// transposable counts the agreements and disagreements with a
	// transposed claim to compare (see comparison.transposed), and
	// transposeApart those of them where the claim and its transpose
	// differ beyond the tolerance: where none does, the check could not
	// tell the claim from its transpose (see layoutBlind).
	transposable, transposeApart int
	// leastRatio is the smallest tolerance of an agreement relative to
	// its scale, where hasLeast (see tightest).
	leastRatio float64
	hasLeast   bool
}

// tightest notes a comparison of status st, values est and claimed and
// tolerance tol toward leastRatio: of the agreements, the smallest ratio
// of tolerance to scale, which bounds how close to the truth a wrong
// claim could pass (see looseNote). One multiplication where it is not
// the least, as it is called for every comparison of an entrywise check.
func (t *tally) tightest(st status, est, claimed, tol float64) {
	if st != agreed {
		return
	}
	scale := math.Max(math.Abs(est), math.Abs(claimed))
	if t.hasLeast && !(tol < t.leastRatio*scale) || !(scale > 0) || !finite(scale) {
		return
	}
	t.leastRatio, t.hasLeast = tol/scale, true
}

// layout counts a comparison of status st, claimed value and transposed
// claim, toward transposable and transposeApart.
func (t *tally) layout(st status, claimed, transposed, tol float64) {
	if (st != agreed && st != disagreed) || !finite(transposed) {
		return
	}
	t.transposable++
	if math.Abs(claimed-transposed) > tol {
		t.transposeApart++
	}
}

// add judges cs.
func (t *tally) add(cs []comparison) {
	for i := range cs {
		t.addOne(&cs[i])
	}
}

// records reports whether addOne would keep a comparison of status st and
// measure m that comes after every comparison tallied so far, and not only
// count it: the first of its status, the worst so far, or among the five
// furthest disagreements. (One that comes before some, as the pending
// comparisons of settle do, goes to addOne directly.)
func (t *tally) records(st status, m *measure) bool {
	if !t.seen[st] {
		return true
	}
	if st != agreed && st != disagreed {
		return false
	}
	r := m.ratio()
	return !t.hasWorst || r > t.worstRatio || st == disagreed && (len(t.top) < mostTop || r > t.top[mostTop-1].ratio())
}

// plainAgreement reports, without a division, that a comparison of
// values est and claimed with tolerance tol, all in units of u
// (the instance's unit, or 1), settles as agreed without waiting and that
// records declines it: what settle and records would decide on its
// measure, whose values are divided by u, for the few in a million that
// come near a boundary go the long way. Its checks hold with a margin of
// 10⁻¹² (dozens of roundings), which covers the roundings of the
// divisions, and ask that what is divided by u stays a normal number.
func (t *tally) plainAgreement(est, claimed, tol, u float64) bool {
	const (
		margin = 1e-12
		// normal is the least value that, divided by u, is kept as a
		// normal number: u·2⁻⁹⁶⁰, as 2⁻⁹⁶⁰ ≥ 2⁻¹⁰²² by far.
		normal = 0x1p-960
	)
	if !t.seen[agreed] || !t.hasWorst {
		return false
	}
	err, scale, least := math.Abs(est-claimed), math.Max(math.Abs(est), math.Abs(claimed)), u*normal
	return finite(scale) && tol >= least && scale >= least && (err == 0 || err >= least) &&
		err <= tol && tol*(1+margin) <= uncertain*scale && err <= t.worstRatio*tol*(1-margin)
}

// count counts a comparison of status st that records declined.
func (t *tally) count(st status) {
	t.n++
	t.counts.add(st)
}

// addOne judges *c. The first of a status and the worst are the first in
// the order of the comparisons (instance, direction, output), whatever
// the order they come in: the comparisons of an instance whose verdict
// waits on its typical scale come after the rest (see settle).
func (t *tally) addOne(c *comparison) {
	t.n++
	t.counts.add(c.status)
	t.layout(c.status, c.claimed, c.transposed, c.tol)
	t.tightest(c.status, c.fd, c.claimed, c.tol)
	if !t.seen[c.status] || c.before(&t.first[c.status]) {
		t.first[c.status], t.seen[c.status] = *c, true
	}
	if c.status != agreed && c.status != disagreed {
		return
	}
	if r := c.ratio(); !t.hasWorst || r > t.worstRatio || r == t.worstRatio && c.before(&t.worst) {
		t.worst, t.worstRatio, t.hasWorst = *c, r, true
	}
	if c.status == disagreed {
		t.addTop(*c)
	}
}

// merge adds to t what o judged: comparisons that came after t's. The
// result is the tally of all of them (the first of each status, the worst
// and the top five, ties going to the earlier), so that comparisons judged
// side by side in parts tally as they would one by one.
func (t *tally) merge(o *tally) {
	t.n += o.n
	t.counts.merge(o.counts)
	t.transposable += o.transposable
	t.transposeApart += o.transposeApart
	if o.hasLeast && (!t.hasLeast || o.leastRatio < t.leastRatio) {
		t.leastRatio, t.hasLeast = o.leastRatio, true
	}
	for s, seen := range o.seen {
		if seen && (!t.seen[s] || o.first[s].before(&t.first[s])) {
			t.first[s], t.seen[s] = o.first[s], true
		}
	}
	if o.hasWorst && (!t.hasWorst || o.worstRatio > t.worstRatio || o.worstRatio == t.worstRatio && o.worst.before(&t.worst)) {
		t.worst, t.worstRatio, t.hasWorst = o.worst, o.worstRatio, true
	}
	for _, c := range o.top {
		t.addTop(c)
	}
}

// mostTop is the number of disagreements a tally keeps, the furthest
// beyond their tolerance, for the report's entries.
const mostTop = 5

// addTop keeps c if it is among the five disagreements furthest beyond
// their tolerance.
func (t *tally) addTop(c comparison) {
	r := c.ratio()
	if len(t.top) == mostTop && !(r > t.top[mostTop-1].ratio()) {
		return
	}
	i := sort.Search(len(t.top), func(i int) bool { return t.top[i].ratio() < r })
	if len(t.top) < mostTop {
		t.top = append(t.top, comparison{})
	}
	copy(t.top[i+1:], t.top[i:len(t.top)-1])
	t.top[i] = c
}

// exactAgreement is the reason of a derivative claim that passed with
// every finite difference equal to the claim to the last bit.
const exactAgreement = "every comparison agreed to the last bit, as where f does not change along any direction compared and the claim is 0 there: check that f depends on the variable at these sizes"

// looseTolerance is the relative tolerance above which a pass says how
// little it tells: 100 times the loosest of the registry's passes (10⁻⁵).
const looseTolerance = 1e-3

// looseNote is the note of a pass whose agreements were held to relative
// tolerances of least at least (Result.LeastTolerance), "" where least is
// at most looseTolerance. Below 0.1 a comparison decides, and a factor-2
// mistake fails, but a claim off by 1 + 0.05 passed the gradient of
// Σ sin(10⁵x) at one instance, and inv(Y)·Y = 1.01·I for Y of condition
// 10¹⁰ (found by the exploratory helper), within tolerances of 6·10⁻² and
// 2·10⁻². The least, not the worst comparison's: a claim 1 + δ times the
// truth fails where one comparison is held to less than δ.
func looseNote(least float64) string {
	if !(least > looseTolerance) {
		return ""
	}
	return fmt.Sprintf("every agreement's tolerance is at least %.1e of its values: %s (1 + %.1e times it) would pass as well", least, looseCause, least)
}

// looseCause names the cause in looseNote.
const looseCause = "a claim that close to the truth"

// weakPass is the reason of a claim that passed where the check was
// weaker than it looks, "" where it was not (see layoutBlind and
// propertyOnly): a pass at symmetric samples is checked again where they
// are not symmetric, and where it holds there too, the layout and the
// claim are checked in general and the pass needs no note.
func (v *verification) weakPass(ctx context.Context, t *tally) string {
	if note := v.sizeOneNote(); note != "" {
		return note
	}
	switch general, note := v.propertyOnly(ctx); {
	case general:
		return ""
	case note != "":
		return note
	}
	return v.layoutBlind(t)
}

// generalDraws holds, for each distribution named for a property a claim
// may hold through (see propertyOnly), the distribution without it that
// a pass is checked again at, and the property.
var generalDraws = map[formulas.Dist]struct {
	dist     formulas.Dist
	property string
}{
	formulas.SPD:  {formulas.PosDefNonSym, "symmetric"},
	formulas.Sym:  {formulas.Gauss, "symmetric"},
	formulas.Orth: {formulas.WellCond, "orthonormal"},
	// The gradient of a cross-entropy, softmax(z) − y, holds only where
	// y sums to 1.
	formulas.Simplex: {formulas.Positive, "sum-to-one"},
	// ∇ Σ|x| = 1 holds only where x > 0 (found by the Cookbook helper);
	// where f is not defined at a negative x (log, sqrt), the re-check
	// is undecided and says nothing.
	formulas.Positive: {formulas.Gauss, "positive"},
}

// propertyOnly checks a claim that passed with variables drawn symmetric
// (dist spd or sym, not space: sym; square), orthonormal (dist orth) or
// summing to 1 (dist simplex) or positive again with them drawn without
// that property: spd as posdef-nonsym (the same matrices plus a skew
// part, still positive definite in their symmetric part, so that logdet,
// logm and the square root stay defined), sym as gauss, orth as wellcond,
// simplex as positive (log stays defined), positive as gauss. general reports that it
// passes there too. Where it fails, note says which variables it holds
// only for: ∇ aᵀX⁻¹b = −X⁻¹abᵀX⁻¹ passed at spd X without a word (found
// by the exploratory helper), where the truth is −X⁻ᵀabᵀX⁻ᵀ, and ∇ log
// det(XᵀX) = 2X at orth X (found by the walkthrough helper), where it is
// 2X(XᵀX)⁻¹. Where the re-check is undecided (out of the domain) both
// are unset.
func (v *verification) propertyOnly(ctx context.Context) (general bool, note string) {
	var names []string
	for _, x := range v.c.Vars {
		// A 1×1 matrix is symmetric, and orthonormal only as ±1; a
		// number is positive or not.
		if _, ok := generalDraws[x.Dist]; ok && !x.SymSpace && (v.shapes[x.Name].Rows*v.shapes[x.Name].Cols > 1 || x.Dist == formulas.Positive) {
			names = append(names, x.Name)
		}
	}
	if len(names) == 0 {
		return false, ""
	}
	verdictWith := func(names ...string) Verdict {
		redraw := map[string]formulas.Dist{}
		for _, x := range v.c.Vars {
			if slices.Contains(names, x.Name) {
				redraw[x.Name] = generalDraws[x.Dist].dist
			}
		}
		return v.verdictWith(ctx, func(re *verification) { re.redraw = redraw })
	}
	if all := verdictWith(names...); all != Fail {
		return all == Pass, ""
	}
	culprits := names
	if len(names) > 1 {
		culprits = slices.DeleteFunc(slices.Clone(names), func(n string) bool { return verdictWith(n) != Fail })
		if len(culprits) == 0 {
			culprits = names
		}
	}
	var who, drawn, redrawn, advice, symmetric, flags []string
	for _, x := range v.c.Vars {
		if !slices.Contains(culprits, x.Name) {
			continue
		}
		general := generalDraws[x.Dist]
		property := general.property
		switch sh := v.shapes[x.Name]; {
		case x.Dist == formulas.Orth && (sh.Rows == 1 || sh.Cols == 1):
			property = "unit-norm"
		case x.Dist == formulas.Simplex && sh.Cols > 1:
			property = "column-stochastic"
		}
		who = append(who, property+" "+x.Name)
		drawn = append(drawn, fmt.Sprintf("%s %s", x.Name, x.Dist))
		how := fmt.Sprintf("%s %s", x.Name, general.dist)
		advice = append(advice, how)
		if x.Dist == formulas.SPD {
			how += " (" + x.Name + " plus a skew part)"
		}
		redrawn = append(redrawn, how)
		if general.property == "symmetric" {
			symmetric = append(symmetric, x.Name)
			flags = append(flags, symSpaceFlag(x))
		}
	}
	note = fmt.Sprintf("true only for %s: it holds at these samples (%s) but fails where drawn %s; draw %s to check the general result",
		strings.Join(who, " and "), strings.Join(drawn, ", "), strings.Join(redrawn, ", "), strings.Join(advice, ", "))
	if len(symmetric) > 0 {
		verb := "is"
		if len(symmetric) > 1 {
			verb = "are"
		}
		declare := "declare space: sym"
		if v.c.FromCommandLine() {
			declare = "declare " + strings.Join(flags, " ")
		}
		note += fmt.Sprintf(", or %s where %s %s symmetric by definition", declare, strings.Join(symmetric, " and "), verb)
	}
	return false, note
}

// sizeOneNote is the reason of a claim that passed where the variables
// it is about, declared with size symbols, are 1×1 at the sizes of the
// check: a grad, diff or jac claim cannot be told from its transpose
// there, and products commute, so that A·B = B·A passed without a word
// (found by the exploratory helper). "" otherwise.
func (v *verification) sizeOneNote() string {
	oneByOne := func(x formulas.Var) bool {
		sh := v.shapes[x.Name]
		return sh.Rows == 1 && sh.Cols == 1 && x.Dims != [2]string{"1", "1"}
	}
	const above = "; check at sizes above 1"
	switch v.c.Kind {
	case formulas.Equals:
		// The variables declared with size symbols, and those of them
		// that are 1×1: A*x*x' = x'*x*A passed at n = 1 without a word,
		// A 3×1 (found by the soundness hunt).
		sized, ones := 0, []string{}
		unread := v.c.Unread()
		for _, x := range v.c.Vars {
			if x.Dims == [2]string{"1", "1"} || slices.Contains(unread, x.Name) {
				continue
			}
			sized++
			if oneByOne(x) {
				ones = append(ones, x.Name)
			}
		}
		switch {
		case len(ones) == 0:
			return ""
		case len(ones) == sized:
			return "every variable is 1×1 at these sizes, where products commute and a matrix is its transpose: the identity is not checked for matrices" + above
		case len(ones) == 1:
			return ones[0] + " is 1×1 at these sizes, where it commutes with every product and is its own transpose: the identity is not checked for a matrix " + ones[0] + above
		}
		names := strings.Join(ones, " and ")
		return names + " are 1×1 at these sizes, where they commute with every product and are their own transposes: the identity is not checked for matrices " + names + above
	case formulas.Hess:
		if x := v.wrt; oneByOne(x) {
			return x.Name + " is 1×1 at these sizes, where products commute and a matrix is its transpose: the second derivative is not checked for matrices" + above
		}
	default:
		if oneByOne(v.wrt) {
			return "the claim is 1×1, as " + v.wrt.Name + " is at these sizes: a claim in the other layout would pass as well" + above
		}
	}
	return ""
}

// layoutBlind is the reason of a grad, diff or jac claim that passed
// where the check could not tell it from its transpose: the claim equals
// its transpose at every comparison (as t counted) because a square
// variable is drawn symmetric (dist sym or spd) without being declared
// space: sym, and the re-check at non-symmetric samples could not decide
// (see propertyOnly). Such a check cannot catch the mistake of layout,
// nor tell a claim true only for symmetric matrices from the truth. It is
// "" otherwise: a claim that equals its transpose as a function (the
// gradient of sum(X)) has no layout to get wrong, and one of space: sym
// is compared through sym(G) by design.
func (v *verification) layoutBlind(t *tally) string {
	switch v.c.Kind {
	case formulas.Grad, formulas.Diff, formulas.Jac:
	default:
		return ""
	}
	var symmetric, dists []string
	for _, x := range v.c.Vars {
		if x.SymSpace {
			if x.Name == v.c.Wrt {
				return ""
			}
			continue
		}
		if sh := v.shapes[x.Name]; sh.IsSquare() && sh.Rows > 1 && (x.Dist == formulas.Sym || x.Dist == formulas.SPD) {
			symmetric = append(symmetric, x.Name)
			if !slices.Contains(dists, string(x.Dist)) {
				dists = append(dists, string(x.Dist))
			}
		}
	}
	const (
		equal  = "the claim equals its transpose at every comparison, as "
		either = ": a claim in the other layout would pass as well"
	)
	if len(symmetric) == 0 || t.transposable == 0 || t.transposeApart > 0 {
		return ""
	}
	verb := "is"
	if len(symmetric) > 1 {
		verb = "are"
	}
	names := strings.Join(symmetric, ", ")
	return fmt.Sprintf("%s%s %s symmetric at every sample (dist %s)%s, and so would one true only for symmetric %[2]s; draw %[2]s from a distribution that is not symmetric to check that",
		equal, names, verb, strings.Join(dists, ", "), either)
}

// judge turns the tally into the result's verdict, worst case and reason.
func (v *verification) judge(res *Result, t *tally) {
	res.Comparisons = t.n
	res.Instances = v.instanceRange()
	res.Counts = t.counts
	if w := t.worst; t.hasWorst {
		res.Worst = Worst{Instance: w.instance, Direction: w.direction, FiniteDiff: w.fd, Claimed: w.claimed}
		if w.scale > 0 {
			res.MaxRelErr, res.Tolerance = w.err/w.scale, w.tol/w.scale
		}
	}
	if t.hasLeast {
		res.LeastTolerance = t.leastRatio
	}
	res.Verdict = res.Counts.verdict()
	if s := res.Counts.blocking(); s != agreed && s != disagreed {
		// Point at the first comparison that kept the claim from passing.
		c := t.first[s]
		res.Worst = Worst{Instance: c.instance, Direction: c.direction}
	}
	res.Reason = res.Counts.reason(v.c.Kind, res.Worst.Instance)
	c := t.first[undecided]
	if user := v.s.ATol + v.s.RTol*math.Abs(c.claimed); res.Counts.blocking() == undecided && user > 0 && user >= uncertain*c.scale/2 {
		// The user's tolerance is most of it: the estimate is not to
		// blame.
		res.Reason = res.Counts.userToleranceReason(res.Worst.Instance)
	} else if res.Counts.blocking() == undecided && !finite(c.tol) {
		res.Reason = res.Counts.unboundedReason(res.Worst.Instance)
	} else if res.Counts.blocking() == undecided && v.c.Kind != formulas.Equals && c.claimed == 0 && c.fd == 0 {
		// Undecided only where changesBelowRounding found f to change.
		res.Reason = res.Counts.belowRoundingReason(v.c.Kind, res.Worst.Instance)
	} else if res.Counts.blocking() == undecided && v.c.Kind != formulas.Equals && c.claimed == 0 && c.err <= c.tol {
		res.Reason = res.Counts.zeroClaimReason(res.Worst.Instance)
	}
	if res.Verdict == Pass && res.Reason == "" && v.c.Kind != formulas.Equals && t.hasWorst && t.worstRatio == 0 {
		// The worst comparison is an exact agreement: they all are,
		// which a finite difference gives where f is constant.
		res.Reason = exactAgreement
	}
	if res.Counts.total() == 0 {
		// Nothing compared can fail: that is no pass.
		res.Verdict, res.Reason = Inconclusive, "nothing was compared"
	}
	if v.entrywise() {
		res.Entries = v.entries(t.top)
	}
}

// entries reports comparisons of an entrywise check as the entries of the
// derivative they compare.
func (v *verification) entries(comps []comparison) []Entry {
	cols := v.shapes[v.c.Wrt].Cols
	out := make([]Entry, len(comps))
	for k, c := range comps {
		e := Entry{Instance: c.instance, I: c.direction / cols, J: c.direction % cols, Claimed: c.claimed, FiniteDiff: c.fd}
		switch v.c.Kind {
		case formulas.Jac:
			// Jacobian entry (output, input): the input's column is
			// its index in vec(X), column by column.
			e.I, e.J = c.output, v.vecIndex(c.direction)
		case formulas.Diff:
			// (entry of f, entry of X), each row by row.
			e.I, e.J = c.output, c.direction
		}
		out[k] = e
	}
	return out
}

// vecIndex returns the index in vec(X) of the entry of the variable X that
// direction d of an entrywise check perturbs (its row-major index): the
// column of the Jacobian that holds the entry's derivatives.
func (v *verification) vecIndex(d int) int {
	sh := v.shapes[v.c.Wrt]
	return d/sh.Cols + d%sh.Cols*sh.Rows
}

// symSpaceFlag is the --var flag that declares x, as it is declared, in
// the space of symmetric matrices: the advice of a claim given by flags.
func symSpaceFlag(x formulas.Var) string {
	return fmt.Sprintf("--var %s=%s,%s:%s:sym", x.Name, x.Dims[0], x.Dims[1], x.Dist)
}
