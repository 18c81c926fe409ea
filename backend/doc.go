// Package backend defines the fixed set of batched operations that every
// gradcheck backend (cpu/, gpu/) implements. The verifier, the samplers and
// the expression evaluator are written once against this interface.
//
// # Batches and broadcasting
//
// An evaluation works on N logical elements at once (for example instances ×
// directions × finite-difference steps). A Tensor stores Count matrices of
// one shape, Count dividing N: stored matrix j stands for the logical
// elements [j·N/Count, (j+1)·N/Count). A variable drawn once per instance is
// therefore shared by all of its directions and steps without being copied,
// and a constant has Count 1.
//
// Binary operations take operands whose counts divide one another; the result
// has the larger count, and result matrix j reads matrix j/(Count/Count_a) of
// operand a. Operations never modify their operands.
//
// Matrices are stored row-major. A scalar is a 1×1 matrix; a vector is a
// column (n×1).
package backend
