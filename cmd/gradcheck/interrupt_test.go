package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/gradcheck/gradcheck"
	"github.com/gradcheck/gradcheck/formulas"
	"github.com/gradcheck/gradcheck/progress"
	gcrun "github.com/gradcheck/gradcheck/run"
)

// TestMain lets the test binary stand in for gradcheck: with
// GRADCHECK_TEST_MAIN=1 it runs main with its arguments; with
// GRADCHECK_TEST_WORKER set, `worker [--device N]` serves the worker
// protocol on the CPU backend, as gradcheck-cuda does on a GPU (see
// fakeWorker).
func TestMain(m *testing.M) {
	if os.Getenv("GRADCHECK_TEST_MAIN") == "1" {
		main()
		return
	}
	if os.Getenv("GRADCHECK_TEST_WORKER") != "" && len(os.Args) > 1 && os.Args[1] == "worker" {
		os.Exit(fakeWorker(os.Args[2:]))
	}
	os.Exit(m.Run())
}

// TestInterruptWritesIncompleteReport cancels a run while its third claim
// is verified by a verifier that ignores the cancellation, as one long
// chunk of a large claim does: the run must still stop at once, write the
// report of the two claims that finished, marked incomplete, and exit 130.
func TestInterruptWritesIncompleteReport(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var calls atomic.Int32
	hookVerify(t, func(ctx context.Context, rc *formulas.Resolved, s gradcheck.Settings) gradcheck.Result {
		if calls.Add(1) == 3 {
			cancel()
			<-release // busy with a chunk; never looks at ctx
		}
		return cpuVerify(ctx, rc, s)
	})
	for _, format := range []string{"json", "junit", "text"} {
		t.Run(format, func(t *testing.T) {
			calls.Store(0)
			ctx, cancel = context.WithCancel(context.Background())
			file := filepath.Join(t.TempDir(), "report")
			var out, errOut bytes.Buffer
			start := time.Now()
			code := runContext(ctx, []string{"run", "tr-ax", "tr-x", "det", "kron-trace", "--format", format, "--out", file}, &out, &errOut)
			if d := time.Since(start); d > time.Second {
				t.Errorf("the interrupted run took %v", d)
			}
			if code != exitInterrupted {
				t.Errorf("exit %d, want 130; stderr %q", code, errOut.String())
			}
			if !strings.Contains(errOut.String(), "interrupted: 2 of 4 claims finished; the report is incomplete") {
				t.Errorf("stderr %q", errOut.String())
			}
			if !strings.Contains(out.String(), "2 passed, 0 failed, 0 inconclusive, 0 errors in ") ||
				!strings.Contains(out.String(), "(incomplete: interrupted, 2 not run)") {
				t.Errorf("stdout %q", out.String())
			}
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			switch format {
			case "json":
				rep, err := gcrun.ReadReport(file, data)
				if err != nil {
					t.Fatal(err)
				}
				if !rep.Incomplete || len(rep.Results) != 2 || rep.Summary.Pass != 2 || len(rep.Claims) != 4 {
					t.Errorf("incomplete %v, %d results, summary %+v, %d claims", rep.Incomplete, len(rep.Results), rep.Summary, len(rep.Claims))
				}
			case "junit":
				cases := checkJUnit(t, data)
				if len(cases) != 4 || !bytes.Contains(data, []byte(`skipped="2"`)) || !bytes.Contains(data, []byte(`<skipped message="not run: the run was interrupted">`)) {
					t.Errorf("JUnit of an interrupted run:\n%s", data)
				}
			case "text":
				if !bytes.Contains(data, []byte("(incomplete: interrupted, 2 not run)")) {
					t.Errorf("text report:\n%s", data)
				}
			}
		})
	}
}

