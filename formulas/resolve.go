package formulas

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
)

// Direction returns the name of the direction variable of a diff or hess
// claim: "d" followed by Wrt, as in dX.
func (c *Claim) Direction() string { return "d" + c.Wrt }

// SecondDirection returns the name of the second direction of a hess
// claim: Direction followed by 2, as in dX2. A claim on a matrix variable
// that uses it states the bilinear form D²f[dX, dX2]; one that uses dX
// alone states the quadratic form D²f[dX, dX].
func (c *Claim) SecondDirection() string { return c.Direction() + "2" }

// Bilinear reports whether a hess claim is written as the bilinear form
// D²f[dX, dX2], with both directions.
func (c *Claim) Bilinear() bool {
	return c.Kind == Hess && c.reads(c.SecondDirection())
}

// ReadsDirection reports whether the claim's right-hand side reads its
// direction dX: a diff claim should, and so should a hess claim that reads
// dX2 (the diagnosis of one that does not names it).
func (c *Claim) ReadsDirection() bool {
	return c.reads(c.Direction())
}

// SecondDerivativeForm reports whether a hess claim on a variable of shape
// wrt states the second derivative as a form in the directions,
// D²f[dX, dX2] or D²f[dX, dX], rather than as the Hessian matrix: always
// for a matrix variable, and for a vector or scalar one whose claim reads
// a direction (12*x^2*dx*dx2 for x⁴ with x 1×1, which read as a Hessian
// matrix was multiplied by the directions a second time).
func (c *Claim) SecondDerivativeForm(wrt Shape) bool {
	return c.Kind == Hess && (wrt.Cols > 1 || c.reads(c.Direction()) || c.reads(c.SecondDirection()))
}

// reads reports whether the claim's right-hand side reads the variable
// name, itself or through its definitions (see Definition: before Build
// writes them out, the Rhs reads them by name).
func (c *Claim) reads(name string) bool { return c.readsThrough(c.Rhs, name) }

// readsThrough reports whether e reads name, itself or through the
// definitions of the claim that it reads. Each definition is walked once:
// a chain of definitions each reading the one before twice, walked at
// every use, took 2^k walks (a diff claim with 40 such links hung at
// Build, before the limit on their written-out size could refuse them).
func (c *Claim) readsThrough(e Expr, name string) bool {
	memo := make(map[string]bool, len(c.Where))
	var reads func(e Expr, defs []Definition) bool
	reads = func(e Expr, defs []Definition) bool {
		found := false
		Walk(e, func(x Expr) {
			id, ok := x.(*Ident)
			if !ok || id == nil || found {
				return
			}
			if id.Name == name {
				found = true
				return
			}
			for i, d := range defs {
				if d.Name == id.Name {
					r, ok := memo[d.Name]
					if !ok {
						// A definition reads only those before it.
						r = reads(d.Expr, defs[:i])
						memo[d.Name] = r
					}
					found = r
					return
				}
			}
		})
		return found
	}
	return reads(e, c.Where)
}

// readsName reports whether e reads the name.
func readsName(e Expr, name string) bool {
	found := false
	Walk(e, func(x Expr) {
		if id, ok := x.(*Ident); ok && id != nil && id.Name == name {
			found = true
		}
	})
	return found
}

// Unread lists, in the order of their declaration, the variables of the
// claim that neither F nor Rhs reads, other than Wrt, which the claim names:
// a declaration left over or mistyped, which no check would notice.
func (c *Claim) Unread() []string {
	read := make(map[string]bool)
	for _, e := range []Expr{c.F, c.Rhs} {
		Walk(e, func(e Expr) {
			if id, ok := e.(*Ident); ok && id != nil {
				read[id.Name] = true
			}
		})
	}
	var unread []string
	for _, v := range c.Vars {
		if !read[v.Name] && v.Name != c.Wrt {
			unread = append(unread, v.Name)
		}
	}
	return unread
}

