package formulas

import (
	"fmt"
	"math"
)

// Infer returns the shape of e. env gives the shape of every variable e may
// use; sizes gives the value of every size symbol that eye(...) may name.
// Errors are of type *Error: they name the position, the subexpression at
// fault as printed, and the shapes involved, as in
//
//	1:1: A*x: cannot multiply 3×4 by 3×1
//
// inf is accepted only as the upper bound of an integral.
func Infer(e Expr, env map[string]Shape, sizes map[string]int) (Shape, error) {
	in := inferrer{env: env, sizes: sizes}
	return in.infer(e)
}

// Largest returns the most entries that any subexpression of e has (e
// itself, or an intermediate such as kron(X, X) or x*x' inside a sum): the
// largest value an evaluation of e holds. Its arguments and errors are
// those of Infer.
func Largest(e Expr, env map[string]Shape, sizes map[string]int) (int64, error) {
	in := inferrer{env: env, sizes: sizes}
	_, err := in.infer(e)
	return in.largest, err
}

type inferrer struct {
	env   map[string]Shape
	sizes map[string]int
	// largest is the most entries of a subexpression inferred so far.
	largest int64
	// known, when set, holds the shapes of the subexpressions inferred so
	// far under env, by node: the simplifier asks for the shape of each
	// node it builds, whose operands it asked for before.
	known map[Expr]Shape
}

// fail builds the error for the subexpression e.
func fail(e Expr, format string, args ...any) (Shape, error) {
	return Shape{}, &Error{Pos: posOf(e), Msg: str(e) + ": " + fmt.Sprintf(format, args...)}
}

func (in *inferrer) infer(e Expr) (Shape, error) {
	if sh, ok := in.known[e]; ok {
		return sh, nil
	}
	sh, err := in.shape(e)
	if err == nil {
		in.largest = max(in.largest, int64(sh.Rows)*int64(sh.Cols))
		if in.known != nil && !isNil(e) {
			in.known[e] = sh
		}
	}
	return sh, err
}

// shape infers the shape of e (see infer).
func (in *inferrer) shape(e Expr) (Shape, error) {
	if isNil(e) {
		return Shape{}, errorf(Pos{}, "missing expression")
	}
	switch e := e.(type) {
	case *Num:
		if math.IsInf(e.Value, 0) {
			return Shape{}, errorf(e.At, "inf is allowed only as the upper bound of an integral")
		}
		if math.IsNaN(e.Value) {
			return Shape{}, errorf(e.At, "not a number")
		}
		return Shape{1, 1}, nil
	case *Ident:
		if s, ok := in.env[e.Name]; ok {
			return s, nil
		}
		if _, ok := in.sizes[e.Name]; ok {
			// A size symbol is a number in an expression: 2/m, eye(n)/n.
			return Shape{1, 1}, nil
		}
		if h, ok := constantHints[e.Name]; ok {
			return Shape{}, errorf(e.At, "undeclared variable '%s' (constants are written as numbers: %s)", e.Name, h)
		}
		err := errorf(e.At, "undeclared variable '%s'", e.Name)
		err.undeclared = e.Name
		return Shape{}, err
	case *Unary:
		x, err := in.infer(e.X)
		if err != nil {
			return Shape{}, err
		}
		switch e.Op {
		case "-":
			return x, nil
		case "'":
			return x.T(), nil
		}
		return fail(e, "unknown operator %q", e.Op)
	case *Binary:
		return in.binary(e)
	case *Call:
		return in.call(e)
	case *Integral:
		return in.integral(e)
	}
	return Shape{}, errorf(posOf(e), "unknown expression node %T", e)
}

// constantHints say how to write the constants that other languages
// name (pi, e, eps), which the language has not: an undeclared variable of
// that name says so.
var constantHints = map[string]string{
	"pi":  "write 3.141592653589793",
	"e":   "write exp(1)",
	"eps": "write one, such as 1e-8",
}

