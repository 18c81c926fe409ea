package main

// overview is the help text of gradcheck itself.
const overview = `gradcheck verifies matrix-calculus claims (gradients, differentials, Jacobians,
Hessians, identities) against finite differences on batches of random matrices.

Usage:
  gradcheck COMMAND [ARGS] [FLAGS]

Commands:
  list [NAME|GLOB ...]   list the built-in registry: name, kind, claim, source
  run [NAME|GLOB ...]    verify registry claims (default: all)
  check --spec FILE      verify the claims of a YAML spec file
  check --f EXPR --wrt V --grad EXPR --var X=n,n[:DIST[:sym]] ...
                         verify one claim given on the command line
  help [COMMAND]         show the help of a command

Flags:
  -h, --help             show this help
      --version          print the version

Examples:
  gradcheck list
  gradcheck run 'logdet*' --size n=128
  gradcheck check --spec examples/correct.yaml
  gradcheck check --f 'tr(A*X)' --wrt X --grad "A'" --var A=n,n --var X=n,n
` + exitCodesHelp + `
Run 'gradcheck COMMAND --help' for the flags of a command.
`

// exitCodesHelp documents the exit codes.
const exitCodesHelp = `
Exit codes:
  0  every claim passed
  1  at least one claim failed, was inconclusive or could not be evaluated
     (also: --backend gpu in a build without a GPU worker)
  2  the invocation was wrong: bad flag or value, unknown command, parse or
     shape error in a claim, unreadable or invalid YAML, bad --size;
     nothing ran
  3  gradcheck itself failed (an internal error)
`

// outputHelp documents the output of run and check.
const outputHelp = `
Output:
  text   a table NAME KIND SIZES VERDICT REL-ERR TOL NOTE (NOTE is the
         diagnosis of a failure or the reason for another verdict), a summary
         line, and for every claim that did not pass the command that re-runs
         it alone.
  json   the report {version, backend, seed, results, summary}, with results
         in the order the claims were given. JSON cannot hold NaN or Inf: such
         numbers are written as 0 and the result's reason names them.
  With --out FILE the report goes to FILE (in --format, or json when FILE
  ends in .json and --format is not given) and the text table to stdout.
  Progress (--verbose) and messages go to stderr.
`

const listHelp = `Usage: gradcheck list [NAME|GLOB ...] [flags]

List the claims of the built-in registry: name, kind, the claim, and where it
is published. NAME|GLOB (path.Match patterns, as in 'tr-*') narrow the list.

Examples:
  gradcheck list
  gradcheck list 'logdet*' --format json

Flags:
`

const runHelp = `Usage: gradcheck run [NAME|GLOB ...] [flags]

Verify claims of the built-in registry against finite differences: all of
them, or those named. A GLOB is a path.Match pattern ('tr-*', 'diff-?ow*');
a pattern that matches no claim is an error.

Examples:
  gradcheck run
  gradcheck run 'tr-*' --size n=128,m=96 --batch 32
  gradcheck run logdet-spd --seed 1 --size n=48 --instance 3
  gradcheck run --format json --out report.json

Flags:
`

const checkHelp = `Usage: gradcheck check --spec FILE [--name NAME|GLOB ...] [flags]
       gradcheck check --f EXPR --wrt VAR (--grad|--diff|--jac|--hess|--equals) EXPR
                       --var NAME=SHAPE[:DIST[:sym]] ... [--name NAME] [--layout numerator] [flags]

Verify claims of YAML spec files (--spec, may repeat; --name selects claims
by name or glob), or one claim given on the command line. The two forms do
not mix. A variable's SHAPE is "n,n", "m,n", "n" (a column vector) or "1";
DIST is gauss (default), wellcond, spd, posdef-nonsym, small, sym, orth or
positive; a third part "sym" declares space sym.

Examples:
  gradcheck check --spec examples/correct.yaml
  gradcheck check --spec examples/wrong.yaml --name 'wrong-tr-*'
  gradcheck check --f 'tr(A*X)' --wrt X --grad "A'" --var A=n,n --var X=n,n
  gradcheck check --f 'logdet(X)' --wrt X --grad "inv(X)'" --var X=n,n:spd --size n=64

Flags:
`
