package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/gradcheck/gradcheck/flagvalue"
	"github.com/gradcheck/gradcheck/formulas"
)

const deriveHelp = `Usage: gradcheck derive --f EXPR --wrt VAR --var NAME=SHAPE[:DIST[:sym]] ... [--where NAME=EXPR ...] [--size N=V,...] [--grad | --hess] [--format json]

Print the differential Df(X)[dX] of f with respect to VAR (dX is the
direction for X), simplified, as one line in the claim language: paste it
back as --diff (or diff: in a spec file) to verify it. With --grad, print
the gradient of a scalar f in denominator layout instead (the shape of
VAR), found by the trace rules tr(A*dX*B) = <A'*B', dX>, a'*dX*b,
sum(A.*dX), ...; where dX cannot be moved out (inside kron) gradcheck says
so and exits 1. With --hess, print the second derivative of a scalar f
as the bilinear form D²f[dX, dX2] in two directions dX and dX2, which
pastes back as --hess. --format json prints {"diff": "...", "grad": "..."
or null}, with "hess" under --hess; "grad" is null, too, where --grad is
not given and the gradient would not paste back.
expm and logm differentiate to the integral forms of Higham (2008); a
matrix of ones is written ones(m, n). f is shape-checked
at the sizes of --size, as check does (unset symbols get distinct
defaults), so that an f that type-checks only at some sizes, such as
tr(A*X) with A and X both n×m (n = m), is derived there.

Examples:
  gradcheck derive --f 'tr(A*X*B)' --wrt X --var A=k,m --var X=m,n --var B=n,k
  gradcheck derive --f 'logdet(X)' --wrt X --var X=n,n:spd --grad
  gradcheck derive --f 'logdet(X)' --wrt X --var X=n,n:spd --hess
  gradcheck derive --f 'x'"'"'*A*x' --wrt x --var A=n,n --var x=n --format json

Flags:
`

// deriveExitHelp documents the exit codes of derive, which checks no
// claim.
const deriveExitHelp = `
Exit codes:
  0  the differential (or gradient) is printed
  1  derive cannot do it: f has a part it has no rule for, or, with
     --grad, dX cannot be moved out of the differential (inside kron),
     or the result is too long to paste back as a claim
  2  the invocation was wrong: bad flag or value, parse or shape error in
     f or a --var, --grad of an f that is not a scalar; nothing printed
  3  gradcheck itself failed (an internal error), or could not write the
     result (a full disk)
`

// warnSizes warns, for derive, of --size symbols that f does not use and
// of two symbols that --size gives one value: the result may then write
// one for the other, as in eye(m) for eye(n).
func warnSizes(e *env, c *formulas.Claim, user map[string]int) error {
	if len(user) == 0 {
		return nil
	}
	sizes, err := c.ResolveSizes(user)
	if err != nil {
		return inputErrorf("%v", err)
	}
	var unused []string
	for _, k := range slices.Sorted(maps.Keys(user)) {
		if _, ok := sizes[k]; !ok {
			unused = append(unused, k)
		}
	}
	if len(unused) > 0 {
		fmt.Fprintf(e.stderr, "gradcheck: warning: --size %s: f does not use %s\n", strings.Join(unused, ","), flagvalue.OrList(unused))
	}
	syms := slices.Sorted(maps.Keys(sizes))
	for i, a := range syms {
		for _, b := range syms[i+1:] {
			if sizes[a] == sizes[b] {
				fmt.Fprintf(e.stderr, "gradcheck: warning: %s and %s are both %d: the result may write one for the other; give them distinct sizes for a general result\n", a, b, sizes[a])
			}
		}
	}
	return nil
}

