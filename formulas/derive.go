package formulas

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Derive returns the differential Df(X)[dX] of f with respect to the
// variable wrt, as an expression in the variables and the direction d+wrt
// (dX for X), simplified to read well (see Simplify). env gives the shapes
// of the variables and sizes the values of size symbols, as for Infer;
// identity matrices in the result are written eye(n) with the size symbol
// whose value is n.
//
// The rules are the product rule over *, .*, kron, the quotient rule over
// / and ./, d(A\B) = A\(dB − dA·(A\B)), the power rules (of .^ for every
// pairing of scalar and matrix operands), d(X⁻¹) = −X⁻¹dX X⁻¹,
// d det X = det X·tr(X⁻¹dX), d logdet X = tr(X⁻¹dX), the linear rules of
// ', tr, sum, mean, diag and sym, the derivatives of the elementwise
// functions, and for expm and logm the integral forms of Higham (2008),
// chs. 10–11:
//
//	d e^A    = integral(t, 0, 1, expm(t*A)*dA*expm((1-t)*A))
//	d log A  = integral(z, 0, inf, inv(A+z*eye(n))*dA*inv(A+z*eye(n)))
//
// A function of f that does not depend on wrt has the differential 0 (for
// scalar f) or 0*f.
//
// A differential of more than 4,194,304 nodes (maxDerived), or a part of
// f with one, is an error, an *Error at that part: it can be exponential
// in the nesting of f (tanh nested 30 times has 2³⁰ terms), far beyond a
// formula that pastes back.
func Derive(f Expr, wrt string, env map[string]Shape, sizes map[string]int) (Expr, error) {
	return derive(f, wrt, env, sizes, false)
}

// derive is Derive; second says that f is a differential, differentiated
// again by SecondDerivative.
func derive(f Expr, wrt string, env map[string]Shape, sizes map[string]int, second bool) (Expr, error) {
	fs, err := Infer(f, env, sizes)
	if err != nil {
		return nil, err
	}
	ws, ok := env[wrt]
	if !ok {
		return nil, fmt.Errorf("wrt %s is not a declared variable", wrt)
	}
	d := &deriver{simplifier: newSimplifier(env, sizes), wrt: wrt, dir: "d" + wrt, second: second}
	if _, clash := env[d.dir]; clash {
		return nil, fmt.Errorf("the direction %s of %s has the name of a variable", d.dir, wrt)
	}
	d.env[d.dir] = ws
	d.taken = map[string]bool{}
	for k := range env {
		d.taken[k] = true
	}
	for k := range sizes {
		d.taken[k] = true
	}
	Walk(f, func(e Expr) {
		if in, ok := e.(*Integral); ok {
			d.taken[in.Var] = true
		}
	})
	out, err := d.diff(f)
	if err == nil {
		err = d.err
	}
	if err != nil {
		return nil, err
	}
	if out == nil {
		if fs.IsScalar() {
			return &Num{Value: 0}, nil
		}
		return &Binary{Op: "*", L: &Num{Value: 0}, R: f}, nil
	}
	return out, nil
}

// deriver differentiates with respect to one variable.
type deriver struct {
	*simplifier
	// wrt is the variable and dir its direction (dX).
	wrt, dir string
	// taken holds the names in use, so that integration variables are
	// fresh.
	taken map[string]bool
	// counted caches treeSize by node.
	counted map[Expr]int
	// second is set where f is a differential (SecondDerivative).
	second bool
}

// maxDerived bounds the size of a differential or gradient, in nodes of
// its tree as printed (a subexpression used twice counts twice): the
// gradient of a product of 1000 factors has 3 million, and that of tanh
// nested 30 times some 2³⁰·5, which took all memory to build and print.
const maxDerived = 1 << 22

// treeSize returns the number of nodes of e as a tree, each shared node
// counted once per use (as String prints it) but walked once, up to
// maxDerived+1. memo caches it by node.
func treeSize(e Expr, memo map[Expr]int) int {
	if isNil(e) {
		return 0
	}
	if n, ok := memo[e]; ok {
		return n
	}
	n := 1
	switch e := e.(type) {
	case *Unary:
		n += treeSize(e.X, memo)
	case *Binary:
		n += treeSize(e.L, memo) + treeSize(e.R, memo)
	case *Call:
		for _, a := range e.Args {
			n += treeSize(a, memo)
		}
	case *Integral:
		n += treeSize(e.Lo, memo) + treeSize(e.Hi, memo) + treeSize(e.Body, memo)
	}
	n = min(n, maxDerived+1)
	memo[e] = n
	return n
}