func (in *inferrer) binary(e *Binary) (Shape, error) {
	l, err := in.infer(e.L)
	if err != nil {
		return Shape{}, err
	}
	r, err := in.infer(e.R)
	if t, ok := e.R.(*Ident); ok && err != nil && t.Name == "T" && (e.Op == "^" || e.Op == ".^") {
		// X^T of a paper, with no T declared: the transpose.
		transposed := "(" + e.L.String() + ")'"
		if _, ok := e.L.(*Ident); ok {
			transposed = e.L.String() + "'"
		}
		return Shape{}, errorf(t.At, "undeclared variable 'T': write the transpose as %s", transposed)
	}
	if err != nil {
		return Shape{}, err
	}
	switch e.Op {
	case "*":
		switch {
		case l.IsScalar():
			return r, nil
		case r.IsScalar():
			return l, nil
		case l.Cols != r.Rows:
			return fail(e, "cannot multiply %v by %v", l, r)
		}
		return Shape{l.Rows, r.Cols}, nil
	case "+", "-", ".*", "./":
		// A scalar meets an array entry by entry.
		switch {
		case l == r || r.IsScalar():
			return l, nil
		case l.IsScalar():
			return r, nil
		}
		switch e.Op {
		case "+":
			return fail(e, "cannot add %v and %v", l, r)
		case "-":
			return fail(e, "cannot subtract %v from %v", r, l)
		case ".*":
			return fail(e, "cannot multiply %v and %v elementwise", l, r)
		}
		return fail(e, "cannot divide %v by %v elementwise", l, r)
	case "\\":
		if !l.IsSquare() || l.Rows != r.Rows {
			return fail(e, "cannot solve with %v and %v: A\\B needs a square A and a B with as many rows", l, r)
		}
		return r, nil
	case "/":
		switch {
		case r.IsScalar():
		case r.IsSquare():
			return fail(e, "cannot divide %v by %v: / divides by a scalar; write 1./X elementwise, inv(X) for the matrix inverse", l, r)
		case l.IsScalar():
			// 1/x of a vector, NumPy's reciprocal: no matrix to invert.
			return fail(e, "cannot divide %v by %v: / divides by a scalar; write ./ elementwise, as in 1./x", l, r)
		default:
			return fail(e, "cannot divide %v by %v: / divides by a scalar (./ divides elementwise)", l, r)
		}
		return l, nil
	case "^":
		if !r.IsScalar() {
			return fail(e, "cannot raise %v to the power %v: the exponent must be a scalar", l, r)
		}
		if l.IsScalar() {
			return l, nil
		}
		if !l.IsSquare() {
			return fail(e, "cannot raise %v to a power: needs a square matrix (use .^ for an elementwise power)", l)
		}
		switch x := e.R.(type) {
		case *Unary:
			if x.Op == "-" {
				return fail(e, "negative matrix power: use inv")
			}
		case *Num:
			if x.Value > MaxMatrixPower && x.Value == math.Trunc(x.Value) {
				return fail(e, "matrix power exponent %s is too large: at most %d (a matrix power is computed by repeated products)", str(x), MaxMatrixPower)
			}
			if x.Value >= 0 && x.Value == math.Trunc(x.Value) {
				return l, nil
			}
			return fail(e, "matrix power needs a non-negative integer exponent, got %s", str(x))
		}
		return fail(e, "matrix power needs an integer literal exponent, got %s", str(e.R))
	case ".^":
		switch {
		case l == r || r.IsScalar():
			return l, nil
		case l.IsScalar():
			return r, nil
		}
		return fail(e, "cannot raise %v to the power %v elementwise: needs a scalar or equal shapes", l, r)
	}
	return fail(e, "unknown operator %q", e.Op)
}

func (in *inferrer) call(e *Call) (Shape, error) {
	fn := Lookup(e.Func)
	if fn == nil || e.Func == "integral" {
		return Shape{}, errorf(e.At, "unknown function '%s'", e.Func)
	}
	if len(e.Args) < fn.MinArgs || len(e.Args) > fn.MaxArgs {
		return fail(e, "%s takes %s, got %d", e.Func, fn.Arity(), len(e.Args))
	}
	args := make([]Shape, len(e.Args))
	for i, a := range e.Args {
		var err error
		if fn.Sizes {
			var n int
			n, err = in.size(e, a)
			args[i] = Shape{n, 1}
		} else {
			args[i], err = in.infer(a)
		}
		if err != nil {
			return Shape{}, err
		}
	}
	s, msg := fn.shape(args)
	if msg != "" {
		return fail(e, "%s", msg)
	}
	return s, nil
}

// size resolves a size argument of the constructor call e: a size symbol
// with a value or a positive integer literal.
func (in *inferrer) size(e *Call, a Expr) (int, error) {
	switch a := a.(type) {
	case *Ident:
		if a == nil {
			break
		}
		if _, isVar := in.env[a.Name]; isVar {
			// eye(X) of a matrix X: not a size, whatever X's name.
			_, err := fail(e, "%s is a variable, not a size: %s takes a size symbol or a positive integer", a.Name, e.Func)
			return 0, err
		}
		n, ok := in.sizes[a.Name]
		if !ok {
			_, err := fail(e, "size %s has no value", a.Name)
			return 0, err
		}
		if n < 1 || n > MaxSize {
			_, err := fail(e, "size %s = %d is not a positive size", a.Name, n)
			return 0, err
		}
		return n, nil
	case *Num:
		if a == nil || !isCount(a.Value) {
			break
		}
		return int(a.Value), nil
	}
	_, err := fail(e, "%s needs a size symbol or a positive integer", e.Func)
	return 0, err
}

// MaxMatrixPower is the largest exponent p of a matrix power X^p, the
// evaluator's limit (it multiplies p − 1 times): a larger one is refused
// when the claim is built, not reported as an error row of a run.
const MaxMatrixPower = 1 << 10

func (in *inferrer) integral(e *Integral) (Shape, error) {
	for _, b := range []struct {
		name string
		x    Expr
	}{{"lower", e.Lo}, {"upper", e.Hi}} {
		if num, ok := b.x.(*Num); ok && num != nil && b.name == "upper" && math.IsInf(num.Value, 1) {
			continue
		}
		s, err := in.infer(b.x)
		if err != nil {
			return Shape{}, err
		}
		if !s.IsScalar() {
			return fail(e, "the %s bound must be a scalar, got %v", b.name, s)
		}
	}
	if !isIdent(e.Var) || IsFunc(e.Var) || e.Var == "inf" {
		return fail(e, "the integration variable %q is not a name", e.Var)
	}
	env := make(map[string]Shape, len(in.env)+1)
	for k, v := range in.env {
		env[k] = v
	}
	env[e.Var] = Shape{1, 1}
	body := inferrer{env: env, sizes: in.sizes}
	sh, err := body.infer(e.Body)
	in.largest = max(in.largest, body.largest)
	return sh, err
}
