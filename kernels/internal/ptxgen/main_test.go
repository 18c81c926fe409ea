//go:build cuda

package main

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"testing"

	"github.com/gradcheck/gradcheck/kernels"
)

// TestPTXIsNVRTCOutput compiles every kernel source with NVRTC (which needs
// no GPU) and checks that the committed PTX is exactly the result.
func TestPTXIsNVRTCOutput(t *testing.T) {
	files, err := fs.Glob(kernels.Sources, "*.cu")
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range files {
		got, err := Generate(file)
		if err != nil {
			t.Fatal(err)
		}
		name := "../../" + strings.TrimSuffix(file, ".cu") + ".ptx"
		want, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from what NVRTC makes of %s: run go generate ./kernels", name, file)
		}
	}
}

// TestPTXAssembles assembles every committed module for the oldest
// architecture it is made for (sm_75, the compute_75 baseline, or sm_80 for
// the tensor-core products) and the newest of interest (sm_90, the H100 and
// H200), as the driver's JIT compiler will, and logs register use and
// spills.
func TestPTXAssembles(t *testing.T) {
	mods, err := kernels.Modules()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range mods {
		for _, arch := range []string{fmt.Sprintf("sm_%d", m.Arch), "sm_90"} {
			_, info, err := Assemble([]byte(m.PTX), arch)
			if err != nil {
				t.Errorf("%s: %v", m.Name, err)
				continue
			}
			if testing.Verbose() {
				t.Logf("%s %s:\n%s", m.Name, arch, info)
			}
		}
	}
}

// TestCubinsArePTXAS checks that the committed machine code in
// kernels/sass is what the PTX assembler makes of the committed PTX.
func TestCubinsArePTXAS(t *testing.T) {
	mods, err := kernels.Modules()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range mods {
		cubins, err := Cubins(m.Name, []byte(m.PTX))
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cubins {
			want, err := os.ReadFile("../../sass/" + c.Name)
			if err != nil || !bytes.Equal(c.Code, want) {
				t.Errorf("kernels/sass/%s differs from what the assembler makes of %s (%v): run go generate ./kernels", c.Name, m.Name, err)
			}
		}
	}
}
