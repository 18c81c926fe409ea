package gradcheck

import (
	"runtime"

	"github.com/gradcheck/gradcheck/internal/parts"
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
	if n > 0 {
		parts.Run(n, min(runtime.GOMAXPROCS(0), n/max(1, minPart)), f)
	}
}
