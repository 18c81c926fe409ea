//go:build cuda

package cuda

/*
#include <cuda.h>
*/
import "C"

import (
	"fmt"
	"regexp"
	"strconv"
)

// unknownCode matches how gorgonia.org/cu v0.9.6 prints the error codes of
// drivers newer than it (CUDA 12 and 13 added some).
var unknownCode = regexp.MustCompile(`UnknownErrorCode:(\d+)`)

// named adds to an error that cu could not name the driver's own name and
// description of its code, e.g. CUDA_ERROR_UNSUPPORTED_PTX_VERSION.
func named(err error) error {
	if err == nil {
		return nil
	}
	m := unknownCode.FindStringSubmatch(err.Error())
	if m == nil {
		return err
	}
	code, convErr := strconv.Atoi(m[1])
	if convErr != nil {
		return err
	}
	var name, desc *C.char
	if C.cuGetErrorName(C.CUresult(code), &name) != C.CUDA_SUCCESS ||
		C.cuGetErrorString(C.CUresult(code), &desc) != C.CUDA_SUCCESS {
		return err
	}
	return fmt.Errorf("%w (%s: %s)", err, C.GoString(name), C.GoString(desc))
}
