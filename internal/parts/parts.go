package parts

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// spinFor is how long a goroutine of this package waits by spinning before
// it sleeps: a worker for its next part, the caller of Run for the parts of
// the workers. Waking a sleeping goroutine on another core cost 17–26 µs on
// the 2-core VM (BenchmarkRun: two parts of 10 µs took 27.5 µs on two
// goroutines started for them, 11 µs with the crew; two of 100 µs 128 and
// 102 µs), as long as a whole batched operation on 32×32 matrices, and a
// verification calls Run every few microseconds while it runs. An idle
// process spins for no longer than this after its last part.
const spinFor = 200 * time.Microsecond

// Run calls f on count consecutive parts [lo, hi) covering [0, n), side by
// side, and returns when all are done. With one part (or fewer) f runs
// once, in the caller, on [0, n). The caller runs the first part and a crew
// of workers, one per further core (GOMAXPROCS), the next ones; parts
// beyond the crew, and the parts of a call made while the crew is busy (a
// call from inside f, or from another goroutine), run on goroutines of
// their own.
func Run(n, count int, f func(lo, hi int)) {
	if count <= 1 {
		f(0, n)
		return
	}
	part := func(p int) (lo, hi int) { return p * n / count, (p + 1) * n / count }
	var helpers []*worker
	if crew.mu.TryLock() {
		defer crew.mu.Unlock()
		helpers = crew.hire(count - 1)
	}
	var others sync.WaitGroup
	for p := len(helpers) + 1; p < count; p++ {
		others.Go(func() { f(part(p)) })
	}
	for i, w := range helpers {
		lo, hi := part(i + 1)
		w.post(f, lo, hi)
	}
	// Deferred, so that the crew is free again before mu is released
	// even where the caller's part panics.
	defer func() {
		for _, w := range helpers {
			w.finished.await(w.idle)
		}
		others.Wait()
	}()
	f(part(0))
}

// crew is the workers Run hands parts to.
var crew team

// A team is a set of workers, used by one Run at a time: the one that holds
// mu.
type team struct {
	mu      sync.Mutex
	workers []*worker
}

// hire returns up to want workers, starting new ones as far as there are
// cores for them (GOMAXPROCS − 1, the caller's core aside).
func (c *team) hire(want int) []*worker {
	want = min(want, runtime.GOMAXPROCS(0)-1)
	for len(c.workers) < want {
		w := &worker{posted: bell{ring: make(chan struct{}, 1)}, finished: bell{ring: make(chan struct{}, 1)}}
		go w.loop()
		c.workers = append(c.workers, w)
	}
	return c.workers[:want]
}

// A worker runs the parts posted to it, one at a time, for the life of the
// process.
type worker struct {
	seq, done        atomic.Uint64 // the number of parts posted, finished
	posted, finished bell          // rung by Run after a post, by the worker after a part
	f                func(lo, hi int)
	lo, hi           int
}

// post hands the worker f on [lo, hi).
func (w *worker) post(f func(lo, hi int), lo, hi int) {
	w.f, w.lo, w.hi = f, lo, hi
	w.seq.Add(1)
	w.posted.wake()
}

// idle reports whether the worker has run every part posted to it.
func (w *worker) idle() bool { return w.done.Load() == w.seq.Load() }

// loop runs the parts posted to the worker as they come.
func (w *worker) loop() {
	var ran uint64
	for {
		w.posted.await(func() bool { return w.seq.Load() != ran })
		ran++
		f := w.f
		w.f = nil // not to keep what f holds alive while idle
		f(w.lo, w.hi)
		w.done.Store(ran)
		w.finished.wake()
	}
}

// A bell lets a goroutine wait for a condition that another makes true,
// spinning for spinFor and then sleeping, without missing a change made
// between its last look and its sleep: the waiter says it sleeps before
// looking once more, the other makes the condition true before looking
// whether the waiter sleeps (atomics are sequentially consistent, so one of
// the two sees the other). A ring left over from such a race wakes the
// waiter once more, to find the condition as it is.
type bell struct {
	asleep atomic.Bool
	ring   chan struct{} // of capacity 1
}

// await returns once ready() holds.
func (b *bell) await(ready func() bool) {
	deadline := time.Now().Add(spinFor)
	for i := 1; !ready(); i++ {
		if i%64 != 0 {
			continue
		}
		if time.Now().Before(deadline) {
			runtime.Gosched() // let any goroutine waiting for this core run
			continue
		}
		b.asleep.Store(true)
		if !ready() {
			<-b.ring
		}
		b.asleep.Store(false)
		deadline = time.Now().Add(spinFor)
	}
}

// wake wakes the waiter if it sleeps; the caller has made its condition
// true.
func (b *bell) wake() {
	if b.asleep.Load() {
		select {
		case b.ring <- struct{}{}:
		default:
		}
	}
}
