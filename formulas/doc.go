// Package formulas is gradcheck's expression language and its claims: the
// lexer and parser (Parse), the AST and its printer, shape inference
// (Infer), the claim type with its YAML spec loader (LoadSpec, Build), and
// the built-in registry (Registry), each entry with its citation.
//
// The built-in functions are described once, in the table of funcs.go
// (Funcs, Lookup): name, number of arguments, shape rule, whether the
// function has a kink, aliases and help text. The parser, shape inference,
// error suggestions and the command line's help all read it; the evaluator
// of package gradcheck keeps the matching table of values and magnitudes.
package formulas
