package selftest

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/gradcheck/gradcheck/formulas"
)

// dim is a dimension of a shape class: "1", or the size symbols "n" and
// "m".
type dim string

// shape is a shape class: rows × cols over the dimensions 1, n and m.
type shape struct{ r, c dim }

func (s shape) scalar() bool { return s.r == "1" && s.c == "1" }
func (s shape) square() bool { return s.r == s.c && !s.scalar() }
func (s shape) t() shape     { return shape{s.c, s.r} }

// variable is one variable the generator may use, with its distribution.
type variable struct {
	name string
	sh   shape
	dist formulas.Dist
}

// Variables the generated functions draw from, besides the variable of
// differentiation X. Square constants are well conditioned (so that
// products of them can be inverted and have a positive determinant); P, p
// and r are positive (for log, sqrt, divisions and powers).
var constants = []variable{
	{"A", shape{"n", "n"}, formulas.WellCond},
	{"B", shape{"m", "m"}, formulas.WellCond},
	{"S", shape{"n", "n"}, formulas.SPD},
	{"C", shape{"m", "n"}, formulas.Gauss},
	{"D", shape{"n", "m"}, formulas.Gauss},
	{"a", shape{"n", "1"}, formulas.Gauss},
	{"b", shape{"m", "1"}, formulas.Gauss},
	{"c", shape{"1", "1"}, formulas.Gauss},
	{"P", shape{"m", "n"}, formulas.Positive},
	{"p", shape{"n", "1"}, formulas.Positive},
	{"r", shape{"1", "1"}, formulas.Positive},
}

// Function is one random function: f, the variable X it is
// differentiated with respect to, the variables it uses and the sizes.
type Function struct {
	F     formulas.Expr
	Wrt   variable
	Vars  []variable
	Sizes map[string]int
}

// Spec returns the function as a spec without a claim, named name.
func (f *Function) Spec(name string) formulas.Spec {
	s := formulas.Spec{Name: name, F: f.F.String(), Wrt: f.Wrt.name, Sizes: f.Sizes, Source: "selftest"}
	for _, v := range f.Vars {
		s.Vars = append(s.Vars, formulas.SpecVar{Name: v.name, VarSpec: formulas.VarSpec{Shape: shapeText(v.sh), Dist: string(v.dist)}})
	}
	return s
}

// shapeText writes a shape class as a spec writes it: "n,n", "n" or "1".
func shapeText(s shape) string {
	switch {
	case s.scalar():
		return "1"
	case s.c == "1":
		return string(s.r)
	}
	return string(s.r) + "," + string(s.c)
}

// generator draws random expressions.
type generator struct {
	rng *rand.Rand
	x   variable
	// dims collects the size symbols the expression uses.
	dims map[dim]bool
	// t counts integration variables in scope.
	t int
	// quad counts the enclosing arguments of integral forms (integral,
	// expm, logm), inside which no other is drawn (see nested).
	quad int
}