// fresh returns an unused name for an integration variable, the first of
// prefer that is free, else prefer[0] with a number.
func (d *deriver) fresh(prefer ...string) string {
	for _, n := range prefer {
		if !d.taken[n] {
			d.taken[n] = true
			return n
		}
	}
	for i := 1; ; i++ {
		n := prefer[0] + strconv.Itoa(i)
		if !d.taken[n] {
			d.taken[n] = true
			return n
		}
	}
}

// diff returns the differential of e, nil when e does not depend on the
// variable, or an error where the differential has more than maxDerived
// nodes (see Derive).
func (d *deriver) diff(e Expr) (Expr, error) {
	out, err := d.differential(e)
	if err != nil || out == nil {
		return out, err
	}
	if d.counted == nil {
		d.counted = map[Expr]int{}
	}
	if treeSize(out, d.counted) > maxDerived {
		if d.second {
			// e is part of the differential, in names of SecondDerivative's
			// own: f's start is the position to give.
			return nil, errorf(Pos{Line: 1, Col: 1}, "the second derivative of f is too large (more than %d nodes; a formula has at most %d tokens); derive a part of f at a time", maxDerived, MaxTokens)
		}
		return nil, errorf(posOf(e), "the differential of %s is too large (more than %d nodes; a formula has at most %d tokens); derive a part of f at a time", shorten(str(e)), maxDerived, MaxTokens)
	}
	return out, nil
}

// differential is diff without the bound on the result's size.
func (d *deriver) differential(e Expr) (Expr, error) {
	switch e := e.(type) {
	case *Num:
		return nil, nil
	case *Ident:
		if e.Name == d.wrt {
			return &Ident{Name: d.dir}, nil
		}
		return nil, nil
	case *Unary:
		dx, err := d.diff(e.X)
		if err != nil || dx == nil {
			return nil, err
		}
		if e.Op == "-" {
			return d.neg(dx), nil
		}
		return d.transpose(dx), nil
	case *Binary:
		dl, err := d.diff(e.L)
		if err != nil {
			return nil, err
		}
		dr, err := d.diff(e.R)
		if err != nil || (dl == nil && dr == nil) {
			return nil, err
		}
		return d.binaryRule(e, dl, dr)
	case *Call:
		rule, ok := diffRules[e.Func]
		switch {
		case !ok && d.second:
			// e is part of the differential, where the first derivative
			// put it (digamma' = trigamma): f's start is the position.
			return nil, errorf(Pos{Line: 1, Col: 1}, "cannot take the second derivative of f: its differential has %s, and there is no rule for %s", str(e), e.Func)
		case !ok:
			return nil, errorf(e.At, "cannot differentiate %s: no rule for %s", str(e), e.Func)
		}
		dargs := make([]Expr, len(e.Args))
		constant := true
		for i, a := range e.Args {
			da, err := d.diff(a)
			if err != nil {
				return nil, err
			}
			dargs[i] = da
			constant = constant && da == nil
		}
		if constant {
			return nil, nil
		}
		return rule(d, e.Args, dargs), nil
	case *Integral:
		return d.integralRule(e)
	}
	return nil, errorf(posOf(e), "cannot differentiate %s", str(e))
}

// integralRule differentiates under the integral sign: the bounds must not
// depend on the variable.
func (d *deriver) integralRule(e *Integral) (Expr, error) {
	for _, b := range []Expr{e.Lo, e.Hi} {
		if db, err := d.diff(b); err != nil || db != nil {
			if err == nil {
				err = errorf(e.At, "cannot differentiate %s: its bounds depend on %s", str(e), d.wrt)
			}
			return nil, err
		}
	}
	defer d.bind(e.Var, Shape{1, 1})()
	body, err := d.diff(e.Body)
	if err != nil {
		return nil, err
	}
	return d.integral(e.Var, e.Lo, e.Hi, body), nil
}

