package cpu

import "github.com/gradcheck/gradcheck/internal/parts"

// minSplit is the number of entries below which parallelEntries does not
// hand work to another core: a part costs up to a microsecond to hand over
// (internal/parts' BenchmarkRun with empty parts: 0.3–0.9 µs beside 0.2 µs
// in the caller alone), what an elementwise operation spends on some
// thousands of entries.
const minSplit = 1 << 14

// parallelEntries calls f(j, lo, hi) on ranges [lo, hi) of the entries of
// matrix j that together cover count matrices of size entries each, split
// evenly over the workers at multiples of align within a matrix. Unlike
// parallel, it keeps every core busy when a batch holds fewer matrices than
// there are cores (one instance and one direction at n = 1024).
func (b *Backend) parallelEntries(count, size, align int, f func(j, lo, hi int)) {
	total := count * size
	w := min(b.workers, max(1, total/minSplit))
	run := func(start, end int) {
		for pos := start; pos < end; {
			j := pos / size
			hi := min(end-j*size, size)
			f(j, pos-j*size, hi)
			pos = j*size + hi
		}
	}
	if w <= 1 {
		run(0, total)
		return
	}
	// bound rounds the i-th of w even cuts down to a multiple of align
	// within its matrix.
	bound := func(i int) int {
		p := i * total / w
		return p - p%size%align
	}
	parts.Run(w, w, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			run(bound(i), bound(i+1))
		}
	})
}
