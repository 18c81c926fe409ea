package formulas

import (
	"errors"
	"fmt"
)

// ErrNotScalar is the reason Gradient gives when f is not a scalar.
var ErrNotScalar = errors.New("no gradient: f is not a scalar")

// ErrInternal marks the errors of derive's own faults: a rule that built a
// result of the wrong shape. They are gradcheck's to fix, not the input's
// (derive exits 3 on them).
var ErrInternal = errors.New("internal error")

// Gradient returns the gradient G, in denominator layout (the shape of the
// variable wrt), of a scalar function whose differential is diff, an
// expression linear in the direction d+wrt as Derive writes it: diff =
// ⟨G, dX⟩ = sum(G.*dX). It moves dX out of each term by the trace rules,
// ⟨C, A*B⟩ = ⟨A'*C, B⟩ = ⟨C*B', A⟩, ⟨C, A + s⟩ = ⟨C, A⟩ + s·sum(C) for a
// scalar s, ⟨C, A\B⟩ = ⟨A'\C, B⟩ (A\B is inv(A)*B), ⟨c, tr(A)⟩ =
// ⟨c·I, A⟩, ⟨c, sum(A)⟩ = ⟨c·1, A⟩, ⟨c, mean(A)⟩ = ⟨c·1/(m·n), A⟩ for
// an m×n A, ⟨C, A.*B⟩ = ⟨A.*C, B⟩, ⟨C, diag(A)⟩ = ⟨diag(C), A⟩,
// ⟨C, sym(A)⟩ = ⟨sym(C), A⟩, ⟨C, A'⟩ = ⟨C', A⟩, and under an integral
// sign. Where no such rule applies (dX inside kron, or in the matrix of a
// solve) it returns an error saying so. A matrix of ones is written
// ones(m, n). A gradient of more than 4,194,304 nodes is an error too
// (see Derive); a rule that builds one of the wrong shape, ErrInternal.
func Gradient(diff Expr, wrt string, env map[string]Shape, sizes map[string]int) (Expr, error) {
	ws, ok := env[wrt]
	if !ok {
		return nil, fmt.Errorf("wrt %s is not a declared variable", wrt)
	}
	s := newSimplifier(env, sizes)
	dir := "d" + wrt
	s.env[dir] = ws
	ds, err := Infer(diff, s.env, sizes)
	if err != nil {
		return nil, err
	}
	if !ds.IsScalar() {
		return nil, fmt.Errorf("%w: it is %v", ErrNotScalar, ds)
	}
	a := adjoint{simplifier: s, dir: dir}
	g, err := a.of(diff, &Num{Value: 1})
	if err == nil {
		err = s.err
	}
	if err != nil {
		return nil, err
	}
	if g == nil {
		if !a.has(diff) && !isZero(diff) {
			// Not linear in dX, and no differential: tr(X) gave 0*X.
			return nil, a.cannot(diff, "it does not depend on "+dir)
		}
		return &Binary{Op: "*", L: &Num{Value: 0}, R: &Ident{Name: wrt}}, nil
	}
	gs := s.shape(g)
	if s.err != nil {
		// A rule formed a product of the wrong shapes inside G: it was
		// printed all the same, to paste back (g - g*ones(n)/n).
		return nil, s.err
	}
	if gs != ws {
		return nil, fmt.Errorf("%w: gradient %s is %v, but %s is %v", ErrInternal, str(g), gs, wrt, ws)
	}
	return g, nil
}

// adjoint transposes a linear function of the direction dir.
type adjoint struct {
	*simplifier
	dir string
	// seen caches has by node: of asks it of both operands at every
	// level, which walked a chain of n products n times.
	seen map[Expr]bool
	// counted caches treeSize by node.
	counted map[Expr]int
}

// has reports whether e contains the direction.
func (a *adjoint) has(e Expr) bool {
	if found, ok := a.seen[e]; ok {
		return found
	}
	found := false
	switch e := e.(type) {
	case *Ident:
		found = e.Name == a.dir
	case *Unary:
		found = a.has(e.X)
	case *Binary:
		found = a.has(e.L) || a.has(e.R)
	case *Call:
		for _, x := range e.Args {
			found = found || a.has(x)
		}
	case *Integral:
		found = a.has(e.Lo) || a.has(e.Hi) || a.has(e.Body)
	}
	if a.seen == nil {
		a.seen = map[Expr]bool{}
	}
	a.seen[e] = found
	return found
}

