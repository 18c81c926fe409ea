//go:build cgo

package worker

import (
	"context"
	"errors"
	"math"
	"os"
	"os/exec"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gradcheck/gradcheck"
	"github.com/gradcheck/gradcheck/formulas"
	"github.com/gradcheck/gradcheck/gpu"
	"github.com/gradcheck/gradcheck/kernels/emu"
)

// The test binary doubles as the worker: started with this variable set,
// it serves the protocol on the emulated GPU instead of running tests.
const helperEnv = "GRADCHECK_WORKER_TEST_HELPER"

func TestMain(m *testing.M) {
	switch os.Getenv(helperEnv) {
	case "serve":
		b := gpu.New(emu.New())
		err := Serve(context.Background(), os.Stdin, os.Stdout, b, 1)
		b.Close()
		if err != nil {
			os.Stderr.WriteString(err.Error() + "\n")
			os.Exit(3)
		}
		os.Exit(0)
	case "nodriver":
		// What gradcheck-cuda does where cuInit fails: gorgonia.org/cu's
		// package init prints the driver's error to stdout and exits.
		os.Stdout.WriteString("Error in initialization, please refer to \"x\" for details on: UnknownErrorCode:34\n")
		os.Stderr.WriteString("libcuda: no device\n")
		os.Exit(1)
	case "silent":
		os.Exit(4)
	case "babble":
		// Not JSON, and no end: the client stops waiting for the rest.
		os.Stdout.WriteString("starting up\n")
		time.Sleep(time.Minute)
		os.Exit(0)
	case "stall":
		// Half a hello, then nothing.
		os.Stdout.WriteString(`{"protocol":`)
		time.Sleep(time.Minute)
		os.Exit(0)
	case "die":
		// Say hello, then die on the first request.
		os.Stdout.WriteString(`{"protocol":1,"backend":"gpu"}` + "\n")
		buf := make([]byte, 1)
		os.Stdin.Read(buf)
		os.Exit(7)
	}
	os.Exit(m.Run())
}

// startWorker starts the test binary as a worker in the given mode.
func startWorker(t *testing.T, mode string) *Client {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), helperEnv+"="+mode)
	cmd.Stderr = os.Stderr
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := Start(ctx, cmd)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// claims returns the registry and the example specs.
func claims(t *testing.T) []*formulas.Claim {
	t.Helper()
	all, err := formulas.Registry()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"../../examples/correct.yaml", "../../examples/wrong.yaml"} {
		more, err := formulas.ReadSpec(name)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, more...)
	}
	return all
}

// TestSpecYAMLRoundTrip checks that every claim survives SpecYAML and
// formulas.LoadSpec.
func TestSpecYAMLRoundTrip(t *testing.T) {
	for _, c := range claims(t) {
		spec, err := SpecYAML(c)
		if err != nil {
			t.Fatal(err)
		}
		back, err := findClaim(string(spec), c.Name, nil)
		if err != nil {
			t.Fatalf("%s: %v\n%s", c.Name, err, spec)
		}
		if back.FText != c.FText || back.RhsText != c.RhsText || back.Kind != c.Kind || back.Wrt != c.Wrt ||
			back.Layout != c.Layout || back.Source != c.Source || !reflect.DeepEqual(back.Vars, c.Vars) ||
			back.String() != c.String() || back.F.String() != c.F.String() || back.Rhs.String() != c.Rhs.String() ||
			(len(c.Sizes) > 0 || len(back.Sizes) > 0) && !reflect.DeepEqual(back.Sizes, c.Sizes) {
			t.Errorf("%s: read back as %+v, want %+v\n%s", c.Name, back, c, spec)
		}
	}
}

