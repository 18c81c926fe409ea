//go:build !amd64 || noasm

package rank1

// Assembly is false: this build has no assembly kernel.
const Assembly = false

// sub and step are subGo and stepGo.
var (
	sub  = subGo
	step = stepGo
)