// Walk calls fn on e and each of its subexpressions, parents first: the
// bodies and bounds of integrals included.
func Walk(e Expr, fn func(Expr)) {
	if isNil(e) {
		return
	}
	fn(e)
	switch e := e.(type) {
	case *Unary:
		Walk(e.X, fn)
	case *Binary:
		Walk(e.L, fn)
		Walk(e.R, fn)
	case *Call:
		for _, a := range e.Args {
			Walk(a, fn)
		}
	case *Integral:
		Walk(e.Lo, fn)
		Walk(e.Hi, fn)
		Walk(e.Body, fn)
	}
}

// sizeArgs returns the size arguments of a constructor call (eye, ones,
// zeros), else nil.
func sizeArgs(e Expr) []Expr {
	if call, ok := e.(*Call); ok && call != nil {
		if f := Lookup(call.Func); f != nil && f.Sizes {
			return call.Args
		}
	}
	return nil
}

// isNumber reports whether e is a number, negated any number of times.
func isNumber(e Expr) bool {
	switch e := e.(type) {
	case *Num:
		return e != nil
	case *Unary:
		return e != nil && e.Op == "-" && isNumber(e.X)
	}
	return false
}

// isSymbol reports whether a dimension is a size symbol rather than an
// integer literal.
func isSymbol(d string) bool { return d != "" && !isDigit(d[0]) }

// Symbols lists the size symbols of the claim in order of first
// appearance: the variables' dimensions, then the arguments of eye, ones
// and zeros in F and Rhs. They are the symbols a --size may set for it,
// whether or not the claim resolves at the sizes given.
func (c *Claim) Symbols() []string {
	var syms []string
	seen := make(map[string]bool)
	add := func(s string) {
		if !seen[s] {
			seen[s] = true
			syms = append(syms, s)
		}
	}
	for _, v := range c.Vars {
		for _, d := range v.Dims {
			if isSymbol(d) {
				add(d)
			}
		}
	}
	for _, e := range c.written() {
		Walk(e, func(x Expr) {
			for _, a := range sizeArgs(x) {
				if id, ok := a.(*Ident); ok && id != nil {
					add(id.Name)
				}
			}
		})
	}
	return syms
}

// written returns F, Rhs and the expressions of the definitions: every
// expression of the claim as written, for what must see them all before
// Build writes out the definitions (an eye(k) that only a definition
// reads names a size symbol).
func (c *Claim) written() []Expr {
	es := []Expr{c.F, c.Rhs}
	for _, d := range c.Where {
		es = append(es, d.Expr)
	}
	return es
}

// ReadSizes returns the entries of sizes (a Resolved's) for the size
// symbols the claim reads: the dimensions of Wrt and of the variables F or
// Rhs reads, and the symbols F and Rhs name. A symbol that only a variable
// of Unread has is left out: a report's sizes are those its check depends
// on.
func (c *Claim) ReadSizes(sizes map[string]int) map[string]int {
	unread := c.Unread()
	read := make(map[string]bool)
	for _, v := range c.Vars {
		if !slices.Contains(unread, v.Name) {
			read[v.Dims[0]], read[v.Dims[1]] = true, true
		}
	}
	for _, e := range []Expr{c.F, c.Rhs} {
		Walk(e, func(e Expr) {
			if id, ok := e.(*Ident); ok && id != nil {
				read[id.Name] = true
			}
		})
	}
	out := make(map[string]int, len(sizes))
	for sym, n := range sizes {
		if read[sym] {
			out[sym] = n
		}
	}
	return out
}

// ArraySizes returns the sizes of the arrays F and Rhs build (the
// arguments of eye, ones and zeros, symbols at sizes or literals): lengths
// of the sums they enter, as a variable's dimensions are. A size used
// only as a number (2/m) is none.
func (c *Claim) ArraySizes(sizes map[string]int) []int {
	var ns []int
	for _, e := range []Expr{c.F, c.Rhs} {
		Walk(e, func(x Expr) {
			for _, a := range sizeArgs(x) {
				switch a := a.(type) {
				case *Ident:
					if n, ok := sizes[a.Name]; ok {
						ns = append(ns, n)
					}
				case *Num:
					if isCount(a.Value) {
						ns = append(ns, int(a.Value))
					}
				}
			}
		})
	}
	return ns
}

