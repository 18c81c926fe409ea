//go:build cuda

package main

/*
#cgo LDFLAGS: -lnvptxcompiler_static -lstdc++ -lm -lpthread
#include <stdlib.h>
#include <nvPTXCompiler.h>

// assemble compiles ptx for the GPU named by arch (e.g. "--gpu-name=sm_75")
// and returns the result code; *image receives the machine code (a cubin,
// *imageSize bytes), and *log the error log, or with verbose the
// information log (both to be freed).
static int assemble(const char *ptx, size_t n, const char *arch, int verbose, char **log,
                    void **image, size_t *imageSize) {
	nvPTXCompilerHandle h;
	*log = NULL;
	*image = NULL;
	*imageSize = 0;
	int r = nvPTXCompilerCreate(&h, n, ptx);
	if (r != NVPTXCOMPILE_SUCCESS) {
		return r;
	}
	const char *opts[] = {arch, "--verbose"};
	int compiled = nvPTXCompilerCompile(h, verbose ? 2 : 1, opts);
	size_t size = 0;
	if (compiled == NVPTXCOMPILE_SUCCESS) {
		nvPTXCompilerGetInfoLogSize(h, &size);
	} else {
		nvPTXCompilerGetErrorLogSize(h, &size);
	}
	*log = malloc(size + 1);
	(*log)[0] = 0;
	if (size > 0) {
		if (compiled == NVPTXCOMPILE_SUCCESS) {
			nvPTXCompilerGetInfoLog(h, *log);
		} else {
			nvPTXCompilerGetErrorLog(h, *log);
		}
		(*log)[size] = 0;
	}
	r = compiled;
	if (r == NVPTXCOMPILE_SUCCESS) {
		r = nvPTXCompilerGetCompiledProgramSize(h, imageSize);
	}
	if (r == NVPTXCOMPILE_SUCCESS) {
		*image = malloc(*imageSize);
		r = nvPTXCompilerGetCompiledProgram(h, *image);
	}
	nvPTXCompilerDestroy(&h);
	return r;
}
*/
import "C"

import (
	"fmt"
	"unsafe"
)

// Assemble compiles PTX to machine code for the GPU architecture arch
// (e.g. "sm_75") with NVIDIA's PTX assembler library, as the driver's JIT
// compiler does when it loads a module, and returns the machine code (a
// cubin, which the driver loads as it is on a GPU of that architecture)
// and ptxas's information log (registers, spills). It fails when the PTX
// is invalid.
func Assemble(ptx []byte, arch string) (cubin []byte, info string, err error) {
	src := C.CString(string(ptx))
	defer C.free(unsafe.Pointer(src))
	gpu := C.CString("--gpu-name=" + arch)
	defer C.free(unsafe.Pointer(gpu))
	var log *C.char
	var image unsafe.Pointer
	var size C.size_t
	r := C.assemble(src, C.size_t(len(ptx)), gpu, 1, &log, &image, &size)
	if log != nil {
		info = C.GoString(log)
		C.free(unsafe.Pointer(log))
	}
	if image != nil {
		cubin = C.GoBytes(image, C.int(size))
		C.free(image)
	}
	if r != C.NVPTXCOMPILE_SUCCESS {
		return nil, "", fmt.Errorf("ptxas (%s) failed with code %d: %s", arch, int(r), info)
	}
	return cubin, info, nil
}
