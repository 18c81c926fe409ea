package formulas

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// VarSpec is a variable declaration as written in a spec file or on the
// command line, before validation.
type VarSpec struct {
	// Shape is "n,n", "m,n", "n" (a column vector n×1), "1" (a scalar) or
	// "3,4": each dimension a size symbol or a positive integer.
	Shape string
	// Dist names the distribution of test inputs; "" means gauss.
	Dist string
	// Space is "" or "sym" (functions of symmetric matrices).
	Space string
}

// SpecVar is a named variable declaration.
type SpecVar struct {
	Name string
	VarSpec
}

// Spec is one claim as written: the fields mirror the keys of a formula
// entry in a YAML spec file. Exactly one of Grad, Diff, Jac, Hess and
// Equals is set.
type Spec struct {
	// Name identifies the claim; it is required.
	Name string
	// F is the function, in the expression language.
	F string
	// Wrt names the variable of differentiation; required except for
	// Equals.
	Wrt string
	// Grad, Diff, Jac, Hess and Equals are the claimed results, in the
	// expression language; exactly one is non-empty.
	Grad, Diff, Jac, Hess, Equals string
	// Layout is "", "numerator" or "denominator"; only grad takes it.
	Layout string
	// Vars declares the variables in order.
	Vars []SpecVar
	// Where names subexpressions that F and the claimed result may read,
	// in order (see Definition); Build sets their Expr.
	Where []Definition
	// Sizes are the claim's default values for size symbols.
	Sizes map[string]int
	// Source cites where the result is published.
	Source string
}

// claimText returns the kinds that s states, with their text, in the order
// of Kinds.
func (s *Spec) claimText() (kinds []Kind, texts []string) {
	for _, k := range Kinds {
		var t string
		switch k {
		case Grad:
			t = s.Grad
		case Diff:
			t = s.Diff
		case Jac:
			t = s.Jac
		case Hess:
			t = s.Hess
		case Equals:
			t = s.Equals
		}
		if strings.TrimSpace(t) != "" {
			kinds = append(kinds, k)
			texts = append(texts, t)
		}
	}
	return kinds, texts
}