// deriveCommand prints the symbolic differential or gradient of f.
func deriveCommand(_ context.Context, e *env, args []string) error {
	fs := newFlagSet("derive", e.stderr)
	var f, wrt string
	var vars, where []string
	var grad, hess bool
	onceStringVar(fs, &f, "f", "the function f, an `EXPR` such as 'tr(A*X)'")
	onceStringVar(fs, &wrt, "wrt", "the variable (`VAR`) to differentiate with respect to")
	fs.StringArrayVar(&vars, "var", nil, "declare a variable as `NAME=SHAPE[:DIST[:sym]]`, e.g. X=n,n or x=n (may repeat)")
	fs.StringArrayVar(&where, "where", nil, "name a subexpression that f may read, as `NAME=EXPR`, e.g. r='A*x - b' (may repeat; each may read the ones before it)")
	var sizes sizeValue
	fs.Var(&sizes, "size", "values of size symbols to shape-check f at, as in n=256,m=128 (may repeat; unset symbols get distinct defaults)")
	fs.BoolVar(&grad, "grad", false, "print the gradient (denominator layout) of a scalar f instead of the differential")
	fs.BoolVar(&hess, "hess", false, "print the second derivative D²f[dX, dX2] of a scalar f instead of the differential")
	format := flagvalue.NewEnum("text", "text", "json")
	onceVar(fs, format, "format", "text: one line; json: {\"diff\": ..., \"grad\": ... or null}")
	if done, err := parseFlags(e, fs, args, deriveHelp, deriveExitHelp); done || err != nil {
		return err
	}
	if rest := fs.Args(); len(rest) > 0 {
		return usageErrorf("derive", "unexpected argument %q (derive takes flags only)", rest[0])
	}
	if f == "" || wrt == "" {
		return usageErrorf("derive", "give the function with --f EXPR, the variable with --wrt VAR and each variable with --var")
	}
	if grad && hess {
		return usageErrorf("derive", "--grad and --hess exclude one another: give one")
	}
	vs, err := formulas.ParseVarFlags(vars)
	if err != nil {
		return usageErrorf("derive", "--var: %v", err)
	}
	defs, err := formulas.ParseWhereFlags(where)
	if err != nil {
		return usageErrorf("derive", "--where: %v", err)
	}
	c, err := formulas.BuildFunctionAt(formulas.Spec{Name: "derive", F: f, Wrt: wrt, Where: defs, Vars: vs, Source: formulas.CommandLine}, sizes.m)
	if err != nil {
		return inputErrorf("%v", err)
	}
	if err := warnSizes(e, c, sizes.m); err != nil {
		return err
	}
	warnUnread(e.stderr, c, "not read by f")
	d, err := c.DeriveAt(sizes.m)
	var cannot *formulas.Error
	switch {
	case errors.Is(err, formulas.ErrInternal):
		return toolError("derive", err)
	case errors.As(err, &cannot):
		// A rule derive lacks, at a position in f: not the input's fault.
		return failErrorf("derive: %v", err)
	case err != nil:
		return inputErrorf("derive: %v", err)
	}
	// The results read f's definitions by name, as f does.
	d.Diff, d.Grad, d.Claimed = c.Fold(d.Diff), c.Fold(d.Grad), c.Fold(d.Claimed)
	var second formulas.Expr
	if hess {
		if second, err = c.SecondDerivativeAt(sizes.m); err != nil {
			switch {
			case errors.Is(err, formulas.ErrInternal):
				return toolError("derive", err)
			case errors.Is(err, formulas.ErrNoHessClaim):
				return inputErrorf("derive: --hess: %v (drop --hess for the differential)", err)
			case errors.As(err, &cannot):
				return failErrorf("derive: %v", err)
			}
			return inputErrorf("derive: %v", err)
		}
		second = c.Fold(second)
	}
	out, err := deriveOutput(d, second, format.Value == "json", grad, hess)
	if err != nil {
		return err
	}
	if _, err := io.WriteString(e.stdout, out); err != nil {
		// A full disk or a closed file: the result is lost, so say so.
		return toolError("writing the result", err)
	}
	return nil
}

// deriveOutput is what derive prints: the JSON object, or the one line of
// the second derivative, the gradient or the differential. Every
// expression it prints pastes back as a claim, or it prints none.
func deriveOutput(d formulas.Derivation, second formulas.Expr, asJSON, grad, hess bool) (string, error) {
	if grad && d.Grad == nil {
		// JSON or text: --grad asked for a gradient there is not (it
		// printed "grad": null with exit 0 in JSON).
		if errors.Is(d.NoGrad, formulas.ErrInternal) {
			return "", toolError("derive", d.NoGrad)
		}
		if errors.Is(d.NoGrad, formulas.ErrNotScalar) {
			return "", inputErrorf("derive: --grad: %v (drop --grad for the differential)", d.NoGrad)
		}
		return "", failErrorf("derive: %v", d.NoGrad)
	}
	result := d.Diff
	switch {
	case hess:
		result = second
	case grad:
		result = d.Grad
	}
	printed := []formulas.Expr{result}
	if asJSON {
		// A gradient not asked for that does not paste back is null, as
		// where there is none: the differential of tanh nested ten times
		// pastes back, its gradient does not (found by the review helper:
		// JSON failed where text printed the differential).
		printed = []formulas.Expr{d.Diff, second}
		if grad {
			printed = append(printed, d.Grad)
		} else if d.Grad != nil {
			if _, err := formulas.Parse(d.Grad.String()); err != nil {
				d.Grad = nil
			}
		}
	}
	for _, x := range printed {
		if x == nil {
			continue
		}
		text := x.String()
		if _, err := formulas.Parse(text); err != nil {
			// tanh nested ten times has a gradient of 208 KB, beyond the
			// longest formula; in JSON it printed, unusable, with exit 0.
			return "", failErrorf("derive: the result does not paste back as a claim (%v): %d bytes; derive a part of f at a time", err, len(text))
		}
	}
	if !asJSON {
		return result.String() + "\n", nil
	}
	b, err := json.Marshal(d)
	if err == nil && hess {
		var m map[string]any
		if err = json.Unmarshal(b, &m); err == nil {
			m["hess"] = second.String()
			b, err = json.Marshal(m)
		}
	}
	if err != nil {
		return "", err
	}
	return string(b) + "\n", nil
}
