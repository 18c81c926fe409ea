//go:build cuda

// Command ptxgen compiles the CUDA C kernels of package kernels to PTX with
// NVRTC (gorgonia.org/cu/nvrtc), one .ptx file per .cu file, with the
// options of kernels.CompileOptions. NVRTC's comments (its version and
// build ID) are stripped, and two lines of its own head each file: the
// generated-code notice and the hash of the sources (kernels.SourceHash),
// which a test checks without NVRTC. NVRTC 11.8 numbers the virtual
// registers of some functions differently from run to run; the registers of
// each function are renumbered in the order they first appear, so that the
// output depends on the sources alone.
//
// It runs through go generate in the kernels directory, with the
// environment that scripts/cuda-headers.sh prints:
//
//	eval "$(scripts/cuda-headers.sh)"
//	go generate ./kernels
//
// Before writing, it assembles each module for the GPU of its
// kernels.Arch (sm_75, or sm_80 for the tensor-core products) with NVIDIA's
// PTX assembler library, as the driver will, so that invalid PTX is never
// committed. It also writes each module's machine code for the
// architectures of kernels.SASSArchs, and their manifest, into
// kernels/sass. With -check it writes nothing and exits with status 1 if a
// file is not what NVRTC and the assembler make of the sources now.
package main
