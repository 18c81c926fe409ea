package formulas

import _ "embed"

//go:embed registry.yaml
var registryYAML []byte

// Registry returns the built-in claims, each with a citation of where it is
// published. Every call returns freshly built claims that the caller may
// modify.
func Registry() ([]*Claim, error) {
	return LoadSpec("registry.yaml", registryYAML)
}
