package parts

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
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

// TestRunNestedAndConcurrent checks coverage where the crew is busy: Run
// called from inside a part, and from several goroutines at once.
func TestRunNestedAndConcurrent(t *testing.T) {
	const n, inner = 64, 50
	var mu sync.Mutex
	seen := make([]int, n*inner)
	mark := func(lo, hi int) {
		mu.Lock()
		defer mu.Unlock()
		for i := lo; i < hi; i++ {
			seen[i]++
		}
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			Run(n/4, 3, func(lo, hi int) {
				for i := g*n/4 + lo; i < g*n/4+hi; i++ {
					Run(inner, 2, func(a, b int) { mark(i*inner+a, i*inner+b) })
				}
			})
		})
	}
	wg.Wait()
	for i, c := range seen {
		if c != 1 {
			t.Fatalf("index %d covered %d times", i, c)
		}
	}
}

// TestRunAfterSleep checks that a worker asleep after the spin is woken for
// the next parts, and that each part's writes are seen by the caller.
func TestRunAfterSleep(t *testing.T) {
	for round := range 3 {
		got := make([]int, 4)
		Run(4, 4, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				got[i] = i + round
			}
		})
		for i, v := range got {
			if v != i+round {
				t.Fatalf("round %d: entry %d = %d, want %d", round, i, v, i+round)
			}
		}
		time.Sleep(3 * spinFor) // the crew goes to sleep
	}
}

// BenchmarkRun times Run on two parts of a fixed length of work against
// the same parts on two goroutines started for them while the caller waits
// (as Run did before its crew), and one after the other in the caller: the
// difference is the cost of waking a core.
func BenchmarkRun(b *testing.B) {
	for _, work := range []time.Duration{0, 10 * time.Microsecond, 100 * time.Microsecond} {
		part := func(lo, hi int) {
			for end := time.Now().Add(work); time.Now().Before(end); {
			}
		}
		b.Run(fmt.Sprintf("part=%v/goroutines", work), func(b *testing.B) {
			for b.Loop() {
				var wg sync.WaitGroup
				wg.Go(func() { part(0, 1) })
				wg.Go(func() { part(1, 2) })
				wg.Wait()
			}
		})
		b.Run(fmt.Sprintf("part=%v/serial", work), func(b *testing.B) {
			for b.Loop() {
				part(0, 1)
				part(1, 2)
			}
		})
		// Last, so that the crew sleeps while the others run.
		b.Run(fmt.Sprintf("part=%v/crew", work), func(b *testing.B) {
			for b.Loop() {
				Run(2, 2, part)
			}
		})
	}
}

// TestRunPanicFreesCrew checks that a panic in the caller's part leaves the
// crew whole: the workers' parts finish before Run unwinds, and the next
// Run covers its range.
func TestRunPanicFreesCrew(t *testing.T) {
	var ran atomic.Int64
	func() {
		defer func() {
			if recover() == nil {
				t.Fatal("the caller's panic did not come through")
			}
		}()
		Run(8, 4, func(lo, hi int) {
			if lo == 0 {
				panic("part 0")
			}
			time.Sleep(time.Millisecond)
			ran.Add(int64(hi - lo))
		})
	}()
	if got := ran.Load(); got != 6 {
		t.Fatalf("after the panic %d entries were run, want the other parts' 6", got)
	}
	seen := make([]atomic.Int32, 100)
	Run(100, 4, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			seen[i].Add(1)
		}
	})
	for i := range seen {
		if c := seen[i].Load(); c != 1 {
			t.Fatalf("after the panic index %d covered %d times", i, c)
		}
	}
}