// cannot is the error for a term that has no ⟨G, dX⟩ form by the rules.
func (a *adjoint) cannot(e Expr, why string) error {
	return fmt.Errorf("cannot write the differential as ⟨G, %s⟩: %s in %s", a.dir, why, str(e))
}

// of returns G with ⟨c, e⟩ = ⟨G, dX⟩, where c has the shape of e and e is
// linear in dX; nil if e does not contain dX. A G of more than maxDerived
// nodes is an error (see Derive).
func (a *adjoint) of(e, c Expr) (Expr, error) {
	g, err := a.adjointOf(e, c)
	if err != nil || g == nil {
		return g, err
	}
	if a.counted == nil {
		a.counted = map[Expr]int{}
	}
	if treeSize(g, a.counted) > maxDerived {
		return nil, fmt.Errorf("the gradient is too large (more than %d nodes; a formula has at most %d tokens); derive a part of f at a time", maxDerived, MaxTokens)
	}
	return g, nil
}

// adjointOf is of without the bound on the size of G.
func (a *adjoint) adjointOf(e, c Expr) (Expr, error) {
	if !a.has(e) {
		return nil, nil
	}
	switch e := e.(type) {
	case *Ident:
		return c, nil
	case *Unary:
		if e.Op == "-" {
			return a.of(e.X, a.neg(c))
		}
		return a.of(e.X, a.transpose(c))
	case *Binary:
		return a.ofBinary(e, c)
	case *Call:
		return a.ofCall(e, c)
	case *Integral:
		if a.has(e.Lo) || a.has(e.Hi) {
			return nil, a.cannot(e, "a bound depends on "+a.dir)
		}
		if freeIn(c, e.Var) {
			// c goes into the body: where it holds the variable of an
			// enclosing integral of the same name (t*integral(t, 0, 1,
			// ...) inside integral(t, ...)), this integral's variable is
			// renamed, so that it does not capture that one.
			e = a.renamed(e, c)
		}
		defer a.bind(e.Var, Shape{1, 1})()
		body, err := a.of(e.Body, c)
		if err != nil {
			return nil, err
		}
		return a.integral(e.Var, e.Lo, e.Hi, body), nil
	}
	return nil, a.cannot(e, "no rule")
}

// ofBinary transposes an operation with dX in one operand.
func (a *adjoint) ofBinary(e *Binary, c Expr) (Expr, error) {
	l, r := e.L, e.R
	inL, inR := a.has(l), a.has(r)
	switch e.Op {
	case "+", "-":
		if !inL || !inR {
			return nil, a.cannot(e, "a term does not depend on "+a.dir)
		}
		// A scalar operand of an array is added to every entry:
		// ⟨C, s·1⟩ = s·sum(C). Taking C for it, derive wrote 2*G as
		// the gradient of sum(G.*(X + tr(X))), and g - g*ones(n)/n,
		// which does not type-check, for g'*(x - mean(x)) (found by
		// the walkthrough).
		cl, cr := c, c
		if !a.scalar(e) {
			if a.scalar(l) {
				cl = a.call("sum", c)
			}
			if a.scalar(r) {
				cr = a.call("sum", c)
			}
		}
		gl, err := a.of(l, cl)
		if err != nil {
			return nil, err
		}
		if e.Op == "-" {
			cr = a.neg(cr)
		}
		gr, err := a.of(r, cr)
		return a.add(gl, gr), err
	case "*", ".*":
		if inL && inR {
			return nil, a.cannot(e, "both factors depend on "+a.dir)
		}
		fixed, linear := l, r
		if inL {
			fixed, linear = r, l
		}
		fs, ls := a.shape(fixed), a.shape(linear)
		switch {
		case fs.IsScalar():
			return a.of(linear, a.mul(fixed, c))
		case ls.IsScalar():
			return a.of(linear, a.inner(fixed, c))
		case e.Op == ".*":
			return a.of(linear, a.hadamard(fixed, c))
		case inR:
			return a.of(linear, a.mul(a.transpose(fixed), c))
		}
		return a.of(linear, a.mul(c, a.transpose(fixed)))
	case "/", "./":
		if inR {
			return nil, a.cannot(e, a.dir+" in a denominator")
		}
		if a.scalar(l) && !a.scalar(r) {
			return a.of(l, a.call("sum", a.ediv(c, r)))
		}
		return a.of(l, a.ediv(c, r))
	case "\\":
		if inL {
			return nil, a.cannot(e, "the operator \\ is not linear in its left operand")
		}
		return a.of(r, a.solve(a.transpose(l), c))
	}
	return nil, a.cannot(e, "the operator "+e.Op+" is not linear")
}

