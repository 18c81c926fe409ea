package main

import (
	"context"
	"fmt"

	"github.com/gradcheck/gradcheck/flagvalue"
	"github.com/gradcheck/gradcheck/formulas"
	"github.com/gradcheck/gradcheck/report"
	gcrun "github.com/gradcheck/gradcheck/run"
)

// listCommand prints the registry.
func listCommand(_ context.Context, e *env, args []string) error {
	fs := newFlagSet("list", e.stderr)
	format := flagvalue.NewEnum("text", "text", "json")
	fs.Var(format, "format", "output format: text or json")
	if done, err := parseFlags(e, fs, args, listHelp, ""); done || err != nil {
		return err
	}
	reg, err := formulas.Registry()
	if err != nil {
		return fmt.Errorf("the built-in registry does not load: %w", err)
	}
	claims, err := gcrun.Match(reg, fs.Args(), "registry claim")
	if err != nil {
		return usageErrorf("list", "%v", err)
	}
	if format.Value == "json" {
		return report.WriteClaimsJSON(e.stdout, claims)
	}
	return report.WriteClaims(e.stdout, claims)
}
