//go:build !amd64 || noasm

package rank1

// Assembly is false: this build has no assembly kernel.
const Assembly = false

// sub, sub2 and step are subGo, sub2Go and stepGo.
var (
	sub  = subGo
	sub2 = sub2Go
	step = stepGo
)
