// Package formulas is gradcheck's claim language: the lexer, parser and
// AST of the MATLAB-like expression language (DESIGN.md, "The expression
// language"), shape inference, the printer, the Claim type, the YAML spec
// loader, and the built-in registry of claims, each with its source.
//
// A claim travels as data: Parse turns text into an Expr, Build (or
// LoadSpec for a YAML file, Registry for the built-in claims) makes a
// Claim of a function f, a variable, the claimed derivative or identity,
// and the variables' declarations. Claim.Resolve gives its size symbols
// their values and shape-checks it there, once, before anything is
// evaluated; the verifier (package gradcheck) runs the Resolved claim.
//
// Errors name the position or the shapes at fault, as in
// "1:9: expected ')'" or "A*x: cannot multiply 3×4 by 3×1".
//
// The built-in functions are described once, in the table of funcs.go
// (Funcs, Lookup): name, number of arguments, shape rule, whether the
// function has a kink, aliases and help text. The parser, shape inference,
// error suggestions and the command line's help all read it; the evaluator
// of package gradcheck keeps the matching table of values and magnitudes.
package formulas
