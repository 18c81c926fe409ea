package formulas

import "strings"

// Kind says what a claim asserts about its function f, and so how the
// verifier checks it.
type Kind string

// The claim kinds of DESIGN.md ("Claims").
const (
	// Grad claims ∇f for scalar f, shaped like the variable (denominator
	// layout unless the claim says numerator).
	Grad Kind = "grad"
	// Diff claims the differential Df(X)[dX], an expression in X and dX.
	Diff Kind = "diff"
	// Jac claims the Jacobian J of a vector-valued f of a vector x.
	Jac Kind = "jac"
	// Hess claims the Hessian matrix (vector variable), or for a matrix
	// variable the bilinear form D²f[dX,dX2] (two directions) or the
	// quadratic form D²f[dX,dX] (dX alone).
	Hess Kind = "hess"
	// Equals claims the identity f == rhs.
	Equals Kind = "equals"
)

// Kinds lists every claim kind in the order the YAML keys are documented.
var Kinds = []Kind{Grad, Diff, Jac, Hess, Equals}

// Layout is the convention in which a gradient is written.
type Layout string

// Gradient layouts.
const (
	// Denominator layout: the gradient has the shape of the variable.
	Denominator Layout = "denominator"
	// Numerator layout: the claim is ∂f/∂Xᵀ, the transpose of the
	// denominator-layout gradient.
	Numerator Layout = "numerator"
)

// Dist names a distribution of random test inputs (DESIGN.md, "Claims").
type Dist string

// The distributions a variable may declare.
const (
	Gauss        Dist = "gauss"
	WellCond     Dist = "wellcond"
	SPD          Dist = "spd"
	PosDefNonSym Dist = "posdef-nonsym"
	Small        Dist = "small"
	Sym          Dist = "sym"
	Orth         Dist = "orth"
	// Positive draws entries e^{g/2} with g ~ N(0,1): positive, for
	// elementwise log and sqrt. Not in DESIGN.md's list; users of log(x)
	// need it.
	Positive Dist = "positive"
	// Simplex draws each column a probability vector, softmax(g) with g
	// ~ N(0,1) entries: positive, summing to 1, as the targets of a
	// cross-entropy are, whose gradient softmax(z) − y holds only so. Not
	// in DESIGN.md's list; a claim that holds there passes with a note
	// (see gradcheck's propertyOnly). It needs at least 2 rows.
	Simplex Dist = "simplex"
)

// Dists lists every distribution name.
var Dists = []Dist{Gauss, WellCond, SPD, PosDefNonSym, Small, Sym, Orth, Positive, Simplex}

// Var declares one variable of a claim.
type Var struct {
	Name string
	// Dims are the row and column sizes: size symbols ("n") or integer
	// literals ("3"). A vector declared with shape "n" has Dims {"n", "1"}.
	Dims [2]string
	Dist Dist
	// SymSpace is set by `space: sym`: the claim is about functions of
	// symmetric matrices, so directions are symmetric and a gradient is
	// compared through sym(G).
	SymSpace bool
}

// Claim is one closed-form result to verify: a function F of the declared
// variables, the variable Wrt it is differentiated with respect to, and the
// claimed result Rhs of the given Kind. Make one with Build, LoadSpec or
// Registry, which check it (variables declared once, distributions that
// fit their shapes, space: sym with a symmetric dist, sizes in range) and
// fill the texts String prints; a Claim assembled field by field is not
// checked, and Verify takes it as it is.
type Claim struct {
	Name string
	// F is the function; FText its source as written.
	F     Expr
	FText string
	// Wrt names the variable of differentiation (empty for Equals).
	Wrt  string
	Kind Kind
	// Rhs is the claimed gradient, differential, Jacobian, Hessian or
	// right-hand side; RhsText its source as written.
	Rhs     Expr
	RhsText string
	Layout  Layout
	Vars    []Var
	// Where are the claim's named subexpressions (where r = A*x - b), as
	// written; F and Rhs have them written out, FText and RhsText read
	// them by name.
	Where []Definition
	// Sizes are the claim's own default values for size symbols; --size
	// overrides them.
	Sizes map[string]int
	// Source cites where the result is published; CommandLine for a
	// claim given by flags.
	Source string
	// Invalid, when set, is why the claim cannot be verified (a formula of
	// a spec file that does not parse or type-check, with its file:line);
	// such a claim has only its name and, as far as they were read, its
	// kind and text.
	Invalid error
}

// EscapeGlob quotes the pattern characters of a claim name, so that the
// name as a pattern matches itself alone.
func EscapeGlob(name string) string {
	var b strings.Builder
	for _, r := range name {
		if strings.ContainsRune(`*?[]\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// CommandLine is the Source of a claim given by flags (check --f, derive),
// whose advice names flags rather than a spec file's keys.
const CommandLine = "command line"

// FromCommandLine reports whether the claim was given by flags.
func (c *Claim) FromCommandLine() bool { return c.Source == CommandLine }

// choice returns flags for a claim given by flags and keys for one of a
// spec file: the words of an advice that names them.
func (c *Claim) choice(flags, keys string) string {
	if c.FromCommandLine() {
		return flags
	}
	return keys
}