// Generate draws a random function of nesting depth at most depth from
// rng: its variable of differentiation is a scalar, vector, square or
// rectangular X, and it depends on X. A depth below 1 is taken as 1: a
// function of depth 0 is a variable alone, X or one that is not X, and
// neither is drawn.
func Generate(rng *rand.Rand, depth int) *Function {
	depth = max(depth, 1)
	xs := []variable{
		{"X", shape{"1", "1"}, formulas.Gauss},
		{"X", shape{"n", "1"}, formulas.Gauss},
		{"X", shape{"n", "1"}, formulas.Positive},
		{"X", shape{"n", "n"}, formulas.WellCond},
		{"X", shape{"n", "n"}, formulas.WellCond},
		{"X", shape{"m", "n"}, formulas.Gauss},
		{"X", shape{"m", "n"}, formulas.Positive},
	}
	x := xs[rng.IntN(len(xs))]
	n := 3 + rng.IntN(4)
	m := 2 + rng.IntN(4)
	if m >= n {
		m++
	}
	for {
		g := &generator{rng: rng, x: x, dims: map[dim]bool{}}
		out := []shape{{"1", "1"}, {"n", "1"}, {"n", "n"}, {"m", "n"}, {"1", "1"}}[rng.IntN(5)]
		f := g.expr(out, depth)
		// The variables and sizes are those f names: eye(n) names a size.
		used := map[string]bool{}
		for _, e := range nodes(f) {
			switch e := e.(type) {
			case *formulas.Ident:
				used[e.Name] = true
			case *formulas.Call:
				if e.Func == "eye" {
					g.dims[dim(e.Args[0].String())] = true
				}
			}
		}
		if _, bare := f.(*formulas.Ident); bare || !used[x.name] {
			// f = X alone makes the verifier free a tensor twice
			// (reported; see README, "How we know it is right").
			continue
		}
		fn := &Function{F: f, Wrt: x, Sizes: map[string]int{}}
		for _, v := range append([]variable{x}, constants...) {
			if used[v.name] {
				fn.Vars = append(fn.Vars, v)
				g.dims[v.sh.r], g.dims[v.sh.c] = true, true
			}
		}
		for sym, v := range map[dim]int{"n": n, "m": m} {
			if g.dims[sym] {
				fn.Sizes[string(sym)] = v
			}
		}
		return fn
	}
}

// Expression constructors.
func ident(name string) formulas.Expr { return &formulas.Ident{Name: name} }
func num(v float64) formulas.Expr     { return &formulas.Num{Value: v} }
func bin(op string, l, r formulas.Expr) formulas.Expr {
	return &formulas.Binary{Op: op, L: l, R: r}
}
func call(name string, args ...formulas.Expr) formulas.Expr {
	return &formulas.Call{Func: name, Args: args}
}
func tr(e formulas.Expr) formulas.Expr { return &formulas.Unary{Op: "'", X: e} }

// pick returns one of the options, with weights.
func (g *generator) pick(options []option) formulas.Expr {
	total := 0
	for _, o := range options {
		total += o.weight
	}
	k := g.rng.IntN(total)
	for _, o := range options {
		if k < o.weight {
			return o.make()
		}
		k -= o.weight
	}
	panic("unreachable")
}

// option is one production of the grammar.
type option struct {
	weight int
	make   func() formulas.Expr
}

// leaf returns a variable of shape s (X with probability ½ where it fits),
// its transpose, or a number for a scalar.
func (g *generator) leaf(s shape, want func(variable) bool) formulas.Expr {
	var cands []variable
	if want(g.x) && (g.x.sh == s || g.x.sh == s.t()) {
		cands = append(cands, g.x, g.x)
	}
	for _, v := range constants {
		if want(v) && (v.sh == s || v.sh == s.t()) {
			cands = append(cands, v)
		}
	}
	if len(cands) == 0 {
		return nil
	}
	v := cands[g.rng.IntN(len(cands))]
	if v.sh != s {
		return tr(ident(v.name))
	}
	return ident(v.name)
}

// anyVar accepts every variable.
func anyVar(variable) bool { return true }

// dims lists the dimensions a product may contract over.
var dims = []dim{"1", "n", "m"}

