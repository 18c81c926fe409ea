// Package selftest measures how well gradcheck judges: it generates random
// well-typed functions over the whole expression language with inputs in
// each function's domain, derives their true differential and gradient
// symbolically (formulas.Derive), and mutates those into the wrong claims
// people write (a transposed factor, a swapped product, a dropped term, a
// flipped sign, a scaled result, a subterm replaced by its transpose, a
// symmetrized result). It runs the true claims and the mutants through the
// verifier (gradcheck.Verify), along random directions or, with
// Options.Mode, entry by entry, and counts false alarms and missed mutants;
// a mutant that equals the truth on random inputs, compared directly by
// evaluation, is equivalent and not counted. WriteText and WriteJSON
// write the Report; Resolving runs the claims on an engine that takes
// resolved claims, such as the GPU worker.
package selftest
