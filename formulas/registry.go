package formulas

import _ "embed"

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
// claim does not parse and type-check the other sixty. Like Registry,
// every call returns freshly built claims.
func RegistrySelected(selectName func(name string) bool) ([]*Claim, error) {
	return allValid(LoadSpecAt("registry.yaml", registryYAML, LoadOptions{Select: selectName}))
}
