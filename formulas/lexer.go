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
			if h := charHint(l.src, l.i); h != "" {
				return nil, errorf(p, "unexpected character %s: %s", s, strings.ReplaceAll(h, "`", ""))
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

// superscriptDigits are the superscript digits, ⁰ to ⁹, by value.
const superscriptDigits = "⁰¹²³⁴⁵⁶⁷⁸⁹"

// superscript returns the digits of the superscript number that starts
// src ("12" for ¹²), or "".
func superscript(src string) string {
	var b strings.Builder
	for _, r := range src {
		d := strings.IndexRune(superscriptDigits, r)
		if d < 0 {
			break
		}
		// The digits are runes of 2 or 3 bytes: count runes, not bytes.
		b.WriteByte('0' + byte(utf8.RuneCountInString(superscriptDigits[:d])))
	}
	return b.String()
}

// charHint says what to write instead of the character that starts
// src[i:], which the lexer does not accept, or "": mathematical notation
// pasted from a paper (Xᵀ, X⁻¹, X∘Y, ‖x‖, A⊗B, x², √x, Σx), the Frobenius
// product A:B, |X|, and the norm(X, "fro") of MATLAB. An expression to
// write is between backquotes, which the message drops (TestCharHints
// parses and shape-checks each).
func charHint(src string, i int) string {
	r, size := utf8.DecodeRuneInString(src[i:])
	rest := src[i+size:]
	next, _ := utf8.DecodeRuneInString(rest)
	switch r {
	case 'ᵀ', '⊤':
		return "write the transpose as `X'`"
	case '’', '′':
		// A word processor's quote for the transpose.
		return "write the transpose with the ASCII quote, as `X'`"
	case '⁻':
		switch k := superscript(rest); {
		case next == '¹' && superscript(rest[len("¹"):]) == "":
			return "write `inv(X)` for X⁻¹"
		case next == 'ᵀ' || next == '⊤':
			return fmt.Sprintf("write `inv(X)'` for X⁻%c", next)
		case k != "":
			return fmt.Sprintf("write `x.^-%s` elementwise, or `inv(X)^%s` for a square matrix", k, k)
		}
		return "write a power with ^ or .^"
	case '⁺':
		return "the pseudo-inverse is not in the language; for X of full column rank it is `(X'*X)\\X'`"
	case '∘', '⊙':
		return fmt.Sprintf("write `X.*Y` for X%cY", r)
	case '⊗':
		return "write `kron(A, B)` for A⊗B"
	case '·', '⋅', '∙', '×':
		return "write * for the product"
	case '‖', '∥':
		return fmt.Sprintf("write `norm2(x)` for %cx%c", r, r)
	case '|':
		if next == '|' {
			return "write `norm2(x)` for ||x||"
		}
		return "write `abs(X)` (entrywise) or `det(X)` for |X|"
	case ':':
		// Between two operands, the Frobenius product; X(:) and X(:, 1)
		// are indexing, which the message of ':' alone refuses.
		before := strings.TrimRight(src[:i], " \t")
		after := strings.TrimLeft(rest, " \t")
		if before == "" || after == "" {
			return ""
		}
		if b, a := before[len(before)-1], after[0]; (isLetter(b) || isDigit(b) || b == ')' || b == '\'') && (isLetter(a) || isDigit(a) || a == '(') {
			return "write `sum(A.*B)` or `tr(A'*B)` for the Frobenius product A:B"
		}
	case '"':
		if strings.HasPrefix(strings.ToLower(rest), `fro"`) {
			return "write `norm2(X)` for the Frobenius norm"
		}
	case '√':
		return "write `sqrt(x)` for √x"
	case 'Σ', '∑':
		return fmt.Sprintf("write `sum(x)` for %cx", r)
	case '−', '–':
		return "write the minus sign as -"
	case '⟨':
		return "write `tr(A'*B)` or `sum(A.*B)` for ⟨A, B⟩"
	case '{':
		return "group with parentheses ( )"
	}
	if k := superscript(src[i:]); k != "" {
		return fmt.Sprintf("write `x.^%s` elementwise, or `X^%s` for a square matrix", k, k)
	}
	return ""
}
