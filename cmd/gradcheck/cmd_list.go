package main

import (
	"context"

	"github.com/gradcheck/gradcheck/flagvalue"
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
	claims, err := gcrun.RegistryClaims(fs.Args())
	if err != nil {
		return selectError("list", err)
	}
	if format.Value == "json" {
		return report.WriteClaimsJSON(e.stdout, claims)
	}
	return report.WriteClaims(e.stdout, claims)
}
