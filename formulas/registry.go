package formulas

import (
	"bytes"
	_ "embed"
	"strings"
)

//go:embed registry.yaml
var registryYAML []byte

// Registry returns the built-in claims, each with a citation of where it is
// published. Every call returns freshly built claims that the caller may
// modify.
func Registry() ([]*Claim, error) {
	return RegistrySelected(nil)
}

// RegistrySelected returns the built-in claims whose names selectName
// chooses, all of them when it is nil, and builds only those: a run of one
// claim neither parses the YAML of the other sixty (decoding the whole
// file took ~4 ms, a sixth of a short run's start) nor type-checks them.
// Like Registry, every call returns freshly built claims.
func RegistrySelected(selectName func(name string) bool) ([]*Claim, error) {
	if selectName == nil {
		return allValid(LoadSpecAt("registry.yaml", registryYAML, LoadOptions{}))
	}
	var claims []*Claim
	for _, e := range registryEntries() {
		if !selectName(e.name) {
			continue
		}
		c, err := allValid(LoadSpecAt("registry.yaml", e.spec, LoadOptions{}))
		if err != nil {
			return nil, err
		}
		claims = append(claims, c...)
	}
	return claims, nil
}

// registryEntry is one formula of the registry, as a spec of its own.
type registryEntry struct {
	name string
	spec []byte
}

// entryPrefix starts the first line of every formula of registry.yaml
// (TestRegistryEntries holds the file to it).
const entryPrefix = "  - name: "

// registryEntries splits registry.yaml into its formulas, each a spec of
// its own: "formulas:", as many empty lines as put the formula on its own
// lines of the file (so that a position in an error is the file's), then
// the formula's lines, up to the next formula's first line.
func registryEntries() []registryEntry {
	lines := bytes.SplitAfter(registryYAML, []byte("\n"))
	var entries []registryEntry
	var cur *registryEntry
	for i, line := range lines {
		if rest, ok := bytes.CutPrefix(line, []byte(entryPrefix)); ok {
			var spec []byte
			spec = append(spec, "formulas:"...)
			spec = append(spec, bytes.Repeat([]byte("\n"), i)...)
			entries = append(entries, registryEntry{name: strings.TrimSpace(string(rest)), spec: spec})
			cur = &entries[len(entries)-1]
		}
		if cur != nil {
			cur.spec = append(cur.spec, line...)
		}
	}
	return entries
}
