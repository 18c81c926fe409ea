package parts

import (
	"sync"
	"testing"
)

// TestRunCovers checks that the parts cover [0, n) exactly once, in as
// many calls as asked (one for a count of one or less), none empty where n
// is at least the count.
func TestRunCovers(t *testing.T) {
	for _, tt := range []struct{ n, count, calls int }{{0, 1, 1}, {10, 1, 1}, {10, 0, 1}, {10, 3, 3}, {7, 7, 7}, {1000, 4, 4}} {
		var mu sync.Mutex
		seen := make([]int, tt.n)
		calls := 0
		Run(tt.n, tt.count, func(lo, hi int) {
			mu.Lock()
			defer mu.Unlock()
			calls++
			if tt.count > 1 && lo == hi {
				t.Errorf("n %d count %d: empty part at %d", tt.n, tt.count, lo)
			}
			for i := lo; i < hi; i++ {
				seen[i]++
			}
		})
		if calls != tt.calls {
			t.Errorf("n %d count %d: %d calls, want %d", tt.n, tt.count, calls, tt.calls)
		}
		for i, c := range seen {
			if c != 1 {
				t.Errorf("n %d count %d: index %d covered %d times", tt.n, tt.count, i, c)
			}
		}
	}
}
