package formulas

import "fmt"

// Pos is a 1-based line:column position in a formula's source text. Errors
// carry it so that a user can find the character at fault.
type Pos struct {
	Line, Col int
}

// String formats the position as "line:col".
func (p Pos) String() string { return fmt.Sprintf("%d:%d", p.Line, p.Col) }

// Expr is a node of a parsed formula. Every node records where it starts in
// the source, and String prints it back in the expression language with
// the fewest parentheses that keep its meaning, so that Parse(e.String())
// yields the same tree.
type Expr interface {
	Pos() Pos
	String() string
}

// Num is a numeric literal such as 2, 0.5 or 1e-3. The name inf parses to
// a Num with Value +Inf; it is only meaningful as an integral bound.
type Num struct {
	At    Pos
	Value float64
}

// Ident names a declared variable, a direction (dX for variable X), a size
// symbol (inside eye(n), or as a number: 2/m) or an integration variable.
type Ident struct {
	At   Pos
	Name string
}

// Unary is a prefix minus (Op "-") or a postfix transpose (Op "'").
type Unary struct {
	At Pos
	Op string
	X  Expr
}

// Binary is an infix operation. Op is one of "+", "-", "*", ".*", "./",
// "/", "\\", "^" and ".^", where * is the matrix product (scalar times
// anything when either side is 1×1), .* and ./ are elementwise, + - .* ./
// and .^ take a scalar on either side entry by entry, / divides by a
// scalar, A\\B solves A·X = B, ^ is an integer power of a square matrix
// or a power of a scalar, and .^ is elementwise.
type Binary struct {
	At   Pos
	Op   string
	L, R Expr
}

// Call applies a built-in function of the table Funcs (integral(...) is
// an Integral instead).
type Call struct {
	At   Pos
	Func string
	Args []Expr
}

// Integral is integral(Var, Lo, Hi, Body): the integral of Body over the
// scalar Var from Lo to Hi, evaluated by Gauss–Legendre quadrature. Hi may
// be inf, in which case the integral is mapped onto a finite interval.
type Integral struct {
	At     Pos
	Var    string
	Lo, Hi Expr
	Body   Expr
}

// Pos returns where the number starts.
func (e *Num) Pos() Pos { return e.At }

// Pos returns where the name starts.
func (e *Ident) Pos() Pos { return e.At }

// Pos returns where the operation starts: at the minus sign, or at the
// start of the transposed operand.
func (e *Unary) Pos() Pos { return e.At }

// Pos returns where the operation starts, which is where its left operand
// starts (including an opening parenthesis).
func (e *Binary) Pos() Pos { return e.At }

// Pos returns where the function name starts.
func (e *Call) Pos() Pos { return e.At }

// Pos returns where the word integral starts.
func (e *Integral) Pos() Pos { return e.At }

// Shape is the concrete size of a value: Rows×Cols. Vectors are columns
// (n×1) and scalars are 1×1.
type Shape struct {
	Rows, Cols int
}

// IsScalar reports whether the shape is 1×1.
func (s Shape) IsScalar() bool { return s.Rows == 1 && s.Cols == 1 }

// IsSquare reports whether the shape has as many rows as columns.
func (s Shape) IsSquare() bool { return s.Rows == s.Cols }

// T returns the shape of the transpose.
func (s Shape) T() Shape { return Shape{s.Cols, s.Rows} }

// String formats the shape as "3×4".
func (s Shape) String() string { return fmt.Sprintf("%d×%d", s.Rows, s.Cols) }
