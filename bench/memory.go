package bench

import (
	"runtime/metrics"
	"time"
)

// heapMetric is the runtime metric of the bytes of heap objects, live or
// not yet collected: what the Go heap holds.
const heapMetric = "/memory/classes/heap/objects:bytes"

// heapSampler records the high water mark of the Go heap, sampled every
// millisecond between startHeapSampler and stop.
type heapSampler struct {
	quit chan struct{}
	peak chan uint64
}

// startHeapSampler starts sampling the heap.
func startHeapSampler() *heapSampler {
	h := &heapSampler{quit: make(chan struct{}), peak: make(chan uint64)}
	go func() {
		s := []metrics.Sample{{Name: heapMetric}}
		var peak uint64
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(s)
			peak = max(peak, s[0].Value.Uint64())
			select {
			case <-h.quit:
				h.peak <- peak
				return
			case <-tick.C:
			}
		}
	}()
	return h
}

// stop ends the sampling and returns the largest heap size seen.
func (h *heapSampler) stop() uint64 {
	close(h.quit)
	return <-h.peak
}
