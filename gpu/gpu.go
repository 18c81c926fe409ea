package gpu

import (
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"

	"github.com/gradcheck/gradcheck/backend"
)

// poolValues bounds the float64 values of freed buffers the Backend keeps
// for reuse (256 MiB).
const poolValues = 1 << 25

// maxGridY is the largest Y extent of a grid.
const maxGridY = 65535

// Backend evaluates batched matrix operations on a Device. It is safe for
// concurrent use.
type Backend struct {
	dev Device
	lim Limits

	mu sync.Mutex
	// pool holds freed device buffers by length, for reuse; pooled is the
	// number of values they hold.
	pool   map[int][]Ptr
	pooled int
}

var _ backend.Backend = (*Backend)(nil)

// New returns a backend that runs on dev. The backend owns dev from then on
// and closes it in Close.
func New(dev Device) *Backend {
	return &Backend{dev: dev, lim: dev.Limits(), pool: map[int][]Ptr{}}
}

// Name returns "gpu".
func (*Backend) Name() string { return "gpu" }

// Device returns the device the backend runs on.
func (b *Backend) Device() Device { return b.dev }

var _ backend.OnDevice = (*Backend)(nil)

// DeviceName returns the name of the device the backend runs on.
func (b *Backend) DeviceName() string { return b.dev.Name() }

// FreeMemory returns the bytes of device memory free now, where the device
// can tell (a GPU; the emulation cannot).
func (b *Backend) FreeMemory() (int64, error) {
	if d, ok := b.dev.(interface{ FreeMemory() (int64, error) }); ok {
		return d.FreeMemory()
	}
	return 0, fmt.Errorf("gpu: device %s does not report its free memory", b.dev.Name())
}

// Sync waits until every operation issued so far has finished on the
// device (launches do not wait for their kernels), so that a timer read
// next measures them; it returns a fault of one of them.
func (b *Backend) Sync() error {
	if err := b.dev.Sync(); err != nil {
		return fmt.Errorf("gpu: %w", err)
	}
	return nil
}

// Close releases the pooled buffers and the device. Tensors of the backend
// must not be used afterwards.
func (b *Backend) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	var errs []error
	for _, ps := range b.pool {
		for _, p := range ps {
			errs = append(errs, b.dev.Free(p))
		}
	}
	clear(b.pool)
	b.pooled = 0
	errs = append(errs, b.dev.Close())
	return errors.Join(errs...)
}

// buffer is a tensor's device memory, n values at p.
type buffer struct {
	p Ptr
	n int
}

// tensor is the GPU backend's backend.Tensor: Count row-major Rows×Cols
// matrices one after another in device memory.
type tensor struct {
	l   backend.Layout
	buf buffer
	b   *Backend
	// cleanup returns the buffer to the backend if the tensor is dropped
	// without Free.
	cleanup runtime.Cleanup
	freed   bool
}

// Layout returns the tensor's shape.
func (t *tensor) Layout() backend.Layout { return t.l }

// alloc returns a buffer of n values, from the pool when one of that length
// is free. When the device is out of memory it empties the pool and tries
// once more.
func (b *Backend) alloc(n int) (buffer, error) {
	b.mu.Lock()
	if ps := b.pool[n]; len(ps) > 0 {
		p := ps[len(ps)-1]
		b.pool[n] = ps[:len(ps)-1]
		b.pooled -= n
		b.mu.Unlock()
		return buffer{p, n}, nil
	}
	b.mu.Unlock()
	p, err := b.dev.Alloc(n)
	if err != nil {
		if b.drain() == 0 {
			return buffer{}, fmt.Errorf("gpu: allocating %d values: %w", n, err)
		}
		if p, err = b.dev.Alloc(n); err != nil {
			return buffer{}, fmt.Errorf("gpu: allocating %d values: %w", n, err)
		}
	}
	return buffer{p, n}, nil
}

// drain frees every pooled buffer and returns how many values they held.
func (b *Backend) drain() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := b.pooled
	for _, ps := range b.pool {
		for _, p := range ps {
			// A failing Free leaves the memory lost; the device reports
			// its broken state on the next operation.
			_ = b.dev.Free(p)
		}
	}
	clear(b.pool)
	b.pooled = 0
	return n
}

// release returns a buffer to the pool, or to the device when the pool is
// full.
func (b *Backend) release(buf buffer) {
	b.mu.Lock()
	if b.pooled+buf.n <= poolValues {
		b.pool[buf.n] = append(b.pool[buf.n], buf.p)
		b.pooled += buf.n
		b.mu.Unlock()
		return
	}
	b.mu.Unlock()
	// As in drain, an error here shows on the next operation.
	_ = b.dev.Free(buf.p)
}

// newTensor allocates an uninitialized tensor of layout l.
func (b *Backend) newTensor(l backend.Layout) (*tensor, error) {
	backend.CheckLayout("gpu", l)
	buf, err := b.alloc(l.Size())
	if err != nil {
		return nil, err
	}
	return b.tensorOf(l, buf), nil
}

// tensorOf returns a tensor of layout l over buf, which holds l.Size()
// values and which the tensor takes over: it is released with the tensor.
func (b *Backend) tensorOf(l backend.Layout, buf buffer) *tensor {
	t := &tensor{l: l, buf: buf, b: b}
	t.cleanup = runtime.AddCleanup(t, b.release, buf)
	return t
}

// get returns t as a live tensor of b, panicking on a tensor of another
// backend or one that was freed.
func (b *Backend) get(op string, t backend.Tensor) *tensor {
	g, ok := t.(*tensor)
	switch {
	case !ok || g.b != b:
		panic(fmt.Sprintf("gpu: %s: tensor %T does not belong to this gpu backend", op, t))
	case g.freed:
		panic(fmt.Sprintf("gpu: %s: tensor used after Free", op))
	}
	return g
}

// FromHost copies data, l.Count row-major l.Rows×l.Cols matrices, into a new
// tensor. It panics unless len(data) == l.Size().
func (b *Backend) FromHost(l backend.Layout, data []float64) (backend.Tensor, error) {
	backend.CheckHost("gpu", l, len(data))
	t, err := b.newTensor(l)
	if err != nil {
		return nil, err
	}
	if err := b.dev.CopyIn(t.buf.p, data); err != nil {
		b.Free(t)
		return nil, fmt.Errorf("gpu: copying %d values to the device: %w", len(data), err)
	}
	return t, nil
}

// ToHost copies the tensor's values to host memory in the layout FromHost
// reads, into dst when it has the capacity.
func (b *Backend) ToHost(t backend.Tensor, dst []float64) ([]float64, error) {
	g := b.get("ToHost", t)
	out := slices.Grow(dst[:0], g.l.Size())[:g.l.Size()]
	if err := b.dev.CopyOut(out, g.buf.p); err != nil {
		return nil, fmt.Errorf("gpu: copying %d values from the device: %w", len(out), err)
	}
	return out, nil
}

// Free returns the tensor's device memory for reuse; using the tensor
// afterwards panics. Tensors that are dropped without Free have their
// memory returned when the garbage collector finds them.
func (b *Backend) Free(t backend.Tensor) {
	g := b.get("Free", t)
	g.freed = true
	g.cleanup.Stop()
	b.release(g.buf)
}
