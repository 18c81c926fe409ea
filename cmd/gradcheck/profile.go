package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
)

// profileEnv names the environment variable that makes any gradcheck
// command write a CPU profile of the whole process (start-up, report and
// all) to the file it names, for `go tool pprof`.
const profileEnv = "GRADCHECK_CPUPROFILE"

// startProfile starts a CPU profile into the file path when path is set,
// and returns the function that stops it. A profile that cannot start is
// reported on stderr and the command runs unprofiled. It overwrites only a
// file that is empty or a profile already (gzip data): the variable named
// a spec file or a shard report, which were truncated before they were
// read (found by the robustness helper).
func startProfile(path string, stderr io.Writer) (stop func()) {
	if path == "" {
		return func() {}
	}
	err := notProfile(path)
	var f *os.File
	if err == nil {
		f, err = os.Create(path)
	}
	if err == nil {
		if err = pprof.StartCPUProfile(f); err != nil {
			f.Close()
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "gradcheck: %s: %v; running without a profile\n", profileEnv, err)
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			fmt.Fprintf(stderr, "gradcheck: %s: %v\n", profileEnv, err)
		}
	}
}

// notProfile returns an error where path holds something other than a
// profile: a file that is not empty and does not start as gzip data does.
func notProfile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return nil // nothing there yet, or Create says why
	}
	defer f.Close()
	head := make([]byte, 2)
	n, _ := io.ReadFull(f, head)
	if n == 0 || bytes.Equal(head, []byte{0x1f, 0x8b}) {
		return nil
	}
	return fmt.Errorf("%s is not a profile (not gzip data), so it is left as it is", path)
}
