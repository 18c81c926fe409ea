package parts

import "sync"

// Run calls f on count consecutive parts [lo, hi) covering [0, n), each in
// its own goroutine, and returns when all are done. With one part (or
// fewer) f runs once, in the caller, on [0, n).
func Run(n, count int, f func(lo, hi int)) {
	if count <= 1 {
		f(0, n)
		return
	}
	var wg sync.WaitGroup
	for p := range count {
		lo, hi := p*n/count, (p+1)*n/count
		wg.Go(func() { f(lo, hi) })
	}
	wg.Wait()
}