// expr draws an expression of shape s and depth at most depth.
func (g *generator) expr(s shape, depth int) formulas.Expr {
	if depth <= 0 {
		if s.scalar() && g.rng.IntN(4) == 0 {
			return num(float64(1 + g.rng.IntN(3)))
		}
		if e := g.leaf(s, anyVar); e != nil {
			return e
		}
		// A row vector or a shape with no variable: a product.
		return g.product(s, 0)
	}
	d := depth - 1
	opts := []option{
		{3, func() formulas.Expr { return g.leafOr(s, d) }},
		{1, func() formulas.Expr { return &formulas.Unary{Op: "-", X: g.expr(s, d)} }},
		{2, func() formulas.Expr { return tr(g.expr(s.t(), d)) }},
		{3, func() formulas.Expr { return g.sum(s, d) }},
		{2, func() formulas.Expr { return g.difference(s, d) }},
		{2, func() formulas.Expr { return bin("*", g.expr(shape{"1", "1"}, d), g.expr(s, d)) }},
		{5, func() formulas.Expr { return g.product(s, d) }},
		{2, func() formulas.Expr { return bin(".*", g.expr(s, d), g.expr(s, d)) }},
		{1, func() formulas.Expr { return g.quotient(s, d) }},
		{1, func() formulas.Expr { return bin("/", g.expr(s, d), g.positive(shape{"1", "1"}, d)) }},
		{1, func() formulas.Expr { return call("exp", g.bounded(s, d)) }},
		{1, func() formulas.Expr { return call("log", g.positive(s, d)) }},
		{1, func() formulas.Expr { return call("sqrt", g.positive(s, d)) }},
		{1, func() formulas.Expr { return call("abs", g.dense(s, d)) }},
		{1, func() formulas.Expr { return call("tanh", g.expr(s, d)) }},
		{1, func() formulas.Expr { return bin(".^", g.positive(s, d), g.exponent(d)) }},
		{1, func() formulas.Expr { return call("kron", g.expr(s, d), g.expr(shape{"1", "1"}, d)) }},
		{1, func() formulas.Expr { return call("sigmoid", g.expr(s, d)) }},
		{1, func() formulas.Expr { return call("softplus", g.expr(s, d)) }},
		{1, func() formulas.Expr { return call("log1p", g.positive(s, d)) }},
		{1, func() formulas.Expr { return call("expm1", g.bounded(s, d)) }},
		{1, func() formulas.Expr { return call("lgamma", g.positive(s, d)) }},
		{1, func() formulas.Expr { return call("sin", g.expr(s, d)) }},
		{1, func() formulas.Expr { return call("cos", g.expr(s, d)) }},
		{1, func() formulas.Expr { return call("relu", g.dense(s, d)) }},
	}
	if g.quad == 0 {
		opts = append(opts, option{1, func() formulas.Expr { return g.integral(s, d) }})
	}
	if s.r != "1" {
		opts = append(opts, option{1, func() formulas.Expr { return g.solve(s, d) }})
	}
	if s.scalar() {
		opts = append(opts,
			option{3, func() formulas.Expr { k := g.squareDim(); return call("tr", g.expr(shape{k, k}, d)) }},
			option{2, func() formulas.Expr { return call("det", g.safe(g.squareDim(), d)) }},
			option{2, func() formulas.Expr { return call("logdet", g.safe(g.squareDim(), d)) }},
			option{2, func() formulas.Expr { return call("sum", g.expr(g.anyShape(), d)) }},
			option{2, func() formulas.Expr { return call("norm2", g.nonzero(g.anyShape(), d)) }},
			option{1, func() formulas.Expr { return bin("^", g.positive(s, d), g.exponent(d)) }},
			option{1, func() formulas.Expr { return g.kronScalar(d) }},
			option{1, func() formulas.Expr { return call("mean", g.expr(g.anyShape(), d)) }},
			option{1, func() formulas.Expr { return call("logsumexp", g.expr(g.anyShape(), d)) }},
		)
	}
	if s.square() {
		opts = append(opts,
			option{2, func() formulas.Expr { return call("inv", g.safe(s.r, d)) }},
			option{1, func() formulas.Expr { return call("sym", g.expr(s, d)) }},
			option{2, func() formulas.Expr { return bin("^", g.expr(s, d), num(float64(2+g.rng.IntN(2)))) }},
			option{1, func() formulas.Expr { return call("diag", g.expr(shape{s.r, "1"}, d)) }},
			option{1, func() formulas.Expr { return bin("+", g.expr(s, d), g.eye(s.r)) }},
		)
		if g.quad == 0 {
			opts = append(opts,
				option{1, func() formulas.Expr { return call("expm", g.small(s.r, d)) }},
				option{2, func() formulas.Expr { return call("logm", g.safeLeaf(s.r)) }},
			)
		}
	}
	if !s.scalar() {
		opts = append(opts, option{1, func() formulas.Expr { return g.broadcast(s, d) }})
	}
	if s.c == "1" && !s.scalar() {
		opts = append(opts,
			option{2, func() formulas.Expr { return call("diag", g.expr(shape{s.r, s.r}, d)) }},
			option{1, func() formulas.Expr { return call("softmax", g.expr(s, d)) }})
	}
	return g.pick(opts)
}

