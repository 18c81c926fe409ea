// Package bench measures how fast gradcheck verifies claims.
//
// Run is the engine of `gradcheck bench`: it verifies chosen claims at
// chosen sizes on any backends and reports, per claim, size and backend,
// the time per verified instance, the function evaluations per second, the
// flops of the evaluation (counted by wrapping the backend in a Counter,
// with the model of Cost) and their rate against the peak that Peak
// measures on the spot, the peak memory, and the exponent p of the fitted
// growth n^p of the time per instance beside that of its flops.
// RunBackends measures on "cpu" and "gpu" in turn, the GPU in this process
// or in the GPU worker's bench command (OnWorker, WorkerArgs), and
// WriteReport writes the report as text or JSON.
//
// The package's Go benchmarks (go test -bench . ./bench/) time every
// batched operation and whole verifications; peers.sh compares gradcheck
// with PyTorch's torch.autograd.gradcheck. README.md holds the measurements.
package bench
