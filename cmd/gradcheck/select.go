package main

import (
	"fmt"
	"os"
	"path"
	"strings"

	"github.com/gradcheck/gradcheck/formulas"
)

// target is one claim to verify, with the arguments that select it alone.
type target struct {
	claim *formulas.Claim
	// selector are the arguments after "gradcheck" that select this claim
	// and no other, as in ["run", "logdet-spd"].
	selector []string
	// sizes are the claim's resolved sizes, filled in before the run.
	sizes map[string]int
}

// matchClaims returns the claims whose names match one of patterns, in the
// order of the patterns and, for one pattern, of claims; a claim is listed
// once. No patterns select every claim. where names the claims in the
// error for a pattern that matches nothing ("registry claim").
func matchClaims(claims []*formulas.Claim, patterns []string, where string) ([]*formulas.Claim, error) {
	if len(patterns) == 0 {
		return claims, nil
	}
	var out []*formulas.Claim
	taken := make(map[*formulas.Claim]bool)
	for _, p := range patterns {
		if _, err := path.Match(p, ""); err != nil {
			return nil, fmt.Errorf("bad pattern %q: %v", p, err)
		}
		found := false
		for _, c := range claims {
			if ok, _ := path.Match(p, c.Name); ok {
				found = true
				if !taken[c] {
					taken[c] = true
					out = append(out, c)
				}
			}
		}
		if !found {
			return nil, fmt.Errorf("no %s matches %q", where, p)
		}
	}
	return out, nil
}

// registryTargets selects the registry claims that match patterns.
func registryTargets(cmd string, patterns []string) ([]target, error) {
	reg, err := formulas.Registry()
	if err != nil {
		// The registry is built in: a broken one is gradcheck's fault.
		return nil, fmt.Errorf("the built-in registry does not load: %w", err)
	}
	claims, err := matchClaims(reg, patterns, "registry claim")
	if err != nil {
		return nil, usageErrorf(cmd, "%v (see 'gradcheck list')", err)
	}
	ts := make([]target, len(claims))
	for i, c := range claims {
		ts[i] = target{claim: c, selector: []string{"run", escapeGlob(c.Name)}}
	}
	return ts, nil
}

// specTargets loads the spec files, shape-checked at sizes, and selects
// their claims that match patterns; an invalid claim is selected by its
// name like any other, and verifies as an error.
func specTargets(files, patterns []string, sizes map[string]int) ([]target, error) {
	var all []*formulas.Claim
	fileOf := make(map[*formulas.Claim]string)
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, inputErrorf("cannot read spec file: %v", err)
		}
		claims, err := formulas.LoadSpecAt(f, data, formulas.LoadOptions{Sizes: sizes, Select: selector(patterns)})
		if err != nil {
			return nil, inputErrorf("%v", err)
		}
		for _, c := range claims {
			fileOf[c] = f
		}
		all = append(all, claims...)
	}
	claims, err := matchClaims(all, patterns, "claim of "+strings.Join(files, ", "))
	if err != nil {
		return nil, usageErrorf("check", "%v", err)
	}
	ts := make([]target, len(claims))
	for i, c := range claims {
		ts[i] = target{claim: c, selector: []string{"check", "--spec", fileOf[c], "--name", escapeGlob(c.Name)}}
	}
	return ts, nil
}

// selector returns whether a claim's name matches one of patterns, nil
// (every claim) for none.
func selector(patterns []string) func(name string) bool {
	if len(patterns) == 0 {
		return nil
	}
	return func(name string) bool {
		for _, p := range patterns {
			if ok, _ := path.Match(p, name); ok {
				return true
			}
		}
		return false
	}
}

// escapeGlob quotes the pattern characters of a claim name, so that the
// name as a pattern matches itself alone.
func escapeGlob(name string) string {
	var b strings.Builder
	for _, r := range name {
		if strings.ContainsRune(`*?[]\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
