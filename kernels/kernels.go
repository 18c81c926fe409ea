package kernels

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
)

// Sources holds the CUDA C sources: the *.cu files and the header
// gradcheck.cuh they include.
//
//go:embed *.cu *.cuh
var Sources embed.FS

// CompileOptions are the NVRTC options the PTX is made with: code for
// compute capability 7.5, which the driver compiles for any newer GPU, and
// no contraction of products and sums into fused multiply-adds.
var CompileOptions = []string{"--gpu-architecture=compute_75", "--fmad=false", "--std=c++17"}

// Header is the file every kernel source includes.
const Header = "gradcheck.cuh"

// SourceHash returns the SHA-256, in hex, of what the PTX of the kernel
// source file (e.g. "lu.cu") is made from: the compile options, the header
// and the source. The generated PTX records it, so that a test can tell
// stale PTX without NVRTC.
func SourceHash(file string) (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "%q\n", CompileOptions)
	for _, name := range []string{Header, file} {
		data, err := Sources.ReadFile(name)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s %d\n", name, len(data))
		h.Write(data)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
