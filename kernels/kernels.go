// Package kernels holds the CUDA kernels of gradcheck's GPU backend: their
// CUDA C sources (*.cu, with the shared header gradcheck.cuh) and the PTX
// that NVRTC made of them (*.ptx, generated for compute_75 with the options
// of CompileOptions, committed, and embedded here for the CUDA device of
// package gpu). Package kernels/emu compiles the same sources as host C++,
// so that the kernels run and are tested on machines without a GPU.
//
// Every kernel is extern "C", named gc_*, and takes pointers and 8-byte
// scalars only. The kernels follow the CPU backend's arithmetic: they
// factorize as gonum's Dgetf2 does, and evaluate Exp, Log, Tanh and Pow by
// transcriptions of Go's package math, never by CUDA's own functions. The
// random-number kernels are built with --fmad=false and draw bit for bit
// what package philox draws, so that both backends verify the same inputs.
// The others may fuse a product and a sum on the GPU, and the reductions sum
// in a tree; their results differ from the CPU backend's by rounding, which
// package gpu's tests bound. The emulation never fuses (emu.cc), so under it
// only the reductions' order and the exceptions of package gpu differ.
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

// exactFiles are the sources whose PTX is made with --fmad=false: the
// random-number kernels, whose draws must be bit-identical to package
// philox's on the CPU, so that both backends verify the same inputs. Every
// other kernel may contract a product and a sum into one fused
// multiply-add (--fmad=true, NVRTC's default), which is faster and as
// accurate; their results then differ from the CPU backend's by rounding.
var exactFiles = map[string]bool{"random.cu": true}

// CompileOptions returns the NVRTC options the PTX of the kernel source
// file (e.g. "lu.cu") is made with: code for compute capability 7.5, which
// the driver compiles for any newer GPU, and contraction into fused
// multiply-adds except in the random-number kernels.
func CompileOptions(file string) []string {
	fmad := "--fmad=true"
	if exactFiles[file] {
		fmad = "--fmad=false"
	}
	return []string{"--gpu-architecture=compute_75", fmad, "--std=c++17"}
}

// Header is the file every kernel source includes.
const Header = "gradcheck.cuh"

// SourceHash returns the SHA-256, in hex, of what the PTX of the kernel
// source file (e.g. "lu.cu") is made from: the compile options, the header
// and the source. The generated PTX records it, so that a test can tell
// stale PTX without NVRTC.
func SourceHash(file string) (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "%q\n", CompileOptions(file))
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
