package formulas

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// tokKind classifies a token of the expression language.
type tokKind int

const (
	tEOF tokKind = iota
	tNum
	tIdent
	tOp     // + - * .* ./ / \ ^ .^ '
	tLParen // (
	tRParen // )
	tComma  // ,
)

// token is one lexical unit with the position of its first character.
type token struct {
	kind tokKind
	text string
	pos  Pos
	num  float64
}

// describe names the token for an error message.
func (t token) describe() string {
	switch {
	case t.kind == tEOF:
		return "end of input"
	case t.text == "'":
		return `"'"`
	default:
		return "'" + shorten(t.text) + "'"
	}
}

// lexer splits a formula into tokens. Columns count characters (runes),
// starting at 1.
type lexer struct {
	src       string
	i         int
	line, col int
}

func isDigit(c byte) bool  { return '0' <= c && c <= '9' }
func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// isIdent reports whether s is a name of the language: a letter followed by
// letters, digits or underscores.
func isIdent(s string) bool {
	if s == "" || !isLetter(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !isLetter(c) && !isDigit(c) && c != '_' {
			return false
		}
	}
	return true
}

func (l *lexer) pos() Pos { return Pos{Line: l.line, Col: l.col} }

func (l *lexer) at(k int) byte {
	if l.i+k < len(l.src) {
		return l.src[l.i+k]
	}
	return 0
}

// advance moves past n ASCII bytes on the current line.
func (l *lexer) advance(n int) {
	l.i += n
	l.col += n
}

// lex returns all tokens of src, ending with a tEOF token.
func lex(src string) ([]token, error) {
	l := &lexer{src: src, line: 1, col: 1}
	var toks []token
	for {
		for l.i < len(l.src) {
			c := l.src[l.i]
			if c == '\n' {
				l.i++
				l.line++
				l.col = 1
			} else if c == ' ' || c == '\t' || c == '\r' {
				l.advance(1)
			} else {
				break
			}
		}
		p := l.pos()
		if l.i >= len(l.src) || len(toks) > MaxTokens {
			// Parse refuses more than MaxTokens: the rest of a long
			// formula is not lexed (a 10 MB one took 2 GB).
			return append(toks, token{kind: tEOF, pos: p}), nil
		}
		c := l.src[l.i]
		switch {
		case isDigit(c) || c == '.' && isDigit(l.at(1)):
			t, err := l.number()
			if err != nil {
				return nil, err
			}
			toks = append(toks, t)
		case isLetter(c):
			start := l.i
			for l.i < len(l.src) && (isLetter(l.src[l.i]) || isDigit(l.src[l.i]) || l.src[l.i] == '_') {
				l.advance(1)
			}
			toks = append(toks, token{kind: tIdent, text: l.src[start:l.i], pos: p})
		case c == '.' && l.at(1) == '\'':
			// MATLAB's .', the transpose without conjugation: the
			// values are real, so it is '.
			toks = append(toks, token{kind: tOp, text: "'", pos: p})
			l.advance(2)
		case c == '.' && isLetter(l.at(1)):
			return nil, l.method(p)
		case c == '*' && l.at(1) == '*':
			return nil, errorf(p, "unexpected '**': write ^ for a scalar or square-matrix power, .^ elementwise")
		case c == '@':
			return nil, errorf(p, "unexpected character '@': write * for the matrix product")
		case c == '[':
			return nil, errorf(p, "unexpected character '[': indexing [...] is not supported")
		case c == '<' || c == '>' || c == '=' && l.at(1) == '=' || c == '!' && l.at(1) == '=':
			op := l.src[l.i : l.i+1]
			if l.at(1) == '=' {
				op = l.src[l.i : l.i+2]
			}
			return nil, errorf(p, "unexpected '%s': comparisons are not in the language; step(a - b) is 1 where a > b", op)
		case c == '.' && (l.at(1) == '*' || l.at(1) == '/' || l.at(1) == '^'):
			toks = append(toks, token{kind: tOp, text: l.src[l.i : l.i+2], pos: p})
			l.advance(2)
		case c == '+' || c == '-' || c == '*' || c == '/' || c == '^' || c == '\'' || c == '\\':
			toks = append(toks, token{kind: tOp, text: string(c), pos: p})
			l.advance(1)
		case c == '(':
			toks = append(toks, token{kind: tLParen, text: "(", pos: p})
			l.advance(1)
		case c == ')':
			toks = append(toks, token{kind: tRParen, text: ")", pos: p})
			l.advance(1)
		case c == ',':
			toks = append(toks, token{kind: tComma, text: ",", pos: p})
			l.advance(1)
		default:
			r, size := utf8.DecodeRuneInString(l.src[l.i:])
			var s string
			if r == utf8.RuneError && size <= 1 {
				s = fmt.Sprintf("%q", l.src[l.i:l.i+1])
			} else {
				s = strconv.QuoteRune(r)
			}
			return nil, errorf(p, "unexpected character %s", s)
		}
	}
}

