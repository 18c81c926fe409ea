package kernels

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"strings"
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

// BaseArch is the compute capability, as major·10 + minor, that the PTX of
// every kernel source is made for unless Arch says otherwise: the driver
// compiles it for that GPU and any newer one.
const BaseArch = 75

// newerArch are the sources that need a newer GPU than BaseArch, and its
// compute capability: dmma.cu's products run on the FP64 tensor cores,
// which mma.sync drives from compute capability 8.0 on. The GPU backend
// loads such a module only on a GPU that has them (gpu/cuda).
var newerArch = map[string]int{"dmma.cu": 80}

// SASSArchs are the compute capabilities (major·10 + minor) whose machine
// code is assembled ahead of time from the PTX (package kernels/sass), so
// that the driver need not compile it on those GPUs: the A100's and the
// H100's and H200's.
var SASSArchs = []int{80, 90}

// CubinName returns the name of the file in kernels/sass that holds the
// machine code of the PTX module (e.g. "lu.ptx") for the compute
// capability arch (major·10 + minor, e.g. 90).
func CubinName(module string, arch int) string {
	return fmt.Sprintf("%s.sm_%d.cubin", strings.TrimSuffix(module, ".ptx"), arch)
}

// Arch returns the compute capability (major·10 + minor) that the PTX of
// the kernel source file (e.g. "lu.cu") is made for, and that a GPU needs
// to run it.
func Arch(file string) int {
	if a, ok := newerArch[file]; ok {
		return a
	}
	return BaseArch
}

// CompileOptions returns the NVRTC options the PTX of the kernel source
// file (e.g. "lu.cu") is made with: code for the compute capability of
// Arch, which the driver compiles for any newer GPU, and contraction into
// fused multiply-adds except in the random-number kernels.
func CompileOptions(file string) []string {
	fmad := "--fmad=true"
	if exactFiles[file] {
		fmad = "--fmad=false"
	}
	return []string{fmt.Sprintf("--gpu-architecture=compute_%d", Arch(file)), fmad, "--std=c++17"}
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
