package kernels

import (
	"slices"
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
