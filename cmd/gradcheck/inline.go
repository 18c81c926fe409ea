package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/pflag"

	"github.com/gradcheck/gradcheck/formulas"
	gcrun "github.com/gradcheck/gradcheck/run"
)

// inlineFlags declare one claim on the command line of check.
type inlineFlags struct {
	f, wrt                        string
	grad, diff, jac, hess, equals string
	layout                        string
	vars, where                   []string
}

// inlineNames are the flags of an inline claim, in the order a re-run
// command repeats them.
var inlineNames = []string{"f", "wrt", "grad", "diff", "jac", "hess", "equals", "layout", "where", "var"}

// addInlineFlags defines the inline-claim flags on fs.
func addInlineFlags(fs *pflag.FlagSet) *inlineFlags {
	in := &inlineFlags{}
	onceStringVar(fs, &in.f, "f", "the function f, an `EXPR` such as 'tr(A*X)'")
	onceStringVar(fs, &in.wrt, "wrt", "the variable (`VAR`) that f is differentiated with respect to")
	onceStringVar(fs, &in.grad, "grad", "claim: the gradient of scalar f, an `EXPR`")
	onceStringVar(fs, &in.diff, "diff", "claim: the differential Df[dX], an `EXPR` in X and dX")
	onceStringVar(fs, &in.jac, "jac", "claim: the Jacobian of vector f (vec(F) for a matrix) of a vector, or of a matrix X by vec(X), an `EXPR`")
	onceStringVar(fs, &in.hess, "hess", "claim: the Hessian (vector variable), or D²f[dX,dX2] or D²f[dX,dX] (matrix variable), an `EXPR`")
	onceStringVar(fs, &in.equals, "equals", "claim: the identity f == `EXPR`")
	onceStringVar(fs, &in.layout, "layout", "the `LAYOUT` of --grad: numerator or denominator (default)")
	fs.StringArrayVar(&in.where, "where", nil, "name a subexpression that f and the claim may read, as `NAME=EXPR`, e.g. r='A*x - b' (may repeat; each may read the ones before it)")
	fs.StringArrayVar(&in.vars, "var", nil, "declare a variable as `NAME=SHAPE[:DIST[:sym]]`, e.g. X=n,n:wellcond or x=n (may repeat)")
	return in
}

// given reports whether any inline-claim flag is set.
func given(fs *pflag.FlagSet) bool {
	for _, n := range inlineNames {
		if fs.Changed(n) {
			return true
		}
	}
	return false
}

// target builds the inline claim called name (named tells whether --name
// gave it), shape-checked at the sizes in force.
func (in *inlineFlags) target(fs *pflag.FlagSet, name string, named bool, sizes map[string]int) (gcrun.Target, error) {
	vars, err := formulas.ParseVarFlags(in.vars)
	if err != nil {
		return gcrun.Target{}, usageErrorf("check", "--var: %v", err)
	}
	defs, err := formulas.ParseWhereFlags(in.where)
	if err != nil {
		return gcrun.Target{}, usageErrorf("check", "--where: %v", err)
	}
	spec := formulas.Spec{
		Name: name, F: in.f, Wrt: in.wrt,
		Grad: in.grad, Diff: in.diff, Jac: in.jac, Hess: in.hess, Equals: in.equals,
		Layout: in.layout, Where: defs, Vars: vars, Source: formulas.CommandLine,
	}
	c, err := formulas.BuildAt(spec, sizes)
	if err != nil {
		return gcrun.Target{}, inputErrorf("%v", err)
	}
	sel := []string{"check"}
	fs.Visit(func(f *pflag.Flag) {
		switch f.Name {
		case "var":
			for _, v := range in.vars {
				sel = append(sel, "--var", v)
			}
		case "where":
			for _, d := range in.where {
				sel = append(sel, "--where", d)
			}
		case "f", "wrt", "grad", "diff", "jac", "hess", "equals", "layout":
			sel = append(sel, "--"+f.Name, f.Value.String())
		}
	})
	if named {
		sel = append(sel, "--name", name)
	}
	return gcrun.Target{Claim: c, Select: sel}, nil
}

// warnUnread warns, on one line, of the variables that --var declares and
// c does not read (c.Unread), and on another of the definitions of --where
// that it does not read (c.Unused): a declaration left over or mistyped,
// which nothing else would notice. unread says what does not read them: "read by
// neither f nor the claim" for check, "not read by f" for derive.
func warnUnread(stderr io.Writer, c *formulas.Claim, unread string) {
	warnNames(stderr, c.Unread(), "declared (--var)", unread)
	warnNames(stderr, c.Unused(), "defined (--where)", unread)
}

// warnNames warns, on one line, that names are what (declared, defined)
// but unread.
func warnNames(stderr io.Writer, names []string, what, unread string) {
	switch len(names) {
	case 0:
		return
	case 1:
		fmt.Fprintf(stderr, "gradcheck: warning: %s is %s but %s\n", names[0], what, unread)
	default:
		list := strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
		fmt.Fprintf(stderr, "gradcheck: warning: %s are %s but %s\n", list, what, unread)
	}
}
