// Package backendtest is the conformance suite of package backend: Run
// checks that a backend.Backend does what the interface's documentation
// says, operation by operation, against references computed here on the
// host (the definitions, naive loops, and gonum's independent
// factorizations for the determinants), with tolerances derived from
// rounding-error bounds. Every backend runs it in its tests: the CPU
// backend, the GPU backend on the kernel emulation, and on a GPU in a
// build with the tag cuda.
//
// The helpers the suite uses (Host, RandHost, WellCond, Upload, Download,
// Scalars) serve backends' own tests too.
package backendtest
