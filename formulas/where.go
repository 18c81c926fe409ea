package formulas

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Definition names a subexpression of a claim, as a text writes "where
// r = Ax − b": the claim's f and its result may then read r. A claim's
// definitions are written in order, and each may read the variables, the
// directions (for a diff or hess claim's result only) and the definitions
// before it. Build parses them and writes each name out (substitutes its
// expression) in F and Rhs, so that everything after Build (evaluation,
// derive, the diagnoses) sees one expression as if typed out; FText and
// RhsText keep the names, as written.
type Definition struct {
	// Name is the name the claim's expressions read.
	Name string
	// Text is the expression as written.
	Text string
	// Expr is Text parsed, as written (reading earlier definitions by
	// name); Build sets it.
	Expr Expr
}

// ParseWhereFlag parses the command-line definition NAME=EXPR of a
// --where flag. The expression is parsed, and the name checked, by Build.
func ParseWhereFlag(s string) (Definition, error) {
	name, text, ok := strings.Cut(s, "=")
	name = strings.TrimSpace(name)
	if !ok || name == "" {
		return Definition{}, fmt.Errorf("bad definition %q: want NAME=EXPR, as in r='A*x - b'", s)
	}
	return Definition{Name: name, Text: text}, nil
}

// ParseWhereFlags parses repeated --where flags with ParseWhereFlag, in
// order.
func ParseWhereFlags(flags []string) ([]Definition, error) {
	defs := make([]Definition, len(flags))
	for i, s := range flags {
		d, err := ParseWhereFlag(s)
		if err != nil {
			return nil, err
		}
		defs[i] = d
	}
	return defs, nil
}

// whereField is the field of a claim's error about definition name, as
// in `formula "ls": where r: 1:3: ...`.
func whereField(name string) string { return "where " + name }

// parseDefinitions parses the definitions of s and checks their names
// against the names s declares (variables, directions, functions) and
// against one another; checkDefinitions checks them against the size
// symbols, which are known once the sizes are resolved. dirs are the directions the claim's
// result may read. Errors name the definition.
func (s *Spec) parseDefinitions(dirs []string) ([]Definition, error) {
	if len(s.Where) == 0 {
		return nil, nil
	}
	defs := make([]Definition, len(s.Where))
	defined := map[string]bool{}
	for i, d := range s.Where {
		fail := func(format string, args ...any) ([]Definition, error) {
			return nil, &fieldError{claim: s.Name, field: whereField(d.Name), err: fmt.Errorf(format, args...)}
		}
		switch {
		case !isIdent(d.Name):
			return nil, &fieldError{claim: s.Name, field: "where",
				err: fmt.Errorf("%q is not a name (a letter, then letters, digits or _)", d.Name)}
		case IsFunc(d.Name) || d.Name == "inf" || d.Name == "integral":
			return fail("%s is a reserved name; give the definition a name of its own", d.Name)
		case defined[d.Name]:
			return fail("%s is defined twice", d.Name)
		}
		for _, v := range s.Vars {
			if v.Name == d.Name {
				return fail("%s is a declared variable; give the definition a name of its own", d.Name)
			}
		}
		for _, dir := range dirs {
			if dir == d.Name {
				return fail("%s is the name of a direction of %s; give the definition a name of its own", d.Name, s.Wrt)
			}
		}
		if strings.TrimSpace(d.Text) == "" {
			return fail("the definition is empty")
		}
		e, err := Parse(d.Text)
		if err != nil {
			return nil, &fieldError{claim: s.Name, field: whereField(d.Name), err: s.calledName(err, dirs)}
		}
		// A definition reads only the ones before it: a later one (or
		// itself) would make the substitution circular.
		var ahead error
		Walk(e, func(x Expr) {
			id, ok := x.(*Ident)
			if !ok || id == nil || ahead != nil {
				return
			}
			switch {
			case id.Name == d.Name:
				ahead = errorf(id.At, "%s reads itself; a definition reads the variables and the definitions before it", d.Name)
			case defines(s.Where[i+1:], id.Name):
				ahead = errorf(id.At, "%s reads %s, which is defined after it; define %s first", d.Name, id.Name, id.Name)
			}
		})
		if ahead != nil {
			return nil, &fieldError{claim: s.Name, field: whereField(d.Name), err: ahead}
		}
		defined[d.Name] = true
		defs[i] = Definition{Name: d.Name, Text: d.Text, Expr: e}
	}
	return defs, nil
}