// binaryRule differentiates L op R given dL and dR (nil for zero, not both).
func (d *deriver) binaryRule(e *Binary, dl, dr Expr) (Expr, error) {
	l, r := e.L, e.R
	switch e.Op {
	case "+", "-":
		sum := d.add(dl, dr) // nil where the terms cancel
		if e.Op == "-" {
			sum = d.sub(dl, dr)
		}
		// A scalar added to every entry of an array that does not
		// depend on the variable: its differential meets every entry
		// too. d(A + tr(X)) was tr(dX), a scalar where f is a matrix,
		// and the gradient of sum(A - tr(X)) -eye(n) for -m*k*eye(n)
		// (found by the self-test's broadcast terms).
		return d.keepShape(sum, d.shape(e)), nil
	case "*":
		return d.add(d.mul(dl, r), d.mul(l, dr)), nil
	case ".*":
		return d.add(d.hadamard(dl, r), d.hadamard(l, dr)), nil
	case "/":
		// d(L/r) = dL/r − L·dr/r²
		return d.sub(d.div(dl, r), d.div(d.mul(l, dr), d.pow(r, number(2)))), nil
	case "./":
		return d.sub(d.ediv(dl, r), d.ediv(d.hadamard(l, dr), d.epow(r, number(2)))), nil
	case "^":
		if d.scalar(l) {
			return d.scalarPower(l, r, dl, dr, d.pow, d.mul), nil
		}
		return d.matrixPower(e, dl)
	case ".^":
		return d.scalarPower(l, r, dl, dr, d.epow, d.hadamard), nil
	case "\\":
		// d(L\R) = L\(dR − dL·(L\R))
		rhs := dr
		if dl != nil {
			rhs = d.sub(rhs, d.mul(dl, e))
		}
		return d.solve(l, rhs), nil
	}
	return nil, errorf(e.At, "cannot differentiate %s: unknown operator %q", str(e), e.Op)
}

// scalarPower differentiates L^R of a scalar, or L.^R, with the power pow
// and the product times of the operator:
//
//	d(L^R)  = R.*L^(R−1).*dL                (R constant)
//	d(L^R)  = L^R.*(dR.*log L + R.*dL./L)   (R depending on the variable)
//
// For .^ either operand may be a scalar and the other a matrix, whose
// entries the scalar meets one by one (R − 1 included).
func (d *deriver) scalarPower(l, r, dl, dr Expr, pow, times func(a, b Expr) Expr) Expr {
	if dr == nil {
		return d.hadamard(r, times(pow(l, d.sub(r, number(1))), dl))
	}
	inner := d.add(times(dr, d.call("log", l)), d.ediv(times(r, dl), l))
	return times(pow(l, r), inner)
}

// matrixPower differentiates X^p for a square matrix and an integer
// literal p: the sum over k of X^k dX X^(p−1−k).
func (d *deriver) matrixPower(e *Binary, dl Expr) (Expr, error) {
	p, ok := num(e.R)
	if !ok || p < 0 || p != float64(int(p)) {
		return nil, errorf(e.At, "cannot differentiate %s: the exponent is not an integer literal", str(e))
	}
	var sum Expr
	for k := 0; k < int(p); k++ {
		left := d.matrixPow(e.L, k)
		right := d.matrixPow(e.L, int(p)-1-k)
		term := dl
		if left != nil {
			term = d.mul(left, term)
		}
		if right != nil {
			term = d.mul(term, right)
		}
		sum = d.add(sum, term)
	}
	return sum, nil
}

// matrixPow writes X^k, nil for k = 0 (the identity, left out of a
// product).
func (d *deriver) matrixPow(x Expr, k int) Expr {
	if k == 0 {
		return nil
	}
	return d.pow(x, number(float64(k)))
}

// diffRule gives the differential of a call from its arguments and their
// differentials (nil where an argument does not depend on the variable;
// not all nil).
type diffRule func(d *deriver, args, dargs []Expr) Expr

// elementwise makes the rule of an elementwise function from its
// derivative times the direction: df(A) = f'(A).*dA.
func elementwiseRule(times func(d *deriver, a, da Expr) Expr) diffRule {
	return func(d *deriver, args, dargs []Expr) Expr { return times(d, args[0], dargs[0]) }
}

// linearRule is the rule of a linear function: d f(A) = f(dA).
func linearRule(name string) diffRule {
	return func(d *deriver, _, dargs []Expr) Expr { return d.call(name, dargs...) }
}

