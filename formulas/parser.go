package formulas

import (
	"fmt"
	"math"
	"strings"
)

// Error is a parse or shape error in a formula, located at Pos.
type Error struct {
	Pos Pos
	Msg string
	// called is the name of an unknown function that the formula calls,
	// for the caller that knows the declared names to say what it is
	// instead (calledName).
	called string
	// undeclared is the name of an undeclared variable that the formula
	// reads, for the caller that knows the sizes given to say what it is
	// instead (see Claim.Resolve).
	undeclared string
}

// Error formats the error as "line:col: msg".
func (e *Error) Error() string { return e.Pos.String() + ": " + e.Msg }

func errorf(p Pos, format string, args ...any) *Error {
	return &Error{Pos: p, Msg: fmt.Sprintf(format, args...)}
}

// MaxDepth is the deepest nesting Parse accepts: of parentheses, calls,
// unary minus, powers and transposes. A chain of operators at one level,
// such as a flat sum of 5,000 terms, is one level, whatever its length.
const MaxDepth = 200

// MaxTokens bounds the length of an expression, and so the height of its
// tree (a chain of n terms is a tree of height n), which the evaluator and
// shape inference walk recursively.
const MaxTokens = 1 << 16

// Parse parses a formula of the expression language (DESIGN.md, "The
// expression language"). Errors are of type *Error and carry the position
// of the offending token.
func Parse(src string) (Expr, error) {
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	if len(toks) > MaxTokens+1 { // the tokens and EOF
		return nil, errorf(toks[MaxTokens].pos, "expression too long (more than %d tokens)", MaxTokens)
	}
	p := &parser{toks: toks}
	if p.peek().kind == tEOF {
		return nil, errorf(p.peek().pos, "empty expression")
	}
	e, _, err := p.expr()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tEOF {
		if startsOperand(t) {
			return nil, missingOperator(t)
		}
		return nil, errorf(t.pos, "unexpected %s", t.describe())
	}
	return e, nil
}

// startsOperand reports whether t can start an operand: where an operator
// or the end of an expression is due, such a token is a factor juxtaposed
// to the one before it, as in A X or 2x.
func startsOperand(t token) bool {
	return t.kind == tNum || t.kind == tIdent || t.kind == tLParen
}

// missingOperator is the error of an operand t that follows another with
// no operator between them.
func missingOperator(t token) error {
	return errorf(t.pos, "missing operator before %s", t.describe())
}

// parser is a recursive-descent parser over a token slice. Every parse
// method returns the node and the height of its tree.
type parser struct {
	toks  []token
	i     int
	depth int
}

func (p *parser) peek() token { return p.toks[p.i] }

func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}

func (p *parser) isOp(ops ...string) bool {
	t := p.peek()
	if t.kind != tOp {
		return false
	}
	for _, op := range ops {
		if t.text == op {
			return true
		}
	}
	return false
}

func tooDeep(at Pos) error {
	return errorf(at, "expression nested too deeply (more than %d levels)", MaxDepth)
}

// enter counts one more level of recursion, failing beyond MaxDepth.
func (p *parser) enter(at Pos) error {
	p.depth++
	if p.depth > MaxDepth {
		return tooDeep(at)
	}
	return nil
}

func (p *parser) leave() { p.depth-- }

// nested parses with parse one level of nesting deeper, a level that
// opens at at.
func (p *parser) nested(at Pos, parse func() (Expr, int, error)) (Expr, int, error) {
	if err := p.enter(at); err != nil {
		return nil, 0, err
	}
	defer p.leave()
	return parse()
}

// grow returns the height of a node over children of height h.
func grow(h int, at Pos) (int, error) {
	h++
	if h > MaxDepth {
		return h, tooDeep(at)
	}
	return h, nil
}

// expr := term (('+' | '-') term)*
func (p *parser) expr() (Expr, int, error) { return p.chain(p.term, "+", "-") }

// term := unary (('*' | '.*' | './' | '/' | '\') unary)*
func (p *parser) term() (Expr, int, error) { return p.chain(p.unary, "*", ".*", "./", "/", "\\") }

// chain parses operand (op operand)* for the operators ops, associating
// to the left.
func (p *parser) chain(operand func() (Expr, int, error), ops ...string) (Expr, int, error) {
	start := p.peek().pos
	l, h, err := operand()
	if err != nil {
		return nil, 0, err
	}
	chained := false
	for p.isOp(ops...) {
		op := p.next()
		r, hr, err := operand()
		if err != nil {
			return nil, 0, err
		}
		chained, h = true, max(h, hr)
		l = &Binary{At: start, Op: op.text, L: l, R: r}
	}
	if chained {
		// A chain of operators is one level of nesting however long.
		return l, h + 1, nil
	}
	return l, h, nil
}

