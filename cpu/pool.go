package cpu

import (
	"slices"
	"sync"
)

// sizedPool keeps freed values of type T for reuse, by size: a sync.Pool
// per size, so the garbage collector may still drop what waits there. It
// serves both the storage of freed tensors and LU scratch space, which a
// verification asks for in a few sizes many times over.
type sizedPool[T any] struct {
	pools sync.Map // int → *sync.Pool
}

// get returns a value of the given size kept by put, if there is one.
func (p *sizedPool[T]) get(size int) (T, bool) {
	if sp, ok := p.pools.Load(size); ok {
		if v, ok := sp.(*sync.Pool).Get().(T); ok {
			return v, true
		}
	}
	var none T
	return none, false
}

// put keeps v, of the given size, for a later get.
func (p *sizedPool[T]) put(size int, v T) {
	sp, _ := p.pools.LoadOrStore(size, new(sync.Pool))
	sp.(*sync.Pool).Put(v)
}

// boundedCache keeps freed storage too large for sizedPool, the oldest
// dropped first, while what it holds stays within limit values. Unlike a
// sync.Pool it is not emptied by the garbage collector: a tensor of tens of
// megabytes freed and asked for again a moment later (a chunk's perturbed
// points at n = 512) would otherwise be collected, its pages returned to the
// system by the runtime's scavenger, and taken again fresh, the kernel
// zeroing every page on first touch.
type boundedCache struct {
	limit int // values

	mu   sync.Mutex
	held int         // values in kept
	kept [][]float64 // oldest first
}

// get returns kept storage of exactly n values, the most recently kept, or
// nil where there is none.
func (c *boundedCache) get(n int) []float64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := len(c.kept) - 1; i >= 0; i-- {
		if d := c.kept[i]; len(d) == n {
			c.kept = slices.Delete(c.kept, i, i+1)
			c.held -= n
			return d
		}
	}
	return nil
}

// put keeps d, dropping the oldest storage kept as far as it must to stay
// within the limit; storage larger than the limit is not kept.
func (c *boundedCache) put(d []float64) {
	if len(d) > c.limit {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	drop := 0
	for c.held+len(d) > c.limit {
		c.held -= len(c.kept[drop])
		drop++
	}
	c.kept = append(slices.Delete(c.kept, 0, drop), d)
	c.held += len(d)
}

// clear drops everything kept.
func (c *boundedCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.kept, c.held = nil, 0
}

// clear drops everything kept.
func (p *sizedPool[T]) clear() { p.pools.Clear() }
