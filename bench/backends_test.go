package bench

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/gradcheck/gradcheck"
	"github.com/gradcheck/gradcheck/backend"
	"github.com/gradcheck/gradcheck/cpu"
	"github.com/gradcheck/gradcheck/formulas"
)

// TestRunBackends checks that RunBackends measures each named backend in
// order, in process when it can open the GPU, and that a GPU it cannot
// reach is a BackendError after the measurements made so far.
func TestRunBackends(t *testing.T) {
	s := gradcheck.DefaultSettings()
	s.Batch = 2
	cfg := Config{Claims: claims(t, "det"), Sizes: []int{8}, Settings: s}
	// The CPU backend stands in for an in-process GPU; its results carry
	// its own name.
	opened := 0
	inProcess := GPU{Open: func() (backend.Backend, error) { opened++; return cpu.New(), nil }}
	rep, err := RunBackends(context.Background(), []string{"cpu", "cpu", "gpu"}, cfg, inProcess)
	if err != nil || len(rep.Results) != 2 || opened != 1 {
		t.Fatalf("cpu,cpu,gpu: %d results, GPU opened %d times, %v; want 2, 1, nil", len(rep.Results), opened, err)
	}

	noGPU := errors.New("no GPU here")
	var unavailable *BackendError
	for _, gpu := range []GPU{
		{Open: func() (backend.Backend, error) { return nil, noGPU }},
		{FindWorker: func() (string, error) { return "", noGPU }},
	} {
		rep, err = RunBackends(context.Background(), []string{"cpu", "gpu"}, cfg, gpu)
		if !errors.As(err, &unavailable) || !errors.Is(err, noGPU) || err.Error() != "gpu backend: no GPU here" {
			t.Errorf("unreachable GPU: %v, want a BackendError", err)
		}
		if len(rep.Results) != 1 || rep.Results[0].Backend != "cpu" {
			t.Errorf("unreachable GPU: results %+v, want the CPU's", rep.Results)
		}
	}
}

// TestWorkerArgs checks the command line that asks the worker for the
// measurement of a Config, names quoted as patterns.
func TestWorkerArgs(t *testing.T) {
	s := gradcheck.DefaultSettings()
	s.Batch, s.Dirs, s.Mode, s.Seed, s.MemBytes = 4, 2, gradcheck.Entrywise, 7, 1<<20
	c := *claims(t, "det")[0] // a copy: the registry's claims are shared
	c.Name = "det*"
	cfg := Config{Claims: []*formulas.Claim{&c}, Sizes: []int{8, 16}, Settings: s, Runs: 3, Peak: &PeakConfig{}}
	want := []string{"bench", `det\*`, "--backend", "gpu", "--sizes", "8,16", "--runs", "3", "--batch", "4", "--dirs", "2",
		"--mode", "entrywise", "--seed", "7", "--mem", "1048576", "--format", "json", "--peak"}
	if got := WorkerArgs(cfg); !slices.Equal(got, want) {
		t.Errorf("WorkerArgs = %q\nwant %q", got, want)
	}
}
