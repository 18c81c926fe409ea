// Package hugepages advises the kernel to back large fresh buffers with
// transparent huge pages, so that their first touch costs a page fault per
// 2 MiB instead of per 4 KiB: on the virtual machines gradcheck runs on, a
// fault costs microseconds, and the perturbed points of a check at n = 1024
// or the comparisons of an entrywise check of a matrix-valued f touch
// hundreds of megabytes once. It is shared by the CPU backend's tensors and
// the verifier's per-instance buffers.
package hugepages
