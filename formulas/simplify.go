package formulas

import (
	"fmt"
	"math"
	"slices"
)

// simplifier builds expressions through constructors that read well: they
// fold numeric constants, drop zero terms and factors of one, pull scalar
// coefficients and minus signs to the front, push transposes inward and
// drop products with the identity. A nil Expr stands for zero (of whatever
// shape the context needs), so that a term that does not depend on a
// variable vanishes from its differential.
//
// The constructors need the shape of subexpressions: env gives the shapes
// of variables (and of directions and integration variables in scope),
// sizes the values of size symbols and dims the symbol of each size value,
// for writing identity matrices as eye(n).
type simplifier struct {
	env   map[string]Shape
	sizes map[string]int
	dims  map[int]string
	// err records the first shape error; constructors built from
	// well-shaped parts never make one, so it means a bug.
	err error
	// shapes caches the shapes of the nodes seen under env (see bind):
	// without it each node's shape walked its whole subtree, and a
	// product of 300 factors took seconds.
	shapes map[Expr]Shape
	// symmetric names the matrices known symmetric (see
	// Claim.InSymSpace): X' is X for them. It is nil for every general
	// derivation, which must not assume what holds only for symmetric
	// matrices.
	symmetric map[string]bool
}

// newSimplifier returns a simplifier for expressions over env at sizes.
// A size value shared by several symbols names the first in sorted order.
func newSimplifier(env map[string]Shape, sizes map[string]int) *simplifier {
	s := &simplifier{env: make(map[string]Shape, len(env)+2), sizes: sizes, dims: map[int]string{}}
	for k, v := range env {
		s.env[k] = v
	}
	for _, sym := range sortedKeys(sizes) {
		if _, ok := s.dims[sizes[sym]]; !ok {
			s.dims[sizes[sym]] = sym
		}
	}
	return s
}

// Simplify rewrites e through the constructors of the simplifier: constants
// folded, zero terms and factors of one dropped, signs and scalar
// coefficients in front, transposes pushed inward. env and sizes are as for
// Infer. The result has the value of e (up to rounding); a sum whose terms
// all vanish is the number 0.
func Simplify(e Expr, env map[string]Shape, sizes map[string]int) (Expr, error) {
	return simplifyKnowing(e, env, sizes, nil)
}

// simplifyKnowing is Simplify with the matrices that symmetric names
// known symmetric (see simplifier.symmetric).
func simplifyKnowing(e Expr, env map[string]Shape, sizes map[string]int, symmetric map[string]bool) (Expr, error) {
	if _, err := Infer(e, env, sizes); err != nil {
		return nil, err
	}
	s := newSimplifier(env, sizes)
	s.symmetric = symmetric
	out := s.simplify(e)
	if s.err != nil {
		return nil, s.err
	}
	if out == nil {
		return &Num{Value: 0}, nil
	}
	return out, nil
}

// simplify rebuilds e bottom-up through the constructors.
func (s *simplifier) simplify(e Expr) Expr {
	switch e := e.(type) {
	case *Num:
		if e.Value == 0 {
			return nil
		}
		return &Num{Value: e.Value}
	case *Ident:
		return &Ident{Name: e.Name}
	case *Unary:
		x := s.simplify(e.X)
		if e.Op == "-" {
			return s.neg(x)
		}
		return s.transpose(x)
	case *Binary:
		return s.keepShape(s.binary(e.Op, s.simplify(e.L), s.simplify(e.R)), s.shape(e))
	case *Call:
		args := make([]Expr, len(e.Args))
		for i, a := range e.Args {
			if args[i] = s.simplify(a); args[i] == nil && !linear[e.Func] {
				// f(0) of a function other than a linear one keeps its
				// argument as written: zero has no shape of its own.
				args[i] = a
			}
		}
		return s.call(e.Func, args...)
	case *Integral:
		defer s.bind(e.Var, Shape{1, 1})()
		return s.integral(e.Var, e.Lo, e.Hi, s.simplify(e.Body))
	}
	return e
}

