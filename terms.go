package gradcheck

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/gradcheck/gradcheck/formulas"
)

// maxTerms bounds the terms of a claim that termDiagnosis re-checks one
// by one: each costs a re-check.
const maxTerms = 6

// claiming returns the claim with rhs in place of its own, where that is
// a claim of its kind at the sizes of the check: a term alone may be none,
// a number added to every entry of a matrix, or a term of a Hessian in
// the directions that reads neither (2 of 2*norm2(A*dw)^2 + 2), which
// would read as a Hessian matrix. Re-checking such a claim crashed.
func (v *verification) claiming(rhs formulas.Expr) (*formulas.Claim, bool) {
	c := *v.c
	c.Rhs = rhs
	if _, err := c.Check(v.sizes); err != nil {
		return nil, false
	}
	return &c, true
}

// signedTerms splits e at its chain of + and − into its terms, each with
// its sign: A − B + C is A, −B and C. A sum inside a product, 2*(A + B),
// is one term.
func signedTerms(e formulas.Expr) []formulas.Expr {
	b, ok := e.(*formulas.Binary)
	if !ok || b == nil || b.Op != "+" && b.Op != "-" {
		return []formulas.Expr{e}
	}
	right := signedTerms(b.R)
	if b.Op == "-" {
		for i, t := range right {
			right[i] = negated(t)
		}
	}
	return append(signedTerms(b.L), right...)
}

// negated returns −e, unwrapping a minus rather than adding a second.
func negated(e formulas.Expr) formulas.Expr {
	if u, ok := e.(*formulas.Unary); ok && u != nil && u.Op == "-" {
		return u.X
	}
	return &formulas.Unary{Op: "-", X: e}
}

// scaled returns k·t written as a term is: a sign or a number in front of
// t folded into k (2 times 0.1*x is 0.2*x, −1 times −B is B), and the
// coefficient rounded to the relative precision p at which k is known
// (none where p is 0).
func scaled(k float64, t formulas.Expr, p float64) formulas.Expr {
	for {
		if u, ok := t.(*formulas.Unary); ok && u != nil && u.Op == "-" {
			k, t = -k, u.X
			continue
		}
		if n, rest, ok := leadingNumber(t); ok {
			k, t = k*n, rest
			continue
		}
		break
	}
	if p > 0 && k != 0 && k != 1 && k != -1 {
		k = roundFactor(k, p)
	}
	switch k {
	case 1:
		return t
	case -1:
		return &formulas.Unary{Op: "-", X: t}
	}
	return prefixed(k, t)
}

// prefixed returns k*t with k the first factor of t's chain of products,
// so that it prints as 2*A'*r, not 2*(A'*r).
func prefixed(k float64, t formulas.Expr) formulas.Expr {
	if b, ok := t.(*formulas.Binary); ok && b != nil && b.Op == "*" {
		return &formulas.Binary{Op: "*", L: prefixed(k, b.L), R: b.R}
	}
	return &formulas.Binary{Op: "*", L: &formulas.Num{Value: k}, R: t}
}

// leadingNumber splits a product whose first factor is a number, 1.9*A'*r,
// into the number and the product of the rest.
func leadingNumber(e formulas.Expr) (n float64, rest formulas.Expr, ok bool) {
	b, isProduct := e.(*formulas.Binary)
	if !isProduct || b == nil || b.Op != "*" {
		return 0, nil, false
	}
	if n, ok := number(b.L); ok {
		return n, b.R, true
	}
	if n, left, ok := leadingNumber(b.L); ok {
		return n, &formulas.Binary{Op: "*", L: left, R: b.R}, true
	}
	return 0, nil, false
}

// number returns the value of e where it is a number, negated any number
// of times (the parser reads -0.3 as a minus before 0.3).
func number(e formulas.Expr) (float64, bool) {
	switch e := e.(type) {
	case *formulas.Num:
		return e.Value, e != nil
	case *formulas.Unary:
		if e != nil && e.Op == "-" {
			v, ok := number(e.X)
			return -v, ok
		}
	}
	return 0, false
}

// sumOf writes terms as one sum, a term with a leading minus as a
// difference.
func sumOf(terms []formulas.Expr) formulas.Expr {
	out := terms[0]
	for _, t := range terms[1:] {
		if u, ok := t.(*formulas.Unary); ok && u != nil && u.Op == "-" {
			out = &formulas.Binary{Op: "-", L: out, R: u.X}
			continue
		}
		out = &formulas.Binary{Op: "+", L: out, R: t}
	}
	return out
}

