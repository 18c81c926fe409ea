// Package worker runs gradcheck's verifications in a separate process, the
// way the GPU backend is used (DESIGN.md, "GPU"): the gradcheck binary never
// links the CUDA driver, whose package exits the process where there is no
// GPU, so it starts a worker (the same command built with the tag cuda) per
// GPU and sends it claims.
//
// The protocol is JSON lines over the worker's stdin and stdout. The worker
// first writes a Hello. Then each Request, one claim as the text of a
// one-formula YAML spec with the settings to verify it with, gets one
// Response with the same ID: the Result, or an error message when the
// request could not be served (a spec that does not load, say). Results
// are those of gradcheck.Verify; floats that JSON cannot hold (NaN, ±Inf)
// travel beside them in NonFinite. The worker exits at the end of its
// input. Logs go to stderr.
package worker