// TestWorkerMatchesInProcess runs claims through a worker process on the
// emulated GPU and checks that each result is the one gradcheck.Verify
// gives in this process on the same backend, bit for bit.
func TestWorkerMatchesInProcess(t *testing.T) {
	c := startWorker(t, "serve")
	defer func() {
		if err := c.Close(); err != nil {
			t.Error(err)
		}
	}()
	if c.Hello.Backend != "gpu" || c.Hello.Device != "emulated" {
		t.Errorf("hello %+v", c.Hello)
	}
	local := gpu.New(emu.New())
	defer local.Close()
	s := gradcheck.DefaultSettings()
	s.Sizes, s.Batch, s.Dirs = map[string]int{"n": 5, "m": 4, "k": 3}, 2, 2
	for _, claim := range claims(t) {
		got, err := c.Verify(context.Background(), claim, s)
		if err != nil {
			t.Fatal(err)
		}
		want := gradcheck.Verify(context.Background(), local, claim, s)
		if !sameResult(got, want) {
			t.Errorf("%s: worker result\n %+v\nin process\n %+v", claim.Name, got, want)
		}
	}
}

// TestWorkerSizes checks that the worker verifies a claim whose shapes
// fit only at the sizes of the run (A and X both n×m, at n = m), as
// gradcheck does in its own process: it loaded the claim at the default
// sizes, and refused it.
func TestWorkerSizes(t *testing.T) {
	c := startWorker(t, "serve")
	defer c.Close()
	local := gpu.New(emu.New())
	defer local.Close()
	s := gradcheck.DefaultSettings()
	s.Sizes, s.Batch, s.Dirs = map[string]int{"n": 3, "m": 3}, 2, 2
	for _, spec := range []formulas.Spec{
		{Name: "square", F: "tr(A*X)", Wrt: "X", Grad: "A'"},
		{Name: "square where", F: "tr(P)", Wrt: "X", Grad: "A'", Where: []formulas.Definition{{Name: "P", Text: "A*X"}}},
	} {
		spec.Vars = []formulas.SpecVar{{Name: "A", VarSpec: formulas.VarSpec{Shape: "n,m"}}, {Name: "X", VarSpec: formulas.VarSpec{Shape: "n,m"}}}
		claim, err := formulas.BuildAt(spec, s.Sizes)
		if err != nil {
			t.Fatal(err)
		}
		got, err := c.Verify(context.Background(), claim, s)
		if err != nil {
			t.Errorf("%s: %v", spec.Name, err)
			continue
		}
		if want := gradcheck.Verify(context.Background(), local, claim, s); !sameResult(got, want) || got.Verdict != gradcheck.Pass {
			t.Errorf("%s: worker result\n %+v\nin process\n %+v", spec.Name, got, want)
		}
	}
}

// sameResult compares results, NaN equal to NaN (it zeroes the non-finite
// floats of a and b).
func sameResult(a, b gradcheck.Result) bool {
	na, err := extractNonFinite(&a)
	if err != nil {
		return false
	}
	nb, err := extractNonFinite(&b)
	return err == nil && reflect.DeepEqual(na, nb) && reflect.DeepEqual(a, b)
}

// TestNonFiniteRoundTrip sends results with NaN and infinities through
// JSON.
func TestNonFiniteRoundTrip(t *testing.T) {
	res := gradcheck.Result{Name: "x", MaxRelErr: math.NaN(), Tolerance: math.Inf(1),
		Worst:   gradcheck.Worst{FiniteDiff: math.Inf(-1), Claimed: 2},
		Entries: []gradcheck.Entry{{Claimed: 1}, {Claimed: math.NaN(), FiniteDiff: 3}}}
	sent := res
	sent.Entries = append([]gradcheck.Entry(nil), res.Entries...)
	nf, err := extractNonFinite(&sent)
	if err != nil {
		t.Fatal(err)
	}
	if len(nf) != 4 || sent.MaxRelErr != 0 || sent.Entries[1].Claimed != 0 {
		t.Fatalf("extracted %v, left %+v", nf, sent)
	}
	if err := restoreNonFinite(&sent, nf); err != nil {
		t.Fatal(err)
	}
	if !math.IsNaN(sent.MaxRelErr) || !math.IsInf(sent.Tolerance, 1) || !math.IsInf(sent.Worst.FiniteDiff, -1) ||
		!math.IsNaN(sent.Entries[1].Claimed) || sent.Entries[1].FiniteDiff != 3 {
		t.Errorf("restored %+v", sent)
	}
}