// diffRules has one rule per function of the language.
var diffRules = map[string]diffRule{
	"tr":   linearRule("tr"),
	"sum":  linearRule("sum"),
	"diag": linearRule("diag"),
	"vec":  linearRule("vec"),
	"sym":  linearRule("sym"),
	"eye":  func(*deriver, []Expr, []Expr) Expr { return nil },
	"kron": func(d *deriver, a, da []Expr) Expr {
		return d.add(d.call("kron", da[0], a[1]), d.call("kron", a[0], da[1]))
	},
	"inv": func(d *deriver, a, da []Expr) Expr {
		inv := d.call("inv", a[0])
		return d.neg(d.mul(d.mul(inv, da[0]), inv))
	},
	"det": func(d *deriver, a, da []Expr) Expr {
		return d.mul(d.call("det", a[0]), d.call("tr", d.mul(d.call("inv", a[0]), da[0])))
	},
	"logdet": func(d *deriver, a, da []Expr) Expr {
		return d.call("tr", d.mul(d.call("inv", a[0]), da[0]))
	},
	"norm2": func(d *deriver, a, da []Expr) Expr {
		return d.div(d.inner(a[0], da[0]), d.call("norm2", a[0]))
	},
	"expm": func(d *deriver, a, da []Expr) Expr {
		t := d.fresh("t", "s", "u")
		at := func(c Expr) Expr { return d.call("expm", d.mul(c, a[0])) }
		defer d.bind(t, Shape{1, 1})()
		tv := &Ident{Name: t}
		body := d.mul(d.mul(at(tv), da[0]), at(d.sub(number(1), tv)))
		return d.integral(t, &Num{Value: 0}, number(1), body)
	},
	"logm": func(d *deriver, a, da []Expr) Expr {
		z := d.fresh("z", "w", "v")
		defer d.bind(z, Shape{1, 1})()
		inv := d.call("inv", d.add(a[0], d.mul(&Ident{Name: z}, d.eye(d.shape(a[0]).Rows))))
		return d.integral(z, &Num{Value: 0}, &Num{Value: math.Inf(1)}, d.mul(d.mul(inv, da[0]), inv))
	},
	"exp": elementwiseRule(func(d *deriver, a, da Expr) Expr { return d.hadamard(d.call("exp", a), da) }),
	"log": elementwiseRule(func(d *deriver, a, da Expr) Expr { return d.ediv(da, a) }),
	"sqrt": elementwiseRule(func(d *deriver, a, da Expr) Expr {
		return d.ediv(da, d.mul(number(2), d.call("sqrt", a)))
	}),
	// d|a| = sign(a).*da, which is 0 where a is 0: right where a stays 0
	// whatever the direction (an off-diagonal entry of a*eye(n), of S\S),
	// where a./abs(a).*da would be 0/0 and fail to evaluate.
	"abs": elementwiseRule(func(d *deriver, a, da Expr) Expr { return d.hadamard(d.call("sign", a), da) }),
	// d tanh A = (1 − tanh²A).*dA, written without a scalar minus a matrix.
	"tanh": elementwiseRule(func(d *deriver, a, da Expr) Expr {
		return d.sub(da, d.hadamard(d.epow(d.call("tanh", a), number(2)), da))
	}),
	// σ'(a) = σ(a)·(1 − σ(a)) = σ(a)·σ(−a).
	"sigmoid": elementwiseRule(func(d *deriver, a, da Expr) Expr {
		return d.hadamard(d.hadamard(d.call("sigmoid", a), d.call("sigmoid", d.neg(a))), da)
	}),
	"softplus": elementwiseRule(func(d *deriver, a, da Expr) Expr { return d.hadamard(d.call("sigmoid", a), da) }),
	"log1p":    elementwiseRule(func(d *deriver, a, da Expr) Expr { return d.ediv(da, d.add(a, number(1))) }),
	"expm1":    elementwiseRule(func(d *deriver, a, da Expr) Expr { return d.hadamard(d.call("exp", a), da) }),
	"sin":      elementwiseRule(func(d *deriver, a, da Expr) Expr { return d.hadamard(d.call("cos", a), da) }),
	"cos": elementwiseRule(func(d *deriver, a, da Expr) Expr {
		return d.neg(d.hadamard(d.call("sin", a), da))
	}),
	// lgamma' = digamma and digamma' = trigamma. trigamma has no rule: its
	// derivative, the tetragamma function, is not in the language, and
	// derive says so (no rule for trigamma).
	"lgamma":  elementwiseRule(func(d *deriver, a, da Expr) Expr { return d.hadamard(d.call("digamma", a), da) }),
	"digamma": elementwiseRule(func(d *deriver, a, da Expr) Expr { return d.hadamard(d.call("trigamma", a), da) }),
	// relu, step and sign are differentiable away from 0, where relu' =
	// step and step' = sign' = 0 (the verifier leaves stencils across the
	// kink out).
	"relu":  elementwiseRule(func(d *deriver, a, da Expr) Expr { return d.hadamard(d.call("step", a), da) }),
	"step":  func(*deriver, []Expr, []Expr) Expr { return nil },
	"sign":  func(*deriver, []Expr, []Expr) Expr { return nil },
	"mean":  linearRule("mean"),
	"ones":  func(*deriver, []Expr, []Expr) Expr { return nil },
	"zeros": func(*deriver, []Expr, []Expr) Expr { return nil },
	// d lse(A) = ⟨e^(A − lse A), dA⟩: the softmax weights of all entries,
	// softmax(a) for a vector (softmax is column by column).
	"logsumexp": func(d *deriver, a, da []Expr) Expr {
		switch sh := d.shape(a[0]); {
		case sh.Rows == 1 && sh.Cols == 1:
			// logsumexp of one number is the number: softmax takes at
			// least 2 rows, and derive stopped with an internal error
			// on logsumexp(logdet(X)) (found by the soundness hunt).
			return da[0]
		case sh.Cols == 1:
			return d.inner(d.call("softmax", a[0]), da[0])
		}
		return d.inner(d.call("exp", d.sub(a[0], d.call("logsumexp", a[0]))), da[0])
	},
	// d softmax(a) = s.*da − s.*(1ᵀ(s.*da)) column by column, with
	// s = softmax(a); ones(n,n)*M repeats the column sums of M.
	"softmax": func(d *deriver, a, da []Expr) Expr {
		s := d.call("softmax", a[0])
		sda := d.hadamard(s, da[0])
		n := d.shape(a[0]).Rows
		return d.sub(sda, d.hadamard(s, d.mul(d.ones(Shape{n, n}), sda)))
	},
}