// broadcast draws an array of shape s plus or minus a scalar, which
// meets every entry (x − mean(x), X + tr(X)): derive transposed such a
// scalar as if it were the array, and wrote a wrong gradient (found by the
// walkthrough), which no generated function had exercised.
func (g *generator) broadcast(s shape, depth int) formulas.Expr {
	a, c := g.expr(s, depth), g.expr(shape{"1", "1"}, depth)
	switch g.rng.IntN(3) {
	case 0:
		return bin("+", a, c)
	case 1:
		return bin("-", a, c)
	}
	return bin("-", c, a)
}

// leafOr returns a leaf of shape s, or an expression where there is none.
func (g *generator) leafOr(s shape, depth int) formulas.Expr {
	if e := g.leaf(s, anyVar); e != nil {
		return e
	}
	return g.expr(s, depth)
}

// squareDim returns n or m.
func (g *generator) squareDim() dim { return dims[1+g.rng.IntN(2)] }

// anyShape returns a random shape class.
func (g *generator) anyShape() shape {
	return shape{dims[g.rng.IntN(3)], dims[g.rng.IntN(3)]}
}

// product draws L*R of shape s over a random inner dimension.
func (g *generator) product(s shape, depth int) formulas.Expr {
	k := dims[g.rng.IntN(3)]
	if s.scalar() && k == "1" {
		k = g.squareDim()
	}
	return bin("*", g.expr(shape{s.r, k}, depth), g.expr(shape{k, s.c}, depth))
}

// exponent draws the exponent of a power: an integer or half-integer
// literal, or a bounded scalar.
func (g *generator) exponent(depth int) formulas.Expr {
	if g.rng.IntN(4) == 0 {
		return call("tanh", g.expr(shape{"1", "1"}, depth))
	}
	return num([]float64{2, 3, 0.5, -1, 1.5}[g.rng.IntN(5)])
}

// bounded draws an expression of shape s with entries in (−1, 1), for
// exp: tanh of any expression, or a sum of two.
func (g *generator) bounded(s shape, depth int) formulas.Expr {
	return call("tanh", g.expr(s, depth))
}

// positive draws an expression of shape s with positive entries bounded
// away from zero.
func (g *generator) positive(s shape, depth int) formulas.Expr {
	isPos := func(v variable) bool { return v.dist == formulas.Positive }
	opts := []option{
		{3, func() formulas.Expr { return call("exp", g.bounded(s, depth)) }},
	}
	if e := g.leaf(s, isPos); e != nil {
		opts = append(opts, option{4, func() formulas.Expr { return e }})
	}
	if depth > 0 {
		opts = append(opts,
			option{1, func() formulas.Expr { return bin(".*", g.positive(s, depth-1), g.positive(s, depth-1)) }},
			option{1, func() formulas.Expr { return call("sqrt", g.positive(s, depth-1)) }},
		)
		if s.scalar() {
			opts = append(opts,
				option{1, func() formulas.Expr { return call("norm2", g.nonzero(g.anyShape(), depth-1)) }},
				option{1, func() formulas.Expr {
					v := g.nonzero(shape{"n", "1"}, depth-1)
					return bin("*", bin("*", tr(v), g.spd()), v)
				}},
			)
		}
	}
	return g.pick(opts)
}

// spd returns the SPD constant S.
func (g *generator) spd() formulas.Expr {
	return ident(constants[2].name)
}

// safeLeaf returns a well-conditioned k×k variable with eigenvalues near
// the positive axis: X when it is one, A, B or S.
func (g *generator) safeLeaf(k dim) formulas.Expr {
	isSafe := func(v variable) bool { return v.dist == formulas.WellCond || v.dist == formulas.SPD }
	return g.leaf(shape{k, k}, isSafe)
}