// joinKinds writes "grad and hess" or "grad, jac and hess".
func joinKinds(kinds []Kind) string {
	parts := make([]string, len(kinds))
	for i, k := range kinds {
		parts[i] = string(k)
	}
	if len(parts) == 2 {
		return "both " + parts[0] + " and " + parts[1]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}

// Build validates a spec and returns its claim: it parses F and the claimed
// expression, checks the variable declarations, and shape-checks the claim
// at the default sizes (ResolveSizes(nil)), so that every error a claim can
// have without numbers surfaces here. Errors name the formula and the field:
//
//	formula "logdet": grad: 1:9: expected ')'
func Build(s Spec) (*Claim, error) { return BuildAt(s, nil) }

// BuildAt is Build with the shape check at the sizes in force: sizes (as
// from --size) over the claim's own and the defaults, so that a shape
// error quotes the sizes the user asked for.
func BuildAt(s Spec, sizes map[string]int) (*Claim, error) {
	if s.Name == "" {
		return nil, fmt.Errorf("formula has no name")
	}
	fail := func(format string, args ...any) (*Claim, error) {
		return nil, fmt.Errorf("formula %q: %s", s.Name, fmt.Sprintf(format, args...))
	}
	if strings.TrimSpace(s.F) == "" {
		return fail("f is missing")
	}
	f, err := Parse(s.F)
	if err != nil {
		return fail("f: %v", s.calledName(err, nil))
	}
	kinds, texts := s.claimText()
	switch {
	case len(kinds) == 0:
		return fail("states no claim (grad, diff, jac, hess or equals)")
	case len(kinds) > 1:
		return fail("has %s; a claim states exactly one", joinKinds(kinds))
	}
	kind := kinds[0]
	var dirs []string
	if s.Wrt != "" && (kind == Diff || kind == Hess) {
		c := &Claim{Wrt: s.Wrt}
		dirs = []string{c.Direction(), c.SecondDirection()}
	}
	rhs, err := Parse(texts[0])
	if err != nil {
		return fail("%s: %v", kind, s.calledName(err, dirs))
	}
	defs, err := s.parseDefinitions(dirs)
	if err != nil {
		return nil, err
	}

	c := &Claim{
		Name:    s.Name,
		F:       f,
		FText:   s.F,
		Wrt:     s.Wrt,
		Kind:    kind,
		Rhs:     rhs,
		RhsText: texts[0],
		Where:   defs,
		Source:  s.Source,
	}
	switch s.Layout {
	case "":
		if kind == Grad {
			c.Layout = Denominator
		}
	case string(Numerator), string(Denominator):
		if kind != Grad {
			return fail("layout applies only to grad claims, not %s", kind)
		}
		c.Layout = Layout(s.Layout)
	default:
		msg := fmt.Sprintf("unknown layout %q (numerator or denominator)", s.Layout)
		if g := Suggest(s.Layout, []string{string(Numerator), string(Denominator)}); g != "" {
			msg = fmt.Sprintf("unknown layout %q (did you mean %s?)", s.Layout, g)
		}
		return fail("%s", msg)
	}

	declared := make(map[string]bool, len(s.Vars))
	for _, sv := range s.Vars {
		v, err := buildVar(sv.Name, sv.VarSpec)
		if err != nil {
			return fail("%v", err)
		}
		if declared[v.Name] {
			return fail("variable %s is declared twice", v.Name)
		}
		declared[v.Name] = true
		c.Vars = append(c.Vars, v)
	}

	if kind == Equals {
		if s.Wrt != "" {
			return fail("wrt does not apply to equals")
		}
	} else {
		if s.Wrt == "" {
			return fail("wrt is missing (the variable %s is taken with respect to)", kind)
		}
		if !declared[s.Wrt] {
			return fail("wrt %s is not a declared variable", s.Wrt)
		}
		dirs := map[Kind][]string{Diff: {c.Direction()}, Hess: {c.Direction(), c.SecondDirection()}}[kind]
		for _, d := range dirs {
			if declared[d] {
				return fail("the direction %s of %s clashes with the variable %s", d, s.Wrt, d)
			}
			if IsFunc(d) {
				return fail("the direction of %s would be %s, which is a function name; rename the variable", s.Wrt, d)
			}
		}
	}

	if len(s.Sizes) > 0 {
		used := make(map[string]bool)
		for _, sym := range c.Symbols() {
			used[sym] = true
		}
		c.Sizes = make(map[string]int, len(s.Sizes))
		for sym, v := range s.Sizes {
			if !used[sym] {
				err := fmt.Errorf("%s is not a size symbol of this formula", quoteName(sym))
				if c.reads(sym) || readsName(c.F, sym) {
					err = fmt.Errorf("%s is not a size symbol of this formula (%s)", quoteName(sym), sizeIsDimension)
				}
				return nil, &fieldError{claim: s.Name, field: "sizes", err: err}
			}
			c.Sizes[sym] = v
		}
	}

	inForce, err := c.ResolveSizes(sizes)
	if err != nil {
		return nil, err
	}
	// Checked as written, with the names of the definitions, its errors
	// quote what the user wrote; then the names are written out.
	if _, err := c.Check(inForce); err != nil {
		return nil, sizeGivenHint(err, sizes)
	}
	if len(defs) > 0 {
		w, err := writeOut(s.Name, defs)
		if err != nil {
			return nil, err
		}
		if c.F, err = w.expand(c.F); err != nil {
			return nil, &fieldError{claim: s.Name, field: "f", err: err}
		}
		if c.Rhs, err = w.expand(c.Rhs); err != nil {
			return nil, &fieldError{claim: s.Name, field: string(kind), err: err}
		}
	}
	return c, nil
}

// sizeIsDimension says what a size symbol is, for a size given to a name
// used otherwise.
const sizeIsDimension = "a size symbol is a dimension of a variable, or of eye, ones or zeros: write a number in a formula as it is, or declare a 1×1 variable"

// sizeGivenHint adds to err, an error of Check, where it is about an
// undeclared variable that sizes gives a value, what a size symbol is:
// --size N=30 with N*tr(S) said only "undeclared variable 'N'" (found by
// the statistician's walkthrough).
func sizeGivenHint(err error, sizes map[string]int) error {
	var pe *Error
	if errors.As(err, &pe) && pe.undeclared != "" {
		if _, given := sizes[pe.undeclared]; given {
			pe.Msg += fmt.Sprintf(" (%s is given a size, but %s)", pe.undeclared, sizeIsDimension)
		}
	}
	return err
}

// calledName rewrites err, the error of parsing an expression of s, where
// the expression calls a name that s declares as if it were a function, as
// in X(1,1) or n(x + 1): the parser, which knows the functions alone, says
// "unknown function 'X'". dirs are the directions the expression may read
// (dX, dX2).
func (s *Spec) calledName(err error, dirs []string) error {
	var pe *Error
	if !errors.As(err, &pe) || pe.called == "" {
		return err
	}
	name := pe.called
	indexing := func(what string) error {
		return errorf(pe.Pos, "%s is %s: indexing %s(...) is not supported; write %s*(...) for a product", name, what, name, name)
	}
	if slices.ContainsFunc(s.Vars, func(v SpecVar) bool { return v.Name == name }) {
		return indexing("a variable")
	}
	if slices.Contains(dirs, name) {
		return indexing("a direction of " + s.Wrt)
	}
	if defines(s.Where, name) {
		return indexing("a definition (where)")
	}
	for _, v := range s.Vars {
		if dims, err := parseShape(v.Shape); err == nil && slices.Contains(dims[:], name) {
			return errorf(pe.Pos, "%s is a size symbol, not a function; write %s*(...) for a product", name, name)
		}
	}
	return err
}

// squareDists are the distributions that only make sense for square
// matrices.
var squareDists = map[Dist]bool{SPD: true, PosDefNonSym: true, Sym: true}

// buildVar validates one variable declaration.
func buildVar(name string, vs VarSpec) (Var, error) {
	switch {
	case !isIdent(name):
		return Var{}, fmt.Errorf("variable name %q is not a name (a letter, then letters, digits or _)", name)
	case IsFunc(name):
		return Var{}, fmt.Errorf("variable name %s is a function name", name)
	case name == "inf":
		return Var{}, fmt.Errorf("variable name inf is reserved")
	}
	dims, err := parseShape(vs.Shape)
	if err != nil {
		return Var{}, fmt.Errorf("variable %s: %w", name, err)
	}
	v := Var{Name: name, Dims: dims, Dist: Gauss}
	square := dims[0] == dims[1]
	if vs.Dist == "" && vs.Space == "sym" && square {
		v.Dist = Sym // a variable of space sym is drawn symmetric
	}
	if vs.Dist != "" {
		v.Dist = Dist(vs.Dist)
		if !knownDist(v.Dist) {
			if d, ok := distSynonyms[strings.ToLower(vs.Dist)]; ok {
				return Var{}, fmt.Errorf("variable %s: unknown dist %q (write %s)", name, vs.Dist, d)
			}
			if g := Suggest(vs.Dist, distNames()); g != "" {
				return Var{}, fmt.Errorf("variable %s: unknown dist %q (did you mean %s?)", name, vs.Dist, g)
			}
			return Var{}, fmt.Errorf("variable %s: unknown dist %q (one of %s)", name, vs.Dist, strings.Join(distNames(), ", "))
		}
	}
	if v.Dist == Simplex && dims[0] == "1" {
		return Var{}, fmt.Errorf("variable %s: dist simplex needs at least 2 rows (each column is a probability vector), got shape %s×%s", name, dims[0], dims[1])
	}
	if squareDists[v.Dist] && !square {
		return Var{}, fmt.Errorf("variable %s: dist %s needs a square matrix, got shape %s×%s", name, v.Dist, dims[0], dims[1])
	}
	switch vs.Space {
	case "":
	case "sym":
		if !square {
			return Var{}, fmt.Errorf("variable %s: space sym needs a square matrix, got shape %s×%s", name, dims[0], dims[1])
		}
		if v.Dist != Sym && v.Dist != SPD {
			// Its directions are symmetric; a sample that is not would
			// make a claim true on symmetric matrices fail, unexplained.
			return Var{}, fmt.Errorf("variable %s: space sym needs a symmetric dist, sym or spd, not %s: the claim is about symmetric matrices, and so are its samples", name, v.Dist)
		}
		v.SymSpace = true
	default:
		return Var{}, fmt.Errorf("variable %s: unknown space %q (the only space is sym)", name, vs.Space)
	}
	return v, nil
}

// distNames lists the names of the distributions, for the messages that
// name them all or the nearest of them: an unknown dist and an empty one.
func distNames() []string {
	names := make([]string, len(Dists))
	for i, d := range Dists {
		names[i] = string(d)
	}
	return names
}

func knownDist(d Dist) bool {
	for _, k := range Dists {
		if d == k {
			return true
		}
	}
	return false
}

// parseShape parses "n,n", "m,n", "n", "1", "3,4" into row and column
// dimensions. A shape of one dimension written rows×cols ("nxn", "3x3")
// is a *crossShapeError.
func parseShape(s string) ([2]string, error) {
	parts := strings.Split(s, ",")
	if strings.TrimSpace(s) == "" || len(parts) > 2 {
		return [2]string{}, fmt.Errorf("bad shape %q: want \"rows,cols\", \"n\" (a vector) or \"1\" (a scalar)", s)
	}
	var dims [2]string
	dims[1] = "1"
	for i, p := range parts {
		p = strings.TrimSpace(p)
		if rows, cols, ok := crossDim(p); ok {
			if len(parts) == 1 {
				return [2]string{}, &crossShapeError{shape: p, rows: rows, cols: cols}
			}
			return [2]string{}, fmt.Errorf("bad shape %q: dimension %q is written %s×%s; a dimension is one size symbol or a positive integer", s, p, rows, cols)
		}
		if err := checkDim(p); err != nil {
			return [2]string{}, fmt.Errorf("bad shape %q: %v", s, err)
		}
		dims[i] = p
	}
	return dims, nil
}

// crossDim splits a dimension written as rows×cols, "nxn", "mxn", "3x3",
// "nx3" or "n×n" (each side a single letter or a positive integer), into
// its sides. Such a dimension would be one size symbol (nxn) or none (3x3):
// a matrix's shape is "rows,cols".
func crossDim(d string) (rows, cols string, ok bool) {
	side := func(s string) bool {
		if len(s) == 1 && isLetter(s[0]) {
			return true
		}
		return s != "" && isDigit(s[0]) && checkDim(s) == nil
	}
	for i := range len(d) {
		for _, sep := range []string{"x", "×"} {
			if strings.HasPrefix(d[i:], sep) && side(d[:i]) && side(d[i+len(sep):]) {
				return d[:i], d[i+len(sep):], true
			}
		}
	}
	return "", "", false
}

// crossShapeError is the error of a shape written rows×cols, as "nxn".
type crossShapeError struct {
	shape, rows, cols string
}

// Error says how the shape reads, and how to write it in a spec file.
func (e *crossShapeError) Error() string {
	return fmt.Sprintf("shape %s; write \"%s,%s\" for %s", e.reads(), e.rows, e.cols, e.matrix())
}

// reads says how the shape reads: `"nxn" reads as one size symbol`.
func (e *crossShapeError) reads() string {
	if isLetter(e.shape[0]) && isIdent(e.shape) {
		return fmt.Sprintf("%q reads as one size symbol", e.shape)
	}
	return fmt.Sprintf("%q is not a dimension", e.shape)
}

// matrix names the matrix meant, with its article: "an n×n matrix".
func (e *crossShapeError) matrix() string {
	article := "a"
	switch r := e.rows; {
	case len(r) == 1 && strings.ContainsRune("aefhilmnorsxAEFHILMNORSX", rune(r[0])),
		r[0] == '8', r == "11", r == "18":
		article = "an"
	}
	return fmt.Sprintf("%s %s×%s matrix", article, e.rows, e.cols)
}

// checkDim checks that d is a size symbol or a positive integer literal.
func checkDim(d string) error {
	if d != "" && isDigit(d[0]) {
		n, err := strconv.Atoi(d)
		if (errors.Is(err, strconv.ErrRange) || err == nil && n > MaxSize) && strings.TrimLeft(d, "0123456789") == "" {
			return fmt.Errorf("dimension %s is out of range: sizes are from 1 to %d", d, MaxSize)
		}
		if err != nil || n < 1 || strconv.Itoa(n) != d {
			return fmt.Errorf("dimension %q is not a positive integer", d)
		}
		return nil
	}
	switch {
	case !isIdent(d):
		return fmt.Errorf("dimension %q is neither a size symbol nor a positive integer", d)
	case IsFunc(d) || d == "inf":
		return fmt.Errorf("dimension %q is a reserved name, not a size symbol", d)
	}
	return nil
}

// ParseVarFlag parses the command-line declaration of a variable:
//
//	X=n,n:wellcond   a matrix with a distribution
//	X=n,n:spd:sym    the third part sets space sym
//	x=n              a vector, gauss
//
// It validates the declaration as Build would.
func ParseVarFlag(s string) (name string, v VarSpec, err error) {
	bad := func(format string, args ...any) (string, VarSpec, error) {
		return "", VarSpec{}, fmt.Errorf("bad variable %q: %s", s, fmt.Sprintf(format, args...))
	}
	name, rest, ok := strings.Cut(s, "=")
	name = strings.TrimSpace(name)
	if !ok || name == "" {
		return bad("want NAME=SHAPE[:DIST[:sym]], as in X=n,n:wellcond")
	}
	parts := strings.Split(rest, ":")
	if len(parts) > 3 {
		return bad("want NAME=SHAPE[:DIST[:sym]], as in X=n,n:spd:sym")
	}
	v.Shape = strings.TrimSpace(parts[0])
	if len(parts) > 1 {
		v.Dist = strings.TrimSpace(parts[1])
	}
	if len(parts) > 2 {
		v.Space = strings.TrimSpace(parts[2])
	}
	// An empty part is refused rather than read as the default: "X=n,n:"
	// and "X=n,n::sym" were taken silently, the first as gauss, the
	// second as sym, whatever the user meant to write there.
	switch {
	case len(parts) > 1 && v.Dist == "" && v.Space == "sym":
		return bad("the distribution between the ':'s is empty; write %s=%s:sym:sym (or %[1]s=%[2]s:spd:sym) for a claim about symmetric matrices", name, v.Shape)
	case len(parts) > 1 && v.Dist == "":
		return bad("the distribution after ':' is empty; write %s=%s for gauss, or name one of %s", name, v.Shape, strings.Join(distNames(), ", "))
	case len(parts) > 2 && v.Space == "":
		return bad("the part after the second ':' is empty; write %s=%s:%s, or %[1]s=%[2]s:%[3]s:sym for a claim about symmetric matrices", name, v.Shape, v.Dist)
	case len(parts) > 2 && v.Space != "sym":
		return bad("the third part must be sym, got %q", v.Space)
	}
	if _, err := buildVar(name, v); err != nil {
		var cross *crossShapeError
		if errors.As(err, &cross) {
			fix := name + "=" + cross.rows + "," + cross.cols
			if len(parts) > 1 {
				fix += ":" + strings.Join(parts[1:], ":")
			}
			return bad("%s; write %s for %s", cross.reads(), fix, cross.matrix())
		}
		return bad("%v", err)
	}
	return name, v, nil
}

// ParseVarFlags parses the declarations of repeated --var flags with
// ParseVarFlag, in order.
func ParseVarFlags(flags []string) ([]SpecVar, error) {
	vars := make([]SpecVar, len(flags))
	for i, s := range flags {
		name, v, err := ParseVarFlag(s)
		if err != nil {
			return nil, err
		}
		vars[i] = SpecVar{Name: name, VarSpec: v}
	}
	return vars, nil
}

// distSynonyms maps the names other tools give a distribution to the
// one gradcheck calls it: "normal" found no near name, and a user wanting
// one-hot labels did not find simplex (found by the walkthrough).
var distSynonyms = map[string]string{
	"normal": "gauss", "gaussian": "gauss", "randn": "gauss",
	"symmetric": "sym", "posdef": "spd", "pd": "spd", "psd": "spd",
	"orthogonal": "orth", "orthonormal": "orth", "rotation": "orth",
	"onehot":      "simplex (each column a probability vector, one-hot labels among them: a claim that holds at simplex samples holds for one-hot labels)",
	"one-hot":     "simplex (each column a probability vector, one-hot labels among them: a claim that holds at simplex samples holds for one-hot labels)",
	"probability": "simplex", "prob": "simplex", "dirichlet": "simplex", "softmax": "simplex",
	"pos": "positive", "lognormal": "positive",
}
