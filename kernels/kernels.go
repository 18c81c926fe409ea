// Package kernels holds the CUDA kernels of gradcheck's GPU backend: their
// CUDA C sources (*.cu, with the shared header gradcheck.cuh) and the PTX
// that NVRTC made of them (*.ptx, generated for compute_75 with
// --fmad=false, committed, and embedded here for the CUDA device of package
// gpu). Package kernels/emu compiles the same sources as host C++, so that
// the kernels run and are tested on machines without a GPU.
//
// Every kernel is extern "C", named gc_*, and takes pointers and 8-byte
// scalars only. The kernels reproduce the CPU backend's arithmetic operation
// by operation: they sum in the CPU backend's order, factorize as gonum's
// Dgetf2 does, and evaluate Exp, Log, Tanh, Pow, Sin and Cos by
// transcriptions of Go's package math (the activations of activations.cu by
// transcriptions of package cpu), never by CUDA's own functions; with --fmad=false no product
// and sum are fused unless written as fma. The emulation and the GPU
// therefore compute the same bits, and both the CPU backend's, except for
// inverses and solves (see package gpu).
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