// safe draws a well-conditioned k×k matrix with a positive determinant:
// a safe variable, a transpose, product or inverse of safe matrices, or
// the exponential of a small one.
func (g *generator) safe(k dim, depth int) formulas.Expr {
	if depth <= 0 {
		return g.safeLeaf(k)
	}
	d := depth - 1
	opts := []option{
		{4, func() formulas.Expr { return g.safeLeaf(k) }},
		{1, func() formulas.Expr { return tr(g.safe(k, d)) }},
		{1, func() formulas.Expr { return bin("*", g.safeLeaf(k), g.safeLeaf(k)) }},
		{1, func() formulas.Expr { return call("inv", g.safe(k, d)) }},
	}
	if g.quad == 0 {
		opts = append(opts, option{1, func() formulas.Expr { return call("expm", g.small(k, d)) }})
	}
	return g.pick(opts)
}

// small draws a k×k matrix of norm below about 1, for expm: the
// difference of two safe variables (each I plus a small part), a safe
// variable halved, or a quarter of tanh of any expression (k ≤ 7).
func (g *generator) small(k dim, depth int) formulas.Expr {
	defer g.nested()()
	return g.pick([]option{
		{2, func() formulas.Expr { return g.distinct(func() formulas.Expr { return g.safeLeaf(k) }) }},
		{2, func() formulas.Expr { return bin("*", num(0.5), g.safeLeaf(k)) }},
		{2, func() formulas.Expr { return bin("*", num(0.25), call("tanh", g.expr(shape{k, k}, depth))) }},
	})
}

// kronScalar draws a scalar reduction of a Kronecker product.
func (g *generator) kronScalar(depth int) formulas.Expr {
	a, b := g.anyShape(), g.anyShape()
	if a.r == a.c && b.r == b.c {
		return call("tr", call("kron", g.expr(a, depth), g.expr(b, depth)))
	}
	if g.rng.IntN(2) == 0 {
		return call("sum", call("kron", g.expr(a, depth), g.expr(b, depth)))
	}
	return call("norm2", call("kron", g.nonzero(a, depth), g.nonzero(b, depth)))
}

// integral draws integral(t, 0, 1, t^k·e) or, for a square shape, one
// time in 16 integral(t, 0, 1, expm(t·small)): its differential is a
// double integral, the slowest claim to evaluate (about 10 CPU seconds
// with its mutants, against 0.1 for a typical function).
func (g *generator) integral(s shape, depth int) formulas.Expr {
	g.t++
	defer func() { g.t-- }()
	defer g.nested()()
	t := fmt.Sprintf("t%d", g.t)
	var body formulas.Expr
	if s.square() && g.rng.IntN(16) == 0 {
		body = call("expm", bin("*", ident(t), g.small(s.r, depth)))
	} else {
		body = bin("*", bin("^", ident(t), num(float64(g.rng.IntN(3)))), g.expr(s, depth))
	}
	return &formulas.Integral{Var: t, Lo: num(0), Hi: num(1), Body: body}
}

// nested marks the argument of an integral form being drawn until the
// function it returns is called. The differential of an integral form is
// an integral over the differential of its argument (expm's and logm's
// are integrals over s ∈ [0, 1]), so one inside another differentiates to
// a double integral: 20 × 20 quadrature nodes, each evaluating the inner
// argument and its matrix functions anew. Such claims took tens of CPU
// seconds each and kept `selftest --claims 10000` from finishing, so only
// integral(t, 0, 1, expm(t·small)) nests two (its small part drawn without
// a third).
func (g *generator) nested() func() {
	g.quad++
	return func() { g.quad-- }
}

// eye returns eye(k).
func (g *generator) eye(k dim) formulas.Expr { return call("eye", ident(string(k))) }

// difference draws L − R of shape s with L and R written differently, so
// that it is not zero by construction (X − X would make every derivative
// through it vanish, and the claim vacuous).
func (g *generator) difference(s shape, depth int) formulas.Expr {
	return g.distinct(func() formulas.Expr { return g.expr(s, depth) })
}

