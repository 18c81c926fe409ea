package main

import (
	"fmt"
	"os"
	"path"
	"strings"

	"github.com/gradcheck/gradcheck/formulas"
	gcrun "github.com/gradcheck/gradcheck/run"
)

// registryTargets selects the registry claims that match patterns.
func registryTargets(cmd string, patterns []string) ([]gcrun.Target, error) {
	reg, err := formulas.Registry()
	if err != nil {
		// The registry is built in: a broken one is gradcheck's fault.
		return nil, fmt.Errorf("the built-in registry does not load: %w", err)
	}
	claims, err := gcrun.Match(reg, patterns, "registry claim")
	if err != nil {
		return nil, usageErrorf(cmd, "%v (see 'gradcheck list')", err)
	}
	ts := make([]gcrun.Target, len(claims))
	for i, c := range claims {
		ts[i] = gcrun.Target{Claim: c, Select: []string{"run", gcrun.EscapeGlob(c.Name)}}
	}
	return ts, nil
}

// specTargets loads the spec files, shape-checked at sizes, and selects
// their claims that match patterns; an invalid claim is selected by its
// name like any other, and verifies as an error.
func specTargets(files, patterns []string, sizes map[string]int) ([]gcrun.Target, error) {
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
	claims, err := gcrun.Match(all, patterns, "claim of "+strings.Join(files, ", "))
	if err != nil {
		return nil, usageErrorf("check", "%v", err)
	}
	ts := make([]gcrun.Target, len(claims))
	for i, c := range claims {
		ts[i] = gcrun.Target{Claim: c, Select: []string{"check", "--spec", fileOf[c], "--name", gcrun.EscapeGlob(c.Name)}}
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
