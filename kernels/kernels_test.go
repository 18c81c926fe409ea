package kernels

import (
	"slices"
	"strings"
	"testing"
)

// TestPTXUpToDate fails when a kernel source or the header changed after
// the PTX was generated: run go generate ./kernels (see
// scripts/cuda-headers.sh).
func TestPTXUpToDate(t *testing.T) {
	stale, err := Stale()
	if err != nil {
		t.Fatal(err)
	}
	if len(stale) > 0 {
		t.Errorf("stale PTX: %v; run go generate ./kernels with the environment of scripts/cuda-headers.sh", stale)
	}
}

// TestModules checks that every module defines gc_* kernels, each once.
func TestModules(t *testing.T) {
	mods, err := Modules()
	if err != nil {
		t.Fatal(err)
	}
	var all []string
	for _, m := range mods {
		for _, k := range m.Kernels {
			all = append(all, k.Name)
			if k.Params == 0 {
				t.Errorf("%s: kernel %s without parameters", m.Name, k.Name)
			}
		}
	}
	slices.Sort(all)
	if len(slices.Compact(slices.Clone(all))) != len(all) {
		t.Errorf("a kernel is defined twice: %v", all)
	}
	for _, k := range []string{"gc_gaussian", "gc_gemm", "gc_lu", "gc_dot", "gc_add", "gc_tanh"} {
		if _, ok := slices.BinarySearch(all, k); !ok {
			t.Errorf("no kernel %s in %v", k, all)
		}
	}
}

// TestModuleArch checks that each module's PTX targets the compute
// capability Arch gives its source: the GPU backend loads a module only on
// a GPU at or above it (gpu/cuda), so a module made for a newer GPU than
// Arch says would fail to load there.
func TestModuleArch(t *testing.T) {
	mods, err := Modules()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range mods {
		if want := Arch(strings.TrimSuffix(m.Name, ".ptx") + ".cu"); m.Arch != want {
			t.Errorf("%s targets sm_%d, want sm_%d", m.Name, m.Arch, want)
		}
	}
	if Arch("dmma.cu") < 80 || Arch("lu.cu") != BaseArch {
		t.Errorf("Arch: dmma.cu %d, lu.cu %d", Arch("dmma.cu"), Arch("lu.cu"))
	}
}