// keepShape returns out, rebuilt from a node of shape want, with the shape
// the node had: an array term that cancels (A - A, which the constructors
// write nil, having no shape) leaves a scalar added to it alone, which
// meets every entry of the array. sum((A - A + s)*x) derived the gradient
// s*ones(n) for n*s*ones(n) (found by the derive hunt).
func (s *simplifier) keepShape(out Expr, want Shape) Expr {
	if out != nil && !want.IsScalar() && s.scalar(out) {
		return s.mul(out, s.ones(want))
	}
	return out
}

// binary builds L op R through the constructor of op.
func (s *simplifier) binary(op string, l, r Expr) Expr {
	if build, ok := binaryBuilders[op]; ok {
		return build(s, l, r)
	}
	return &Binary{Op: op, L: l, R: r}
}

// binaryBuilders are the simplifying constructors of the binary operators.
var binaryBuilders = map[string]func(s *simplifier, l, r Expr) Expr{
	"+": (*simplifier).add, "-": (*simplifier).sub, "*": (*simplifier).mul, ".*": (*simplifier).hadamard,
	"/": (*simplifier).div, "./": (*simplifier).ediv, "^": (*simplifier).pow, ".^": (*simplifier).epow,
	"\\": (*simplifier).solve,
}

// linear lists the functions f with f(0) = 0 and f linear, whose call on a
// vanishing argument vanishes.
var linear = map[string]bool{"tr": true, "sum": true, "mean": true, "diag": true, "sym": true, "kron": true, "vec": true}

// bind puts name in scope with shape sh and returns the function that
// restores the previous binding.
func (s *simplifier) bind(name string, sh Shape) func() {
	old, had := s.env[name]
	s.env[name] = sh
	clear(s.shapes) // a node may read name
	return func() {
		if had {
			s.env[name] = old
		} else {
			delete(s.env, name)
		}
		clear(s.shapes)
	}
}

// shape returns the shape of e, recording an error if it has none.
func (s *simplifier) shape(e Expr) Shape {
	sh, err := s.infer(e)
	if err != nil {
		if s.err == nil {
			s.err = fmt.Errorf("%w: %s: %v", ErrInternal, str(e), err)
		}
		return Shape{1, 1}
	}
	return sh
}

// scalar reports whether e is 1×1.
func (s *simplifier) scalar(e Expr) bool { return s.shape(e).IsScalar() }

// fits reports whether e has a shape (without recording an error).
func (s *simplifier) fits(e Expr) bool {
	_, err := s.infer(e)
	return err == nil
}

// infer is Infer under the simplifier's scope, through its cache.
func (s *simplifier) infer(e Expr) (Shape, error) {
	if s.shapes == nil {
		s.shapes = map[Expr]Shape{}
	}
	in := inferrer{env: s.env, sizes: s.sizes, known: s.shapes}
	return in.infer(e)
}

// num returns the value of a numeric literal, or of a negated one as the
// parser reads -1, so that constants fold whichever way they are written.
func num(e Expr) (float64, bool) {
	switch e := e.(type) {
	case *Num:
		if e != nil {
			return e.Value, true
		}
	case *Unary:
		if e != nil && e.Op == "-" {
			if v, ok := e.X.(*Num); ok && v != nil {
				return -v.Value, true
			}
		}
	}
	return 0, false
}

// isNum reports whether e is the literal v.
func isNum(e Expr, v float64) bool {
	x, ok := num(e)
	return ok && x == v
}

// number returns the literal v, or nil (zero) for 0.
func number(v float64) Expr {
	if v == 0 {
		return nil
	}
	return &Num{Value: v}
}

// negated returns x if e is -x.
func negated(e Expr) (Expr, bool) {
	if u, ok := e.(*Unary); ok && u.Op == "-" {
		return u.X, true
	}
	return nil, false
}

// leadingMinus reports whether e is written with a minus in front: -x, a
// negative number, or a product whose numeric coefficient is negative
// (-2*x). Sums use it to write a - b rather than a + -b.
func leadingMinus(e Expr) bool {
	if _, ok := negated(e); ok {
		return true
	}
	if v, ok := num(e); ok {
		return v < 0
	}
	if l, _, ok := product(e); ok {
		return leadingMinus(l)
	}
	if l, _, ok := quotient(e); ok {
		return leadingMinus(l)
	}
	return false
}

