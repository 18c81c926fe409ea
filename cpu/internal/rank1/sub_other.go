//go:build !amd64 || noasm

package rank1

// Assembly is false: this build has no assembly kernel.
const Assembly = false

// sub is subGo.
var sub = subGo