// distinct returns L − R for two draws of draw that do not cancel, or L
// alone if ten draws of R all cancel L.
func (g *generator) distinct(draw func() formulas.Expr) formulas.Expr {
	return g.noncancelling("-", draw)
}

// sum draws L + R of shape s that does not cancel: (A − S) + (S − A) is
// zero to the last bit, and so is everything built on it (FuzzBackends:
// norm2 of a product with it, whose derived differential ⟨x, dx⟩/‖x‖ is
// 0/0 there).
func (g *generator) sum(s shape, depth int) formulas.Expr {
	return g.noncancelling("+", func() formulas.Expr { return g.expr(s, depth) })
}

// noncancelling returns L op R (op "+" or "-") for draws of draw whose
// terms do not all cancel, trying R ten times, else L alone.
func (g *generator) noncancelling(op string, draw func() formulas.Expr) formulas.Expr {
	l := draw()
	for range 10 {
		if e := bin(op, l, draw()); !g.cancels(e) {
			return e
		}
	}
	return l
}

// cancels reports whether e, written as a signed sum of terms (through +,
// − and unary minus), has every term's coefficient 0: A − A,
// (A − S) + (S − A), −X + X, kron(X, c) − c*X. Terms are compared as
// termKey writes them; terms equal only up to other algebra
// (A*(B + C) against A*B + A*C) are not seen.
func (g *generator) cancels(e formulas.Expr) bool {
	coeff := map[string]int{}
	var walk func(e formulas.Expr, sign int)
	walk = func(e formulas.Expr, sign int) {
		switch e := e.(type) {
		case *formulas.Binary:
			if e.Op == "+" || e.Op == "-" {
				walk(e.L, sign)
				if e.Op == "-" {
					sign = -sign
				}
				walk(e.R, sign)
				return
			}
		case *formulas.Unary:
			if e.Op == "-" {
				walk(e.X, -sign)
				return
			}
		}
		coeff[g.termKey(e)] += sign
	}
	walk(e, 1)
	for _, c := range coeff {
		if c != 0 {
			return false
		}
	}
	return true
}

// termKey writes a term so that products equal to the last bit read
// alike: kron(A, s) and kron(s, A) with s a scalar are s*A, and a
// product's scalar factors, which commute exactly, come first in sorted
// order (c*X, X*c and kron(X, c) all read c*X; FuzzBackends found norm2
// of a product with kron(X, c) − c*X, zero to the last bit).
func (g *generator) termKey(e formulas.Expr) string {
	var scalars, others []string
	var factor func(e formulas.Expr)
	factor = func(e formulas.Expr) {
		switch e := e.(type) {
		case *formulas.Binary:
			if e.Op == "*" {
				factor(e.L)
				factor(e.R)
				return
			}
		case *formulas.Call:
			if e.Func == "kron" && len(e.Args) == 2 && (g.scalar(e.Args[0]) || g.scalar(e.Args[1])) {
				factor(e.Args[0])
				factor(e.Args[1])
				return
			}
		}
		if g.scalar(e) {
			scalars = append(scalars, e.String())
		} else {
			others = append(others, e.String())
		}
	}
	factor(e)
	slices.Sort(scalars)
	return strings.Join(append(scalars, others...), "*")
}

// scalar reports whether e is 1×1 by construction: a number, a 1×1
// variable, a reduction (tr, det, logdet, sum, mean, norm2, logsumexp),
// or an operation on such.
func (g *generator) scalar(e formulas.Expr) bool {
	switch e := e.(type) {
	case *formulas.Num:
		return true
	case *formulas.Ident:
		if e.Name == g.x.name {
			return g.x.sh.scalar()
		}
		for _, v := range constants {
			if v.name == e.Name {
				return v.sh.scalar()
			}
		}
	case *formulas.Call:
		return slices.Contains([]string{"tr", "det", "logdet", "sum", "mean", "norm2", "logsumexp"}, e.Func)
	case *formulas.Unary:
		return g.scalar(e.X)
	case *formulas.Binary:
		return g.scalar(e.L) && g.scalar(e.R)
	}
	return false
}