// defines reports whether one of defs defines name.
func defines(defs []Definition, name string) bool {
	return slices.ContainsFunc(defs, func(d Definition) bool { return d.Name == name })
}

// writtenOut holds the definitions of a claim written out: each name's
// expression with the names it reads replaced by theirs, and its size in
// nodes.
type writtenOut struct {
	exprs map[string]Expr
	size  map[string]int
}

// writeOut writes out the definitions of the claim called claim, in order.
// It refuses one that written out would have more than MaxTokens nodes:
// the evaluator and the printer walk trees recursively, and a chain of
// definitions each reading the one before twice doubles at each link.
func writeOut(claim string, defs []Definition) (writtenOut, error) {
	w := writtenOut{exprs: make(map[string]Expr, len(defs)), size: make(map[string]int, len(defs))}
	for _, d := range defs {
		n := expandedSize(d.Expr, w.size)
		if n > MaxTokens {
			return w, &fieldError{claim: claim, field: whereField(d.Name), err: errorf(posOf(d.Expr),
				"written out, with the definitions it reads, it is longer than the longest expression (%d nodes)", MaxTokens)}
		}
		w.size[d.Name] = n
		w.exprs[d.Name] = placeNames(d.Expr, w.exprs)
	}
	return w, nil
}

// expand returns e with every name of w replaced by its expression: the
// expression Build verifies. It refuses, as errors at e's position, an
// expression that would have more than MaxTokens nodes or would not parse
// (nested deeper than MaxDepth), as one typed out would be.
func (w writtenOut) expand(e Expr) (Expr, error) {
	if len(w.exprs) == 0 || isNil(e) {
		return e, nil
	}
	if n := expandedSize(e, w.size); n > MaxTokens {
		return nil, errorf(posOf(e), "with its definitions written out, the expression is longer than the longest expression (%d nodes); define less in terms of the others", MaxTokens)
	}
	// Each name is written out as a tree of its own placed where the name
	// is (at most MaxTokens nodes in all, as checked above): an error of
	// a later stage, derive's, quotes the subexpression at the name in e,
	// not at its place in the definition's text (cannot differentiate
	// integral(t, 0, x'*x, t) with P = that, in f = x'*x + P, said 1:1,
	// the start of the definition, for 1:8).
	out := placeNames(e, w.exprs)
	if _, err := Parse(out.String()); err != nil {
		var pe *Error
		if errors.As(err, &pe) {
			return nil, errorf(posOf(e), "with its definitions written out, the expression does not parse: %s", pe.Msg)
		}
		return nil, err
	}
	return out, nil
}

// expandedSize counts the nodes of e with the names of size (the sizes of
// the definitions written out) counted at their size. Integrals bind no
// definition's name (checkBinders), so every such name is free.
func expandedSize(e Expr, size map[string]int) int {
	n := 0
	Walk(e, func(x Expr) {
		if id, ok := x.(*Ident); ok && id != nil {
			if s, ok := size[id.Name]; ok {
				n += s
				return
			}
		}
		n++
	})
	return n
}

// placeNames returns e with every Ident named in defs replaced by a copy
// of its expression whose nodes are all at the Ident's position.
func placeNames(e Expr, defs map[string]Expr) Expr {
	switch e := e.(type) {
	case *Ident:
		if e != nil {
			if d, ok := defs[e.Name]; ok {
				return placed(d, e.At)
			}
		}
	case *Unary:
		if e != nil {
			return &Unary{At: e.At, Op: e.Op, X: placeNames(e.X, defs)}
		}
	case *Binary:
		if e != nil {
			return &Binary{At: e.At, Op: e.Op, L: placeNames(e.L, defs), R: placeNames(e.R, defs)}
		}
	case *Call:
		if e != nil {
			args := make([]Expr, len(e.Args))
			for i, x := range e.Args {
				args[i] = placeNames(x, defs)
			}
			return &Call{At: e.At, Func: e.Func, Args: args}
		}
	case *Integral:
		if e != nil {
			return &Integral{At: e.At, Var: e.Var, Lo: placeNames(e.Lo, defs), Hi: placeNames(e.Hi, defs), Body: placeNames(e.Body, defs)}
		}
	}
	return e
}