// product returns the factors of e if e is L*R.
func product(e Expr) (l, r Expr, ok bool) {
	if b, is := e.(*Binary); is && b.Op == "*" {
		return b.L, b.R, true
	}
	return nil, nil, false
}

// quotient returns the dividend and the (scalar) divisor of e if e is
// L/R.
func quotient(e Expr) (l, r Expr, ok bool) {
	if b, is := e.(*Binary); is && b.Op == "/" {
		return b.L, b.R, true
	}
	return nil, nil, false
}

// isCall reports whether e calls the function name.
func isCall(e Expr, name string) bool {
	c, ok := e.(*Call)
	return ok && c.Func == name
}

// neg returns -a.
func (s *simplifier) neg(a Expr) Expr {
	if a == nil {
		return nil
	}
	if v, ok := num(a); ok {
		return number(-v)
	}
	if x, ok := negated(a); ok {
		return x
	}
	if l, r, ok := product(a); ok {
		if v, isNum := num(l); isNum {
			return s.mul(number(-v), r)
		}
		if leadingMinus(l) {
			return s.mul(s.neg(l), r)
		}
	}
	if l, r, ok := quotient(a); ok && leadingMinus(l) {
		return s.div(s.neg(l), r)
	}
	return &Unary{Op: "-", X: a}
}

// add returns a + b.
func (s *simplifier) add(a, b Expr) Expr {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	}
	if x, ok := num(a); ok {
		if y, ok := num(b); ok {
			return number(x + y)
		}
	}
	// A minus in front moves to the operator, where taking it off does
	// not leave another (which would go back and forth).
	if nb, ok := s.minusOff(b); ok {
		return s.sub(a, nb)
	}
	if na, ok := s.minusOff(a); ok {
		return s.sub(b, na)
	}
	if like, ok := s.likeTerms(a, b, 1); ok {
		return like
	}
	return &Binary{Op: "+", L: a, R: b}
}

// minusOff returns -e where e is written with a minus in front (see
// leadingMinus) and -e is not, and reports whether it is.
func (s *simplifier) minusOff(e Expr) (Expr, bool) {
	if !leadingMinus(e) {
		return nil, false
	}
	n := s.neg(e)
	return n, !leadingMinus(n)
}

// likeTerms returns a + sign·b as one term where a and b are multiples
// of the same expression (x/(x'*x) + x/(x'*x) is 2*(x/(x'*x)); 3*A*x -
// A*x is 2*(A*x)), and reports whether they are.
func (s *simplifier) likeTerms(a, b Expr, sign float64) (Expr, bool) {
	ka, ra := coefficient(a)
	kb, rb := coefficient(b)
	if !sameExpr(ra, rb) {
		return nil, false
	}
	return s.mul(number(ka+sign*kb), ra), true
}

// coefficient splits e into its numeric coefficient and the rest: 3*x is
// 3 and x, -x is -1 and x, x is 1 and x.
func coefficient(e Expr) (float64, Expr) {
	if x, ok := negated(e); ok {
		k, rest := coefficient(x)
		return -k, rest
	}
	if l, r, ok := product(e); ok {
		if k, isNum := num(l); isNum {
			return k, r
		}
	}
	return 1, e
}

// sameExpr reports whether a and b are the same expression, positions
// aside. It stops at the first difference: comparing the printed forms
// made every sum of a large derivation print both terms, quadratic in
// its size (TestDeriveTooLarge took minutes).
func sameExpr(a, b Expr) bool {
	if a == b {
		return true
	}
	switch a := a.(type) {
	case *Num:
		b, ok := b.(*Num)
		return ok && (a.Value == b.Value || math.IsNaN(a.Value) && math.IsNaN(b.Value))
	case *Ident:
		b, ok := b.(*Ident)
		return ok && a.Name == b.Name
	case *Unary:
		b, ok := b.(*Unary)
		return ok && a.Op == b.Op && sameExpr(a.X, b.X)
	case *Binary:
		b, ok := b.(*Binary)
		return ok && a.Op == b.Op && sameExpr(a.L, b.L) && sameExpr(a.R, b.R)
	case *Call:
		b, ok := b.(*Call)
		return ok && a.Func == b.Func && slices.EqualFunc(a.Args, b.Args, sameExpr)
	case *Integral:
		b, ok := b.(*Integral)
		return ok && a.Var == b.Var && sameExpr(a.Lo, b.Lo) && sameExpr(a.Hi, b.Hi) && sameExpr(a.Body, b.Body)
	}
	return false
}

