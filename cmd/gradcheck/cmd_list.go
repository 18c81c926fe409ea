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
	onceVar(fs, format, "format", "output format: text or json")
	if done, err := parseFlags(e, fs, args, listHelp, ""); done || err != nil {
		return err
	}
	claims, err := gcrun.RegistryClaims(fs.Args())
	if err != nil {
		return selectError("list", err)
	}
	write := report.WriteClaims
	if format.Value == "json" {
		write = report.WriteClaimsJSON
	}
	if err := write(e.stdout, claims); err != nil {
		// A full disk or a closed file: exit 3 with what failed, not as
		// an internal error.
		return toolError("writing the list", err)
	}
	return nil
}
