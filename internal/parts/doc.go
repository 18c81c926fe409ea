// Package parts runs a loop over [0, n) as consecutive parts side by side:
// the CPU backend's split of a batch over its workers and the verifier's
// split of an instance's comparisons over the cores share it. The caller
// runs the first part and a crew of long-lived workers, one per further
// core, the others; between parts a worker spins for a moment before it
// sleeps, since waking it takes as long as a batched operation on small
// matrices.
package parts
