package sass

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"testing"

	"github.com/gradcheck/gradcheck/kernels"
)

// TestCubinsMatchPTX checks, without the assembler, that there is a cubin
// for every module and every architecture of kernels.SASSArchs that can
// run it, made from the PTX committed now (the manifest's hash), and no
// other: a kernel changed without go generate ./kernels fails here.
// (kernels/internal/ptxgen's tests check that each is what the assembler
// makes of its PTX.)
func TestCubinsMatchPTX(t *testing.T) {
	mods, err := kernels.Modules()
	if err != nil {
		t.Fatal(err)
	}
	manifest, err := Manifest()
	if err != nil {
		t.Fatal(err)
	}
	names, err := Names()
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, m := range mods {
		sum := sha256.Sum256([]byte(m.PTX))
		for _, arch := range kernels.SASSArchs {
			if arch < m.Arch {
				continue
			}
			name := kernels.CubinName(m.Name, arch)
			want = append(want, name)
			if got := manifest[name]; got != hex.EncodeToString(sum[:]) {
				t.Errorf("%s was made from PTX of sha256 %q, %s is %x now: run go generate ./kernels", name, got, m.Name, sum)
			}
			code, ok := Cubin(m.Name, arch)
			if !ok || !bytes.HasPrefix(code, []byte("\x7fELF")) {
				t.Errorf("%s: no machine code (%d bytes)", name, len(code))
			}
		}
	}
	slices.Sort(want)
	if !slices.Equal(names, want) {
		t.Errorf("cubins %v, want %v", names, want)
	}
	if len(manifest) != len(want) {
		t.Errorf("the manifest lists %d cubins, want %d", len(manifest), len(want))
	}
}

// TestCubinChoice checks which cubin a GPU of each compute capability gets:
// that of the newest architecture of its major version not above its own.
func TestCubinChoice(t *testing.T) {
	for _, c := range []struct {
		module string
		arch   int
		want   string // "" for none
	}{
		{"lu.ptx", 90, "lu.sm_90.cubin"},
		{"lu.ptx", 80, "lu.sm_80.cubin"},
		{"lu.ptx", 86, "lu.sm_80.cubin"},
		{"dmma.ptx", 89, "dmma.sm_80.cubin"},
		{"lu.ptx", 75, ""},
		{"lu.ptx", 100, ""},
		{"lu.ptx", 120, ""},
		{"nonesuch.ptx", 90, ""},
	} {
		got, ok := Cubin(c.module, c.arch)
		var want []byte
		if c.want != "" {
			var err error
			if want, err = cubins.ReadFile(c.want); err != nil {
				t.Fatal(err)
			}
		}
		if ok != (c.want != "") || !bytes.Equal(got, want) {
			t.Errorf("Cubin(%s, %d): %d bytes (%v), want %s", c.module, c.arch, len(got), ok, c.want)
		}
	}
}