// unary := '-' unary | power
func (p *parser) unary() (Expr, int, error) {
	if !p.isOp("-") {
		return p.power()
	}
	return p.minus(p.unary)
}

// minus parses '-' followed by operand.
func (p *parser) minus(operand func() (Expr, int, error)) (Expr, int, error) {
	op := p.next()
	x, h, err := p.nested(op.pos, operand)
	if err != nil {
		return nil, 0, err
	}
	if h, err = grow(h, op.pos); err != nil {
		return nil, 0, err
	}
	return &Unary{At: op.pos, Op: "-", X: x}, h, nil
}

// power := postfix (('^' | '.^') exponent)?
func (p *parser) power() (Expr, int, error) {
	start := p.peek().pos
	baseAt := p.i
	base, h, err := p.postfix()
	if err != nil {
		return nil, 0, err
	}
	if !p.isOp("^", ".^") {
		return base, h, nil
	}
	op := p.next()
	from := p.i
	r, hr, err := p.nested(op.pos, p.exponent)
	if err != nil {
		return nil, 0, err
	}
	if err := p.transposedExponent(baseAt, from); err != nil {
		return nil, 0, err
	}
	if h, err = grow(max(h, hr), op.pos); err != nil {
		return nil, 0, err
	}
	if isZero(r) {
		// -0 is 0: X^-0 is X^0, not a negative power.
		r = &Num{At: r.Pos(), Value: 0}
	}
	return &Binary{At: start, Op: op.text, L: base, R: r}, h, nil
}

// transposedExponent refuses a postfix ' outside parentheses in the
// exponent that the tokens from index from up to the current one spell,
// the base starting at token base: X.^2' is X.^(2') by the precedence of
// ', the same matrix as X.^2, where MATLAB reads (X.^2)', so whichever it
// meant, the formula would silently say something else.
func (p *parser) transposedExponent(base, from int) error {
	depth := 0
	for i := from; i < p.i; i++ {
		switch t := p.toks[i]; {
		case t.kind == tLParen:
			depth++
		case t.kind == tRParen:
			depth--
		case depth == 0 && t.kind == tOp && t.text == "'":
			text := func(from, to int) string {
				var b strings.Builder
				for _, t := range p.toks[from:to] {
					b.WriteString(t.text)
				}
				return b.String()
			}
			pow, op := text(base, i), p.toks[from-1].text
			return errorf(t.pos, "%s': a transpose in an exponent is ambiguous: write (%s)' to transpose the power, or %s%s(%s') to transpose the exponent",
				pow, pow, text(base, from-1), op, text(from, i))
		}
	}
	return nil
}

// isZero reports whether e is the literal 0, negated any number of times.
func isZero(e Expr) bool {
	switch e := e.(type) {
	case *Num:
		return e.Value == 0
	case *Unary:
		return e.Op == "-" && isZero(e.X)
	}
	return false
}

// exponent := '-' exponent | power
func (p *parser) exponent() (Expr, int, error) {
	if p.isOp("-") {
		return p.minus(p.exponent)
	}
	return p.power()
}

// postfix := primary "'"*
func (p *parser) postfix() (Expr, int, error) {
	start := p.peek().pos
	x, h, err := p.primary()
	if err != nil {
		return nil, 0, err
	}
	for p.isOp("'") {
		op := p.next()
		if h, err = grow(h, op.pos); err != nil {
			return nil, 0, err
		}
		x = &Unary{At: start, Op: "'", X: x}
	}
	return x, h, nil
}

// primary := number | name | name '(' args ')' | '(' expr ')'
func (p *parser) primary() (Expr, int, error) {
	t := p.peek()
	switch t.kind {
	case tNum:
		p.next()
		return &Num{At: t.pos, Value: t.num}, 1, nil
	case tIdent:
		p.next()
		if p.peek().kind == tLParen {
			return p.call(t)
		}
		if t.text == "inf" {
			return &Num{At: t.pos, Value: math.Inf(1)}, 1, nil
		}
		if IsFunc(t.text) {
			return nil, 0, errorf(t.pos, "function '%s' needs its arguments: %s(...)", t.text, t.text)
		}
		return &Ident{At: t.pos, Name: t.text}, 1, nil
	case tLParen:
		p.next()
		x, h, err := p.nested(t.pos, p.expr)
		if err != nil {
			return nil, 0, err
		}
		if err := p.expect(tRParen); err != nil {
			return nil, 0, err
		}
		return x, h, nil
	}
	return nil, 0, errorf(t.pos, "expected an operand, found %s", t.describe())
}

