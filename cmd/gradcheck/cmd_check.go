package main

import (
	"context"
	"strings"

	gcrun "github.com/gradcheck/gradcheck/run"
)

// checkCommand verifies the claims of spec files or one inline claim.
func checkCommand(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("check", e.stderr)
	var specs, names []string
	fs.StringArrayVar(&specs, "spec", nil, "verify the claims of this YAML spec `FILE` (-: stdin; may repeat)")
	fs.StringArrayVar(&names, "name", nil, "with --spec, verify only the claims called `NAME` (a name or glob; may repeat); inline, the claim's name (default \"inline\")")
	in := addInlineFlags(fs)
	cf := addCommonFlags(fs)
	if done, err := parseFlags(e, fs, args, checkHelp, languageHelp()+outputHelp+exitCodesHelp); done || err != nil {
		return err
	}
	if rest := fs.Args(); len(rest) > 0 {
		if strings.HasSuffix(rest[0], ".yaml") || strings.HasSuffix(rest[0], ".yml") {
			return usageErrorf("check", "unexpected argument %q (did you mean --spec %s?)", rest[0], rest[0])
		}
		return usageErrorf("check", "unexpected argument %q (check takes flags only)", rest[0])
	}
	inline := given(fs)
	switch {
	case len(specs) > 0 && inline:
		return usageErrorf("check", "--spec and an inline claim (--f, --wrt, --grad, --var, ...) are mutually exclusive")
	case len(specs) == 0 && !inline:
		return usageErrorf("check", "nothing to check: give --spec FILE, or an inline claim with --f, --wrt, --grad (or --diff, --jac, --hess, --equals) and --var")
	case inline && len(names) > 1:
		return usageErrorf("check", "--name given twice: %q and %q; an inline claim takes one name", names[0], names[1])
	}
	cf.out = outPath(cf.out, e.stdout)
	if err := checkNotInput("check", cf.out, specs); err != nil {
		return err
	}
	settings, err := cf.settings("check")
	if err != nil {
		return err
	}
	var targets []gcrun.Target
	if inline {
		name := "inline"
		if len(names) == 1 {
			name = names[0]
		}
		t, err := in.target(fs, name, len(names) == 1, settings.Sizes)
		if err != nil {
			return err
		}
		warnUnread(e.stderr, t.Claim, "read by neither f nor the claim")
		targets = []gcrun.Target{t}
	} else if targets, err = gcrun.SpecTargets(specs, names, settings.Sizes, e.stdin); err != nil {
		return selectError("check", err)
	}
	return verifyTargets(ctx, e, "check", targets, cf, settings)
}
