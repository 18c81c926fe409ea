package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/gradcheck/gradcheck/cpu"
	"github.com/gradcheck/gradcheck/gpu/worker"
	gcrun "github.com/gradcheck/gradcheck/run"
)

// fakeWorker is `gradcheck-cuda worker [--device N]` on a machine with
// GRADCHECK_TEST_WORKER GPUs, verifying on the CPU backend. It appends
// "device N" to the file GRADCHECK_TEST_WORKER_LOG when it starts and
// "device N served K" when its input ends after K requests; the device
// GRADCHECK_TEST_WORKER_FAIL does not start, as a GPU without memory left
// would not. It returns the exit code.
func fakeWorker(args []string) int {
	device := 0
	if len(args) == 2 && args[0] == "--device" {
		device, _ = strconv.Atoi(args[1])
	}
	logf := func(format string, args ...any) {
		if f, err := os.OpenFile(os.Getenv("GRADCHECK_TEST_WORKER_LOG"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644); err == nil {
			fmt.Fprintf(f, format+"\n", args...)
			f.Close()
		}
	}
	logf("device %d", device)
	if strconv.Itoa(device) == os.Getenv("GRADCHECK_TEST_WORKER_FAIL") {
		fmt.Fprintf(os.Stderr, "cuda: device %d: out of memory\n", device)
		return 3
	}
	devices, _ := strconv.Atoi(os.Getenv("GRADCHECK_TEST_WORKER"))
	in := &lineCounter{r: os.Stdin}
	if err := worker.Serve(context.Background(), in, os.Stdout, cpu.New(), devices); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 3
	}
	logf("device %d served %d", device, in.lines)
	return 0
}

// lineCounter counts the lines read through it: the worker's requests.
type lineCounter struct {
	r     io.Reader
	lines int
}

func (c *lineCounter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.lines += bytes.Count(p[:n], []byte("\n"))
	return n, err
}

// TestGPUWorkerPool checks that --backend gpu starts one worker per GPU
// that the first worker counts, leaves out (in one line) a GPU whose worker
// does not start, spreads the claims over the others, and reports exactly
// what one process verifying them in order reports.
func TestGPUWorkerPool(t *testing.T) {
	log := filepath.Join(t.TempDir(), "workers.log")
	t.Setenv("GRADCHECK_WORKER", os.Args[0])
	t.Setenv("GRADCHECK_TEST_WORKER", "4")
	t.Setenv("GRADCHECK_TEST_WORKER_LOG", log)
	t.Setenv("GRADCHECK_TEST_WORKER_FAIL", "2")
	args := []string{"run", "tr-ax", "tr-x", "tr-axb", "det", "kron-trace", "logdet-spd", "--format", "json", "--progress", "never"}

	code, out, errOut := call(t, append(args, "--backend", "gpu")...)
	var pooled gcrun.Report
	if err := json.Unmarshal([]byte(out), &pooled); err != nil || code != exitOK {
		t.Fatalf("exit %d, %v; stderr %q", code, err, errOut)
	}
	if lines := strings.Split(strings.TrimSpace(errOut), "\n"); len(lines) != 2 ||
		!strings.Contains(lines[0], "GPU 2 left out") || !strings.Contains(lines[0], "out of memory") {
		t.Errorf("stderr %q, want one line leaving GPU 2 out, then the summary", errOut)
	}
	data, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	var started []string
	busy, served := 0, 0
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var d, k int
		if n, _ := fmt.Sscanf(line, "device %d served %d", &d, &k); n == 2 {
			served += k
			if k > 0 {
				busy++
			}
			continue
		}
		started = append(started, line)
	}
	slices.Sort(started)
	if want := []string{"device 0", "device 1", "device 2", "device 3"}; !slices.Equal(started, want) {
		t.Errorf("workers started: %q, want %q", started, want)
	}
	if served != 6 || busy < 2 {
		t.Errorf("%d requests served by %d workers, want 6 spread over more than one:\n%s", served, busy, data)
	}

	code, out, errOut = call(t, append(args, "--backend", "cpu")...)
	var local gcrun.Report
	if err := json.Unmarshal([]byte(out), &local); err != nil || code != exitOK {
		t.Fatalf("cpu: exit %d, %v; stderr %q", code, err, errOut)
	}
	if pooled.Backend != "gpu" || !reflect.DeepEqual(pooled.Results, local.Results) {
		t.Errorf("the pool (%s) reports\n%+v\nthe CPU in one process\n%+v", pooled.Backend, pooled.Results, local.Results)
	}
}
