package main

import (
	"context"
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"github.com/gradcheck/gradcheck/formulas"
)

// listCommand prints the registry.
func listCommand(_ context.Context, e *env, args []string) error {
	fs := newFlagSet("list", e.stderr)
	format := newEnum("text", "text", "json")
	fs.Var(format, "format", "output format: text or json")
	if done, err := parseFlags(e, fs, args, listHelp, ""); done || err != nil {
		return err
	}
	reg, err := formulas.Registry()
	if err != nil {
		return fmt.Errorf("the built-in registry does not load: %w", err)
	}
	claims, err := matchClaims(reg, fs.Args(), "registry claim")
	if err != nil {
		return usageErrorf("list", "%v", err)
	}
	if format.val == "json" {
		return listJSON(e, claims)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tKIND\tCLAIM\tSOURCE")
	for _, c := range claims {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", c.Name, c.Kind, c.String(), oneLine(c.Source))
	}
	return tw.Flush()
}

// listEntry is one claim in the JSON listing.
type listEntry struct {
	Name   string         `json:"name"`
	Kind   formulas.Kind  `json:"kind"`
	Claim  string         `json:"claim"`
	F      string         `json:"f"`
	Wrt    string         `json:"wrt,omitempty"`
	Rhs    string         `json:"rhs"`
	Layout string         `json:"layout,omitempty"`
	Vars   []listVar      `json:"vars"`
	Sizes  map[string]int `json:"sizes,omitempty"`
	Source string         `json:"source"`
}

// listVar is one variable declaration in the JSON listing.
type listVar struct {
	Name  string `json:"name"`
	Shape string `json:"shape"`
	Dist  string `json:"dist"`
	Space string `json:"space,omitempty"`
}

// listJSON prints claims as a JSON array.
func listJSON(e *env, claims []*formulas.Claim) error {
	entries := make([]listEntry, len(claims))
	for i, c := range claims {
		le := listEntry{
			Name: c.Name, Kind: c.Kind, Claim: c.String(),
			F: oneLine(c.FText), Wrt: c.Wrt, Rhs: oneLine(c.RhsText),
			Sizes: c.Sizes, Source: c.Source, Vars: []listVar{},
		}
		if c.Layout == formulas.Numerator {
			le.Layout = string(c.Layout)
		}
		for _, v := range c.Vars {
			lv := listVar{Name: v.Name, Shape: v.Dims[0] + "," + v.Dims[1], Dist: string(v.Dist)}
			if v.SymSpace {
				lv.Space = "sym"
			}
			le.Vars = append(le.Vars, lv)
		}
		entries[i] = le
	}
	b, err := json.MarshalIndent(entries, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(e.stdout, "%s\n", b)
	return err
}