// TestRequestErrors checks that a request that cannot be served gets an
// error response and leaves the worker serving.
func TestRequestErrors(t *testing.T) {
	c := startWorker(t, "serve")
	defer c.Close()
	bad := &formulas.Claim{Name: "bad", FText: "tr(X", Kind: formulas.Grad, RhsText: "X", Wrt: "X",
		Vars: []formulas.Var{{Name: "X", Dims: [2]string{"n", "n"}}}}
	if _, err := c.Verify(context.Background(), bad, gradcheck.DefaultSettings()); err == nil ||
		!strings.Contains(err.Error(), "expected ')'") {
		t.Errorf("bad claim: %v", err)
	}
	good := claims(t)[0]
	s := gradcheck.DefaultSettings()
	s.Sizes, s.Batch = map[string]int{"n": 3}, 1
	if res, err := c.Verify(context.Background(), good, s); err != nil || res.Verdict != gradcheck.Pass {
		t.Errorf("after the bad claim: %+v, %v", res, err)
	}
}

// TestStartFailure starts workers that do not say hello and checks that
// the error quotes what they wrote, with their exit status, in one line,
// rather than a JSON decoding error.
func TestStartFailure(t *testing.T) {
	for _, tc := range []struct {
		mode string
		want []string
	}{
		{"nodriver", []string{"did not start: worker exited: exit status 1; it said: Error in initialization",
			"UnknownErrorCode:34 (CUDA_ERROR_STUB_LIBRARY: the libcuda.so.1 found is the toolkit's stub, not the driver's) | libcuda: no device"}},
		{"silent", []string{"did not start: worker exited: exit status 4"}},
		{"babble", []string{"did not start: invalid character 's'", "it said: starting up"}},
	} {
		cmd := exec.Command(os.Args[0])
		cmd.Env = append(os.Environ(), helperEnv+"="+tc.mode)
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		c, err := Start(ctx, cmd)
		cancel()
		if err == nil {
			c.Close()
			t.Errorf("%s: the worker started", tc.mode)
			continue
		}
		msg := err.Error()
		for _, w := range tc.want {
			if !strings.Contains(msg, w) || strings.Contains(msg, "\n") {
				t.Errorf("%s: error %q, want one line containing %q", tc.mode, msg, w)
			}
		}
	}
	// A worker that stalls past the deadline is reported with it.
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), helperEnv+"=stall")
	// (3 s: time for the test binary to start and write, on a loaded
	// machine.)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if _, err := Start(ctx, cmd); err == nil || !strings.Contains(err.Error(), `context deadline exceeded; it said: {"protocol":`) {
		t.Errorf("stall past the deadline: %v", err)
	}
}

// TestWorkerDeath checks that a worker that dies is reported with its exit
// status, and that the client refuses further requests.
func TestWorkerDeath(t *testing.T) {
	c := startWorker(t, "die")
	claim := claims(t)[0]
	_, err := c.Verify(context.Background(), claim, gradcheck.DefaultSettings())
	if err == nil || !strings.Contains(err.Error(), "exit status 7") {
		t.Errorf("first request to a dying worker: %v", err)
	}
	if _, err2 := c.Verify(context.Background(), claim, gradcheck.DefaultSettings()); err2 == nil {
		t.Error("a request to a dead worker succeeded")
	}
	c.Close()
}

// TestCancel checks that a request whose context ends first kills the
// worker, and that the client refuses further requests.
func TestCancel(t *testing.T) {
	c := startWorker(t, "serve")
	var slow *formulas.Claim
	for _, claim := range claims(t) {
		if strings.Contains(claim.FText, "expm") {
			slow = claim
		}
	}
	s := gradcheck.DefaultSettings()
	s.Sizes = map[string]int{"n": 40}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := c.Verify(ctx, slow, s); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("%s with a 50 ms deadline: %v", slow.Name, err)
	}
	if _, err := c.Verify(context.Background(), claims(t)[0], s); err == nil {
		t.Error("a request to a killed worker succeeded")
	}
	c.Close()
}
