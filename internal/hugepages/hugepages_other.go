//go:build !linux

package hugepages

// Advise does nothing where transparent huge pages are not requested by
// madvise (see the Linux version).
func Advise([]float64) {}
