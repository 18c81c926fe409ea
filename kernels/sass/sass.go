package sass

import (
	"bufio"
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"strings"

	"github.com/gradcheck/gradcheck/kernels"
)

// cubins holds the machine code, <module>.sm_<arch>.cubin.
//
//go:embed *.cubin
var cubins embed.FS

// sources is the manifest: a line "<cubin> <sha256 of the PTX>" per cubin.
//
//go:embed SOURCES
var sources []byte

// Cubin returns the machine code of the PTX module (e.g. "lu.ptx") that a
// GPU of compute capability arch runs: the cubin of the newest
// architecture of the same major version not above arch (a cubin for
// sm_80 runs on sm_86 and sm_89 too, not on sm_90), and false when there
// is none.
func Cubin(module string, arch int) ([]byte, bool) {
	for a := arch; a >= arch/10*10; a-- {
		if data, err := cubins.ReadFile(kernels.CubinName(module, a)); err == nil {
			return data, true
		}
	}
	return nil, false
}

// Names returns the names of the embedded cubins.
func Names() ([]string, error) {
	return fs.Glob(cubins, "*.cubin")
}

// Manifest returns the manifest: for each cubin, the SHA-256 (hex) of the
// PTX it was assembled from.
func Manifest() (map[string]string, error) {
	m := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(sources))
	for line := 1; sc.Scan(); line++ {
		f := strings.Fields(sc.Text())
		if len(f) != 2 {
			return nil, fmt.Errorf("sass: SOURCES:%d: want \"<cubin> <sha256>\", got %q", line, sc.Text())
		}
		m[f[0]] = f[1]
	}
	return m, sc.Err()
}