// sub returns a - b.
func (s *simplifier) sub(a, b Expr) Expr {
	switch {
	case b == nil:
		return a
	case a == nil:
		return s.neg(b)
	}
	if x, ok := num(a); ok {
		if y, ok := num(b); ok {
			return number(x - y)
		}
	}
	if nb, ok := s.minusOff(b); ok {
		return s.add(a, nb)
	}
	if like, ok := s.likeTerms(a, b, -1); ok {
		return like
	}
	return &Binary{Op: "-", L: a, R: b}
}

// mul returns the product a*b (scalar times anything when either is 1×1).
func (s *simplifier) mul(a, b Expr) Expr {
	if a == nil || b == nil {
		return nil
	}
	x, aNum := num(a)
	y, bNum := num(b)
	switch {
	case aNum && bNum:
		return number(x * y)
	case aNum && x == 1:
		return b
	case bNum && y == 1:
		return a
	case aNum && x == -1:
		return s.neg(b)
	case bNum && y == -1:
		return s.neg(a)
	case bNum:
		// Coefficients go first.
		return s.mul(b, a)
	case aNum:
		// A negative coefficient is one number: -2*A, not -(2*A).
		a = &Num{Value: x}
	}
	if u, ok := negated(a); ok {
		return s.neg(s.mul(u, b))
	}
	if u, ok := negated(b); ok {
		return s.neg(s.mul(a, u))
	}
	as, bs := s.scalar(a), s.scalar(b)
	switch {
	case isCall(a, "eye") && !bs:
		return b
	case isCall(b, "eye") && !as:
		return a
	case bs && !as:
		// A scalar factor goes first: s*A rather than A*s.
		return s.mul(b, a)
	case !as && !bs && s.isOnes(a) && s.isOnes(b):
		// ones(m, k)*ones(k, n) is k*ones(m, n) (the derive hunt:
		// softmax(z).*(ones(n, n)*ones(n))).
		sa, sb := s.shape(a), s.shape(b)
		return s.mul(s.dim(sa.Cols), s.ones(Shape{Rows: sa.Rows, Cols: sb.Cols}))
	}
	// A scalar factor of either side moves to the front.
	if l, r, ok := product(b); ok && s.scalar(l) && !as {
		return s.mul(l, s.mul(a, r))
	}
	if l, r, ok := product(a); ok && s.scalar(l) && !s.scalar(r) && !bs {
		if _, lNum := num(l); lNum {
			return s.mul(l, s.mul(r, b))
		}
	}
	if aNum {
		if l, r, ok := product(b); ok {
			if z, ok := num(l); ok {
				return s.mul(number(x*z), r)
			}
		}
	}
	// Products associate to the left, as they parse, where the shapes
	// allow: A*(B*C) is written A*B*C.
	// A quotient by a scalar is written last: x*B/y rather than x/y*B,
	// A*B/y rather than A*(B/y).
	if l, r, ok := quotient(b); ok {
		return s.div(s.mul(a, l), r)
	}
	if l, r, ok := quotient(a); ok {
		return s.div(s.mul(l, b), r)
	}
	if l, r, ok := product(b); ok && !s.isOnes(b) {
		left := &Binary{Op: "*", L: a, R: l}
		if s.fits(left) {
			return &Binary{Op: "*", L: s.mul(a, l), R: r}
		}
	}
	return &Binary{Op: "*", L: a, R: b}
}

