package gradcheck

import (
	"runtime"
	"sync"
)

// minComparisonPart is the fewest comparisons addComparisons forms on one
// core: fewer cost less than starting a goroutine for them. A variable, so
// that tests can split small checks.
var minComparisonPart = 1 << 13

// parallelParts calls f on consecutive parts [lo, hi) covering [0, n), one
// part per core (GOMAXPROCS) and none shorter than minPart, and returns
// when all are done; a single part runs in the caller. The verifier's own
// arithmetic on the host — forming and judging the comparisons — goes
// through it, each part writing only its own entries, so that results do
// not depend on the number of parts.
func parallelParts(n, minPart int, f func(lo, hi int)) {
	parts := min(runtime.GOMAXPROCS(0), n/max(1, minPart))
	if parts <= 1 {
		if n > 0 {
			f(0, n)
		}
		return
	}
	var wg sync.WaitGroup
	for p := range parts {
		lo, hi := p*n/parts, (p+1)*n/parts
		wg.Go(func() { f(lo, hi) })
	}
	wg.Wait()
}
