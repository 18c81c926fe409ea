package main

import (
	"strings"

	"github.com/gradcheck/gradcheck/formulas"
	"github.com/gradcheck/gradcheck/report"
)

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
  merge REPORT.json ...  combine the JSON reports of the shards of one run
  bench [NAME|GLOB ...]  measure verification speed: time per instance,
                         GFLOP/s, fraction of the peak, memory, growth with n
  derive --f EXPR --wrt V --var X=n,n ... [--grad | --hess]
                         print the differential (gradient, second
                         derivative) of f, in the claim language
  selftest --claims N    random true claims and their mutants through the
                         verifier: false-alarm and miss rates
  help [COMMAND]         show the help of a command

Flags:
  -h, --help             show this help
      --version          print the version and the CPU linear algebra

Examples:
  gradcheck list
  gradcheck run 'logdet*' --size n=128
  gradcheck check --spec examples/correct.yaml
  gradcheck check --f 'tr(A*X)' --wrt X --grad "A'" --var A=n,n --var X=n,n
  gradcheck run --shard 0/4 --out shard-0.json    (and 1/4, 2/4, 3/4, elsewhere)
  gradcheck merge shard-*.json --format junit --out gradcheck.xml
  gradcheck bench --peak --sizes 256,512,1024
  gradcheck derive --f 'logdet(X)' --wrt X --var X=n,n:spd --grad
` + exitCodesHelp + `
Run 'gradcheck COMMAND --help' for the flags of a command.
`

// exitCodesHelp documents the exit codes.
const exitCodesHelp = `
Exit codes:
  0  every claim passed
  1  at least one claim failed, was inconclusive or could not be evaluated,
     or a claim of a spec file is invalid (an error result with its
     file:line; the other claims run)
  2  the invocation was wrong: bad flag or value, unknown command, parse or
     shape error in an inline claim, unreadable or malformed YAML, bad
     --size; nothing ran
  3  gradcheck itself failed (an internal error, or a GPU worker died
     mid-run: its claim is an error result, the others run), found no GPU
     for --backend gpu (no worker, driver or device; nothing ran), could not
     write the results or the report (a full disk), or a claim needs more
     memory for one instance than --mem or the machine allows (refused
     before anything runs)
  130  interrupted (Ctrl-C, or SIGTERM as a Kubernetes pod or Slurm job
     gets when cancelled, or SIGHUP unless ignored as under nohup): the
     report of the claims that finished is written, marked incomplete
  A closed stdout (gradcheck run | head) ends gradcheck by SIGPIPE, as
  other Unix tools (the shell says 141), unless --out FILE is given: then
  the run goes on, FILE is written whole, and the code is as above. A
  report file is written whole or not at all (a new file, renamed over
  FILE), so a run that dies leaves no part of one.
`

// languageHelp documents the expression language: its operators and the
// functions of formulas.Funcs, so that the list follows the table.
func languageHelp() string {
	return "\nThe expression language (MATLAB-like; vectors are columns):\n" +
		indent(formulas.FuncHelp(), "  ")
}

// indent puts prefix before every line of s.
func indent(s, prefix string) string {
	lines := strings.SplitAfter(strings.TrimSuffix(s, "\n"), "\n")
	return prefix + strings.Join(lines, prefix) + "\n"
}

// outputHelp documents the output of run and check.
var outputHelp = `
Output (--format):
` + report.FormatsHelp() + `  With --out FILE the report goes to FILE (in --format, or as FILE's
  extension says when --format is not given: .json, .xml for junit, .md,
  .txt; another extension, or none, then is refused with exit 2) and the
  text table to stdout. Otherwise a json, junit or markdown report
  goes to stdout and the summary and re-run commands to stderr. Progress
  (--progress, --verbose) and messages go to stderr.

Sharding across machines:
  --shard I/N runs shard I (from 0) of N: each claim's instances are cut
  into min(instances, N) blocks, the jobs (claim, block) are numbered claim
  by claim, and job j runs in shard j mod N. Without --shard, a Kubernetes
  Indexed Job's JOB_COMPLETION_INDEX (with --shards N, the completions) or
  a Slurm array's SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT choose the
  shard; --shard 0/1 runs everything there. Write each shard's report with
  --format json and combine them with 'gradcheck merge'.
`

// helpHelp is the help of help itself.
const helpHelp = `Usage: gradcheck help [COMMAND]

Show the help of COMMAND, as 'gradcheck COMMAND --help' does: what it
does, its flags and an example. Without COMMAND, show the overview of
gradcheck and its commands.

Examples:
  gradcheck help
  gradcheck help check
`

const mergeHelp = `Usage: gradcheck merge REPORT.json ... [flags]

Combine the JSON reports of the shards of one sharded run (gradcheck run or
check with --shard, or in a Kubernetes Indexed Job or Slurm array) into the
report of the whole run: the verdicts, worst cases and diagnoses are those
an unsharded run with the same seed gives, in the same order. merge refuses
reports of different runs (seed, --size, --batch, --dirs, --mode, --rtol,
--atol, --instance, claims, backend or gradcheck version), an incomplete
(interrupted) shard, and a set with a shard missing or given twice.

Examples:
  gradcheck merge shard-0.json shard-1.json shard-2.json
  gradcheck merge results/*.json --format junit --out gradcheck.xml
  gradcheck merge results/*.json --format json --out report.json

Flags:
`

// mergeExitHelp documents the exit codes of merge, which verifies nothing
// and refuses reports it cannot combine.
const mergeExitHelp = `
Exit codes:
  0  every claim of the merged report passed
  1  at least one claim failed, was inconclusive or could not be evaluated
     (an invalid claim of a spec file included)
  2  the invocation was wrong, or the reports do not merge: a bad flag or
     value, a file that is not a gradcheck JSON report, reports of
     different runs, an incomplete shard, a shard missing or given twice,
     --out naming one of the reports; nothing written
  3  gradcheck itself failed, or the report could not be written
  A closed stdout ends merge by SIGPIPE (the shell says 141), unless --out
  FILE is given: then FILE is written whole all the same.
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
                       --var NAME=SHAPE[:DIST[:sym]] ... [--where NAME=EXPR ...] [--name NAME]
                       [--layout numerator] [flags]

Verify claims of YAML spec files (--spec, may repeat; --name selects claims
by name or glob), or one claim given on the command line. The two forms do
not mix. A variable's SHAPE is "n,n", "m,n", "n" (a column vector) or "1";
DIST is gauss (default), wellcond, spd, posdef-nonsym, small, sym, orth,
positive or simplex (columns that are probability vectors). DIST sym only
draws the matrix symmetric: the gradient is still that over all matrices.
A third part "sym" declares the symmetric space, where the gradient is
that over symmetric matrices: S=n,n:spd:sym, or S=n,n:sym:sym.
--where names a subexpression that f and the claim may read, as a text
writes "where r = Ax - b"; each definition may read those before it.

Examples:
  gradcheck check --spec examples/correct.yaml
  gradcheck check --spec examples/wrong.yaml --name 'wrong-tr-*'
  gradcheck check --f 'tr(A*X)' --wrt X --grad "A'" --var A=n,n --var X=n,n
  gradcheck check --f 'logdet(X)' --wrt X --grad "inv(X)'" --var X=n,n:spd --size n=64
  gradcheck check --f "r'*r" --where 'r=A*x - b' --wrt x --grad "2*A'*r" \
                  --var A=m,n --var x=n --var b=m

Flags:
`