// TestSignal interrupts the gradcheck binary (this test binary, see
// TestMain) during a long run with each signal that ends a session: SIGINT
// (Ctrl-C), SIGTERM (a cancelled pod or job) and SIGHUP (a closed terminal
// or ssh session, which ended gradcheck with 129 and no report). Each must
// make it exit 130 within a second and leave the incomplete report. Under
// nohup (SIGHUP ignored at start) SIGHUP must stay ignored: the run goes on
// until SIGINT.
func TestSignal(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no SIGINT on Windows")
	}
	for _, tt := range []struct {
		name string
		// ignoreHUP starts gradcheck with SIGHUP ignored, as nohup does.
		ignoreHUP bool
		// ignored is sent first and must not stop the run.
		ignored []syscall.Signal
		sig     syscall.Signal
	}{
		{name: "SIGINT", sig: syscall.SIGINT},
		{name: "SIGTERM", sig: syscall.SIGTERM},
		{name: "SIGHUP", sig: syscall.SIGHUP},
		{name: "nohup", ignoreHUP: true, ignored: []syscall.Signal{syscall.SIGHUP}, sig: syscall.SIGINT},
	} {
		t.Run(tt.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "report.json")
			args := []string{"run", "--batch", "5000", "--backend", "cpu", "--out", file}
			cmd := exec.Command(os.Args[0], args...)
			if tt.ignoreHUP {
				cmd = exec.Command("/bin/sh", append([]string{"-c", `trap "" HUP; exec "$0" "$@"`, os.Args[0]}, args...)...)
			}
			cmd.Env = append(os.Environ(), "GRADCHECK_TEST_MAIN=1")
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer cmd.Process.Kill()
			// The table's header shows that the run has begun, and with it
			// the handling of interrupts.
			lines := bufio.NewScanner(stdout)
			if !lines.Scan() || !strings.HasPrefix(lines.Text(), "NAME") {
				t.Fatalf("first line %q, stderr %q", lines.Text(), stderr.String())
			}
			go func() {
				for lines.Scan() {
				}
			}()
			exited := make(chan error, 1)
			time.Sleep(200 * time.Millisecond)
			for _, sig := range tt.ignored {
				if err := cmd.Process.Signal(sig); err != nil {
					t.Fatal(err)
				}
			}
			if len(tt.ignored) > 0 {
				go func() { exited <- cmd.Wait() }()
				select {
				case err := <-exited:
					t.Fatalf("%v stopped the run: %v; stderr %q", tt.ignored, err, stderr.String())
				case <-time.After(500 * time.Millisecond):
				}
			}
			start := time.Now()
			if err := cmd.Process.Signal(tt.sig); err != nil {
				t.Fatal(err)
			}
			if len(tt.ignored) == 0 {
				err = cmd.Wait()
			} else {
				err = <-exited
			}
			if d := time.Since(start); d > time.Second {
				t.Errorf("gradcheck took %v to stop", d)
			}
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != exitInterrupted {
				t.Fatalf("wait: %v, want exit status 130; stderr %q", err, stderr.String())
			}
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			rep, err := gcrun.ReadReport(file, data)
			if err != nil {
				t.Fatal(err)
			}
			if !rep.Incomplete || len(rep.Results) >= len(rep.Claims) {
				t.Errorf("report: incomplete %v, %d results of %d claims", rep.Incomplete, len(rep.Results), len(rep.Claims))
			}
			if !strings.Contains(stderr.String(), "the report is incomplete") {
				t.Errorf("stderr %q", stderr.String())
			}
		})
	}
}

// TestProgress checks that --progress always writes plain lines to stderr
// where it is not a terminal (a file, a CI log: no carriage-return frames,
// issue 11) with the count of claims, and that never and auto (stderr is
// not a terminal) write none.
func TestProgress(t *testing.T) {
	defer func(o progress.Options) { progressOptions = o }(progressOptions)
	progressOptions.Delay, progressOptions.PlainInterval = 0, progressOptions.Refresh
	var slow atomic.Bool
	hookVerify(t, func(ctx context.Context, rc *formulas.Resolved, s gradcheck.Settings) gradcheck.Result {
		if slow.Load() {
			time.Sleep(2 * progressOptions.Refresh) // long enough for the bar to be drawn
		}
		return cpuVerify(ctx, rc, s)
	})
	args := []string{"run", "tr-ax", "tr-x", "--backend", "cpu"}
	slow.Store(true)
	code, out, errOut := call(t, append(args, "--progress", "always")...)
	slow.Store(false)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	wantAll(t, "--progress always: stderr", errOut, "gradcheck: verifying: 0 of 2 claims in 0s\n", "gradcheck: verifying: 1 of 2 claims in ")
	if strings.Contains(errOut, "\r") {
		t.Errorf("--progress always off a terminal writes carriage returns: %q", errOut)
	}
	if strings.Contains(out, "verifying") {
		t.Errorf("the bar is on stdout")
	}
	// The table's rows are written whole, each on its line.
	if !strings.Contains(out, "\ntr-ax ") || !strings.Contains(out, "\ntr-x ") {
		t.Errorf("stdout %q", out)
	}
	for _, mode := range []string{"never", "auto"} {
		code, _, errOut := call(t, append(args, "--progress", mode)...)
		if code != exitOK || errOut != "" {
			t.Errorf("--progress %s: exit %d, stderr %q", mode, code, errOut)
		}
	}
}

// TestProgressHelp checks that the help of --progress says when the plain
// lines of --progress always come, as progressOptions has them: the first
// after a second (Delay), then every 5 seconds (PlainInterval). It said
// "every 5s" alone.
func TestProgressHelp(t *testing.T) {
	want := fmt.Sprintf("a plain line after %v, then every %v", progressOptions.Delay, progressOptions.PlainInterval)
	for _, cmd := range []string{"run", "check"} {
		code, out, _ := call(t, cmd, "--help")
		if code != exitOK || !strings.Contains(out, want) {
			t.Errorf("%s --help: exit %d; --progress does not say %q:\n%s", cmd, code, want, out)
		}
	}
}