// LongestSum returns the most terms that read one of names (a variable, a
// direction) in one chain of + and − of F or Rhs, 1 where there is none:
// a length of a sum whose terms change with them, whose rounding grows with
// it as with an array's, where the sizes see only the arrays (f, a flat sum
// of 8000 traces of A*X at n = 4, failed its true gradient by 1.0000000001;
// found by the robustness helper). Terms that read none of them round the
// same at every point of a stencil, and are not counted: counted, 32000
// constants let a claim 1.00001 times the gradient pass (the review
// helper). It reads each chain once, from its root.
func (c *Claim) LongestSum(names ...string) int {
	longest := 1
	var visit func(e Expr)
	var terms func(e Expr) int
	terms = func(e Expr) int {
		if b, ok := e.(*Binary); ok && b != nil && (b.Op == "+" || b.Op == "-") {
			return terms(b.L) + terms(b.R)
		}
		visit(e)
		for _, name := range names {
			if readsName(e, name) {
				return 1
			}
		}
		return 0
	}
	visit = func(e Expr) {
		if isNil(e) {
			return
		}
		switch e := e.(type) {
		case *Binary:
			if e.Op == "+" || e.Op == "-" {
				longest = max(longest, terms(e))
				return
			}
			visit(e.L)
			visit(e.R)
		case *Unary:
			visit(e.X)
		case *Call:
			for _, a := range e.Args {
				visit(a)
			}
		case *Integral:
			visit(e.Lo)
			visit(e.Hi)
			visit(e.Body)
		}
	}
	visit(c.F)
	visit(c.Rhs)
	return longest
}

// literalSizes lists the integer literal dimensions of the claim other
// than 1: its variables' and those of eye, ones and zeros.
func (c *Claim) literalSizes() []int {
	var ns []int
	for _, v := range c.Vars {
		for _, d := range v.Dims {
			if !isSymbol(d) {
				if n, err := strconv.Atoi(d); err == nil && n > 1 {
					ns = append(ns, n)
				}
			}
		}
	}
	for _, e := range []Expr{c.F, c.Rhs} {
		Walk(e, func(x Expr) {
			for _, a := range sizeArgs(x) {
				if num, ok := a.(*Num); ok && num != nil && isCount(num.Value) && num.Value > 1 {
					ns = append(ns, int(num.Value))
				}
			}
		})
	}
	return ns
}

// Default sizes: n, m and k have their own; other symbols take the next
// unused value of defaultSizes in order of first appearance.
var (
	namedDefaults = map[string]int{"n": 48, "m": 40, "k": 32}
	defaultSizes  = []int{24, 20, 16, 12, 10, 8, 6, 5, 4, 3}
)

