package main

import (
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
// reported on stderr and the command runs unprofiled.
func startProfile(path string, stderr io.Writer) (stop func()) {
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
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
