package selftest

import (
	"math/rand/v2"

	"github.com/gradcheck/gradcheck/formulas"
)

// Mutation names a kind of wrong claim people write.
type Mutation string

// The mutations of a true differential or gradient.
const (
	TransposeFactor  Mutation = "transpose-factor"  // A*B → A'*B
	SwapProduct      Mutation = "swap-product"      // A*B → B*A
	DropTerm         Mutation = "drop-term"         // A + B → A
	FlipSign         Mutation = "flip-sign"         // A + B → A − B, or −G
	Double           Mutation = "scale-2"           // 2·G
	Halve            Mutation = "scale-0.5"         // G/2
	Nudge            Mutation = "scale-1.000001"    // (1+10⁻⁶)·G
	TransposeSubterm Mutation = "transpose-subterm" // a square subterm T → T'
	Symmetrize       Mutation = "symmetrize"        // G → sym(G), or a square subterm
)

// Mutations lists every mutation in the order they are tried.
var Mutations = []Mutation{TransposeFactor, SwapProduct, DropTerm, FlipSign, Double, Halve, Nudge, TransposeSubterm, Symmetrize}

// nodes lists the subexpressions of e in preorder (integral bounds left
// out: they are numbers).
func nodes(e formulas.Expr) []formulas.Expr {
	var out []formulas.Expr
	var visit func(formulas.Expr)
	visit = func(e formulas.Expr) {
		out = append(out, e)
		switch e := e.(type) {
		case *formulas.Unary:
			visit(e.X)
		case *formulas.Binary:
			visit(e.L)
			visit(e.R)
		case *formulas.Call:
			for _, a := range e.Args {
				visit(a)
			}
		case *formulas.Integral:
			visit(e.Body)
		}
	}
	visit(e)
	return out
}

// replace returns a copy of e with the subexpression old (compared by
// identity) replaced by new.
func replace(e, old, new formulas.Expr) formulas.Expr {
	if e == old {
		return new
	}
	switch e := e.(type) {
	case *formulas.Unary:
		return &formulas.Unary{Op: e.Op, X: replace(e.X, old, new)}
	case *formulas.Binary:
		return &formulas.Binary{Op: e.Op, L: replace(e.L, old, new), R: replace(e.R, old, new)}
	case *formulas.Call:
		args := make([]formulas.Expr, len(e.Args))
		for i, a := range e.Args {
			args[i] = replace(a, old, new)
		}
		return &formulas.Call{Func: e.Func, Args: args}
	case *formulas.Integral:
		return &formulas.Integral{Var: e.Var, Lo: e.Lo, Hi: e.Hi, Body: replace(e.Body, old, new)}
	}
	return e
}

// binaries returns the binary operations of e with one of the operators.
func binaries(e formulas.Expr, ops ...string) []*formulas.Binary {
	var out []*formulas.Binary
	for _, n := range nodes(e) {
		if b, ok := n.(*formulas.Binary); ok {
			for _, op := range ops {
				if b.Op == op {
					out = append(out, b)
				}
			}
		}
	}
	return out
}

// choose returns a random element of xs, and false if there is none.
func choose[T any](rng *rand.Rand, xs []T) (T, bool) {
	var zero T
	if len(xs) == 0 {
		return zero, false
	}
	return xs[rng.IntN(len(xs))], true
}

// mutate returns candidate mutants of the true result e: one or more
// expressions (the caller keeps the first that is well typed), none if the
// mutation does not apply. square reports whether a subexpression is a
// square matrix (not 1×1).
func mutate(rng *rand.Rand, m Mutation, e formulas.Expr, square func(formulas.Expr) bool) []formulas.Expr {
	scale := func(v float64) []formulas.Expr { return []formulas.Expr{bin("*", num(v), e)} }
	switch m {
	case TransposeFactor:
		var out []formulas.Expr
		for _, p := range shuffled(rng, binaries(e, "*")) {
			side := []formulas.Expr{p.L, p.R}[rng.IntN(2)]
			out = append(out, replace(e, side, tr(side)))
		}
		return out
	case SwapProduct:
		var out []formulas.Expr
		for _, p := range shuffled(rng, binaries(e, "*", ".*")) {
			out = append(out, replace(e, p, bin(p.Op, p.R, p.L)))
		}
		for _, k := range kronCalls(e) {
			out = append(out, replace(e, k, call("kron", k.Args[1], k.Args[0])))
		}
		return out
	case DropTerm:
		if s, ok := choose(rng, binaries(e, "+", "-")); ok {
			if rng.IntN(2) == 0 {
				return []formulas.Expr{replace(e, s, s.L)}
			}
			if s.Op == "-" {
				return []formulas.Expr{replace(e, s, &formulas.Unary{Op: "-", X: s.R})}
			}
			return []formulas.Expr{replace(e, s, s.R)}
		}
	case FlipSign:
		if s, ok := choose(rng, binaries(e, "+", "-")); ok {
			op := map[string]string{"+": "-", "-": "+"}[s.Op]
			return []formulas.Expr{replace(e, s, bin(op, s.L, s.R))}
		}
		return []formulas.Expr{&formulas.Unary{Op: "-", X: e}}
	case Double:
		return scale(2)
	case Halve:
		return scale(0.5)
	case Nudge:
		return scale(1 + 1e-6)
	case TransposeSubterm, Symmetrize:
		var out []formulas.Expr
		for _, n := range shuffled(rng, nodes(e)) {
			if !square(n) {
				continue
			}
			if m == TransposeSubterm {
				out = append(out, replace(e, n, tr(n)))
			} else {
				out = append(out, replace(e, n, call("sym", n)))
			}
		}
		return out
	}
	return nil
}

// kronCalls lists the kron calls of e.
func kronCalls(e formulas.Expr) []*formulas.Call {
	var out []*formulas.Call
	for _, n := range nodes(e) {
		if c, ok := n.(*formulas.Call); ok && c.Func == "kron" {
			out = append(out, c)
		}
	}
	return out
}

// shuffled returns xs in random order.
func shuffled[T any](rng *rand.Rand, xs []T) []T {
	rng.Shuffle(len(xs), func(i, j int) { xs[i], xs[j] = xs[j], xs[i] })
	return xs
}