// expect consumes a token of kind k ("')'"), due after an expression, or
// fails: with "missing operator" where the token starts another operand,
// as at the top level.
func (p *parser) expect(k tokKind) error {
	t := p.peek()
	if t.kind == k {
		p.next()
		return nil
	}
	if startsOperand(t) {
		return missingOperator(t)
	}
	want := map[tokKind]string{tRParen: "')'", tComma: "','"}[k]
	if t.kind == tEOF {
		return errorf(t.pos, "expected %s", want)
	}
	return errorf(t.pos, "expected %s, found %s", want, t.describe())
}

// call parses the argument list of name, whose '(' is the next token.
func (p *parser) call(name token) (Expr, int, error) {
	fn := Lookup(name.text)
	if fn == nil {
		msg := fmt.Sprintf("unknown function '%s'", name.text)
		h := funcHint(name.text)
		if strings.ToLower(name.text) == "norm" {
			// MATLAB's and NumPy's norm(x, p): the hint depends on p.
			switch args := p.argTokens(); len(args) {
			case 1:
				h = strings.ReplaceAll(normHint(nil), "`", "")
			case 2:
				h = strings.ReplaceAll(normHint(args[1]), "`", "")
			}
		}
		if h != "" {
			msg += " (" + h + ")"
		}
		return nil, 0, &Error{Pos: name.pos, Msg: msg, called: name.text}
	}
	open := p.next()
	if err := p.enter(open.pos); err != nil {
		return nil, 0, err
	}
	var args []Expr
	h := 0
	if p.peek().kind == tRParen {
		p.next()
	} else {
		for {
			a, ha, err := p.expr()
			if err != nil {
				return nil, 0, err
			}
			args = append(args, a)
			h = max(h, ha)
			if p.peek().kind == tComma {
				p.next()
				continue
			}
			if err := p.expect(tRParen); err != nil {
				return nil, 0, err
			}
			break
		}
	}
	p.leave()
	h, err := grow(h, name.pos)
	if err != nil {
		return nil, 0, err
	}
	if len(args) < fn.MinArgs || len(args) > fn.MaxArgs {
		msg := fmt.Sprintf("%s takes %s, got %d: %s", name.text, fn.Arity(), len(args), fn.Usage)
		if (name.text == "sum" || name.text == "mean") && len(args) == 2 {
			// NumPy's sum(X, axis), MATLAB's sum(X, dim).
			msg += "; sum and mean reduce all entries: column sums of an m×n X are ones(1, m)*X, row sums X*ones(n)"
		}
		return nil, 0, &Error{Pos: name.pos, Msg: msg}
	}
	if fn.Sizes {
		for _, a := range args {
			if err := checkSizeArg(name.text, a); err != nil {
				return nil, 0, err
			}
		}
	}
	if name.text == "integral" {
		v, ok := args[0].(*Ident)
		if !ok {
			return nil, 0, errorf(posOf(args[0]), "integral: the first argument must be the name of the integration variable, got %s", args[0])
		}
		return &Integral{At: name.pos, Var: v.Name, Lo: args[1], Hi: args[2], Body: args[3]}, h, nil
	}
	return &Call{At: name.pos, Func: name.text, Args: args}, h, nil
}

// argTokens returns the tokens of each argument of the call whose '(' is
// the next token, up to its ')' or the end of input, unparsed: the hint
// for an unknown function may depend on them. norm() has one argument,
// of no tokens.
func (p *parser) argTokens() [][]token {
	var args [][]token
	var arg []token
	depth := 0
	for _, t := range p.toks[p.i+1:] {
		switch {
		case t.kind == tEOF, t.kind == tRParen && depth == 0:
			return append(args, arg)
		case t.kind == tComma && depth == 0:
			args, arg = append(args, arg), nil
			continue
		case t.kind == tLParen:
			depth++
		case t.kind == tRParen:
			depth--
		}
		arg = append(arg, t)
	}
	return append(args, arg)
}

// MaxSize is the largest size: it bounds integer sizes so that shapes fit
// comfortably in an int.
const MaxSize = 1<<31 - 1

// isCount reports whether v is an integer in [1, MaxSize].
func isCount(v float64) bool {
	return v >= 1 && v <= MaxSize && v == math.Trunc(v)
}

// checkSizeArg checks that an argument of the constructor fn (eye, ones,
// zeros) is a size symbol or a positive integer literal.
func checkSizeArg(fn string, a Expr) error {
	switch a := a.(type) {
	case *Ident:
		if a != nil {
			return nil
		}
	case *Num:
		if a != nil && isCount(a.Value) {
			return nil
		}
	}
	return errorf(posOf(a), "%s needs a size symbol or a positive integer, got %s", fn, a)
}
