// Package cuda is the GPU device of package gpu: a gpu.Device on an NVIDIA
// GPU through the CUDA driver API of gorgonia.org/cu, running the embedded
// PTX of package kernels (compiled by the driver for the GPU at hand).
//
// It is built only with the tag cuda. Importing gorgonia.org/cu
// initializes the driver and exits the process when there is none
// (DESIGN.md, "GPU"), so only the worker binary contains this package.
package cuda