// placed returns a copy of e, a tree, with every node at the position at.
func placed(e Expr, at Pos) Expr {
	switch e := e.(type) {
	case *Num:
		if e != nil {
			return &Num{At: at, Value: e.Value}
		}
	case *Ident:
		if e != nil {
			return &Ident{At: at, Name: e.Name}
		}
	case *Unary:
		if e != nil {
			return &Unary{At: at, Op: e.Op, X: placed(e.X, at)}
		}
	case *Binary:
		if e != nil {
			return &Binary{At: at, Op: e.Op, L: placed(e.L, at), R: placed(e.R, at)}
		}
	case *Call:
		if e != nil {
			args := make([]Expr, len(e.Args))
			for i, x := range e.Args {
				args[i] = placed(x, at)
			}
			return &Call{At: at, Func: e.Func, Args: args}
		}
	case *Integral:
		if e != nil {
			return &Integral{At: at, Var: e.Var, Lo: placed(e.Lo, at), Hi: placed(e.Hi, at), Body: placed(e.Body, at)}
		}
	}
	return e
}

// checkDefinitions infers the shape of each definition, in order, and
// adds it to env (the shapes f reads) and rhsEnv (those the claimed result
// reads, with the directions of a diff or hess claim): a definition that
// reads a direction goes to rhsEnv alone, and f may not read it. Errors
// name the definition, or f where it reads one of the result's.
func (c *Claim) checkDefinitions(env, rhsEnv map[string]Shape, sizes map[string]int) error {
	var dirs []string
	if c.Kind == Diff || c.Kind == Hess {
		dirs = []string{c.Direction(), c.SecondDirection()}
	}
	for i, d := range c.Where {
		if _, ok := sizes[d.Name]; ok {
			// eye(n) would read the size, n*x the definition.
			return &fieldError{claim: c.Name, field: whereField(d.Name),
				err: fmt.Errorf("%s is a size symbol; give the definition a name of its own", d.Name)}
		}
		before := &Claim{Where: c.Where[:i]}
		readsDir := ""
		for _, dir := range dirs {
			if before.readsThrough(d.Expr, dir) {
				readsDir = dir
				break
			}
		}
		in := env
		if readsDir != "" {
			in = rhsEnv
		}
		sh, err := Infer(d.Expr, in, sizes)
		if err != nil {
			return &fieldError{claim: c.Name, field: whereField(d.Name), err: err}
		}
		rhsEnv[d.Name] = sh
		if readsDir == "" {
			env[d.Name] = sh
			continue
		}
		var at Expr
		Walk(c.F, func(x Expr) {
			if id, ok := x.(*Ident); ok && id != nil && id.Name == d.Name && at == nil {
				at = id
			}
		})
		if at != nil {
			return &fieldError{claim: c.Name, field: "f", err: errorf(posOf(at),
				"%s reads the direction %s (where %s = %s): f is a function of the variables alone; only the claimed %s reads %s",
				d.Name, readsDir, d.Name, oneLine(d.Text), c.Kind, readsDir)}
		}
	}
	return nil
}

