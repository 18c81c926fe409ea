// Command gradcheck verifies matrix-calculus claims (gradients,
// differentials, Jacobians, Hessians and identities) against finite
// differences on batches of random matrices.
//
// Usage:
//
//	gradcheck list                     the built-in registry of claims
//	gradcheck run [NAME|GLOB ...]      verify registry claims (default: all)
//	gradcheck check --spec FILE        verify the claims of a YAML spec file
//	gradcheck check --f EXPR --wrt V --grad EXPR --var X=n,n ...
//	                                   verify one claim given inline
//	gradcheck merge REPORT.json ...    combine the reports of the shards
//	                                   of one run (--shard I/N)
//	gradcheck bench [NAME|GLOB ...]    measure verification speed against
//	                                   the machine's peak
//	gradcheck derive --f EXPR --wrt V --var X=n,n ... [--grad | --hess]
//	                                   the differential (gradient, second
//	                                   derivative) of f, in the claim language
//	gradcheck selftest --claims N      random true claims and their mutants
//	                                   through the verifier: false-alarm and
//	                                   miss rates
//
// Exit codes:
//
//	0  every claim passed
//	1  at least one claim failed, was inconclusive or could not be evaluated,
//	   or a claim of a spec file is invalid (an error result; the others run)
//	2  the invocation was wrong (bad flag or value, unknown command, parse or
//	   shape error in an inline claim, unreadable or malformed YAML); nothing
//	   ran
//	3  gradcheck itself failed (an internal error, or a GPU worker died
//	   mid-run), found no GPU for --backend gpu, could not write the results or the report, or a claim
//	   needs more memory for one instance than --mem or the machine allows
//	130  interrupted (Ctrl-C, SIGTERM, or SIGHUP unless ignored); the report
//	   of what finished is written, marked incomplete
//
// A closed stdout ends gradcheck by SIGPIPE, unless --out FILE is given:
// then the run goes on and FILE is written whole.
//
// Run 'gradcheck COMMAND --help' for the flags of a command.
package main
