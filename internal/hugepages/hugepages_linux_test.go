//go:build linux

package hugepages

import (
	"os"
	"strings"
	"syscall"
	"testing"
)

// minorFaults returns the minor page faults of this process so far.
func minorFaults(t *testing.T) int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	return ru.Minflt
}

// TestAdvise checks that fresh storage advised for huge pages is
// first touched with far fewer page faults than its 4 KiB pages (where the
// kernel grants transparent huge pages on request), and keeps its values;
// and that storage too small to hold an aligned huge page is left alone.
func TestAdvise(t *testing.T) {
	small := make([]float64, 1000)
	Advise(small)
	small[999] = 1

	mode, err := os.ReadFile("/sys/kernel/mm/transparent_hugepage/enabled")
	if err != nil || !(strings.Contains(string(mode), "[madvise]") || strings.Contains(string(mode), "[always]")) {
		t.Skipf("transparent huge pages are not granted on request here (%q)", strings.TrimSpace(string(mode)))
	}
	const n = 4 << 20 // 32 MiB: 8192 pages of 4 KiB
	d := make([]float64, n)
	Advise(d)
	before := minorFaults(t)
	for i := range d {
		d[i] = float64(i)
	}
	faults := minorFaults(t) - before
	if faults > n*8/4096/4 {
		t.Errorf("%d page faults to touch 32 MiB advised for huge pages, want under a quarter of its 8192 pages", faults)
	}
	for _, i := range []int{0, 1 << 18, n - 1} {
		if d[i] != float64(i) {
			t.Fatalf("d[%d] = %g after advice", i, d[i])
		}
	}
}