// termDiagnosis diagnoses a failed claim written as a sum of terms (up to
// maxTerms) of which one is off: where the finite differences minus the
// claim are a multiple α of one term's values at every comparison of a
// re-check (each within its tolerance), the truth has that term 1 + α
// times, and the claim with the term so corrected is re-checked and must
// pass. "∇(‖Ax − b‖² + λ‖x‖²) = 2Aᵀ(Ax − b) + λx" fails as no multiple of
// the truth; it is the term λx, half the truth's. It costs a re-check of
// the claim and of each term, and one of the correction; none where no
// other diagnosis is found first.
func (v *verification) termDiagnosis(ctx context.Context, res *Result) bool {
	terms := signedTerms(v.c.Rhs)
	if len(terms) < 2 || len(terms) > maxTerms {
		return false
	}
	type key struct{ instance, direction, output int }
	verdict, whole := v.recheck(ctx, func(*verification) {})
	if verdict == Error || len(whole) == 0 {
		return false
	}
	values := make([]map[key]float64, len(terms)) // each term's value at each comparison
	for i, t := range terms {
		c, ok := v.claiming(t)
		if !ok {
			return false
		}
		verdict, comps := v.recheck(ctx, func(re *verification) { re.c = c })
		if verdict == Error {
			return false
		}
		values[i] = make(map[key]float64, len(comps))
		for _, cp := range comps {
			values[i][key{cp.instance, cp.direction, cp.output}] = cp.claimed
		}
	}
	// Every term whose correction explains the comparisons is a
	// candidate: where two terms are proportional (x and 0.2*x), several
	// are. An extra term or a sign is the likelier mistake, then the
	// factor nearest 1.
	type candidate struct {
		term      int
		k, within float64 // the truth's multiple of the term, and its relative precision
	}
	var candidates []candidate
	for i := range terms {
		// Fit fd − claim = α·term in units of each comparison's
		// tolerance, as fitDiagnosis fits the claim.
		var stt, str float64
		used := 0
		for _, w := range whole {
			tv, ok := values[i][key{w.instance, w.direction, w.output}]
			if w.status != agreed && w.status != disagreed || !(w.tol > 0) || !ok || !finite(tv) {
				continue
			}
			a, r := tv/w.tol, (w.fd-w.claimed)/w.tol
			stt += a * a
			str += a * r
			used++
		}
		if used < 2 || stt == 0 {
			continue
		}
		alpha := str / stt
		explained := true
		for _, w := range whole {
			tv, ok := values[i][key{w.instance, w.direction, w.output}]
			if w.status != agreed && w.status != disagreed || !(w.tol > 0) || !ok {
				continue
			}
			if math.Abs(w.fd-w.claimed-alpha*tv) > w.tol {
				explained = false
				break
			}
		}
		if !explained {
			continue
		}
		// The truth has the term k = 1 + α times; α is known to about
		// 1/√stt.
		precision := 1 / math.Sqrt(stt)
		k := 1 + alpha
		switch {
		case math.Abs(k) <= precision:
			k = 0
		case math.Abs(k+1) <= precision:
			k = -1
		}
		candidates = append(candidates, candidate{i, k, precision / math.Abs(k)})
	}
	likelihood := func(k float64) float64 {
		switch k {
		case 0:
			return -2
		case -1:
			return -1
		}
		return math.Abs(math.Log(math.Abs(k)))
	}
	slices.SortStableFunc(candidates, func(a, b candidate) int { return cmp.Compare(likelihood(a.k), likelihood(b.k)) })
	for _, cd := range candidates {
		t := terms[cd.term]
		corrected := slices.Clone(terms)
		corrected[cd.term] = scaled(cd.k, t, cd.within)
		if cd.k == 0 {
			corrected = slices.Delete(corrected, cd.term, cd.term+1)
		}
		c, ok := v.claiming(sumOf(corrected))
		if !ok || !v.passesWith(ctx, func(re *verification) { re.c = c }) {
			continue
		}
		written := v.c.Fold(scaled(1, t, 0)).String()
		res.Diagnosis = DiagTerm
		switch cd.k {
		case 0:
			res.Detail = fmt.Sprintf("the term %s is not in the truth: without it the claim agrees", written)
		case -1:
			res.Detail = fmt.Sprintf("the term %s has the wrong sign", written)
		default:
			res.Factor = roundFactor(1/cd.k, cd.within)
			res.Detail = fmt.Sprintf("the term %s is %g times the truth's: the truth has %s", written, res.Factor, v.c.Fold(scaled(cd.k, t, cd.within)))
		}
		return true
	}
	return false
}