// inner returns ⟨a, b⟩ = sum(a.*b): a'*b for vectors, a*b for scalars.
func (s *simplifier) inner(a, b Expr) Expr {
	if a == nil || b == nil {
		return nil
	}
	if l, r, ok := quotient(a); ok {
		return s.div(s.inner(l, b), r)
	}
	if l, r, ok := quotient(b); ok {
		return s.div(s.inner(a, l), r)
	}
	if s.isOnes(a) {
		return s.call("sum", b)
	}
	if s.isOnes(b) {
		return s.call("sum", a)
	}
	if sh := s.shape(a); sh.Cols == 1 && !sh.IsScalar() {
		return s.mul(s.transpose(a), b)
	}
	return s.call("sum", s.hadamard(a, b))
}

// Derivation is the symbolic differential of a claim's f and, for a
// scalar f, its gradient.
type Derivation struct {
	// Diff is Df[dX].
	Diff Expr
	// Grad is the gradient in denominator layout; nil when f is not a
	// scalar or the differential has no ⟨G, dX⟩ form, and NoGrad says
	// which.
	Grad   Expr
	NoGrad error
	// Claimed is Grad in the layout of the claim: Grad, or its transpose
	// for a claim in numerator layout; what a grad claim should say.
	Claimed Expr
}

// MarshalJSON writes d as {"diff": "...", "grad": "..." or null}, each
// expression in the claim language.
func (d Derivation) MarshalJSON() ([]byte, error) {
	out := struct {
		Diff string  `json:"diff"`
		Grad *string `json:"grad"`
	}{Diff: d.Diff.String()}
	if d.Grad != nil {
		g := d.Grad.String()
		out.Grad = &g
	}
	return json.Marshal(out)
}

// Derive differentiates the claim's F with respect to its Wrt, at the
// claim's sizes (its own, else the distinct defaults of ResolveSizes, so
// that eye(n) names the right symbol). The claim needs F, Wrt and Vars;
// its kind and Rhs are ignored.
func (c *Claim) Derive() (Derivation, error) { return c.DeriveAt(nil) }

