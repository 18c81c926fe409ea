// Package parts runs a loop over [0, n) as consecutive parts side by side,
// one goroutine per part: the CPU backend's split of a batch over its
// workers and the verifier's split of an instance's comparisons over the
// cores share it.
package parts
