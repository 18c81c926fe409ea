//go:build !linux

package cpu

// adviseHugePages does nothing where transparent huge pages are not
// requested by madvise (see the Linux version).
func adviseHugePages([]float64) {}
