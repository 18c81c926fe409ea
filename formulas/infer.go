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

type inferrer struct {
	env   map[string]Shape
	sizes map[string]int
}

// fail builds the error for the subexpression e.
func fail(e Expr, format string, args ...any) (Shape, error) {
	return Shape{}, &Error{Pos: posOf(e), Msg: str(e) + ": " + fmt.Sprintf(format, args...)}
}

func (in *inferrer) infer(e Expr) (Shape, error) {
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
		s, ok := in.env[e.Name]
		if !ok {
			return Shape{}, errorf(e.At, "undeclared variable '%s'", e.Name)
		}
		return s, nil
	case *Unary:
		x, err := in.infer(e.X)
		if err != nil {
			return Shape{}, err
		}
		switch e.Op {
		case "-":
			return x, nil
		case "'":
			return Shape{x.Cols, x.Rows}, nil
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

func (in *inferrer) binary(e *Binary) (Shape, error) {
	l, err := in.infer(e.L)
	if err != nil {
		return Shape{}, err
	}
	r, err := in.infer(e.R)
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
	case "+", "-":
		if l != r {
			if e.Op == "+" {
				return fail(e, "cannot add %v and %v", l, r)
			}
			return fail(e, "cannot subtract %v from %v", r, l)
		}
		return l, nil
	case ".*", "./":
		switch {
		case l == r || r.IsScalar():
			return l, nil
		case l.IsScalar():
			return r, nil
		}
		if e.Op == ".*" {
			return fail(e, "cannot multiply %v and %v elementwise", l, r)
		}
		return fail(e, "cannot divide %v by %v elementwise", l, r)
	case "/":
		if !r.IsScalar() {
			return fail(e, "cannot divide %v by %v: / divides by a scalar (use inv for a matrix)", l, r)
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
			if x.Value >= 0 && x.Value == math.Trunc(x.Value) {
				return l, nil
			}
			return fail(e, "matrix power needs a non-negative integer exponent, got %s", str(x))
		}
		return fail(e, "matrix power needs an integer literal exponent, got %s", str(e.R))
	case ".^":
		if !r.IsScalar() && l != r {
			return fail(e, "cannot raise %v to the power %v elementwise: needs a scalar exponent or equal shapes", l, r)
		}
		return l, nil
	}
	return fail(e, "unknown operator %q", e.Op)
}

func (in *inferrer) call(e *Call) (Shape, error) {
	n, ok := arity[e.Func]
	if !ok || e.Func == "integral" {
		return Shape{}, errorf(e.At, "unknown function '%s'", e.Func)
	}
	if len(e.Args) != n {
		return fail(e, "%s takes %d argument(s), got %d", e.Func, n, len(e.Args))
	}
	if e.Func == "eye" {
		return in.eye(e)
	}
	args := make([]Shape, len(e.Args))
	for i, a := range e.Args {
		s, err := in.infer(a)
		if err != nil {
			return Shape{}, err
		}
		args[i] = s
	}
	a := args[0]
	switch e.Func {
	case "tr", "det", "logdet":
		if !a.IsSquare() {
			return fail(e, "needs a square matrix, got %v", a)
		}
		return Shape{1, 1}, nil
	case "inv", "expm", "logm", "sym":
		if !a.IsSquare() {
			return fail(e, "needs a square matrix, got %v", a)
		}
		return a, nil
	case "sum", "norm2":
		return Shape{1, 1}, nil
	case "diag":
		switch {
		case a.Cols == 1:
			return Shape{a.Rows, a.Rows}, nil
		case a.IsSquare():
			return Shape{a.Rows, 1}, nil
		}
		return fail(e, "needs a column vector or a square matrix, got %v", a)
	case "kron":
		b := args[1]
		rows, cols := int64(a.Rows)*int64(b.Rows), int64(a.Cols)*int64(b.Cols)
		if rows > maxSize || cols > maxSize || rows < 0 || cols < 0 {
			return fail(e, "result of %v ⊗ %v is too large", a, b)
		}
		return Shape{int(rows), int(cols)}, nil
	}
	// exp, log, sqrt, abs, tanh act elementwise.
	return a, nil
}

func (in *inferrer) eye(e *Call) (Shape, error) {
	switch a := e.Args[0].(type) {
	case *Ident:
		if a == nil {
			break
		}
		n, ok := in.sizes[a.Name]
		if !ok {
			return fail(e, "size %s has no value", a.Name)
		}
		if n < 1 || n > maxSize {
			return fail(e, "size %s = %d is not a positive size", a.Name, n)
		}
		return Shape{n, n}, nil
	case *Num:
		if a == nil || !isCount(a.Value) {
			break
		}
		return Shape{int(a.Value), int(a.Value)}, nil
	}
	return fail(e, "eye needs a size symbol or a positive integer")
}

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
	return body.infer(e.Body)
}
