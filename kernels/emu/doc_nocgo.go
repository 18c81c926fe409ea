//go:build !cgo

// Package emu runs the CUDA kernels of package kernels on the CPU. It needs
// cgo (a C++ compiler); without it the package is empty and the GPU
// backend's tests are skipped.
package emu
