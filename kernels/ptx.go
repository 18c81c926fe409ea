package kernels

import (
	"embed"
	"fmt"
	"io/fs"
	"regexp"
	"strconv"
	"strings"
)

//go:generate go run -tags cuda ./internal/ptxgen

// ptx holds the generated PTX, one file per source file.
//
//go:embed *.ptx
var ptx embed.FS

// Module is the PTX of one source file and the kernels it defines.
type Module struct {
	// Name is the PTX file's name, e.g. "lu.ptx".
	Name string
	// PTX is the module's text, for the driver's JIT compiler.
	PTX string
	// Arch is the compute capability (major·10 + minor) the PTX is made
	// for, from its .target line: a GPU below it cannot load the module.
	Arch int
	// Kernels are its entry points.
	Kernels []Kernel
}

// Kernel is an entry point of a module.
type Kernel struct {
	Name string
	// Params is the number of its parameters (8 bytes each).
	Params int
}

// entry matches the declaration of a kernel in PTX with its parameter list.
var entry = regexp.MustCompile(`(?m)^\.visible \.entry ([A-Za-z_$][A-Za-z0-9_$]*)\(([^)]*)\)`)

// target matches the PTX's target architecture, e.g. ".target sm_80".
var target = regexp.MustCompile(`(?m)^\.target sm_([0-9]+)$`)

// sourceHash matches the line of the source hash in generated PTX.
var sourceHash = regexp.MustCompile(`(?m)^// source sha256 ([0-9a-f]{64})$`)

// Modules returns the embedded PTX modules in the order of their names.
func Modules() ([]Module, error) {
	names, err := fs.Glob(ptx, "*.ptx")
	if err != nil {
		return nil, err
	}
	mods := make([]Module, 0, len(names))
	for _, name := range names {
		data, err := ptx.ReadFile(name)
		if err != nil {
			return nil, err
		}
		m := Module{Name: name, PTX: string(data)}
		arch := target.FindStringSubmatch(m.PTX)
		if arch == nil {
			return nil, fmt.Errorf("kernels: %s has no .target line", name)
		}
		m.Arch, _ = strconv.Atoi(arch[1]) // digits, by the expression
		for _, e := range entry.FindAllStringSubmatch(m.PTX, -1) {
			m.Kernels = append(m.Kernels, Kernel{Name: e[1], Params: strings.Count(e[2], ".param")})
		}
		if len(m.Kernels) == 0 {
			return nil, fmt.Errorf("kernels: %s defines no kernel", name)
		}
		mods = append(mods, m)
	}
	return mods, nil
}

// Stale returns the PTX files that were not generated from the current
// sources (and options), or whose source is gone, and the sources without
// PTX: what go generate ./kernels would change.
func Stale() ([]string, error) {
	var stale []string
	sources, err := fs.Glob(Sources, "*.cu")
	if err != nil {
		return nil, err
	}
	for _, src := range sources {
		name := strings.TrimSuffix(src, ".cu") + ".ptx"
		data, err := ptx.ReadFile(name)
		if err != nil {
			stale = append(stale, name+" (missing)")
			continue
		}
		want, err := SourceHash(src)
		if err != nil {
			return nil, err
		}
		if m := sourceHash.FindStringSubmatch(string(data)); m == nil || m[1] != want {
			stale = append(stale, name)
		}
	}
	names, err := fs.Glob(ptx, "*.ptx")
	if err != nil {
		return nil, err
	}
	for _, name := range names {
		if _, err := fs.Stat(Sources, strings.TrimSuffix(name, ".ptx")+".cu"); err != nil {
			stale = append(stale, name+" (no source)")
		}
	}
	return stale, nil
}
