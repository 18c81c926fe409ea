package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/gradcheck/gradcheck/cpu"
	"github.com/gradcheck/gradcheck/formulas"
)

// env is where a command reads and writes: a spec file given as --spec -
// from stdin, results to stdout, messages to stderr.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

// command is one subcommand of gradcheck.
type command struct {
	name string
	run  func(ctx context.Context, e *env, args []string) error
}

// commands lists the subcommands in the order the overview shows them.
var commands = []command{
	{name: "list", run: listCommand},
	{name: "run", run: runCommand},
	{name: "check", run: checkCommand},
	{name: "merge", run: mergeCommand},
	{name: "bench", run: benchCommand},
	{name: "derive", run: deriveCommand},
	{name: "selftest", run: selftestCommand},
}

// dispatch runs the subcommand that args name.
func dispatch(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(e.stdout, overview)
		return nil
	}
	switch name := args[0]; name {
	case "-h", "--help":
		fmt.Fprint(e.stdout, overview)
		return nil
	case "help":
		if len(args) == 1 {
			fmt.Fprint(e.stdout, overview)
			return nil
		}
		if len(args) > 2 {
			return usageErrorf("gradcheck", "help takes one command, got %q", strings.Join(args[1:], " "))
		}
		if h := args[1]; h == "help" || h == "-h" || h == "--help" {
			fmt.Fprint(e.stdout, helpHelp)
			return nil
		}
		c, ok := lookup(args[1])
		if !ok {
			return unknownCommand(args[1])
		}
		return c.run(ctx, e, []string{"--help"})
	case "--version", "version":
		if len(args) > 1 {
			return usageErrorf("gradcheck", "%s takes no arguments, got %q", name, strings.Join(args[1:], " "))
		}
		fmt.Fprintf(e.stdout, "gradcheck %s\nCPU linear algebra: %s\n", version, cpu.LinalgPath())
		return nil
	}
	if strings.HasPrefix(args[0], "-") {
		return usageErrorf("gradcheck", "unknown flag %s (flags go after the command, as in 'gradcheck run --seed 2')", args[0])
	}
	c, ok := lookup(args[0])
	if !ok {
		return unknownCommand(args[0])
	}
	return c.run(ctx, e, args[1:])
}

// lookup finds the subcommand called name.
func lookup(name string) (command, bool) {
	for _, c := range commands {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

// unknownCommand reports a command name that does not exist, with the one
// it most likely means or else the list of them.
func unknownCommand(name string) error {
	names := make([]string, len(commands))
	for i, c := range commands {
		names[i] = c.name
	}
	if s := formulas.Suggest(name, append(names, "help", "version")); s != "" {
		return usageErrorf("gradcheck", "unknown command %q (did you mean %q?)", name, s)
	}
	return usageErrorf("gradcheck", "unknown command %q (commands: %s)", name, strings.Join(names, ", "))
}
