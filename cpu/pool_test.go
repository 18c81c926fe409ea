package cpu

import "testing"

// TestBoundedCache checks that the cache returns only storage of the size
// asked for, the most recently kept first, drops the oldest to stay within
// its limit, and keeps nothing larger than the limit.
func TestBoundedCache(t *testing.T) {
	c := boundedCache{limit: 10}
	a, b, d := make([]float64, 4), make([]float64, 4), make([]float64, 3)
	c.put(a)
	c.put(b)
	if got := c.get(3); got != nil {
		t.Errorf("get(3) with only 4s kept = %d values, want nil", len(got))
	}
	if got := c.get(4); &got[0] != &b[0] {
		t.Error("get(4) did not return the storage kept last")
	}
	c.put(b)
	c.put(d) // 4 + 4 + 3 > 10: a, the oldest, goes
	if c.held != 7 || len(c.kept) != 2 {
		t.Errorf("after a put past the limit: %d values in %d kept, want 7 in 2", c.held, len(c.kept))
	}
	if got := c.get(4); &got[0] != &b[0] {
		t.Error("get(4) returned the storage that should have been dropped")
	}
	if got := c.get(4); got != nil {
		t.Error("get(4) returned storage twice")
	}
	c.put(make([]float64, 11))
	if c.held != 3 {
		t.Errorf("storage larger than the limit was kept: %d values held, want 3", c.held)
	}
	if got := c.get(3); &got[0] != &d[0] || c.held != 0 || len(c.kept) != 0 {
		t.Errorf("after taking the last: %d values in %d kept", c.held, len(c.kept))
	}
}

// TestStorageReusesLarge checks that a freed tensor above maxPooled values
// is handed out again, so a large verification does not take fresh pages
// for every chunk.
func TestStorageReusesLarge(t *testing.T) {
	d := storage(maxPooled + 1)
	recycle(d)
	if got := storage(maxPooled + 1); &got[0] != &d[0] {
		t.Error("a freed tensor of maxPooled+1 values was not reused")
	}
}

// TestDropFreed checks that DropFreed empties both stores of freed
// storage: what is asked for after it is fresh.
func TestDropFreed(t *testing.T) {
	for _, n := range []int{minPooled, maxPooled + 1} {
		d := storage(n)
		recycle(d)
		DropFreed()
		if got := storage(n); &got[0] == &d[0] {
			t.Errorf("%d values: freed storage was reused after DropFreed", n)
		}
	}
}