// Fold returns e, an expression in the claim's variables such as a result
// derived from its F, with every subexpression that is one of its
// definitions written out replaced by the definition's name: the expected
// gradient of a claim that defines P = softmax(K*Q'/sqrt(d)) prints as
// P'.*(G'*V')*K/sqrt(d), in the names the claim is written in, and pastes
// back into it. A definition that reads others is tried before them, so
// that the largest match is named.
func (c *Claim) Fold(e Expr) Expr {
	if len(c.Where) == 0 || isNil(e) {
		return e
	}
	w, err := writeOut(c.Name, c.Where)
	if err != nil {
		return e
	}
	// The written-out text of each definition, by its size in nodes: a
	// subexpression is printed only where its size is one of theirs. A
	// definition that is a number is not named: a number of a derived
	// result is most often not it (with lam = 2, the 2 of 2*A'*r, the
	// gradient of r'*r, printed as lam*A'*r), and the exponent of a
	// matrix power must be a number (X^2 printed X^c, which does not
	// paste back).
	bySize := map[int][]Definition{}
	texts := map[string]string{}
	defined := map[string]bool{}
	for i := len(c.Where) - 1; i >= 0; i-- {
		d := c.Where[i]
		defined[d.Name] = true
		if isNumber(w.exprs[d.Name]) {
			continue
		}
		bySize[w.size[d.Name]] = append(bySize[w.size[d.Name]], d)
		texts[d.Name] = w.exprs[d.Name].String()
	}
	// An integral of the result over a variable that has the name of a
	// definition (derive writes the differential of expm(X) as an integral
	// over t, s or u, of logm(X) over z, w or v) is written over a name of
	// its own: otherwise the body, where it names the definition, would
	// read the integral's variable instead (t*expm(t*X) for sum(X)*…
	// with t = sum(X)), and the claim refuses it.
	taken := names(e)
	for n := range defined {
		taken[n] = true
	}
	for _, v := range c.Vars {
		taken[v.Name] = true
	}
	for _, s := range c.Symbols() {
		taken[s] = true
	}
	if c.Kind == Diff || c.Kind == Hess {
		taken[c.Direction()], taken[c.SecondDirection()] = true, true
	}
	fresh := func(v string) string {
		for i := 1; ; i++ {
			if n := v + strconv.Itoa(i); !taken[n] {
				taken[n] = true
				return n
			}
		}
	}
	sizes := map[Expr]int{}
	var size func(e Expr) int
	size = func(e Expr) int {
		if n, ok := sizes[e]; ok {
			return n
		}
		n := 1
		switch e := e.(type) {
		case *Unary:
			n += size(e.X)
		case *Binary:
			n += size(e.L) + size(e.R)
		case *Call:
			for _, a := range e.Args {
				n += size(a)
			}
		case *Integral:
			n += size(e.Lo) + size(e.Hi) + size(e.Body)
		}
		sizes[e] = n
		return n
	}
	var fold func(e Expr) Expr
	fold = func(e Expr) Expr {
		if isNil(e) {
			return e
		}
		if defs := bySize[size(e)]; len(defs) > 0 {
			text := e.String()
			for _, d := range defs {
				if texts[d.Name] == text {
					return &Ident{At: e.Pos(), Name: d.Name}
				}
			}
		}
		switch e := e.(type) {
		case *Unary:
			return &Unary{At: e.At, Op: e.Op, X: fold(e.X)}
		case *Binary:
			return &Binary{At: e.At, Op: e.Op, L: fold(e.L), R: fold(e.R)}
		case *Call:
			if sizeArgs(e) != nil {
				// eye(n) with c = n defined is not eye(c): a size is a
				// size symbol or a number.
				return e
			}
			args := make([]Expr, len(e.Args))
			for i, a := range e.Args {
				args[i] = fold(a)
			}
			return &Call{At: e.At, Func: e.Func, Args: args}
		case *Integral:
			v, body := e.Var, e.Body
			if defined[v] {
				v = fresh(v)
				body = rename(body, e.Var, v)
			}
			return &Integral{At: e.At, Var: v, Lo: fold(e.Lo), Hi: fold(e.Hi), Body: fold(body)}
		}
		return e
	}
	return fold(e)
}

// Unused lists, in order, the definitions of the claim that neither f nor
// the claimed result reads, itself or through the definitions it reads: a
// definition left over or mistyped, which, written out nowhere, no check
// would notice (as Unread lists such variables).
func (c *Claim) Unused() []string {
	if len(c.Where) == 0 {
		return nil
	}
	read := map[string]bool{}
	for _, text := range []string{c.FText, c.RhsText} {
		// F and Rhs have the definitions written out: their texts
		// read them by name.
		e, err := Parse(text)
		if err != nil {
			continue
		}
		Walk(e, func(x Expr) {
			if id, ok := x.(*Ident); ok && id != nil {
				read[id.Name] = true
			}
		})
	}
	for i := len(c.Where) - 1; i >= 0; i-- {
		// A definition reads only those before it.
		if d := c.Where[i]; read[d.Name] {
			Walk(d.Expr, func(x Expr) {
				if id, ok := x.(*Ident); ok && id != nil {
					read[id.Name] = true
				}
			})
		}
	}
	var unused []string
	for _, d := range c.Where {
		if !read[d.Name] {
			unused = append(unused, d.Name)
		}
	}
	return unused
}