// ResolveSizes gives every size symbol of the claim (in its variables'
// shapes and in eye(...)) a value: the user's if given, else the claim's
// own Sizes, else a default (n=48, m=40, k=32; other symbols, in order of
// first appearance, the next of 24, 20, 16, 12, 10, 8, 6, 5, 4, 3). A
// default never equals a value already in use by another dimension, so
// that a claim that confuses two dimensions fails on shape instead of
// passing by coincidence. Entries of user for symbols the claim does not
// use are ignored, but every user or claim size must be at least 1.
func (c *Claim) ResolveSizes(user map[string]int) (map[string]int, error) {
	for _, sym := range sortedKeys(user) {
		if v := user[sym]; v < 1 || v > MaxSize {
			return nil, fmt.Errorf("size %s = %d: sizes must be at least 1 (and at most %d)", sym, v, MaxSize)
		}
	}
	for _, sym := range sortedKeys(c.Sizes) {
		if v := c.Sizes[sym]; v < 1 || v > MaxSize {
			return nil, &fieldError{claim: c.Name, field: "sizes", err: fmt.Errorf("%s = %d: sizes must be at least 1 (and at most %d)", sym, v, MaxSize)}
		}
	}
	syms := c.Symbols()
	sizes := make(map[string]int, len(syms))
	taken := make(map[int]bool)
	for _, n := range c.literalSizes() {
		taken[n] = true
	}
	for _, sym := range syms {
		v, ok := user[sym]
		if !ok {
			v, ok = c.Sizes[sym]
		}
		if ok {
			sizes[sym] = v
			taken[v] = true
		}
	}
	next := func() int {
		for _, v := range defaultSizes {
			if !taken[v] {
				return v
			}
		}
		v := 2
		for taken[v] {
			v++
		}
		return v
	}
	assign := func(sym string, v int) {
		sizes[sym] = v
		taken[v] = true
	}
	for _, sym := range syms {
		if _, ok := sizes[sym]; ok {
			continue
		}
		if v, ok := namedDefaults[sym]; ok && !taken[v] {
			assign(sym, v)
		}
	}
	for _, sym := range syms {
		if _, ok := sizes[sym]; !ok {
			assign(sym, next())
		}
	}
	return sizes, nil
}

// sortedKeys returns the keys of m in increasing order, for deterministic
// errors.
func sortedKeys(m map[string]int) []string { return slices.Sorted(maps.Keys(m)) }

// resolveDim gives the value of one dimension.
func resolveDim(d string, sizes map[string]int) (int, error) {
	if !isSymbol(d) {
		n, err := strconv.Atoi(d)
		if err != nil || n < 1 || n > MaxSize {
			return 0, fmt.Errorf("dimension %q is not a positive integer", d)
		}
		return n, nil
	}
	n, ok := sizes[d]
	if !ok {
		return 0, fmt.Errorf("size %s has no value", d)
	}
	if n < 1 || n > MaxSize {
		return 0, fmt.Errorf("size %s = %d is not a positive size", d, n)
	}
	return n, nil
}

// fieldError is an error in one field of a claim (the expression of "f",
// "grad", ..., or "sizes"), so that a spec file's loader can point at
// that field's line rather than the claim's.
type fieldError struct {
	claim, field string
	err          error
}

func (e *fieldError) Error() string {
	return fmt.Sprintf("formula %q: %s: %v", e.claim, e.field, e.err)
}

func (e *fieldError) Unwrap() error { return e.err }

