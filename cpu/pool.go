package cpu

import "sync"

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
