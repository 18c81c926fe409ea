package formulas

import (
	"math"
	"strconv"
	"strings"
)

// Precedence levels of the expression language, lowest first.
const (
	precAdd     = 1 // + -
	precMul     = 2 // * .* ./ / \\
	precUnary   = 3 // prefix -
	precPow     = 4 // ^ .^ (right-associative)
	precPostfix = 5 // postfix '
	precPrimary = 6 // numbers, names, calls, parentheses
)

// binaryPrec gives the precedence of a binary operator.
func binaryPrec(op string) int {
	switch op {
	case "+", "-":
		return precAdd
	case "*", ".*", "./", "/", "\\":
		return precMul
	case "^", ".^":
		return precPow
	}
	return precAdd
}

// isNil reports whether e is nil or a nil pointer to a node.
func isNil(e Expr) bool {
	switch e := e.(type) {
	case nil:
		return true
	case *Num:
		return e == nil
	case *Ident:
		return e == nil
	case *Unary:
		return e == nil
	case *Binary:
		return e == nil
	case *Call:
		return e == nil
	case *Integral:
		return e == nil
	}
	return false
}

// posOf returns e's position, or the zero Pos for a nil node.
func posOf(e Expr) Pos {
	if isNil(e) {
		return Pos{}
	}
	return e.Pos()
}

// prec gives the precedence of the outermost construct of e.
func prec(e Expr) int {
	switch e := e.(type) {
	case *Num:
		if e != nil && (e.Value < 0 || math.Signbit(e.Value)) {
			return precUnary
		}
	case *Unary:
		if e != nil && e.Op == "-" {
			return precUnary
		}
		return precPostfix
	case *Binary:
		if e != nil {
			return binaryPrec(e.Op)
		}
	}
	return precPrimary
}

// formatNum prints a number with the fewest digits that read back exactly;
// infinities print as inf.
func formatNum(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "inf"
	case math.IsInf(v, -1):
		return "-inf"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// write prints e into b.
func write(b *strings.Builder, e Expr) {
	if isNil(e) {
		b.WriteString("<nil>")
		return
	}
	switch e := e.(type) {
	case *Num:
		b.WriteString(formatNum(e.Value))
	case *Ident:
		b.WriteString(e.Name)
	case *Unary:
		if e.Op == "'" {
			writeOperand(b, e.X, precPostfix)
			b.WriteString("'")
			return
		}
		b.WriteString(e.Op)
		writeOperand(b, e.X, precUnary)
	case *Binary:
		p := binaryPrec(e.Op)
		if p == precPow {
			// Right-associative: a^b^c is a^(b^c).
			writeOperand(b, e.L, precPow+1)
			b.WriteString(e.Op)
			writeExponent(b, e.R)
			return
		}
		writeOperand(b, e.L, p)
		if p == precAdd {
			b.WriteString(" " + e.Op + " ")
		} else {
			b.WriteString(e.Op)
		}
		writeOperand(b, e.R, p+1)
	case *Call:
		b.WriteString(e.Func)
		b.WriteString("(")
		for i, a := range e.Args {
			if i > 0 {
				b.WriteString(", ")
			}
			write(b, a)
		}
		b.WriteString(")")
	case *Integral:
		b.WriteString("integral(")
		b.WriteString(e.Var)
		for _, a := range []Expr{e.Lo, e.Hi, e.Body} {
			b.WriteString(", ")
			write(b, a)
		}
		b.WriteString(")")
	default:
		b.WriteString(e.String())
	}
}

// writeOperand prints e, in parentheses when its precedence is below min.
func writeOperand(b *strings.Builder, e Expr, min int) {
	if prec(e) < min {
		b.WriteString("(")
		write(b, e)
		b.WriteString(")")
		return
	}
	write(b, e)
}

// writeExponent prints the right side of ^ or .^, which may be a unary
// minus without parentheses: x^-1, x^-y^2. A negative number, as the
// simplifier folds -1 - 1 into -2, prints the same way: x.^-2.
func writeExponent(b *strings.Builder, e Expr) {
	switch e := e.(type) {
	case *Unary:
		if e != nil && e.Op == "-" {
			b.WriteString("-")
			writeExponent(b, e.X)
			return
		}
	case *Num:
		if e != nil && e.Value < 0 {
			b.WriteString("-")
			writeExponent(b, &Num{Value: -e.Value})
			return
		}
	}
	if bareTranspose(e) {
		// x^(y'), x^(y'^2): the parser refuses a ' outside parentheses
		// in an exponent as ambiguous.
		b.WriteString("(")
		write(b, e)
		b.WriteString(")")
		return
	}
	writeOperand(b, e, precPow)
}

// bareTranspose reports whether e, printed as an exponent, would show a
// postfix ' outside parentheses: a transpose, or a power whose base is one.
func bareTranspose(e Expr) bool {
	switch e := e.(type) {
	case *Unary:
		return e != nil && e.Op == "'"
	case *Binary:
		return e != nil && binaryPrec(e.Op) == precPow && bareTranspose(e.L)
	}
	return false
}

func str(e Expr) string {
	var b strings.Builder
	write(&b, e)
	return b.String()
}

// String prints the number; +Inf prints as inf.
func (e *Num) String() string { return str(e) }

// String prints the name.
func (e *Ident) String() string { return str(e) }

// String prints the negation or transpose, parenthesizing the operand only
// where needed: -(A + B), (A*B)'.
func (e *Unary) String() string { return str(e) }

// String prints the operation with the fewest parentheses that keep its
// meaning; + and - are surrounded by spaces.
func (e *Binary) String() string { return str(e) }

// String prints the call as name(arg, ...).
func (e *Call) String() string { return str(e) }

// String prints integral(var, lo, hi, body).
func (e *Integral) String() string { return str(e) }