// DeriveAt is Derive at the sizes in force: user's (as from --size) over
// the claim's own and the distinct defaults (see ResolveSizes). Where two
// symbols have the same value, eye and the matrices of ones of the result
// may name either.
func (c *Claim) DeriveAt(user map[string]int) (Derivation, error) {
	diff, env, sizes, err := c.differentialAt(user)
	if err != nil {
		return Derivation{}, err
	}
	out := Derivation{Diff: diff}
	out.Grad, out.NoGrad = Gradient(diff, c.Wrt, env, sizes)
	out.Claimed = out.Grad
	if out.Grad != nil && c.Layout == Numerator {
		if out.Claimed, err = Simplify(&Unary{Op: "'", X: out.Grad}, env, sizes); err != nil {
			return Derivation{}, err
		}
	}
	return out, nil
}

// differentialAt returns Derive's differential of c's f at the sizes in
// force (see DeriveAt), with the shapes of c's variables and the sizes it
// was derived at.
func (c *Claim) differentialAt(user map[string]int) (diff Expr, env map[string]Shape, sizes map[string]int, err error) {
	if env, sizes, err = c.shapesAt(user); err != nil {
		return nil, nil, nil, err
	}
	if diff, err = Derive(c.F, c.Wrt, env, sizes); err != nil {
		return nil, nil, nil, err
	}
	return diff, env, sizes, nil
}

// shapesAt returns the shapes of c's variables at the sizes in force (see
// DeriveAt), and those sizes.
func (c *Claim) shapesAt(user map[string]int) (env map[string]Shape, sizes map[string]int, err error) {
	if c.Invalid != nil {
		// A formula of a spec file that did not load: say why, not
		// "missing expression" of its empty f.
		return nil, nil, c.Invalid
	}
	if sizes, err = c.ResolveSizes(user); err != nil {
		return nil, nil, err
	}
	env = make(map[string]Shape, len(c.Vars))
	for _, v := range c.Vars {
		var s [2]int
		for i, d := range v.Dims {
			if s[i], err = resolveDim(d, sizes); err != nil {
				return nil, nil, fmt.Errorf("variable %s: %v", v.Name, err)
			}
		}
		env[v.Name] = Shape{s[0], s[1]}
	}
	return env, sizes, nil
}

// InSymSpace returns e, a result derived from c at the sizes in force
// (DeriveAt's gradient or differential, SecondDerivativeAt's form),
// simplified with the variables c declares in space sym taken as the
// symmetric matrices they are, and so the directions of a wrt so
// declared: S' = S, so inv(S)' = inv(S) and inv(S)*x + inv(S)'*x =
// 2*inv(S)*x. Where c declares no such variable, e is returned as it is.
// It is for the expected result of a claim about symmetric matrices
// alone: a variable merely drawn symmetric (dist sym or spd) is not
// taken so, as a result true only at symmetric samples is the mistake a
// check exists to find, and Derive and gradcheck derive stay general.
func (c *Claim) InSymSpace(e Expr, user map[string]int) (Expr, error) {
	symmetric := map[string]bool{}
	for _, v := range c.Vars {
		if v.SymSpace {
			symmetric[v.Name] = true
			if v.Name == c.Wrt {
				symmetric[c.Direction()], symmetric[c.SecondDirection()] = true, true
			}
		}
	}
	if len(symmetric) == 0 {
		return e, nil
	}
	env, sizes, err := c.shapesAt(user)
	if err != nil {
		return nil, err
	}
	if ws, ok := env[c.Wrt]; ok {
		env[c.Direction()], env[c.SecondDirection()] = ws, ws
	}
	return simplifyKnowing(e, env, sizes, symmetric)
}