// checkBinders refuses an integration variable named as a variable of the
// claim, a direction of its variable (dX, dX2) or a size symbol: inside the
// integral the name would mean the scalar, outside it the other thing, and
// differentiating f (derive, the expected result of a failure) puts dX
// into f, where integral(dX, 0, 1, dX*tr(X)) captured it. (An integral
// inside another over the same variable is allowed: derive writes such
// gradients, and each binds its own.)
func (c *Claim) checkBinders(env map[string]Shape, sizes map[string]int) error {
	taken := func(name string) string {
		if _, ok := env[name]; ok {
			return "a variable"
		}
		if c.Wrt != "" && (name == c.Direction() || name == c.SecondDirection()) {
			return "a direction of " + c.Wrt
		}
		if _, ok := sizes[name]; ok {
			return "a size symbol"
		}
		if defines(c.Where, name) {
			return "a definition (where)"
		}
		return ""
	}
	type part struct {
		field string
		e     Expr
	}
	parts := []part{{"f", c.F}, {string(c.Kind), c.Rhs}}
	for _, d := range c.Where {
		parts = append(parts, part{whereField(d.Name), d.Expr})
	}
	for _, part := range parts {
		var err error
		Walk(part.e, func(e Expr) {
			if in, ok := e.(*Integral); ok && in != nil && err == nil {
				if what := taken(in.Var); what != "" {
					err = &fieldError{claim: c.Name, field: part.field,
						err: errorf(in.At, "%s: the integration variable %s is the name of %s; give it a name of its own", str(in), in.Var, what)}
				}
			}
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// Check resolves the shape of every variable at the given sizes, infers
// the shapes of F and Rhs (binding the direction dX to the shape of X for
// diff and hess) and checks that they fit the claim's kind:
//
//	grad    f is 1×1; Rhs has the shape of the variable (its transpose in
//	        numerator layout)
//	diff    Rhs has the shape of f
//	jac     the variable is n×1, f is m×1 and Rhs is m×n
//	hess    f is 1×1; Rhs is n×n for a vector variable n×1, and 1×1 (the
//	        quadratic form D²f[dX,dX], or the bilinear form D²f[dX,dX2])
//	        for a matrix variable
//	equals  Rhs has the shape of f
//
// A grad or jac whose Rhs has the transposed shape, where that is another
// shape, passes the check: it is the layout mistake the verifier exists
// to find, so it is a claim that fails, not an invalid one (see
// Resolved.ShapeMismatch).
//
// It returns the variables' shapes. Errors are one line and name the claim,
// the field and the shapes.
func (c *Claim) Check(sizes map[string]int) (map[string]Shape, error) {
	shapes, _, err := c.check(sizes)
	return shapes, err
}

// check is Check that also returns, for a claim with the transposed shape,
// what Resolved.ShapeMismatch says about it.
func (c *Claim) check(sizes map[string]int) (shapes map[string]Shape, mismatch string, err error) {
	fail := func(format string, args ...any) (map[string]Shape, string, error) {
		return nil, "", fmt.Errorf("formula %q: %s", c.Name, fmt.Sprintf(format, args...))
	}
	env := make(map[string]Shape, len(c.Vars)+1)
	declared := make(map[string]bool, len(c.Vars))
	for _, v := range c.Vars {
		declared[v.Name] = true
	}
	if c.Wrt != "" {
		for _, d := range []string{c.Direction(), c.SecondDirection()} {
			if _, ok := sizes[d]; ok {
				// eye(dX) would be a size in f and a matrix in the
				// differential.
				return fail("the size %s is the name of a direction of %s; rename it", d, c.Wrt)
			}
		}
	}
	for _, v := range c.Vars {
		var s [2]int
		for i, d := range v.Dims {
			if declared[d] {
				// n would be a size in shapes and a matrix in expressions.
				return fail("variable %s: the size %s is the name of a variable; rename one", v.Name, d)
			}
			n, err := resolveDim(d, sizes)
			if err != nil {
				return fail("variable %s: %v", v.Name, err)
			}
			s[i] = n
		}
		env[v.Name] = Shape{s[0], s[1]}
		if v.Dist == Orth && s == [2]int{1, 1} {
			// An orthogonal 1×1 matrix of determinant 1 is 1: a claim
			// checked there holds at that one point only (3 for the
			// gradient of s^3 passed).
			return fail("variable %s: dist orth of a 1×1 variable is the constant 1, so the claim would be checked at that one point; use another dist", v.Name)
		}
	}
	if err := c.checkBinders(env, sizes); err != nil {
		return nil, "", err
	}
	vars := maps.Clone(env)
	rhsEnv := env
	var ws Shape
	if c.Kind != Equals {
		var ok bool
		if ws, ok = env[c.Wrt]; !ok {
			return fail("wrt %s is not a declared variable", c.Wrt)
		}
		if c.Kind == Diff || c.Kind == Hess {
			rhsEnv = maps.Clone(env)
			rhsEnv[c.Direction()] = ws
			if c.Kind == Hess {
				rhsEnv[c.SecondDirection()] = ws
			}
		}
	}
	if err := c.checkDefinitions(env, rhsEnv, sizes); err != nil {
		return nil, "", err
	}
	fs, err := Infer(c.F, env, sizes)
	if err != nil {
		return nil, "", &fieldError{claim: c.Name, field: "f", err: err}
	}
	rs, err := Infer(c.Rhs, rhsEnv, sizes)
	if err != nil {
		return nil, "", &fieldError{claim: c.Name, field: string(c.Kind), err: err}
	}
	switch c.Kind {
	case Grad:
		if !fs.IsScalar() {
			return fail("grad needs a scalar f, but f is %v (use diff or jac)", fs)
		}
		want := ws
		if c.Layout == Numerator {
			want = ws.T()
		}
		switch {
		case rs == want:
		case rs == want.T() && c.Layout == Numerator:
			mismatch = fmt.Sprintf("grad is %v, the shape of %s; in numerator layout it is %v, the shape of %s': for denominator layout %s",
				rs, c.Wrt, want, c.Wrt, c.choice("leave out --layout numerator", "remove layout: numerator"))
		case rs == want.T():
			mismatch = fmt.Sprintf("grad is %v, the shape of %s', but %s is %v (a gradient has the shape of its variable): for numerator layout %s",
				rs, c.Wrt, c.Wrt, ws, c.choice("give --layout numerator", "set layout: numerator"))
		case c.Layout == Numerator:
			return fail("grad is %v, but in numerator layout it must be %v, the shape of %s'", rs, want, c.Wrt)
		case isNumber(c.Rhs):
			// grad: 0 for a matrix: a number is 1×1, not broadcast.
			dims := c.Vars[slices.IndexFunc(c.Vars, func(v Var) bool { return v.Name == c.Wrt })].Dims
			args := dims[0]
			if dims[1] != "1" {
				args += ", " + dims[1]
			}
			return fail("grad is %v, but %s is %v (a gradient has the shape of its variable); a constant gradient has that shape too, as zeros(%s) or 2*ones(%s)",
				rs, c.Wrt, ws, args, args)
		default:
			return fail("grad is %v, but %s is %v (a gradient has the shape of its variable)", rs, c.Wrt, ws)
		}
	case Diff:
		if rs != fs {
			return fail("diff is %v, but f is %v (a differential has the shape of f)", rs, fs)
		}
	case Jac:
		if fs.Cols != 1 {
			return fail("jac needs a vector f, but f is %v (use diff, or the Jacobian of vec(f))", fs)
		}
		switch want := (Shape{fs.Rows, ws.Rows * ws.Cols}); rs {
		case want:
		case want.T():
			mismatch = fmt.Sprintf("jac is %v, but f is %v and %s is %v, so it must be %v, a row for each entry of f (%v is the denominator layout, a column for each)",
				rs, fs, c.Wrt, ws, want, rs)
		default:
			if ws.Cols > 1 {
				return fail("jac is %v, but f is %v and %s is %v, so it must be %v: a row for each entry of f, a column for each entry of vec(%[3]s)", rs, fs, c.Wrt, ws, want)
			}
			return fail("jac is %v, but f is %v and %s is %v, so it must be %v", rs, fs, c.Wrt, ws, want)
		}
	case Hess:
		if !fs.IsScalar() {
			return fail("hess needs a scalar f, but f is %v", fs)
		}
		if !c.SecondDerivativeForm(ws) {
			if want := (Shape{ws.Rows, ws.Rows}); rs != want {
				return fail("hess is %v, but %s is %v, so it must be %v", rs, c.Wrt, ws, want)
			}
		} else if !rs.IsScalar() {
			return fail("hess is %v, but %s is the matrix %v, so it must be the scalar D²f[%s,%s] (or the bilinear form D²f[%s,%s]), 1×1",
				rs, c.Wrt, ws, c.Direction(), c.Direction(), c.Direction(), c.SecondDirection())
		}
	case Equals:
		if rs != fs {
			return fail("equals is %v, but f is %v", rs, fs)
		}
	default:
		return fail("unknown kind %q", c.Kind)
	}
	return vars, mismatch, nil
}