// transposeMethods are the names NumPy, PyTorch and JAX transpose with
// after a '.' (X.T, X.t(), X.mT, X.transpose()); the language writes X'.
var transposeMethods = []string{"T", "t", "mT", "H", "mH", "transpose"}

// method is the error of a '.' at p followed by a name, as in the NumPy
// or PyTorch x.T, x.var() or x.sum(): the language has no attributes or
// methods, so it says what to write instead: X' for a transpose, a call
// for a method the language has as a function, else what funcHint says of
// the name.
func (l *lexer) method(p Pos) error {
	end := l.i + 1
	for end < len(l.src) && (isLetter(l.src[end]) || isDigit(l.src[end]) || l.src[end] == '_') {
		end++
	}
	name := l.src[l.i+1 : end]
	if slices.Contains(transposeMethods, name) {
		return errorf(p, "unexpected '.%s': write X' for the transpose", name)
	}
	// The operand before the '.' is not at hand here: the call is
	// written with X for it (x.sum() said "write sum(x)", np.linalg.inv
	// "write linalg(x)"; the second review helper).
	switch h := funcHint(name); {
	case IsFunc(name):
		return errorf(p, "unexpected '.%s': methods are not supported; write %s(X) for X.%s()", name, name, name)
	case h != "":
		return errorf(p, "unexpected '.%s': methods are not supported (%s: %s)", name, name, h)
	}
	return errorf(p, "unexpected '.%s': methods and modules are not supported; call the language's functions by name (gradcheck check --help lists them)", name)
}

// number scans 2, 0.5, .5, 2., 1e-3. A '.' followed by *, / or ^ is not a
// decimal point but the start of an elementwise operator, so 2.*X is 2 .* X.
func (l *lexer) number() (token, error) {
	p := l.pos()
	start := l.i
	for isDigit(l.at(0)) {
		l.advance(1)
	}
	if l.at(0) == '.' && l.at(1) != '*' && l.at(1) != '/' && l.at(1) != '^' {
		l.advance(1)
		for isDigit(l.at(0)) {
			l.advance(1)
		}
	}
	if c := l.at(0); c == 'e' || c == 'E' {
		k := 1
		if s := l.at(1); s == '+' || s == '-' {
			k = 2
		}
		if !isDigit(l.at(k)) {
			end := l.i + k
			for end < len(l.src) && (isLetter(l.src[end]) || isDigit(l.src[end]) || l.src[end] == '_') {
				end++
			}
			return token{}, errorf(p, "malformed number '%s'", l.src[start:end])
		}
		l.advance(k)
		for isDigit(l.at(0)) {
			l.advance(1)
		}
	}
	text := l.src[start:l.i]
	v, err := strconv.ParseFloat(text, 64)
	mantissa, _, _ := strings.Cut(strings.ToLower(text), "e")
	if err != nil || math.IsInf(v, 0) || v == 0 && strings.ContainsAny(mantissa, "123456789") {
		// (1e-400 would be 0, silently.)
		return token{}, errorf(p, "number '%s' is out of range", text)
	}
	return token{kind: tNum, text: text, pos: p, num: v}, nil
}