// dense draws the argument of abs or relu: an expression of shape s
// without diag, eye or relu, whose entries are not zero by construction
// (a rule from when d|A| was written A./abs(A).*dA, 0/0 at such entries;
// sign(A).*dA is right there too, and the rule stays so that the
// self-test draws what it drew), and not non-negative by construction,
// where abs and relu are the identity and cancel against it
// (FuzzBackends: norm2(X' − abs(X')) for a positive X, zero to the last
// bit, whose derived differential ⟨x, dx⟩/‖x‖ is 0/0). After 10 such
// draws it is the last one less 1, which takes both signs (a positive
// variable is e^{g/2}, and exp and sqrt of the generator's arguments lie
// around 1 too): the last one itself gave relu(X') of a positive X once
// lgamma shifted the draws.
func (g *generator) dense(s shape, depth int) formulas.Expr {
	for range 10 {
		if e := g.avoiding(s, depth, "diag", "eye", "relu"); !g.nonnegativeByConstruction(e) {
			return e
		}
	}
	return bin("-", g.avoiding(s, depth, "diag", "eye", "relu"), num(1))
}

// nonnegativeByConstruction reports whether no entry of e is negative
// whatever the sample: a positive variable or its transpose, exp, sqrt,
// norm2, sigmoid or softplus of anything, and sums, products and
// quotients of such expressions.
func (g *generator) nonnegativeByConstruction(e formulas.Expr) bool {
	switch e := e.(type) {
	case *formulas.Ident:
		if e.Name == g.x.name {
			return g.x.dist == formulas.Positive
		}
		for _, v := range constants {
			if v.name == e.Name {
				return v.dist == formulas.Positive
			}
		}
	case *formulas.Unary:
		return e.Op == "'" && g.nonnegativeByConstruction(e.X)
	case *formulas.Call:
		return slices.Contains([]string{"exp", "sqrt", "norm2", "sigmoid", "softplus"}, e.Func)
	case *formulas.Binary:
		return slices.Contains([]string{"+", "*", ".*", "/", "./"}, e.Op) &&
			g.nonnegativeByConstruction(e.L) && g.nonnegativeByConstruction(e.R)
	}
	return false
}

// nonzero draws an expression of shape s without relu, which is zero on
// part of the sample, and with it a whole argument built from it
// (relu(c)·A for a scalar c): ‖A‖ has no derivative at A = 0, and its
// differential ⟨A, dA⟩/‖A‖ is 0/0 there.
func (g *generator) nonzero(s shape, depth int) formulas.Expr {
	return g.avoiding(s, depth, "relu")
}

// avoiding draws an expression of shape s that calls none of funcs. After
// ten tries it settles for a variable.
func (g *generator) avoiding(s shape, depth int, funcs ...string) formulas.Expr {
	for range 10 {
		e := g.expr(s, depth)
		if !slices.ContainsFunc(nodes(e), func(n formulas.Expr) bool {
			c, ok := n.(*formulas.Call)
			return ok && slices.Contains(funcs, c.Func)
		}) {
			return e
		}
	}
	return g.leafOr(s, 0)
}

// solve draws A\B of shape s with A safe and B written differently from A
// (X\X is the identity to rounding: every derivative through it is
// rounding noise, which one backend may call a pass and another
// inconclusive; FuzzBackends found d(X\X) = X\(dX − dX*(X\X))).
func (g *generator) solve(s shape, depth int) formulas.Expr {
	a := g.safe(s.r, depth)
	for range 10 {
		if b := g.expr(s, depth); b.String() != a.String() {
			return bin("\\", a, b)
		}
	}
	return g.expr(s, depth)
}

// quotient draws L./P of shape s with P positive and written differently
// from L (X./X is constant: a claim about it is vacuous).
func (g *generator) quotient(s shape, depth int) formulas.Expr {
	l := g.expr(s, depth)
	for range 10 {
		if p := g.positive(s, depth); p.String() != l.String() {
			return bin("./", l, p)
		}
	}
	return l
}