// ofCall transposes a linear function of dX.
func (a *adjoint) ofCall(e *Call, c Expr) (Expr, error) {
	x := e.Args[0]
	sh := a.shape(x)
	switch e.Func {
	case "tr":
		return a.of(x, a.mul(c, a.eye(sh.Rows)))
	case "sum":
		return a.of(x, a.mul(c, a.ones(sh)))
	case "mean":
		return a.of(x, a.div(a.mul(c, a.ones(sh)), a.count(sh)))
	case "diag", "sym":
		return a.of(x, a.call(e.Func, c))
	}
	return nil, a.cannot(e, e.Func+" has no transpose in the language")
}

// renamed returns integral e with its variable renamed to a name that is
// not free in c and is used nowhere in e, nor by a variable or size.
func (a *adjoint) renamed(e *Integral, c Expr) *Integral {
	used := names(c)
	for n := range names(e) {
		used[n] = true
	}
	for n := range a.env {
		used[n] = true
	}
	for n := range a.sizes {
		used[n] = true
	}
	v := e.Var
	for i := 1; used[v]; i++ {
		v = fmt.Sprintf("%s%d", e.Var, i)
	}
	return &Integral{At: e.At, Var: v, Lo: e.Lo, Hi: e.Hi, Body: rename(e.Body, e.Var, v)}
}

// names returns every name that e holds: identifiers and integration
// variables.
func names(e Expr) map[string]bool {
	out := map[string]bool{}
	Walk(e, func(x Expr) {
		switch x := x.(type) {
		case *Ident:
			if x != nil {
				out[x.Name] = true
			}
		case *Integral:
			if x != nil {
				out[x.Var] = true
			}
		}
	})
	return out
}

// freeIn reports whether name occurs free in e: outside the body of an
// integral over a variable of that name.
func freeIn(e Expr, name string) bool {
	switch e := e.(type) {
	case *Ident:
		return e != nil && e.Name == name
	case *Unary:
		return e != nil && freeIn(e.X, name)
	case *Binary:
		return e != nil && (freeIn(e.L, name) || freeIn(e.R, name))
	case *Call:
		if e == nil {
			return false
		}
		for _, x := range e.Args {
			if freeIn(x, name) {
				return true
			}
		}
	case *Integral:
		return e != nil && (freeIn(e.Lo, name) || freeIn(e.Hi, name) || e.Var != name && freeIn(e.Body, name))
	}
	return false
}

// rename returns e with the free occurrences of the name old written new.
func rename(e Expr, old, new string) Expr {
	switch e := e.(type) {
	case *Ident:
		if e != nil && e.Name == old {
			return &Ident{At: e.At, Name: new}
		}
	case *Unary:
		if e != nil {
			return &Unary{At: e.At, Op: e.Op, X: rename(e.X, old, new)}
		}
	case *Binary:
		if e != nil {
			return &Binary{At: e.At, Op: e.Op, L: rename(e.L, old, new), R: rename(e.R, old, new)}
		}
	case *Call:
		if e != nil {
			args := make([]Expr, len(e.Args))
			for i, x := range e.Args {
				args[i] = rename(x, old, new)
			}
			return &Call{At: e.At, Func: e.Func, Args: args}
		}
	case *Integral:
		if e != nil {
			body := e.Body
			if e.Var != old {
				body = rename(body, old, new)
			}
			return &Integral{At: e.At, Var: e.Var, Lo: rename(e.Lo, old, new), Hi: rename(e.Hi, old, new), Body: body}
		}
	}
	return e
}
