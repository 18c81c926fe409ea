package main

import (
	"context"

	gcrun "github.com/gradcheck/gradcheck/run"
)

// runCommand verifies registry claims.
func runCommand(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("run", e.stderr)
	cf := addCommonFlags(fs)
	if done, err := parseFlags(e, fs, args, runHelp, outputHelp+exitCodesHelp); done || err != nil {
		return err
	}
	cf.out = outPath(cf.out, e.stdout)
	settings, err := cf.settings("run")
	if err != nil {
		return err
	}
	targets, err := gcrun.RegistryTargets(fs.Args())
	if err != nil {
		return selectError("run", err)
	}
	return verifyTargets(ctx, e, "run", targets, cf, settings)
}
