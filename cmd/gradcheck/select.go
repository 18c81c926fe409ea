package main

import (
	"fmt"
	"os"
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

// specTargets loads the spec files and selects their claims that match
// patterns.
func specTargets(files, patterns []string) ([]gcrun.Target, error) {
	var all []*formulas.Claim
	fileOf := make(map[*formulas.Claim]string)
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, inputErrorf("cannot read spec file: %v", err)
		}
		claims, err := formulas.LoadSpec(f, data)
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