// hadamard returns the elementwise product a.*b; for a scalar operand it
// is the product a*b.
func (s *simplifier) hadamard(a, b Expr) Expr {
	if a == nil || b == nil {
		return nil
	}
	if s.scalar(a) || s.scalar(b) {
		return s.mul(a, b)
	}
	if u, ok := negated(a); ok {
		return s.neg(s.hadamard(u, b))
	}
	if u, ok := negated(b); ok {
		return s.neg(s.hadamard(a, u))
	}
	if l, r, ok := product(a); ok && s.scalar(l) {
		return s.mul(l, s.hadamard(r, b))
	}
	if l, r, ok := product(b); ok && s.scalar(l) {
		return s.mul(l, s.hadamard(a, r))
	}
	if l, r, ok := quotient(a); ok {
		return s.div(s.hadamard(l, b), r)
	}
	if l, r, ok := quotient(b); ok {
		return s.div(s.hadamard(a, l), r)
	}
	if s.isOnes(a) {
		return b
	}
	if s.isOnes(b) {
		return a
	}
	// a.*(b./a) is b, where it is defined: the gradient of a
	// cross-entropy read softmax(z).*(y./softmax(z)). A scalar b meets
	// every entry of a: a.*(1./a) is ones, not 1 (the review helper:
	// derive wrote 1 - softmax(z) for the gradient of
	// sum(log(softmax(z)))).
	if q, ok := b.(*Binary); ok && q.Op == "./" && sameExpr(q.R, a) {
		return s.cancelled(q.L, a)
	}
	if q, ok := a.(*Binary); ok && q.Op == "./" && sameExpr(q.R, b) {
		return s.cancelled(q.L, b)
	}
	return &Binary{Op: ".*", L: a, R: b}
}

// cancelled is b, left of a.*(b./a) (or (b./a).*a): b itself where it has
// a's shape, else the scalar b times ones of a's shape.
func (s *simplifier) cancelled(b, a Expr) Expr {
	if sh := s.shape(a); s.shape(b) != sh {
		return s.mul(b, s.ones(sh))
	}
	return b
}

// div returns a/b for scalar b.
func (s *simplifier) div(a, b Expr) Expr {
	if a == nil {
		return nil
	}
	x, aNum := num(a)
	y, bNum := num(b)
	switch {
	case aNum && bNum:
		return number(x / y)
	case bNum && y == 1:
		return a
	case bNum && y == -1:
		return s.neg(a)
	}
	if u, ok := negated(a); ok {
		return s.neg(s.div(u, b))
	}
	if u, ok := negated(b); ok {
		return s.neg(s.div(a, u))
	}
	if rest, ok := s.cancel(a, b); ok {
		return rest
	}
	return &Binary{Op: "/", L: a, R: b}
}

// ediv returns the elementwise quotient a./b; by a scalar it is a/b.
func (s *simplifier) ediv(a, b Expr) Expr {
	if a == nil {
		return nil
	}
	if s.scalar(b) {
		return s.div(a, b)
	}
	if u, ok := negated(a); ok {
		return s.neg(s.ediv(u, b))
	}
	if s.isOnes(a) {
		// 1./b, not ones(n)./b.
		a = &Num{Value: 1}
	}
	return &Binary{Op: "./", L: a, R: b}
}

// pow returns a^b: a power of a scalar, or an integer power of a square
// matrix.
func (s *simplifier) pow(a, b Expr) Expr {
	y, bNum := num(b)
	if b == nil {
		// A scalar's zeroth power is 1, a square matrix's the
		// identity: as 1, keepShape made A^0 ones(n, n) (found by the
		// second review helper).
		if sh := s.shape(a); !sh.IsScalar() {
			return s.eye(sh.Rows)
		}
		return &Num{Value: 1}
	}
	if bNum && y == 1 {
		return a
	}
	if x, ok := num(a); ok && bNum {
		return number(math.Pow(x, y))
	}
	if bNum && y == 2 && isCall(a, "sqrt") && s.scalar(a) {
		// sqrt(v)^2 is v where it is defined: a layer norm's gradient
		// read /sqrt(v)^2/(2*sqrt(v)) (the derive hunt). Of a matrix,
		// ^2 is the product sqrt(X)*sqrt(X), not X (the second review
		// helper: the gradient of tr(sqrt(X)^3) came out wrong).
		return a.(*Call).Args[0]
	}
	return &Binary{Op: "^", L: a, R: b}
}