// SecondDerivative returns D²f[dX, dX2], the second derivative of f with
// respect to X (wrt) as a bilinear form in the directions dX and dX2,
// from f's differential diff = Df[dX] (Derive's result): the differential
// of Df[dX] along dX2 with dX held fixed. It is the right-hand side of a
// hess claim written in the directions (see Claim.SecondDerivativeForm).
// env holds the shapes of the variables, as for Derive.
func SecondDerivative(diff Expr, wrt string, env map[string]Shape, sizes map[string]int) (Expr, error) {
	dir, second := "d"+wrt, "d"+wrt+"2"
	ws, ok := env[wrt]
	if !ok {
		return nil, fmt.Errorf("wrt %s is not a declared variable", wrt)
	}
	for _, name := range []string{dir, second} {
		if _, clash := env[name]; clash {
			return nil, fmt.Errorf("the direction %s of %s has the name of a variable", name, wrt)
		}
	}
	// Derive names its direction dX: the dX of diff is held fixed under
	// a name of its own meanwhile.
	taken := names(diff)
	held := "held"
	for i := 1; taken[held] || env[held] != (Shape{}) || sizes[held] != 0; i++ {
		held = "held" + strconv.Itoa(i)
	}
	with := make(map[string]Shape, len(env)+1)
	for k, v := range env {
		with[k] = v
	}
	with[held] = ws
	d2, err := derive(rename(diff, dir, held), wrt, with, sizes, true)
	if err != nil {
		return nil, err
	}
	out := rename(rename(d2, dir, second), held, dir)
	if ws.Cols == 1 && !freeIn(out, dir) && !freeIn(out, second) {
		// A vector's (or scalar's) hess claim that reads neither
		// direction is its Hessian matrix: a zero second derivative is
		// written as the form 0*dx'*dx2.
		out = &Binary{Op: "*", L: &Binary{Op: "*", L: &Num{Value: 0}, R: &Unary{Op: "'", X: &Ident{Name: dir}}}, R: &Ident{Name: second}}
	}
	return out, nil
}

// ErrNoHessClaim is the reason SecondDerivativeAt gives when f is not a
// scalar: a hess claim is about a scalar f.
var ErrNoHessClaim = errors.New("no hess claim: f is not a scalar")

// SecondDerivativeAt is SecondDerivative of c's f, a scalar, at the sizes
// in force (see DeriveAt): D²f[dX, dX2], in the directions dX and dX2.
func (c *Claim) SecondDerivativeAt(user map[string]int) (Expr, error) {
	diff, env, sizes, err := c.differentialAt(user)
	if err != nil {
		return nil, err
	}
	if fs, err := Infer(c.F, env, sizes); err != nil {
		return nil, err
	} else if !fs.IsScalar() {
		return nil, fmt.Errorf("%w: it is %v", ErrNoHessClaim, fs)
	}
	return SecondDerivative(diff, c.Wrt, env, sizes)
}

// With returns a copy of c that claims rhs, parsed from its text (which may
// read c's definitions by name), as its result of the given kind: a gradient in c's layout where c claims a
// gradient, else in denominator layout. The copy shares c's variables and
// sizes.
func (c *Claim) With(kind Kind, rhs string) (*Claim, error) {
	e, err := Parse(rhs)
	if err != nil {
		return nil, fmt.Errorf("formula %q: %s: %v", c.Name, kind, err)
	}
	if len(c.Where) > 0 {
		// rhs may read the claim's definitions, as Fold writes them.
		w, err := writeOut(c.Name, c.Where)
		if err != nil {
			return nil, err
		}
		if e, err = w.expand(e); err != nil {
			return nil, fmt.Errorf("formula %q: %s: %v", c.Name, kind, err)
		}
	}
	out := *c
	out.Kind, out.Rhs, out.RhsText, out.Layout = kind, e, rhs, ""
	if kind == Grad {
		out.Layout = Denominator
		if c.Kind == Grad && c.Layout != "" {
			out.Layout = c.Layout
		}
	}
	return &out, nil
}

// BuildFunction builds the function part of a spec (name, f, wrt, the
// variables and sizes) for Derive: the spec states no claim. Errors are as
// Build's, one line naming the field at fault.
func BuildFunction(s Spec) (*Claim, error) { return BuildFunctionAt(s, nil) }

// BuildFunctionAt is BuildFunction with the shape check at the sizes in
// force, as BuildAt's: sizes (as from --size) over the spec's own and the
// defaults.
func BuildFunctionAt(s Spec, sizes map[string]int) (*Claim, error) {
	if strings.TrimSpace(s.F) == "" {
		return nil, fmt.Errorf("formula %q: f is missing", s.Name)
	}
	if _, err := Parse(s.F); err != nil {
		return nil, fmt.Errorf("formula %q: f: %v", s.Name, s.calledName(err, nil))
	}
	// f times zero has the shape of f, so Build checks f, wrt and the
	// variables as it would for a differential.
	s.Grad, s.Jac, s.Hess, s.Equals, s.Layout = "", "", "", "", ""
	s.Diff = "0*(" + s.F + ")"
	c, err := BuildAt(s, sizes)
	if err != nil {
		return nil, err
	}
	c.Kind, c.Rhs, c.RhsText = "", nil, ""
	return c, nil
}