// epow returns the elementwise power a.^b; of a scalar to a scalar power
// it is a^b. A scalar to a matrix power keeps .^, as ^ takes only a scalar
// exponent.
func (s *simplifier) epow(a, b Expr) Expr {
	if s.scalar(a) && (b == nil || s.scalar(b)) {
		return s.pow(a, b)
	}
	if b == nil {
		return &Binary{Op: ".^", L: a, R: &Num{Value: 0}}
	}
	if isNum(b, 1) {
		return a
	}
	if isNum(b, 2) && isCall(a, "sqrt") {
		return a.(*Call).Args[0]
	}
	return &Binary{Op: ".^", L: a, R: b}
}

// solve returns a\b, the solution X of a*X = b for a square a. Signs and
// scalar factors of b come out in front, -(A\B) rather than A\-B, and a
// 1×1 a divides.
func (s *simplifier) solve(a, b Expr) Expr {
	if b == nil {
		return nil
	}
	if s.scalar(a) {
		return s.div(b, a)
	}
	if isCall(a, "eye") {
		return b
	}
	if u, ok := negated(b); ok {
		return s.neg(s.solve(a, u))
	}
	if l, r, ok := product(b); ok && s.scalar(l) {
		return s.mul(l, s.solve(a, r))
	}
	return &Binary{Op: "\\", L: a, R: b}
}

// transpose returns a'.
func (s *simplifier) transpose(a Expr) Expr {
	if a == nil {
		return nil
	}
	if s.scalar(a) || s.isSymmetric(a) {
		return a
	}
	switch a := a.(type) {
	case *Unary:
		if a.Op == "'" {
			return a.X
		}
		return s.neg(s.transpose(a.X))
	case *Binary:
		l, r := a.L, a.R
		switch a.Op {
		case "*":
			if s.scalar(l) {
				return s.mul(l, s.transpose(r))
			}
			return s.mul(s.transpose(r), s.transpose(l))
		case "+", "-", ".*", "./":
			sh := s.shape(a)
			return s.keepShape(s.binary(a.Op, s.transpose(l), s.transpose(r)), sh.T())
		case "/":
			return s.div(s.transpose(l), r)
		}
	case *Call:
		switch a.Func {
		case "sym", "eye":
			return a
		case "ones", "zeros":
			// ones(m, n)' is ones(n, m); ones(n)' stays, a row.
			if len(a.Args) == 2 {
				return &Call{Func: a.Func, Args: []Expr{a.Args[1], a.Args[0]}}
			}
		case "diag":
			if s.shape(a.Args[0]).Cols == 1 {
				return a
			}
		case "kron":
			return s.call("kron", s.transpose(a.Args[0]), s.transpose(a.Args[1]))
		}
	}
	return &Unary{Op: "'", X: a}
}

// isSymmetric reports whether e is symmetric because the matrices that
// s.symmetric names are: one of them; sym(·), eye and a square ones; the
// inverse, exponential, logarithm, scalar powers and elementwise functions
// of a symmetric matrix; and sums, differences, elementwise products and
// quotients and scalar multiples of symmetric matrices. Without
// s.symmetric nothing is.
func (s *simplifier) isSymmetric(e Expr) bool {
	if s.symmetric == nil || e == nil {
		return false
	}
	symOrScalar := func(x Expr) bool { return s.scalar(x) || s.isSymmetric(x) }
	switch e := e.(type) {
	case *Ident:
		return s.symmetric[e.Name]
	case *Unary:
		return s.isSymmetric(e.X) // -A, A'
	case *Binary:
		switch e.Op {
		case "+", "-", ".*", "./", "*":
			return symOrScalar(e.L) && symOrScalar(e.R) && (e.Op != "*" || s.scalar(e.L) || s.scalar(e.R))
		case "/", "^", ".^":
			return s.isSymmetric(e.L) && s.scalar(e.R)
		}
	case *Call:
		switch e.Func {
		case "sym", "eye":
			return true
		case "ones", "zeros":
			return s.shape(e).IsSquare()
		case "inv", "expm", "logm":
			return s.isSymmetric(e.Args[0])
		}
		if f := Lookup(e.Func); f != nil && f.Elementwise() {
			return s.isSymmetric(e.Args[0])
		}
	}
	return false
}

// call returns name(args...). Linear functions of a vanishing argument
// vanish, and those that leave a scalar as it is (tr, sum, mean, sym, diag,
// vec of 1×1) drop out.
func (s *simplifier) call(name string, args ...Expr) Expr {
	if linear[name] && slices.Contains(args, nil) {
		return nil
	}
	if name != "kron" && linear[name] {
		// Signs, scalar coefficients and divisors come out: tr(-s*A) =
		// -s*tr(A), sum(A/s) = sum(A)/s.
		if u, ok := negated(args[0]); ok {
			return s.neg(s.call(name, u))
		}
		if l, r, ok := product(args[0]); ok && s.scalar(l) && !s.scalar(r) {
			return s.mul(l, s.call(name, r))
		}
		if l, r, ok := quotient(args[0]); ok && !s.scalar(l) {
			return s.div(s.call(name, l), r)
		}
	}
	switch name {
	case "tr", "sum", "mean", "sym", "diag", "vec":
		if s.scalar(args[0]) {
			return args[0]
		}
	}
	if name == "sym" && (isCall(args[0], "sym") || s.isSymmetric(args[0])) {
		return args[0]
	}
	if name == "sum" && s.isOnes(args[0]) {
		// The adjoint of a scalar added to an array of ones
		// (sum(x - mean(x))).
		return s.count(s.shape(args[0]))
	}
	if (name == "sum" || name == "tr") && isCall(args[0], "eye") {
		return s.dim(s.shape(args[0]).Rows)
	}
	return &Call{Func: name, Args: args}
}

// integral returns integral(v, lo, hi, body); the integral of zero is
// zero.
func (s *simplifier) integral(v string, lo, hi, body Expr) Expr {
	if body == nil {
		return nil
	}
	return &Integral{Var: v, Lo: lo, Hi: hi, Body: body}
}

// dim writes the size n: its symbol, or the number when no symbol has the
// value.
func (s *simplifier) dim(n int) Expr {
	if sym, ok := s.dims[n]; ok {
		return &Ident{Name: sym}
	}
	return &Num{Value: float64(n)}
}

// eye returns the n×n identity, eye(n).
func (s *simplifier) eye(n int) Expr { return &Call{Func: "eye", Args: []Expr{s.dim(n)}} }

// ones returns the matrix of ones of shape sh: 1, ones(n) for a vector,
// ones(n)' for a row, ones(m, n) for a matrix.
func (s *simplifier) ones(sh Shape) Expr {
	call := func(dims ...int) Expr {
		c := &Call{Func: "ones"}
		for _, n := range dims {
			c.Args = append(c.Args, s.dim(n))
		}
		return c
	}
	switch {
	case sh.IsScalar():
		return &Num{Value: 1}
	case sh.Cols == 1:
		return call(sh.Rows)
	case sh.Rows == 1:
		return &Unary{Op: "'", X: call(sh.Cols)}
	}
	return call(sh.Rows, sh.Cols)
}

// count writes the number of entries of a matrix of shape sh, the product
// of its dimensions other than 1: m*n, n.
func (s *simplifier) count(sh Shape) Expr {
	switch {
	case sh.Rows == 1:
		return s.dim(sh.Cols)
	case sh.Cols == 1:
		return s.dim(sh.Rows)
	}
	return s.mul(s.dim(sh.Rows), s.dim(sh.Cols))
}

// isOnes reports whether e is a matrix of ones as ones writes it.
func (s *simplifier) isOnes(e Expr) bool {
	if e == nil || !s.fits(e) {
		return false
	}
	return sameExpr(e, s.ones(s.shape(e)))
}

// cancel returns a/b without b when the product a has the scalar factor b
// (as written).
func (s *simplifier) cancel(a, b Expr) (Expr, bool) {
	if str(a) == str(b) {
		return &Num{Value: 1}, true
	}
	l, r, ok := product(a)
	if !ok {
		return nil, false
	}
	if rest, ok := s.cancel(l, b); ok {
		return s.mul(rest, r), true
	}
	if s.scalar(l) {
		if rest, ok := s.cancel(r, b); ok {
			return s.mul(l, rest), true
		}
	}
	return nil, false
}
